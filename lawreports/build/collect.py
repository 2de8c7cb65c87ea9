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
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..checks.base import Context as CheckContext
from ..checks.reuse import check_reuse
from ..model import Diagnostic
from ..parse import ParseError
from ..read import ReadError, unsupported
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


def input_files(seeds_dir: Path) -> list[Path]:
    """The raw files of a folder, in name order (sidecars and hidden files are not raw files)."""
    return sorted(
        p for p in seeds_dir.iterdir()
        if p.is_file() and not p.name.startswith((".", "_")) and not p.name.endswith(NOT_REPORTS)
    )


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
    files = input_files(seeds_dir)
    run.total = len(files)
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
    if catalog is not None:
        catalog.prune(p.name for p in files)

    records = []
    for path in files:
        record, problems = outcomes[path.name]
        run.diagnostics.extend(problems)
        if record is None:
            run.failed.append(path.name)
        else:
            records.append(record)
            run.diagnostics.extend(record.findings)
    # a file that fails now keeps its last good page (see outputs): its last record still holds the
    # page's place, so a new report of the same agency and year is refused rather than taking it
    last_good = [last for name in run.failed if catalog is not None and (last := catalog.load(name)) is not None]
    refused = clashes(records + last_good)
    for name, reasons in sorted(refused.items()):
        if name in run.failed:  # already failed, with its own reason
            continue
        run.failed.append(name)
        run.diagnostics.extend(reasons)
    run.records = [r for r in records if r.source not in refused]
    run.diagnostics.extend(reuse_findings(run.records, context))
    run.diagnostics.extend(sidecar_findings(seeds_dir, files))
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


def clashes(records: list[ReportRecord]) -> dict[str, list[Diagnostic]]:
    """Two reports of one agency and year, two agencies with one URL name, or one agency with two:
    an error naming both files for each; neither is published."""
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
        if path.name.endswith(".meta.yml") and path.name[: -len(".meta.yml")] not in stems:
            out.append(Diagnostic(path.name, None, "warning", "sidecar-orphan",
                                  "没有同名的报告原文，此更正文件未被使用"))
        elif path.suffix in (".yml", ".yaml") and not path.name.endswith(".meta.yml"):
            stem = path.name[: -len(".meta.yaml")] if path.name.endswith(".meta.yaml") else path.stem
            if stem in stems:
                out.append(Diagnostic(path.name, None, "warning", "sidecar-name",
                                      f"更正文件应命名为 {stem}.meta.yml，此文件未被使用"))
    return out
