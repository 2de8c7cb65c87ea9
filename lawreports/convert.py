"""Convert a folder of raw reports into Markdown pages: the stage that owns files on disk.

For each raw file: read → parse → apply the sidecar → identity → render → write. A bad file is
reported (file, line, reason) and skipped; the others are still written. A page is rewritten only
when its inputs changed; a hand-edited page (its ``content_sha256`` no longer matches) is never
overwritten without ``force``; a page whose raw file was removed is removed only if it is generated
and untouched.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import yaml

from . import __version__
from .identity import AgencyTable, agency_key, agency_type, load_agencies, slugify
from .model import PART_KEYS, Diagnostic, Report
from .parse import ParseError, parse_report
from .parts import PartTable, load_parts
from .read import UNSUPPORTED, ReadError, read_source
from .render import PageFacts, content_hash, display_title, render_page
from .settings import Settings
from .sidecar import SidecarError, apply_sidecar, load_sidecar, sidecar_path

#: Raw report formats read today.
READABLE = {".txt"}
#: Files in the seeds folder that are not reports.
NOT_REPORTS = (".meta.yml", ".yml", ".yaml", ".json", ".md", ".gitkeep")


@dataclass(frozen=True)
class PageInfo:
    """A converted report as the site needs it (read back from the page's front matter)."""

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

    pages: list[PageInfo] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)  #: pages (re)written
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed and not any(d.severity == "error" for d in self.diagnostics)


@dataclass(frozen=True)
class Converted:
    """One raw file turned into a page, before it is written."""

    source: str
    page: str  #: the page text
    path: str  #: relative output path
    key: tuple[str, int | None]  #: (agency_key, year): at most one report each
    slug: str
    report: Report | None  #: None when the page was taken unchanged from the previous run


def input_files(seeds_dir: Path) -> list[Path]:
    return sorted(
        p for p in seeds_dir.iterdir()
        if p.is_file() and not p.name.startswith((".", "_")) and not p.name.endswith(NOT_REPORTS)
    )


def inputs_hash(data_hash: str, sidecar: bytes | None, table: PartTable, agencies: AgencyTable, settings: Settings) -> str:
    """Everything a page depends on: raw bytes, sidecar, tool version, part and agency tables, region."""
    parts = [data_hash, hashlib.sha256(sidecar or b"").hexdigest(), __version__, table.sha256, agencies.sha256,
             settings.region or ""]
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def read_front_matter(path: Path) -> tuple[dict | None, str]:
    """(front matter, whole text) of a page, or (None, text) when it has none."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None, ""
    if not text.startswith("---\n"):
        return None, text
    end = text.find("\n---\n", 3)
    if end < 0:
        return None, text
    try:
        data = yaml.safe_load(text[4:end])
    except yaml.YAMLError:
        return None, text
    return (data if isinstance(data, dict) else None), text


def page_info(matter: dict, path: str) -> PageInfo:
    def date(value):
        return dt.date.fromisoformat(value) if value else None

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


def convert_one(
    path: Path, table: PartTable, agencies: AgencyTable, settings: Settings, previous: dict[str, tuple[dict, str]]
) -> Converted:
    """Raw file → page text. Raises ReadError, ParseError or SidecarError."""
    suffix = path.suffix.lower()
    if suffix in UNSUPPORTED or suffix not in READABLE:
        advice = UNSUPPORTED.get(suffix, "目前只支持 .txt 文本文件")
        raise ReadError("unsupported-format", f"暂不支持 {path.suffix or '无扩展名'} 文件，{advice}")
    sidecar_file = sidecar_path(path)
    sidecar_bytes = sidecar_file.read_bytes() if sidecar_file.exists() else None
    data_hash = hashlib.sha256(path.read_bytes()).hexdigest()
    key = inputs_hash(data_hash, sidecar_bytes, table, agencies, settings)
    cached = previous.get(path.name)
    if cached and cached[0].get("inputs_sha256") == key:
        matter, rel = cached
        return Converted(path.name, "", rel, (matter.get("agency_key"), matter.get("year")),
                         matter.get("agency_slug") or "", None)

    overrides = load_sidecar(sidecar_file) if sidecar_bytes is not None else None
    source = read_source(path)
    report = parse_report(source, table, default_region=(overrides.values.get("region") if overrides else None)
                          or settings.region)
    report, from_sidecar = apply_sidecar(report, overrides)
    values = overrides.values if overrides else {}

    known = agencies.find(report.agency)
    name = known.name if known else report.agency
    region = report.region or (known.region if known else None)
    akey = values.get("agency_key") or (agency_key(name, known.region or region) if known else agency_key(name, region))
    slug = values.get("slug") or (known.slug if known and known.slug else slugify(akey))
    kind = known.type if known else agency_type(name)
    year_dir = str(report.year) if report.year else "undated"
    rel = f"{year_dir}/{slug}.md"
    facts = PageFacts(
        display_title=display_title(report),
        agency_key=akey,
        agency_slug=slug,
        agency_type=kind,
        url=rel[:-3] + "/",
        index_no=report.index_no or f"{slug}/{report.year or 'undated'}",
        source_url=values.get("source_url"),
        from_sidecar=from_sidecar,
    )
    page = render_page(report, facts)
    page = page.replace("\ngenerator: ", f"\ninputs_sha256: {key}\ngenerator: ", 1)
    page = _rehash(page)
    return Converted(path.name, page, rel, (akey, report.year), slug, report)


def _rehash(page: str) -> str:
    from .render import CONTENT_HASH_LINE

    return CONTENT_HASH_LINE.sub(f"content_sha256: {content_hash(page)}\n", page, count=1)


def previous_pages(out_dir: Path) -> tuple[dict[str, tuple[dict, str]], dict[str, str]]:
    """Generated pages already in ``out_dir``: by source name, and the hand-edited ones."""
    by_source: dict[str, tuple[dict, str]] = {}
    edited: dict[str, str] = {}
    if not out_dir.exists():
        return by_source, edited
    for page in sorted(out_dir.rglob("*.md")):
        matter, text = read_front_matter(page)
        if not matter or not matter.get("generator") or not matter.get("source"):
            continue
        rel = page.relative_to(out_dir).as_posix()
        if matter.get("content_sha256") != content_hash(text):
            edited[rel] = matter["source"]
            continue
        by_source[matter["source"]] = (matter, rel)
    return by_source, edited


def convert_all(
    seeds_dir: Path,
    out_dir: Path,
    settings: Settings,
    force: bool = False,
    agencies_file: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> ConvertRun:
    """Convert every raw report in ``seeds_dir`` into ``out_dir``; see the module docstring."""
    run = ConvertRun()
    table = load_parts()
    agencies = load_agencies(agencies_file or Path("agencies.yml"))
    previous, edited = previous_pages(out_dir)
    if force:
        previous = {}

    converted: list[Converted] = []
    for path in input_files(seeds_dir):
        try:
            converted.append(convert_one(path, table, agencies, settings, previous))
        except (ReadError, ParseError) as err:
            run.failed.append(path.name)
            run.diagnostics.append(Diagnostic(path.name, err.line, "error", err.code, err.message))
        except SidecarError as err:
            run.failed.append(path.name)
            run.diagnostics.append(Diagnostic(err.file, err.line, "error", err.code, err.message))
        except OSError as err:
            run.failed.append(path.name)
            run.diagnostics.append(Diagnostic(path.name, None, "error", "unreadable", f"无法读取：{err.strerror}"))
        if progress:
            progress(path.name)

    converted = _drop_conflicts(converted, run)
    keep = {c.path for c in converted}
    for item in converted:
        target = out_dir / item.path
        if item.path in edited and not force:
            run.failed.append(item.source)
            run.diagnostics.append(Diagnostic(
                item.source, None, "error", "hand-edited",
                f"页面 {item.path} 已被手工修改，未覆盖；更正请写入 {Path(item.source).stem}.meta.yml，或用 --force 覆盖"))
            matter, _ = read_front_matter(target)
            if matter:
                run.pages.append(page_info(matter, item.path))
            continue
        if item.report is None:
            run.unchanged.append(item.path)
            matter = previous[item.source][0]
        else:
            _write_if_changed(target, item.page, run, item.path)
            matter, _ = read_front_matter(target)
            run.diagnostics.extend(item.report.diagnostics)
        run.pages.append(page_info(matter, item.path))

    present = {path.name for path in input_files(seeds_dir)}
    _remove_stale(out_dir, previous, edited, keep, present, run)
    run.pages.sort(key=lambda p: (-(p.year or 0), slugify(p.agency_key), p.source))
    run.diagnostics.sort(key=lambda d: (d.file, d.line or 0, d.code))
    return run


def _drop_conflicts(converted: list[Converted], run: ConvertRun) -> list[Converted]:
    """Two reports of one agency and year, or two agencies with one slug: error, neither written."""
    by_key: dict[tuple[str, int | None], list[Converted]] = {}
    by_path: dict[str, list[Converted]] = {}
    for item in converted:
        by_key.setdefault(item.key, []).append(item)
        by_path.setdefault(item.path, []).append(item)
    bad: set[str] = set()
    for (name, year), items in sorted(by_key.items(), key=lambda kv: str(kv[0])):
        if len(items) > 1:
            names = "、".join(i.source for i in items)
            for item in items:
                run.diagnostics.append(Diagnostic(item.source, None, "error", "duplicate-report",
                                                  f"{name} {year or '未注明'}年度有多份报告：{names}；均未发布"))
                bad.add(item.source)
    for path, items in sorted(by_path.items()):
        keys = {i.key[0] for i in items}
        if len(keys) > 1:
            names = "、".join(f"{i.source}（{i.key[0]}）" for i in items)
            for item in items:
                run.diagnostics.append(Diagnostic(item.source, None, "error", "slug-collision",
                                                  f"不同单位的网址相同（{path}）：{names}；请在 agencies.yml 中为其设置 slug"))
                bad.add(item.source)
    run.failed.extend(sorted(bad))
    return [c for c in converted if c.source not in bad]


def _write_if_changed(target: Path, page: str, run: ConvertRun, rel: str) -> None:
    data = page.encode("utf-8")
    if target.exists() and target.read_bytes() == data:
        run.unchanged.append(rel)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, target)  # a reader never sees half a page
    run.written.append(rel)


def _remove_stale(out_dir: Path, previous: dict[str, tuple[dict, str]], edited: dict[str, str], keep: set[str],
                  present: set[str], run: ConvertRun) -> None:
    """Remove generated, untouched pages whose raw file is gone (or which moved to a new path).

    A page whose raw file still exists but failed this time stays: a good page is never lost silently.
    """
    for source, (matter, rel) in sorted(previous.items()):
        moved = source in present and source not in run.failed
        if rel not in keep and (source not in present or moved) and (out_dir / rel).exists():
            (out_dir / rel).unlink()
            run.removed.append(rel)
    for rel, source in sorted(edited.items()):
        if rel not in keep and not any(p.path == rel for p in run.pages):
            run.diagnostics.append(Diagnostic(source, None, "warning", "stale-edited-page",
                                              f"原始文件已不存在或已改名，但页面 {rel} 有手工修改，未删除"))
    for directory in sorted({p.parent for p in out_dir.rglob("*")} if out_dir.exists() else [], reverse=True):
        if directory != out_dir and directory.is_dir() and not any(directory.iterdir()):
            directory.rmdir()
