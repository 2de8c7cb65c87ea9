"""Convert a folder of raw reports into Markdown pages: the stage that owns files on disk.

For each raw file: read → parse → apply the sidecar → identity → render; then, for the whole
folder: refuse duplicates → write → remove stale pages. A bad file is reported (file, line,
reason) and skipped; the others are still written. No exception escapes for one file: an
unexpected one becomes an ``internal-error`` naming the file.

Pages in the output folder are of three kinds, and each is treated as such:

* **generated and intact** (front matter has ``generator`` and its ``content_sha256`` matches):
  rewritten only when its inputs changed, removed when its raw file is gone;
* **generated, then hand-edited** (the hash no longer matches): never overwritten without
  ``force``, never removed — the run names the page and fails;
* **not generated** (no ``generator``: a page someone wrote): never touched, never removed.

Conversion is incremental: a page records ``inputs_sha256``, the hash of everything it depends
on (raw bytes, sidecar, tool version, ``parts.yml``, ``agencies.yml``, default region). When that
matches, the raw file is not even parsed and the page is not rewritten. The output folder's stamp
file (``.lawreports-build``) names the code that wrote it; other code re-renders every page (and
rewrites only those whose bytes differ).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Callable

import yaml

from . import __version__
from .identity import AGENCIES_FILE, AgencyTable, AgencyTableError, Identity, identify, load_agencies
from .model import PART_KEYS, Diagnostic, Report
from .parse import ParseError, parse_report
from .parts import PartTable, load_parts
from .read import ReadError, source_from_bytes, unsupported
from .render import CONTENT_HASH_LINE, PageFacts, content_hash, display_title, front_matter, render_page
from .settings import Settings
from .sidecar import SidecarError, apply_sidecar, differs, load_sidecar, sidecar_path

#: Files in the seeds folder that are not reports.
NOT_REPORTS = (".meta.yml", ".yml", ".yaml", ".json", ".md", ".gitkeep")
#: The agency table used when none is named: ``agencies.yml`` in the working directory.
DEFAULT_AGENCIES = Path(AGENCIES_FILE)
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
GENERATED_MARK = re.compile(r"^generator: lawreports\b", re.MULTILINE)
SOURCE_LINE = re.compile(r"^source: (.+)$", re.MULTILINE)
#: The output folder's stamp: the code that wrote its pages (a dot file: MkDocs does not publish it).
STAMP = ".lawreports-build"


@dataclass(frozen=True)
class PageInfo:
    """A converted report as the site needs it (the page's front matter, typed)."""

    source: str
    source_sha256: str
    path: str  #: page path relative to the output folder, e.g. ``2023/nan-kai-qu-si-fa-ju.md``
    title: str | None
    display_title: str
    agency: str | None
    agency_key: str
    agency_slug: str
    agency_type: str
    region: str | None
    year: int | None
    written: dt.date | None
    published: dt.date | None
    index_no: str | None
    parts: dict[str, str | None]
    parts_within: dict[str, str]
    characters: int
    source_url: str | None
    warnings: tuple[Diagnostic, ...]
    sections: tuple[dict, ...] = ()

    @property
    def url(self) -> str:
        return self.path[: -len(".md")] + "/"


@dataclass
class ConvertRun:
    """What one conversion did."""

    pages: list[PageInfo] = field(default_factory=list)  #: every report page of this run
    diagnostics: list[Diagnostic] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  #: raw files whose page was not (re)written
    written: list[str] = field(default_factory=list)  #: pages (re)written
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    total: int = 0  #: raw files in the folder

    @property
    def ok(self) -> bool:
        return not self.failed and not any(d.severity == "error" for d in self.diagnostics)

    def fail(self, source: str, diagnostic: Diagnostic) -> None:
        if source not in self.failed:
            self.failed.append(source)
        self.diagnostics.append(diagnostic)


@dataclass(frozen=True)
class Context:
    """What every file's conversion shares: tables, settings and what the cache key holds of them."""

    settings: Settings
    parts: PartTable
    agencies: AgencyTable
    tool: str  #: tool version

    @classmethod
    def load(cls, settings: Settings, agencies_file: Path | None = None) -> "Context":
        """The tables for a run; ``agencies_file`` None means ``agencies.yml`` in the working
        directory. Raises AgencyTableError when the agency table is invalid."""
        table = agencies_file if agencies_file is not None else DEFAULT_AGENCIES
        return cls(settings, load_parts(), load_agencies(table), tool_version())

    def inputs_hash(self, data: bytes, sidecar: bytes | None) -> str:
        """Everything a page depends on: raw bytes, sidecar, tool, part and agency tables, region."""
        items = [hashlib.sha256(data).hexdigest(), hashlib.sha256(sidecar).hexdigest() if sidecar is not None else "-",
                 self.tool, self.parts.sha256, self.agencies.sha256, self.settings.region or ""]
        return hashlib.sha256("\n".join(items).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Converted:
    """One raw file turned into a page, before it is written."""

    source: str
    page: str | None  #: the page text; None when the page on disk is still right (inputs unchanged)
    path: str  #: relative output path
    info: PageInfo
    diagnostics: tuple[Diagnostic, ...]  #: findings about the raw file (also in the page's ``warnings``)

    @property
    def key(self) -> tuple[str, int | None]:
        """(agency_key, year): at most one report each."""
        return self.info.agency_key, self.info.year


@dataclass
class OutputFolder:
    """The pages already in the output folder, by kind (see the module docstring)."""

    intact: dict[str, tuple[dict, str]] = field(default_factory=dict)  #: source → (front matter, path)
    edited: dict[str, str | None] = field(default_factory=dict)  #: path → source (None if unreadable)
    foreign: set[str] = field(default_factory=set)  #: paths of pages without ``generator``

    def owner(self, rel: str) -> str | None:
        return next((source for source, (_, path) in self.intact.items() if path == rel), None)


def tool_version() -> str:
    """The version every page's ``inputs_sha256`` depends on."""
    return __version__


@cache
def tool_fingerprint() -> str:
    """The tool version and a hash of the converter's code, kept in the output folder's stamp file:
    a changed parser re-renders every page even when the version number was not raised, and yet
    the pages themselves do not depend on the code's bytes (golden pages stay put)."""
    package = Path(__file__).parent
    digest = hashlib.sha256(__version__.encode())
    for path in sorted([*package.glob("*.py"), *package.glob("parse/*.py"), *package.glob("*.yml")]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:16]}"


def input_files(seeds_dir: Path) -> list[Path]:
    """The raw files of a folder, in name order (sidecars and hidden files are not raw files)."""
    return sorted(
        p for p in seeds_dir.iterdir()
        if p.is_file() and not p.name.startswith((".", "_")) and not p.name.endswith(NOT_REPORTS)
    )


def split_front_matter(text: str) -> str | None:
    """The YAML between the opening ``---`` and the closing one, or None."""
    if not text.startswith("---\n"):
        return None
    end = text.find("\n---\n", 3)
    return text[4:end + 1] if end >= 0 else None


def read_front_matter(path: Path) -> tuple[dict | None, str]:
    """(front matter, whole text) of a page, or (None, text) when it has none."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None, ""
    block = split_front_matter(text)
    if block is None:
        return None, text
    try:
        data = yaml.load(block, Loader=SAFE_LOADER)
    except yaml.YAMLError:
        return None, text
    return (data if isinstance(data, dict) else None), text


def page_info(matter: dict, path: str) -> PageInfo:
    def date(value):
        return dt.date.fromisoformat(str(value)) if value else None

    return PageInfo(
        source=matter["source"],
        source_sha256=matter["source_sha256"],
        path=path,
        title=matter.get("title"),
        display_title=matter.get("display_title") or "",
        agency=matter.get("agency"),
        agency_key=matter.get("agency_key") or "",
        agency_slug=matter.get("agency_slug") or "",
        agency_type=matter.get("agency_type") or "department",
        region=matter.get("region"),
        year=matter.get("year"),
        written=date(matter.get("written")),
        published=date(matter.get("published")),
        index_no=matter.get("index_no"),
        parts={key: (matter.get("parts") or {}).get(key) for key in PART_KEYS},
        parts_within=dict(matter.get("parts_within") or {}),
        characters=int(matter.get("characters") or 0),
        source_url=matter.get("source_url"),
        warnings=tuple(
            Diagnostic(matter["source"], w.get("line"), w.get("severity"), w.get("code"), w.get("message"))
            for w in matter.get("warnings") or []
        ),
        sections=tuple(matter.get("sections") or ()),
    )


# -- one file -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Prepared:
    """A raw file read, parsed, corrected by its sidecar and identified: everything but the page.

    ``check`` uses this too, so both commands see the same report and the same agency."""

    report: Report  #: sidecar values applied, region completed from the agency table
    identity: Identity
    values: dict  #: the sidecar's values ({} without a sidecar)
    from_sidecar: tuple[str, ...]


def prepare(path: Path, context: Context, data: bytes | None = None) -> Prepared:
    """read → parse → sidecar → identity for one raw file. Raises ReadError, ParseError, SidecarError
    or OSError, each naming what is wrong."""
    error = unsupported(path)
    if error:
        raise error
    if data is None:
        data = path.read_bytes()
    sidecar_file = sidecar_path(path)
    overrides = load_sidecar(sidecar_file) if sidecar_file.is_file() else None
    values = overrides.values if overrides else {}
    source = source_from_bytes(path.name, data)
    report = parse_report(source, context.parts, default_region=values.get("region") or context.settings.region)
    report, from_sidecar = apply_sidecar(report, overrides)
    report, identity = _identify(report, values, overrides.path if overrides else None, context.agencies)
    return Prepared(report, identity, values, from_sidecar)


def convert_one(path: Path, context: Context, cached: dict[str, tuple[dict, str]]) -> Converted:
    """Raw file → page text (or the page on disk, when its inputs are unchanged).
    Raises what ``prepare`` raises."""
    error = unsupported(path)
    if error:
        raise error
    data = path.read_bytes()
    sidecar_file = sidecar_path(path)
    key = context.inputs_hash(data, sidecar_file.read_bytes() if sidecar_file.is_file() else None)
    previous = cached.get(path.name)
    if previous and previous[0].get("inputs_sha256") == key:
        matter, rel = previous
        info = page_info(matter, rel)
        return Converted(path.name, None, rel, info, info.warnings)

    prepared = prepare(path, context, data)
    report, identity, values = prepared.report, prepared.identity, prepared.values
    rel = f"{report.year or 'undated'}/{identity.slug}.md"
    facts = PageFacts(
        display_title=display_title(report),
        agency_key=identity.key,
        agency_slug=identity.slug,
        agency_type=identity.type,
        url=rel[:-3] + "/",
        index_no=report.index_no or f"{identity.slug}/{report.year or 'undated'}",
        source_url=values.get("source_url"),
        from_sidecar=prepared.from_sidecar,
        sidecar_note=values.get("note"),
    )
    page = render_page(report, facts)
    # the cache key goes just above the generator line; the content hash is then taken again
    page = page.replace("\ngenerator: ", f"\ninputs_sha256: {key}\ngenerator: ", 1)
    page = CONTENT_HASH_LINE.sub(f"content_sha256: {content_hash(page)}\n", page, count=1)
    info = page_info(front_matter(report, facts), rel)
    return Converted(path.name, page, rel, info, report.diagnostics)


def _identify(report: Report, values: dict, sidecar: str | None, agencies: AgencyTable) -> tuple[Report, Identity]:
    """The report's identity; the table may complete its region; a sidecar key or slug that differs
    from what the table and the text give is an info naming both."""
    file = report.source.name
    identity = identify(file, report.agency, report.region, agencies, key=values.get("agency_key"),
                        slug=values.get("slug"), region_fixed="region" in values)
    notes = list(identity.notes)
    if "agency_key" in values or "slug" in values:
        natural = identify(file, report.agency, report.region, agencies, region_fixed="region" in values)
        for name, given, found in (("agency_key", values.get("agency_key"), natural.key),
                                   ("slug", values.get("slug"), natural.slug)):
            if given is not None and given != found:
                notes.append(differs(file, sidecar, name, given, found))
    changes: dict = {"diagnostics": report.diagnostics + tuple(notes)}
    if identity.region != report.region:
        changes["region"] = identity.region
        changes["inferred"] = dict(report.inferred, region=f"{agencies.file}: {identity.agency.name}")
    return replace(report, **changes), identity


# -- the folder ----------------------------------------------------------------------------------------


def scan_output(out_dir: Path) -> OutputFolder:
    """Classify the pages already in ``out_dir``."""
    found = OutputFolder()
    if not out_dir.is_dir():
        return found
    for page in sorted(out_dir.rglob("*.md")):
        rel = page.relative_to(out_dir).as_posix()
        matter, text = read_front_matter(page)
        block = split_front_matter(text) or ""
        generated = bool(matter.get("generator")) if matter else bool(GENERATED_MARK.search(block))
        if not generated:
            found.foreign.add(rel)
        elif matter and matter.get("source") and matter.get("content_sha256") == content_hash(text):
            found.intact[str(matter["source"])] = (matter, rel)
        else:
            named = (matter or {}).get("source") or next(iter(SOURCE_LINE.findall(block)), None)
            found.edited[rel] = str(named).strip() if named else None
    return found


def convert_all(
    seeds_dir: Path,
    out_dir: Path,
    settings: Settings,
    force: bool = False,
    agencies_file: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> ConvertRun:
    """Convert every raw report in ``seeds_dir`` into ``out_dir``; see the module docstring.

    ``agencies_file`` is the agency table (the CLI and the site pass the one beside mkdocs.yml);
    None means ``agencies.yml`` in the working directory. ``force`` re-renders every page and
    overwrites hand-edited ones. ``progress`` is called with each raw file's name once it is done.
    """
    run = ConvertRun()
    files = input_files(seeds_dir)
    run.total = len(files)
    try:
        context = Context.load(settings, agencies_file)
    except AgencyTableError as err:  # no identity can be trusted: nothing is converted or touched
        run.diagnostics.extend(err.diagnostics)
        run.failed.extend(p.name for p in files)
        return run

    output = scan_output(out_dir)
    stamp = out_dir / STAMP
    same_code = stamp.is_file() and stamp.read_text(encoding="utf-8", errors="replace").strip() == tool_fingerprint()
    cached = output.intact if same_code and not force else {}
    converted: list[Converted] = []
    for path in files:
        try:
            converted.append(convert_one(path, context, cached))
        except (ReadError, ParseError) as err:
            run.fail(path.name, Diagnostic(path.name, err.line, "error", err.code, err.message))
        except SidecarError as err:  # every bad key, each naming the sidecar file
            run.fail(path.name, err.diagnostics[0])
            run.diagnostics.extend(err.diagnostics[1:])
        except OSError as err:
            run.fail(path.name, Diagnostic(path.name, None, "error", "unreadable", f"无法读取：{err.strerror or err}"))
        except Exception as err:  # a bug must not cost the other reports, nor show a traceback
            run.fail(path.name, internal_error(path.name, err))
        if progress:
            progress(path.name)
    run.diagnostics.extend(sidecar_findings(seeds_dir, files))

    converted = _drop_conflicts(converted, run)
    _publish(converted, out_dir, output, force, run)
    _remove_stale(out_dir, output, {c.path for c in converted}, {p.name for p in files}, run)
    if not same_code and converted and out_dir.is_dir():
        try:
            stamp.write_text(tool_fingerprint() + "\n", encoding="utf-8")
        except OSError:
            pass  # only costs a re-render next time
    run.pages.sort(key=lambda p: (-(p.year or 0), p.agency_slug, p.source))
    run.diagnostics = sorted(set(run.diagnostics), key=lambda d: (d.file, d.line or 0, d.code, d.message))
    return run


def internal_error(name: str, err: BaseException) -> Diagnostic:
    return Diagnostic(name, None, "error", "internal-error",
                      f"转换 {name} 时程序出错（{type(err).__name__}: {err}），此文件未转换；"
                      "请把此文件和这条信息发给维护人员")


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


def _drop_conflicts(converted: list[Converted], run: ConvertRun) -> list[Converted]:
    """Two reports of one agency and year, two agencies with one slug, or one agency with two slugs:
    an error naming both files, and neither is written."""
    bad: dict[str, list[Diagnostic]] = {}
    by_key: dict[tuple[str, int | None], list[Converted]] = {}
    by_slug: dict[str, dict[str, list[Converted]]] = {}
    by_agency: dict[str, dict[str, list[Converted]]] = {}
    for item in converted:
        by_key.setdefault(item.key, []).append(item)
        by_slug.setdefault(item.info.agency_slug, {}).setdefault(item.info.agency_key, []).append(item)
        by_agency.setdefault(item.info.agency_key, {}).setdefault(item.info.agency_slug, []).append(item)

    def flag(items: list[Converted], code: str, message: str) -> None:
        for item in items:
            bad.setdefault(item.source, []).append(Diagnostic(item.source, None, "error", code, message))

    for (name, year), items in sorted(by_key.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0)):
        if len(items) > 1:
            names = "、".join(sorted(i.source for i in items))
            flag(items, "duplicate-report", f"{name} {year or '未注明'}年度有多份报告：{names}；均未发布，请删除或改正其中一份")
    for slug, agencies in sorted(by_slug.items()):
        if len(agencies) > 1:
            items = [i for group in agencies.values() for i in group]
            names = "、".join(f"{key}（{'、'.join(sorted(i.source for i in group))}）" for key, group in sorted(agencies.items()))
            flag(items, "slug-collision",
                 f"不同单位的网址名相同（{slug}）：{names}；均未发布，请在 agencies.yml 或 .meta.yml 中为其设置不同的 slug")
    for key, slugs in sorted(by_agency.items()):
        if len(slugs) > 1:
            items = [i for group in slugs.values() for i in group]
            names = "、".join(f"{slug}（{'、'.join(sorted(i.source for i in group))}）" for slug, group in sorted(slugs.items()))
            flag(items, "slug-mismatch", f"同一单位 {key} 的网址名不一致：{names}；均未发布，请统一 .meta.yml 中的 slug")
    for source, diagnostics in sorted(bad.items()):
        run.failed.append(source)
        run.diagnostics.extend(diagnostics)
    return [c for c in converted if c.source not in bad]


def _publish(converted: list[Converted], out_dir: Path, output: OutputFolder, force: bool, run: ConvertRun) -> None:
    """Write the pages whose text changed, guarding hand-edited and hand-written pages."""
    for item in converted:
        run.diagnostics.extend(item.diagnostics)
        try:
            _publish_one(item, out_dir, output, force, run)
        except Exception as err:  # a bug must not cost the other pages
            run.fail(item.source, internal_error(item.source, err))


def _publish_one(item: Converted, out_dir: Path, output: OutputFolder, force: bool, run: ConvertRun) -> None:
    """Write one page unless a guard says no (each refusal names the page and what to do)."""
    rel, target = item.path, out_dir / item.path
    if rel in output.foreign:
        run.fail(item.source, Diagnostic(item.source, None, "error", "page-not-generated",
                                         f"输出目录中的 {rel} 不是本工具生成的页面，未覆盖；请移走该文件，或在 .meta.yml 中为本报告设置其他 slug"))
        return
    if rel in output.edited and not force:
        run.fail(item.source, Diagnostic(item.source, None, "error", "hand-edited",
                                         f"页面 {rel} 已被手工修改，未覆盖；更正请写入 {Path(item.source).stem}.meta.yml，"
                                         "或确认后用 --force 覆盖"))
        matter, _ = read_front_matter(target)
        if matter and matter.get("source"):
            run.pages.append(page_info(matter, rel))  # the page stays published as edited
        return
    owner = output.owner(rel)
    if owner and owner != item.source and owner in run.failed:
        run.fail(item.source, Diagnostic(item.source, None, "error", "duplicate-report",
                                         f"页面 {rel} 属于 {owner}（本次未能转换），{item.source} 未覆盖它；"
                                         "两份报告可能是同一单位同一年度"))
        return
    if item.page is None:
        run.unchanged.append(rel)
    else:
        try:
            _write_if_changed(target, item.page, run, rel)
        except OSError as err:
            run.fail(item.source, Diagnostic(item.source, None, "error", "write-failed",
                                             f"无法写入 {rel}：{err.strerror or err}"))
            return
    run.pages.append(item.info)


def _write_if_changed(target: Path, page: str, run: ConvertRun, rel: str) -> None:
    data = page.encode("utf-8")
    if target.is_file() and target.read_bytes() == data:
        run.unchanged.append(rel)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, target)  # a reader never sees half a page
    run.written.append(rel)


def _remove_stale(out_dir: Path, output: OutputFolder, keep: set[str], present: set[str], run: ConvertRun) -> None:
    """Remove generated, untouched pages whose raw file is gone (or which moved to a new path).

    A page whose raw file still exists but failed this time stays: a good page is never lost
    silently. Hand-edited pages stay (with a warning when their raw file is gone); pages that were
    not generated are never looked at again.
    """
    emptied: set[Path] = set()
    for source, (_, rel) in sorted(output.intact.items()):
        moved = source in present and source not in run.failed
        if rel not in keep and (source not in present or moved):
            try:
                (out_dir / rel).unlink()
            except OSError as err:
                run.diagnostics.append(Diagnostic(source, None, "warning", "remove-failed",
                                                  f"无法删除过时页面 {rel}：{err.strerror or err}"))
                continue
            run.removed.append(rel)
            emptied.add((out_dir / rel).parent)
    for rel, source in sorted(output.edited.items()):
        if rel not in keep and (source is None or source not in present):
            run.diagnostics.append(Diagnostic(source or rel, None, "warning", "stale-edited-page",
                                              f"原始文件已不存在或已改名，但页面 {rel} 有手工修改，未删除；如不再需要请手工删除"))
    for directory in sorted(emptied, key=lambda p: len(p.parts), reverse=True):
        while directory != out_dir and out_dir in directory.parents:
            try:
                directory.rmdir()  # only when empty
            except OSError:
                break
            directory = directory.parent
