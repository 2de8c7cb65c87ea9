"""Open data: the reports as data files, the raw files for download, and an Atom feed.

A pure function of the records (:func:`open_data`): the pipeline writes the
:class:`~.generated.Generated` files it returns below docs_dir. Paths below the site root::

    data/reports.json                   every report, one object each (schema: data/schemas/reports.schema.json)
    data/reports.csv                    the same fields, UTF-8 with BOM (Excel), lists joined by ``;``
    data/reports/{year}/{slug}.json     one report with its text (schema: data/schemas/report.schema.json)
    data/unreported.json                未公开名单: expected reports not there (schema: unreported.schema.json)
    data/unreported.csv                 the same, UTF-8 with BOM
    data/schemas/*.schema.json          the JSON Schemas (copied from lawreports/site/schemas/)
    data/sources/{source}               the raw file, byte for byte
    feed.xml                            Atom feed: reports dated by ``published``, else ``written``

The text in the per-report JSON is not read back from the generated Markdown (which escapes and
reflows it) but taken from the record's parsed report (sidecar applied), the one the page was
rendered from — so it is the report's exact text, with the page's own anchors.

Everything is deterministic: rows in the listings' order, keys in a fixed order, no clock. The
feed's ``updated`` is the newest report date; dates are days in China Standard Time (+08:00).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, urljoin
from xml.etree import ElementTree as ET

from ..model import PART_KEYS, Heading, Paragraph, Report
from ..record import ReportRecord
from ..render import doc_numbers
from . import markup as md
from .generated import Generated

if TYPE_CHECKING:
    from ..checks.unreported import Roster
    from ..settings import Settings
    from .listings import SiteIndex

DATA_DIR = "data"
FEED = "feed.xml"
SCHEMAS = Path(__file__).with_name("schemas")
SCHEMA_FILES = ("reports.schema.json", "report.schema.json", "unreported.schema.json", "versions.schema.json")
ATOM = "http://www.w3.org/2005/Atom"
XML = "http://www.w3.org/XML/1998/namespace"
#: Report dates are calendar days; the feed gives them as midnight in China Standard Time.
CST = dt.timezone(dt.timedelta(hours=8))
#: The feed's ``updated`` when no report has a date (never the build clock).
NO_DATE = dt.date(1970, 1, 1)

#: The fields of data/reports.json, in order; also the columns of data/reports.csv.
FIELDS: tuple[str, ...] = (
    "id", "index_no", "doc_no", "title", "display_title", "agency", "agency_key", "agency_type", "region",
    "year", "written", "published", "parts", "parts_within", "characters", "url", "json_url",
    "source", "source_sha256", "source_file_url", "source_url",
)  # fmt: skip
#: The fields of data/unreported.json, in order; also the columns of data/unreported.csv.
UNREPORTED_FIELDS: tuple[str, ...] = ("year", "agency_key", "agency_type", "region", "agency_slug")
#: What data/reports/{year}/{slug}.json adds to them.
DETAIL_FIELDS: tuple[str, ...] = ("addressee", "preamble", "sections", "signature")


@dataclass(frozen=True)
class Body:
    """What the per-report JSON adds to the summary: the report's text (also what the search index reads)."""

    addressee: str | None
    preamble: str
    sections: tuple[dict, ...]
    signature: dict | None


# ---------------------------------------------------------------------------------------------
# Where things are


def report_id(record: ReportRecord) -> str:
    """``2023/nan-kai-qu-si-fa-ju``: the page path without ``.md`` (one report per agency and year)."""
    return record.path[: -len(".md")] if record.path.endswith(".md") else record.path


def json_uri(record: ReportRecord) -> str:
    return f"{DATA_DIR}/reports/{report_id(record)}.json"


def source_path(record: ReportRecord) -> str:
    """Where the raw file is copied, below the site root (the file name as it is)."""
    return f"{DATA_DIR}/sources/{record.source}"


def source_uri(record: ReportRecord) -> str:
    """The address of the raw file (an IRI: Chinese stays readable; ``#``, ``?``, ``%``, ``:``,
    spaces and the like are percent-encoded)."""
    return f"{DATA_DIR}/sources/" + "".join(_IRI_UNSAFE.get(c, c) for c in record.source)


_IRI_UNSAFE = {c: quote(c, safe="") for c in ' "#%:<>?[\\]^`{|}/'}


def absolute(site_url: str | None, uri: str) -> str:
    """The public address of ``uri`` when the site's address is configured, else ``uri`` itself."""
    return urljoin(site_url.rstrip("/") + "/", uri) if site_url else uri


# ---------------------------------------------------------------------------------------------
# Rows


def summary(record: ReportRecord, page_url: str) -> dict:
    """One object of data/reports.json (the keys of :data:`FIELDS`, in order)."""
    return {
        "id": report_id(record),
        "index_no": record.index_no,
        "doc_no": doc_numbers(record.report),
        "title": record.title,
        "display_title": record.display_title,
        "agency": record.agency,
        "agency_key": record.agency_key,
        "agency_type": record.agency_type,
        "region": record.region,
        "year": record.year,
        "written": _iso(record.written),
        "published": _iso(record.published),
        "parts": [k for k in PART_KEYS if record.parts.get(k)],
        "parts_within": [k for k in PART_KEYS if not record.parts.get(k) and record.parts_within.get(k)],
        "characters": record.characters,
        "url": page_url,
        "json_url": json_uri(record),
        "source": record.source,
        "source_sha256": record.source_sha256,
        "source_file_url": source_uri(record),
        "source_url": record.source_url,
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


def unreported_rows(roster: Roster | None) -> list[dict]:
    """One object of data/unreported.json per expected report that is not there (newest year first)."""
    if roster is None:
        return []
    return [{"year": m.year, "agency_key": m.agency.key, "agency_type": m.agency.type, "region": m.agency.region,
             "agency_slug": m.agency.url_slug} for m in roster.missing]


def to_csv(rows: Iterable[dict], fields: tuple[str, ...] = FIELDS) -> str:
    """UTF-8 with a BOM (so Excel reads it as UTF-8), CRLF line ends (RFC 4180), a header row; every
    cell through :func:`~.markup.csv_cell` (lists joined by ``;``, no cell can start a formula)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(fields)
    for row in rows:
        writer.writerow([md.csv_cell(row[name]) for name in fields])
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# The text


def body_of(report: Report) -> Body:
    """Sections in document order; each holds the paragraphs between its heading and the next one."""
    preamble: list[str] = []
    sections: list[dict] = []
    for block in report.body:
        if isinstance(block, Heading):
            sections.append({"level": block.level, "title": block.title, "anchor": block.anchor, "part": block.part,
                             "text": []})
        elif isinstance(block, Paragraph):
            (sections[-1]["text"] if sections else preamble).append(block.text)
    for s in sections:
        s["text"] = "\n".join(s["text"])
    signature = None
    if report.signature:
        sig = report.signature
        signature = {"lines": list(sig.lines), "agency": sig.agency, "date": _iso(sig.date)}
    return Body(report.addressee, "\n".join(preamble), tuple(sections), signature)


# ---------------------------------------------------------------------------------------------
# Feed


def report_date(record: ReportRecord) -> dt.date | None:
    """The date a report is listed under: published, else written."""
    return record.published or record.written


def _timestamp(day: dt.date) -> str:
    return dt.datetime.combine(day, dt.time(), CST).isoformat()


def _urn(*parts: str) -> str:
    # xml_safe: a lone surrogate (a sidecar's escape) cannot be hashed; valid text is unchanged
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, md.xml_safe("lawreports:" + "/".join(parts))))


def atom_feed(
    index: SiteIndex,
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
    dated = sorted(((r, day) for r in index.reports if (day := report_date(r))),
                   key=lambda item: (-item[1].toordinal(), report_id(item[0])))
    newest = dated[0][1] if dated else NO_DATE

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

    for r, day in dated:
        url = page_url(index, r)
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
        _sub(who, "name", r.agency_key or owner)
        if r.year is not None:
            _sub(entry, "category", term=str(r.year), label=f"{r.year}年度")
        facts = [
            f"发布机构：{r.agency_key or '未注明'}",
            f"所属地区：{r.region or '未注明'}",
            f"报告年度：{f'{r.year}年' if r.year else '未注明'}",
            f"成文日期：{_iso(r.written) or '未注明'}",
            f"发布日期：{_iso(r.published) or '未注明'}",
        ]
        if r.characters:
            facts.append(f"字数：{r.characters}")
        _sub(entry, "summary", "；".join(facts) + "。", type="text")

    ET.indent(feed, space="  ")
    md.xml_safe_tree(feed)  # characters XML 1.0 does not allow (from a sidecar, agencies.yml …) are left out
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
    settings: Settings,
    seeds_dir: Path,
    *,
    site_name: str,
    description: str | None,
    site_url: str | None,
    roster: Roster | None = None,
) -> list[Generated]:
    """Every open-data file of the site, in a fixed order: the lists, each report's JSON and raw
    file (to copy from ``seeds_dir``), the 未公开名单 (``roster``), the schemas and the feed."""
    rows = [summary(r, page_url(index, r)) for r in index.reports]
    missing = unreported_rows(roster)
    files = [
        Generated(f"{DATA_DIR}/reports.json", to_json(rows)),
        Generated(f"{DATA_DIR}/reports.csv", to_csv(rows)),
        Generated(f"{DATA_DIR}/unreported.json", to_json(missing)),
        Generated(f"{DATA_DIR}/unreported.csv", to_csv(missing, UNREPORTED_FIELDS)),
    ]
    for record, row in zip(index.reports, rows, strict=True):
        files.append(Generated(json_uri(record), to_json(detail(row, body_of(record.report)))))
        files.append(Generated(source_path(record), source=seeds_dir / record.source))
    for name in SCHEMA_FILES:
        files.append(Generated(f"{DATA_DIR}/schemas/{name}", (SCHEMAS / name).read_text(encoding="utf-8")))
    feed = atom_feed(index, site_name=site_name, description=description, owner=settings.owner, site_url=site_url)
    files.append(Generated(FEED, feed))
    return files


def page_url(index: SiteIndex, record: ReportRecord) -> str:
    """The site URL of a report's page (``reports/2023/x/``)."""
    return md.url(index.report_uri(record))


# ---------------------------------------------------------------------------------------------
# On the report page


def downloads(record: ReportRecord, from_uri: str) -> str:
    """The 下载 line under a report's metadata block (``from_uri``: the page's path below
    docs_dir): the raw file and the report's JSON."""
    attrs = f'download="{md.attr(record.source)}"'  # md.rel quotes a "#" or "?" in the raw file's name
    raw = md.link(f"原始文件（{md.text(record.source)}）", from_uri, source_path(record), attrs=attrs)
    data = md.link("结构化数据（JSON）", from_uri, json_uri(record))
    about = md.link("说明", from_uri, "open-data.md")
    return f"下载：{raw} · {data}（{about}）\n{{: .report-downloads }}"


def with_downloads(markdown: str, record: ReportRecord, from_uri: str) -> str:
    """Insert :func:`downloads` after the metadata block (the HTML block that opens with the
    ``report-meta`` table and ends at the first blank line); at the end when there is none."""
    line = downloads(record, from_uri)
    start = markdown.find('<table class="report-meta"')
    end = markdown.find("\n\n", start) if start >= 0 else -1
    if end < 0:
        return markdown.rstrip("\n") + "\n\n" + line + "\n"
    return markdown[:end] + "\n\n" + line + markdown[end:]
