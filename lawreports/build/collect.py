"""The seeds folder → the catalog's records: each raw file read at most once, and only when it changed.

For each raw file, in name order: the catalog's record when the file and its sidecar are unchanged
(same size and modification time: the file is not even opened; else the same bytes), otherwise
:func:`~lawreports.build.prepare.prepare` in a worker process (a pool when many files changed).
Then, over the whole folder: reports that clash (two of one agency and year, two agencies with one
URL name) are refused, naming both files, and text reused from the agency's previous year is found.
A file that fails is reported (file, line, reason) and the others go on; no exception escapes for
one file.
"""

from __future__ import annotations

import multiprocessing
import os
import stat as stat_module
import threading
from collections.abc import Callable, Iterator, Set
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..checks.base import Context as CheckContext
from ..checks.reuse import check_reuse
from ..model import Diagnostic
from ..parse import ParseError
from ..read import MAX_INPUT_BYTES, READABLE, UNSUPPORTED, ReadError, too_large, unsupported
from ..record import ReportRecord
from ..sidecar import SidecarError, sidecar_path
from .catalog import Catalog
from .prepare import Context, prepare, stat_of

#: Files in the seeds folder that are not reports.
NOT_REPORTS = (".meta.yml", ".yml", ".yaml", ".json", ".md", ".gitkeep")
#: Raw files to convert before worker processes pay for their start (~0.05 s forked, ~1 s spawned).
PARALLEL_MIN = 200

Outcome = tuple[ReportRecord | None, tuple[Diagnostic, ...]]  #: a record, or the reasons there is none


@dataclass
class Collected:
    """The folder as the later stages see it."""

    records: list[ReportRecord] = field(default_factory=list)  #: publishable, in name order
    diagnostics: list[Diagnostic] = field(default_factory=list)  #: every finding, sorted
    failed: list[str] = field(default_factory=list)  #: raw files without a publishable record
    total: int = 0  #: raw files in the folder
    converted: int = 0  #: records made in this run (the others came from the catalog)
    workers: int = 0  #: worker processes used (0: all in this process)

    @property
    def ok(self) -> bool:
        return not self.failed and not any(d.severity == "error" for d in self.diagnostics)


@dataclass
class SeedFiles:
    """What a seeds folder holds: the raw files to convert, and what is refused or only reported.

    Only regular files inside the folder are raw reports. A symbolic link is followed only when its
    target is a regular file inside the folder; one that leaves it, a dangling link, a device or pipe,
    a file too large, unreadable or whose name is not valid UTF-8 is refused (an error naming it; its
    name is in ``refused``); a folder named like a report (``old.txt/``) is a warning. None is read.
    """

    files: list[Path] = field(default_factory=list)  #: raw files to convert, in name order
    findings: list[Diagnostic] = field(default_factory=list)  #: refused or reported, by name
    refused: list[str] = field(default_factory=list)  #: names of raw files refused (failed)


def printable_name(name: str) -> str:
    """A file name as it can be printed: bytes that are not UTF-8 (``os.listdir`` gives them as lone
    surrogates) shown as ``\\xNN``."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return os.fsencode(name).decode("utf-8", "backslashreplace")


def _bad_name_message(name: str) -> str:
    raw = os.fsencode(name)
    guess = ""
    try:
        guessed = raw.decode("gb18030")
        if guessed.isprintable():
            guess = f"（按 GBK 编码读作“{guessed}”，多见于在中文 Windows 上压缩的 zip 文件）"
    except UnicodeDecodeError:
        pass
    return f"文件名不是 UTF-8 编码{guess}，未读取；请把文件重命名（只用汉字、字母和数字）后重试"


def _is_report_name(name: str) -> bool:
    return not name.startswith((".", "_")) and not name.endswith(NOT_REPORTS)


def scan_seeds(seeds_dir: Path) -> SeedFiles:
    """The raw files of ``seeds_dir`` and what is refused there; see :class:`SeedFiles`."""
    out = SeedFiles()
    root = seeds_dir.resolve()
    for path in sorted(seeds_dir.iterdir()):
        name = path.name
        if not _is_report_name(name):
            continue
        shown = printable_name(name)

        def refuse(code: str, message: str, shown: str = shown) -> None:
            out.findings.append(Diagnostic(shown, None, "error", code, message))
            out.refused.append(shown)

        if shown != name:
            refuse("bad-file-name", _bad_name_message(name))
            continue
        try:
            link = path.is_symlink()
            if link:
                target = path.resolve()
                if target != root and root not in target.parents:
                    refuse("symlink-outside", "是指向 seeds 文件夹以外的符号链接，为防止发布其他文件，未读取；"
                                              "请把报告原文复制到 seeds 文件夹中")
                    continue
            info = path.stat()
        except FileNotFoundError:
            refuse("dangling-link", "是指向不存在文件的符号链接，未读取；请删除它或放入报告原文")
            continue
        except (OSError, RuntimeError) as err:  # a link loop, or a folder that cannot be searched
            refuse("unreadable", f"无法读取此文件（{type(err).__name__}），未读取")
            continue
        if stat_module.S_ISDIR(info.st_mode):
            if path.suffix.lower() in (*READABLE, *UNSUPPORTED):
                out.findings.append(Diagnostic(shown, None, "warning", "not-a-file",
                                               "是文件夹而不是报告文件，其中的内容不会发布"))
            continue
        if not stat_module.S_ISREG(info.st_mode):
            refuse("not-a-file", "不是普通文件（设备、管道或套接字），未读取")
            continue
        if info.st_size > MAX_INPUT_BYTES:
            error = too_large(info.st_size)
            refuse(error.code, error.message)
            continue
        if not os.access(path, os.R_OK):
            refuse("unreadable", "没有读取此文件的权限，未读取；请检查文件权限（例如 chmod a+r）")
            continue
        out.files.append(path)
    return out


def input_files(seeds_dir: Path) -> list[Path]:
    """The raw files of a folder to convert, in name order (sidecars, hidden files and what
    :func:`scan_seeds` refuses are not among them)."""
    return scan_seeds(seeds_dir).files


def default_jobs() -> int:
    """``LAWREPORTS_JOBS`` when set, else the CPUs this process may use."""
    value = os.environ.get("LAWREPORTS_JOBS", "").strip()
    if value.isdigit() and int(value) >= 1:
        return int(value)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def collect(seeds_dir: Path, context: Context, catalog: Catalog | None = None, jobs: int | None = None,
            progress: Callable[[str], None] | None = None) -> Collected:
    """Every raw file of ``seeds_dir`` as a record or as findings; see the module docstring.
    ``catalog``: where records are kept between runs (None: keep nothing, convert everything)."""
    run = Collected()
    scan = scan_seeds(seeds_dir)
    files = scan.files
    run.total = len(files) + len(scan.refused)
    outcomes: dict[str, Outcome] = {}
    todo: list[Path] = []
    for path in files:
        kept = _kept(path, context, catalog) if catalog is not None else None
        if kept is not None:
            outcomes[path.name] = (kept, ())
            if progress:
                progress(path.name)
        else:
            todo.append(path)
    for path, outcome in zip(todo, _convert(todo, context, jobs or default_jobs(), run), strict=True):
        outcomes[path.name] = outcome
        run.converted += 1
        if catalog is not None and outcome[0] is not None:
            catalog.save(outcome[0])
        if progress:
            progress(path.name)
    if catalog is not None:  # a file refused now keeps its record (its last good version)
        catalog.prune([*(p.name for p in files), *scan.refused])

    records = []
    run.failed.extend(scan.refused)
    run.diagnostics.extend(scan.findings)
    for path in files:
        record, problems = outcomes[path.name]
        run.diagnostics.extend(problems)
        if record is None:
            run.failed.append(path.name)
        else:
            records.append(record)
            run.diagnostics.extend(record.findings)
    # a file that fails now keeps its last published version (pipeline.publishable): that version still
    # holds its place, so a new report of the same agency and year is refused rather than taking it
    published = catalog.published_sources() if catalog is not None else set()
    last_good = [last for name in run.failed if name in published
                 and catalog is not None and (last := catalog.published(name)) is not None]
    refused = clashes(records + last_good, published)
    for name, reasons in sorted(refused.items()):
        if name in run.failed:  # already failed, with its own reason
            continue
        run.failed.append(name)
        run.diagnostics.extend(reasons)
    run.records = [r for r in records if r.source not in refused]
    run.diagnostics.extend(reuse_findings(run.records, context))
    run.diagnostics.extend(sidecar_findings(seeds_dir, [*files, *(seeds_dir / name for name in scan.refused)]))
    run.diagnostics = sorted(set(run.diagnostics), key=lambda d: (d.file, d.line or 0, d.code, d.message))
    run.failed.sort()
    return run


def _kept(path: Path, context: Context, catalog: Catalog) -> ReportRecord | None:
    """The catalog's record of ``path`` when it was made from the same inputs, else None."""
    record = catalog.load(path.name)
    if record is None or unsupported(path):
        return None
    try:
        stat = stat_of(path)
    except OSError:
        return None
    same_inputs = context.inputs_hash_of(record.source_sha256, record.sidecar_sha256) == record.inputs_sha256
    if stat == record.stat and same_inputs:
        return record
    try:  # touched but perhaps not changed (a checkout, a copy): compare the bytes
        data = path.read_bytes()
        side = sidecar_path(path)
        sidecar = side.read_bytes() if stat.sidecar_size is not None else None
    except OSError:
        return None
    if context.inputs_hash(data, sidecar) != record.inputs_sha256:
        return None
    record = replace(record, stat=stat)
    catalog.save(record)  # so the next run knows it by its size and time again, without reading it
    return record


# -- converting: in this process or in a pool of workers, results in file order -------------------------


def convert_guarded(path: Path, context: Context) -> Outcome:
    """:func:`prepare` one file; every failure becomes findings naming the file."""
    try:
        return prepare(path, context), ()
    except (ReadError, ParseError) as err:
        return None, (Diagnostic(path.name, err.line, "error", err.code, err.message),)
    except SidecarError as err:  # every bad key, each naming the sidecar file
        return None, tuple(err.diagnostics)
    except OSError as err:
        return None, (Diagnostic(path.name, None, "error", "unreadable", f"无法读取：{err.strerror or err}"),)
    except Exception as err:  # a bug must not cost the other reports, nor show a traceback
        return None, (internal_error(path.name, err),)


def internal_error(name: str, err: BaseException) -> Diagnostic:
    return Diagnostic(name, None, "error", "internal-error",
                      f"转换 {name} 时程序出错（{type(err).__name__}: {err}），此文件未转换；"
                      "请把此文件和这条信息发给维护人员")


_WORKER: dict[str, Context] = {}  #: a worker process's context


def _start_worker(context: Context) -> None:
    _WORKER["context"] = context


def _convert_chunk(paths: list[Path]) -> tuple[int, list[Outcome]]:
    return os.getpid(), [convert_guarded(path, _WORKER["context"]) for path in paths]


def _convert(todo: list[Path], context: Context, jobs: int, run: Collected) -> Iterator[Outcome]:
    """Outcomes for ``todo`` in order; worker processes when enough files changed. If the workers
    cannot start or die, the files not yet done are converted here."""
    done = 0
    if jobs > 1 and len(todo) >= PARALLEL_MIN:
        size = max(4, min(64, len(todo) // (jobs * 4)))
        chunks = [todo[i:i + size] for i in range(0, len(todo), size)]
        pids: set[int] = set()
        try:
            with ProcessPoolExecutor(max_workers=min(jobs, len(chunks)), mp_context=process_context(),
                                     initializer=_start_worker, initargs=(context,)) as pool:
                for pid, outcomes in pool.map(_convert_chunk, chunks):
                    pids.add(pid)
                    run.workers = len(pids)
                    for outcome in outcomes:
                        done += 1
                        yield outcome
        except Exception:
            pass
    for path in todo[done:]:
        yield convert_guarded(path, context)


def process_context() -> multiprocessing.context.BaseContext:
    """fork when this process runs no other thread (``mkdocs serve`` watches files in threads: a
    forked worker could wait for ever on a lock one of them held); else forkserver or spawn, which
    import the main script again (work stays under ``if __name__ == "__main__":``)."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


# -- the folder as a whole -------------------------------------------------------------------------------


def clashes(records: list[ReportRecord], published: Set[str] = frozenset()) -> dict[str, list[Diagnostic]]:
    """Two reports of one agency and year, two agencies with one URL name, or one agency with two:
    an error naming both files for each; neither is published — except that a report published
    before keeps its place, and only the newcomer is refused (``published``: raw files published)."""
    bad: dict[str, list[Diagnostic]] = {}
    by_key: dict[tuple[str, int | None], list[ReportRecord]] = {}
    by_slug: dict[str, dict[str, list[ReportRecord]]] = {}
    by_agency: dict[str, dict[str, list[ReportRecord]]] = {}
    for r in records:
        by_key.setdefault(r.key, []).append(r)
        by_slug.setdefault(r.agency_slug, {}).setdefault(r.agency_key, []).append(r)
        by_agency.setdefault(r.agency_key, {}).setdefault(r.agency_slug, []).append(r)

    def flag(items: list[ReportRecord], code: str, message: str) -> None:
        for r in items:
            bad.setdefault(r.source, []).append(Diagnostic(r.source, None, "error", code, message))

    for (name, year), items in sorted(by_key.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0)):
        if len(items) > 1:
            kept = [r for r in items if r.source in published]
            newcomers = [r for r in items if r.source not in published]
            if len(kept) == 1 and newcomers:
                flag(newcomers, "duplicate-report",
                     f"{name} {year or '未注明'}年度已发布 {kept[0].source}；{_sources(newcomers)} 与之重复，未发布，"
                     "请删除或改正")
            else:
                flag(items, "duplicate-report", duplicate_message(name, year, [r.source for r in items]))
    for slug, agencies in sorted(by_slug.items()):
        if len(agencies) > 1:
            items = [r for group in agencies.values() for r in group]
            names = "、".join(f"{key}（{_sources(group)}）" for key, group in sorted(agencies.items()))
            flag(items, "slug-collision", f"不同单位的网址名相同（{slug}）：{names}；均未发布，"
                 "请在 agencies.yml 或 .meta.yml 中为其设置不同的 slug")
    for key, slugs in sorted(by_agency.items()):
        if len(slugs) > 1:
            items = [r for group in slugs.values() for r in group]
            names = "、".join(f"{slug}（{_sources(group)}）" for slug, group in sorted(slugs.items()))
            flag(items, "slug-mismatch", f"同一单位 {key} 的网址名不一致：{names}；均未发布，"
                 "请统一 .meta.yml 中的 slug")
    return bad


def _sources(records: list[ReportRecord]) -> str:
    return "、".join(sorted(r.source for r in records))


def duplicate_message(agency_key: str, year: int | None, sources: list[str]) -> str:
    """The one wording of ``duplicate-report``."""
    names = "、".join(sorted(sources))
    return f"{agency_key} {year or '未注明'}年度有多份报告：{names}；均未发布，请删除或改正其中一份"


def reuse_findings(records: list[ReportRecord], context: Context) -> list[Diagnostic]:
    """Paragraphs reused word for word from the same agency's report of the year before."""
    by_year = {(r.agency_key, r.year): r for r in records if r.year}
    out: list[Diagnostic] = []
    for r in records:
        previous = by_year.get((r.agency_key, r.year - 1)) if r.year else None
        if previous is not None:
            ctx = CheckContext(context.settings, context.parts, r.agency_type, r.deadline, previous.report)
            out.extend(check_reuse(r.report, ctx))
    return out


def sidecar_findings(seeds_dir: Path, files: list[Path]) -> list[Diagnostic]:
    """A sidecar without its raw file, or one named ``<name>.yml``: it would be silently ignored."""
    stems = {p.stem for p in files}
    out = []
    for path in sorted(seeds_dir.iterdir()):
        name = printable_name(path.name)
        if path.name.endswith(".meta.yml"):
            if name != path.name:
                out.append(Diagnostic(name, None, "error", "bad-file-name", _bad_name_message(path.name)))
            elif path.name[: -len(".meta.yml")] not in stems:
                out.append(Diagnostic(name, None, "warning", "sidecar-orphan",
                                      "没有同名的报告原文，此更正文件未被使用"))
        elif path.suffix in (".yml", ".yaml"):
            stem = path.name[: -len(".meta.yaml")] if path.name.endswith(".meta.yaml") else path.stem
            if stem in stems:
                out.append(Diagnostic(name, None, "warning", "sidecar-name",
                                      f"更正文件应命名为 {stem}.meta.yml，此文件未被使用"))
    return out
