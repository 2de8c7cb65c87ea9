"""Open data: the reports as data files, the raw files for download, and an Atom feed.

Pure functions (no MkDocs): ``plugin.py`` adds what :func:`open_data` returns as generated files,
so nothing is written into docs/. Paths below the site root::

    data/reports.json                   every report, one object each (schema: data/schemas/reports.schema.json)
    data/reports.csv                    the same fields, UTF-8 with BOM (Excel), lists joined by ``;``
    data/reports/{year}/{slug}.json     one report with its text (schema: data/schemas/report.schema.json)
    data/schemas/*.schema.json          the JSON Schemas (copied from lawreports/site/schemas/)
    data/sources/{source}               the raw file, byte for byte
    feed.xml                            Atom feed: reports dated by ``published``, else ``written``

The text in the per-report JSON is not read back from the generated Markdown (which escapes and
reflows it) but re-parsed from the raw file the way the converter parses it — read, parse with
the part table and the default region, apply the sidecar — so it is the report's exact text.
The anchors found are checked against the page's own (``sections`` in its front matter).

Everything is deterministic: rows in the listings' order, keys in a fixed order, no clock. The
feed's ``updated`` is the newest report date; dates are days in China Standard Time (+08:00).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import posixpath
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, urljoin
from xml.etree import ElementTree as ET

from ..model import PART_KEYS, Heading, Paragraph, Report
from . import markup as md

if TYPE_CHECKING:
    from ..settings import Settings
    from .listings import ReportInfo, SiteIndex

DATA_DIR = "data"
FEED = "feed.xml"
SCHEMAS = Path(__file__).with_name("schemas")
SCHEMA_FILES = ("reports.schema.json", "report.schema.json")
ATOM = "http://www.w3.org/2005/Atom"
XML = "http://www.w3.org/XML/1998/namespace"
#: Report dates are calendar days; the feed gives them as midnight in China Standard Time.
CST = dt.timezone(dt.timedelta(hours=8))
#: The feed's ``updated`` when no report has a date (never the build clock).
NO_DATE = dt.date(1970, 1, 1)

#: The fields of data/reports.json, in order; also the columns of data/reports.csv.
FIELDS: tuple[str, ...] = (
    "id", "index_no", "title", "display_title", "agency", "agency_key", "agency_type", "region",
    "year", "written", "published", "parts", "parts_within", "characters", "url", "json_url",
    "source", "source_sha256", "source_file_url", "source_url",
)  # fmt: skip
#: What data/reports/{year}/{slug}.json adds to them.
DETAIL_FIELDS: tuple[str, ...] = ("addressee", "preamble", "sections", "signature")


@dataclass(frozen=True)
class DataFile:
    """A file to add to the site: its path below the site root, and its text or the file to copy."""

    uri: str
    content: str | None = None
    source: Path | None = None  #: copied byte for byte (the raw reports)


@dataclass(frozen=True)
class Body:
    """What the per-report JSON adds to the summary: the report's text, re-parsed from the raw file."""

    addressee: str | None
    preamble: str
    sections: tuple[dict, ...]
    signature: dict | None


# ---------------------------------------------------------------------------------------------
# Where things are


def report_id(info: ReportInfo) -> str:
    """``2023/nan-kai-qu-si-fa-ju``: the page path without ``.md`` (one report per agency and year)."""
    return info.path[: -len(".md")] if info.path.endswith(".md") else info.path


def json_uri(info: ReportInfo) -> str:
    return f"{DATA_DIR}/reports/{report_id(info)}.json"


def source_path(info: ReportInfo) -> str:
    """Where the raw file is copied, below the site root (the file name as it is)."""
    return f"{DATA_DIR}/sources/{info.source}"


def source_uri(info: ReportInfo) -> str:
    """The address of the raw file (an IRI: Chinese stays readable; ``#``, ``?``, ``%``, ``:``,
    spaces and the like are percent-encoded)."""
    return f"{DATA_DIR}/sources/" + "".join(_IRI_UNSAFE.get(c, c) for c in info.source)


_IRI_UNSAFE = {c: quote(c, safe="") for c in ' "#%:<>?[\\]^`{|}/'}


def absolute(site_url: str | None, uri: str) -> str:
    """The public address of ``uri`` when the site's address is configured, else ``uri`` itself."""
    return urljoin(site_url.rstrip("/") + "/", uri) if site_url else uri


# ---------------------------------------------------------------------------------------------
# Rows


def summary(info: ReportInfo, page_url: str) -> dict:
    """One object of data/reports.json (the keys of :data:`FIELDS`, in order)."""
    slug_year = f"{info.agency_slug}/{info.year or 'undated'}"
    return {
        "id": report_id(info),
        "index_no": getattr(info, "index_no", None) or slug_year,
        "title": getattr(info, "title", None),
        "display_title": info.display_title,
        "agency": info.agency,
        "agency_key": info.agency_key,
        "agency_type": info.agency_type,
        "region": info.region,
        "year": info.year,
        "written": _iso(info.written),
        "published": _iso(info.published),
        "parts": [k for k in PART_KEYS if info.parts.get(k)],
        "parts_within": [k for k in PART_KEYS if not info.parts.get(k) and info.parts_within.get(k)],
        "characters": getattr(info, "characters", 0),
        "url": page_url,
        "json_url": json_uri(info),
        "source": info.source,
        "source_sha256": getattr(info, "source_sha256", ""),
        "source_file_url": source_uri(info),
        "source_url": info.source_url,
    }


def detail(row: dict, body: Body) -> dict:
    """One data/reports/{year}/{slug}.json: the summary, then the text."""
    return {
        **row,
        "addressee": body.addressee,
        "preamble": body.preamble,
        "sections": list(body.sections),
        "signature": body.signature,
    }


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def to_json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2) + "\n"


def to_csv(rows: Iterable[dict]) -> str:
    """UTF-8 with a BOM (so Excel reads it as UTF-8), CRLF line ends (RFC 4180), a header row."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(FIELDS)
    for row in rows:
        writer.writerow([_cell(row[name]) for name in FIELDS])
    return out.getvalue()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ";".join(str(v) for v in value)
    return str(value)


# ---------------------------------------------------------------------------------------------
# The text, re-parsed from the raw file


def body_of(report: Report) -> Body:
    """Sections in document order; each holds the paragraphs between its heading and the next one."""
    preamble: list[str] = []
    sections: list[dict] = []
    for block in report.body:
        if isinstance(block, Heading):
            sections.append({"level": block.level, "title": block.title, "anchor": block.anchor, "part": block.part, "text": []})
        elif isinstance(block, Paragraph):
            (sections[-1]["text"] if sections else preamble).append(block.text)
    for s in sections:
        s["text"] = "\n".join(s["text"])
    signature = None
    if report.signature:
        sig = report.signature
        signature = {"lines": list(sig.lines), "agency": sig.agency, "date": _iso(sig.date)}
    return Body(report.addressee, "\n".join(preamble), tuple(sections), signature)


def parse_raw(path: Path, settings: Settings) -> Report:
    """The raw file parsed as the converter parses it (read, parse, sidecar). Raises its errors."""
    from ..parse import parse_report
    from ..parts import load_parts
    from ..sidecar import apply_sidecar, load_sidecar, sidecar_path

    sidecar = sidecar_path(path)
    overrides = load_sidecar(sidecar) if sidecar.is_file() else None
    values = overrides.values if overrides else {}
    source = _read(path)
    report = parse_report(source, load_parts(), default_region=values.get("region") or settings.region)
    report, _ = apply_sidecar(report, overrides)
    return report


def _read(path: Path):
    """Bytes → SourceText with the reader for the file's format."""
    suffix = path.suffix.lower()
    data = path.read_bytes()
    if suffix == ".docx":
        from ..read_docx import source_from_docx

        return source_from_docx(path.name, data)
    if suffix == ".pdf":
        from ..read_pdf import source_from_pdf

        return source_from_pdf(path.name, data)
    from ..read import source_from_bytes

    return source_from_bytes(path.name, data)


#: Parsed bodies by what they depend on, kept between the rebuilds of one ``mkdocs serve``.
_BODIES: dict[str, Body] = {}


def _body_key(path: Path, settings: Settings) -> str:
    from .. import __version__
    from ..parts import load_parts
    from ..sidecar import sidecar_path

    sidecar = sidecar_path(path)
    items = [
        hashlib.sha256(path.read_bytes()).hexdigest(),
        hashlib.sha256(sidecar.read_bytes()).hexdigest() if sidecar.is_file() else "-",
        load_parts().sha256,
        settings.region or "",
        __version__,
        path.name,
    ]
    return "\n".join(items)


def bodies(
    infos: Sequence[ReportInfo], seeds_dir: Path, settings: Settings, parse: Callable[[Path], Report] | None = None
) -> tuple[dict[str, Body], list[str]]:
    """The body of every report by source name, and a message for each that could not be had.

    ``parse`` reads a raw file into its report (default :func:`parse_raw`); the site passes its
    build's shared reader, so open data parses no report the other pages have parsed. Only the
    bodies are kept (for the search index and the next ``mkdocs serve`` rebuild), not the reports."""
    global _BODIES
    if parse is None:
        def parse(path: Path) -> Report:
            return parse_raw(path, settings)

    found: dict[str, Body] = {}
    kept: dict[str, Body] = {}
    problems: list[str] = []
    for info in infos:
        path = seeds_dir / info.source
        try:
            key = _body_key(path, settings)
            body = _BODIES.get(key)
            if body is None:
                body = body_of(parse(path))
            kept[key] = body
        except Exception as err:  # noqa: BLE001 — the page is published; its data file says so
            problems.append(f"{info.source}: error open-data: 无法从原始文件读取正文（{type(err).__name__}: {err}）")
            continue
        expected = [s.get("anchor") for s in getattr(info, "sections", ()) or ()]
        got = [s["anchor"] for s in body.sections]
        if expected and expected != got:
            problems.append(f"{info.source}: error open-data: 原始文件的章节与报告页面不一致（页面可能已被手工修改）")
        found[info.source] = body
    _BODIES = kept
    return found, problems


# ---------------------------------------------------------------------------------------------
# Feed


def report_date(info: ReportInfo) -> dt.date | None:
    """The date a report is listed under: published, else written."""
    return info.published or info.written


def _timestamp(day: dt.date) -> str:
    return dt.datetime.combine(day, dt.time(), CST).isoformat()


def _urn(*parts: str) -> str:
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, "lawreports:" + "/".join(parts)))


def atom_feed(
    reports: Sequence[ReportInfo],
    page_url: Callable[[ReportInfo], str],
    *,
    site_name: str,
    description: str | None,
    owner: str,
    site_url: str | None,
) -> str:
    """The Atom feed (RFC 4287) of the reports that carry a date, newest first.

    Links are absolute when ``site_url`` is set, else relative to the site root (where the feed
    lives). Ids are the page addresses when the site's address is known, else stable
    ``urn:uuid`` values derived from the site name and the report id.
    """
    dated = sorted((r for r in reports if report_date(r)), key=lambda r: (-report_date(r).toordinal(), report_id(r)))
    newest = report_date(dated[0]) if dated else NO_DATE

    feed = ET.Element("feed", {"xmlns": ATOM, f"{{{XML}}}lang": "zh-CN"})
    _sub(feed, "title", site_name)
    if description:
        _sub(feed, "subtitle", description)
    _sub(feed, "id", absolute(site_url, "") if site_url else _urn(site_name))
    _sub(feed, "updated", _timestamp(newest))
    _sub(feed, "link", rel="self", type="application/atom+xml", href=absolute(site_url, FEED))
    _sub(feed, "link", rel="alternate", type="text/html", href=absolute(site_url, "") or "./")
    author = _sub(feed, "author")
    _sub(author, "name", owner)

    for r in dated:
        url = page_url(r)
        day = report_date(r)
        entry = _sub(feed, "entry")
        _sub(entry, "title", r.display_title)
        _sub(entry, "id", absolute(site_url, url) if site_url else _urn(site_name, report_id(r)))
        _sub(entry, "updated", _timestamp(day))
        if r.published:
            _sub(entry, "published", _timestamp(r.published))
        _sub(entry, "link", rel="alternate", type="text/html", href=absolute(site_url, url))
        _sub(entry, "link", rel="alternate", type="application/json", href=absolute(site_url, json_uri(r)))
        _sub(entry, "link", rel="related", href=absolute(site_url, source_uri(r)), title=f"原始文件 {r.source}")
        who = _sub(entry, "author")
        _sub(who, "name", r.agency or owner)
        if r.year is not None:
            _sub(entry, "category", term=str(r.year), label=f"{r.year}年度")
        facts = [
            f"发布机构：{r.agency or '未注明'}",
            f"所属地区：{r.region or '未注明'}",
            f"报告年度：{f'{r.year}年' if r.year else '未注明'}",
            f"成文日期：{_iso(r.written) or '未注明'}",
            f"发布日期：{_iso(r.published) or '未注明'}",
        ]
        if getattr(r, "characters", None):
            facts.append(f"字数：{r.characters}")
        _sub(entry, "summary", "；".join(facts) + "。", type="text")

    ET.indent(feed, space="  ")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: v for k, v in attrs.items() if v is not None})
    if text is not None:
        element.text = text
    return element


# ---------------------------------------------------------------------------------------------
# Everything


def open_data(
    index: SiteIndex,
    seeds_dir: Path,
    settings: Settings,
    page_url: Callable[[ReportInfo], str],
    *,
    site_name: str,
    description: str | None,
    site_url: str | None,
    parse: Callable[[Path], Report] | None = None,
) -> tuple[list[DataFile], list[str]]:
    """Every open-data file of the site, in a fixed order, and the problems met (one line each).
    ``parse``: see :func:`bodies`."""
    rows = [summary(r, page_url(r)) for r in index.reports]
    texts, problems = bodies(index.reports, seeds_dir, settings, parse)
    files = [
        DataFile(f"{DATA_DIR}/reports.json", to_json(rows)),
        DataFile(f"{DATA_DIR}/reports.csv", to_csv(rows)),
    ]
    for info, row in zip(index.reports, rows):
        body = texts.get(info.source)
        if body is not None:
            files.append(DataFile(json_uri(info), to_json(detail(row, body))))
        files.append(DataFile(source_path(info), source=seeds_dir / info.source))
    for name in SCHEMA_FILES:
        files.append(DataFile(f"{DATA_DIR}/schemas/{name}", (SCHEMAS / name).read_text(encoding="utf-8")))
    feed = atom_feed(
        index.reports, page_url, site_name=site_name, description=description, owner=settings.owner, site_url=site_url
    )
    files.append(DataFile(FEED, feed))
    return files, problems


# ---------------------------------------------------------------------------------------------
# On the report page


def downloads(info: ReportInfo, from_uri: str) -> str:
    """The 下载 line under a report's metadata block: the raw file and the report's JSON."""
    # not md.link: a raw file's name may hold "#" or "?", which must be quoted in the path
    href = quote(posixpath.relpath(source_path(info), posixpath.dirname(from_uri) or "."), safe="/-._~")
    raw = f"[原始文件（{md.text(info.source)}）]({href}){{ download=\"{md.attr(info.source)}\" }}"
    data = md.link("结构化数据（JSON）", from_uri, json_uri(info))
    about = md.link("说明", from_uri, "open-data.md")
    return f"下载：{raw} · {data}（{about}）\n{{: .report-downloads }}"


def with_downloads(markdown: str, info: ReportInfo, from_uri: str) -> str:
    """Insert :func:`downloads` after the metadata block (the HTML block that opens with the
    ``report-meta`` table and ends at the first blank line); at the end when there is none."""
    line = downloads(info, from_uri)
    start = markdown.find('<table class="report-meta"')
    end = markdown.find("\n\n", start) if start >= 0 else -1
    if end < 0:
        return markdown.rstrip("\n") + "\n\n" + line + "\n"
    return markdown[:end] + "\n\n" + line + markdown[end:]
