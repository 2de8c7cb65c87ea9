"""Open data, feed and reproducibility (issue #5): the data files of a real ``mkdocs build --strict``
of the seeds (``built_site`` in conftest.py), checked against their JSON Schemas, the raw files,
the report pages and each other; the Atom feed; byte-identical builds whatever the clock says.
Hand-made records test the pure functions of ``lawreports/site/data.py`` without MkDocs.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import datetime as dt
import doctest
import hashlib
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit
from xml.etree import ElementTree as ET

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st
from referencing import Registry, Resource

from conftest import ROOT, copy_project, mkdocs_build
from lawreports.figures import Figure
from lawreports.model import Heading, Paragraph, Report, Signature, SourceText
from lawreports.record import ReportRecord
from lawreports.settings import Settings
from lawreports.site import charts, data, listings
from lawreports.site import markup as md
from lawreports.site.home import home_page
from lawreports.site.insight.common import Entry
from lawreports.site.insight.keyfigures import figures_csv
from test_site import as_record

SEEDS = ROOT / "seeds"
SCHEMAS = ROOT / "lawreports" / "site" / "schemas"
A = "{http://www.w3.org/2005/Atom}"
SEED_FILES = sorted(p.name for p in SEEDS.iterdir() if p.is_file() and p.suffix == ".txt")


# ---------------------------------------------------------------------------------------------
# Helpers


def validator(name: str) -> jsonschema.Draft202012Validator:
    """A validator for one of the published schemas; their relative ``$ref`` between each other
    resolve as they would for a reader who downloads them from data/schemas/."""
    registry = Registry()
    for path in sorted(SCHEMAS.glob("*.schema.json")):
        registry = registry.with_resource(path.name, Resource.from_contents(json.loads(path.read_text("utf-8"))))
    schema = json.loads((SCHEMAS / name).read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, registry=registry, format_checker=jsonschema.FormatChecker())


def errors(v: jsonschema.Draft202012Validator, instance) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in v.iter_errors(instance)]


def load(site: Path, uri: str):
    return json.loads((site / uri).read_text(encoding="utf-8"))


def nonspace(text: str) -> str:
    return "".join(text.split())


class Links(HTMLParser):
    """Every <a> of a page: (href, attributes, text), and the ids."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, dict, str]] = []
        self.ids: list[str] = []
        self.order: list[str] = []  # "meta", "downloads", "h2" … in document order
        self._a: tuple[str, dict] | None = None
        self._text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.append(a["id"])
        cls = (a.get("class") or "").split()
        if tag == "table" and "report-meta" in cls:
            self.order.append("meta")
        if "report-downloads" in cls:
            self.order.append("downloads")
        if tag == "h2":
            self.order.append("h2")
        if tag == "a":
            self._a, self._text = (a.get("href") or "", a), []

    def handle_endtag(self, tag):
        if tag == "a" and self._a:
            self.links.append((self._a[0], self._a[1], "".join(self._text).strip()))
            self._a = None

    def handle_data(self, d):
        if self._a:
            self._text.append(d)


def resolve(page_url: str, href: str) -> str:
    """A link on the page at ``page_url`` (site-relative) as a site-relative path, fragment dropped."""
    return unquote(urlsplit(urljoin("http://site/" + page_url, href)).path.lstrip("/"))


def page_file(site: Path, url: str) -> Path:
    """The file a site-relative address (percent-encoded or not) is served from."""
    url = unquote(url)
    return site / url / "index.html" if url.endswith("/") or url == "" else site / url


# ---------------------------------------------------------------------------------------------
# The built site's data files


@pytest.fixture(scope="module")
def site(built_site) -> Path:
    return built_site.site


@pytest.fixture(scope="module")
def rows(site) -> list[dict]:
    return load(site, "data/reports.json")


@pytest.mark.slow
def test_schemas_are_published_unchanged(site):
    for name in data.SCHEMA_FILES:
        assert (site / "data" / "schemas" / name).read_bytes() == (SCHEMAS / name).read_bytes()


@pytest.mark.slow
def test_reports_json_matches_its_schema_and_lists_every_seed(rows):
    assert errors(validator("reports.schema.json"), rows) == []
    assert sorted(r["source"] for r in rows) == SEED_FILES
    assert len({r["id"] for r in rows}) == len(rows)
    assert all(list(r) == list(data.FIELDS) for r in rows)
    # listing order: year descending
    years = [r["year"] for r in rows]
    assert years == sorted(years, reverse=True)


@pytest.mark.slow
def test_every_report_json_matches_its_schema(site, rows):
    v = validator("report.schema.json")
    files = sorted((site / "data" / "reports").rglob("*.json"))
    assert len(files) == len(rows)
    for row in rows:
        report = load(site, row["json_url"])
        assert errors(v, report) == [], row["json_url"]
        assert {k: report[k] for k in data.FIELDS} == row
        assert list(report) == [*data.FIELDS, *data.DETAIL_FIELDS]


@pytest.mark.slow
def test_schemas_reject_what_they_should():
    v = validator("reports.schema.json")
    good = {
        "id": "2023/a", "index_no": "a/2023", "doc_no": None, "title": None, "display_title": "某局2023年度法治政府建设情况报告",
        "agency": None, "agency_key": "某局", "agency_type": "department", "region": None, "year": 2023,
        "written": "2024-01-03", "published": None, "parts": ["measures"], "parts_within": [], "characters": 1,
        "url": "reports/2023/a/", "json_url": "data/reports/2023/a.json", "source": "a.txt", "source_sha256": "0" * 64,
        "source_file_url": "data/sources/a.txt", "source_url": None,
    }  # fmt: skip
    assert errors(v, [good]) == []
    for change in ({"extra": 1}, {"written": "2024-1-3"}, {"parts": ["intro"]}, {"url": "/reports/x/"},
                   {"source_sha256": "x"}, {"agency_type": "party"}, {"year": "2023"}):  # fmt: skip
        assert errors(v, [{**good, **change}]), change
    assert errors(v, [{k: good[k] for k in good if k != "id"}])
    detail = validator("report.schema.json")
    full = {**good, "addressee": None, "preamble": "", "signature": None,
            "sections": [{"level": 1, "title": "一、", "anchor": "measures", "part": "measures", "text": ""}]}  # fmt: skip
    assert errors(detail, full) == []
    assert errors(detail, {**full, "extra": 1})
    assert errors(detail, {**full, "sections": [{**full["sections"][0], "part": "intro"}]})
    assert errors(detail, {k: v for k, v in full.items() if k != "sections"})
    assert errors(v, [{**good, "doc_no": ""}])  # a 文号 is given or null, never an empty stand-in
    missing = validator("unreported.schema.json")
    row = {"year": 2024, "agency_key": "南开区司法局", "agency_type": "department", "region": None,
           "agency_slug": "nan-kai-qu-si-fa-ju"}
    assert errors(missing, [row]) == []
    for change in ({"year": "2024"}, {"agency_key": ""}, {"agency_slug": "南开"}, {"extra": 1}):
        assert errors(missing, [{**row, **change}]), change


@pytest.mark.slow
def test_report_text_is_the_raw_files_text(site, rows):
    """Sections hold the exact text: their characters are the page's 字数 and appear, in order, in the raw file."""
    for row in rows:
        report = load(site, row["json_url"])
        raw = nonspace((SEEDS / row["source"]).read_bytes().decode("utf-8-sig"))
        counted = nonspace(report["preamble"]) + "".join(nonspace(s["title"] + s["text"]) for s in report["sections"])
        assert len(counted) == row["characters"], row["source"]
        at = 0
        for piece in [report["preamble"], *[p for s in report["sections"] for p in (s["title"], *s["text"].split("\n"))]]:
            piece = nonspace(piece)
            if piece:
                found = raw.find(piece, at)
                assert found >= 0, (row["source"], piece[:40])
                at = found + len(piece)
        assert report["sections"], row["source"]
        assert any(s["part"] == "measures" for s in report["sections"])


@pytest.mark.slow
def test_section_anchors_exist_on_the_report_page(site, rows):
    for row in rows:
        report = load(site, row["json_url"])
        page = Links(page_file(site, row["url"]).read_text(encoding="utf-8"))
        missing = [s["anchor"] for s in report["sections"] if s["anchor"] not in page.ids]
        assert missing == [], row["url"]


@pytest.mark.slow
def test_csv_has_a_bom_and_the_same_rows(site, rows):
    raw = (site / "data" / "reports.csv").read_bytes()
    assert raw.startswith(codecs.BOM_UTF8)
    assert b"\r\n" in raw and raw.endswith(b"\r\n")
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert tuple(table[0]) == data.FIELDS
    assert len(table) == len(rows) + 1

    def cell(value):
        text = "" if value is None else ";".join(value) if isinstance(value, list) else str(value)
        return "'" + text if starts_a_formula(text) else text  # see test_csv_cells_never_start_a_formula

    for line, row in zip(table[1:], rows):
        assert line == [cell(row[k]) for k in data.FIELDS]


@pytest.mark.slow
def test_downloads_are_the_seeds_byte_for_byte(site, rows):
    for row in rows:
        copy = page_file(site, row["source_file_url"]).read_bytes()
        assert copy == (SEEDS / row["source"]).read_bytes(), row["source"]
        assert hashlib.sha256(copy).hexdigest() == row["source_sha256"]
    assert sorted(p.name for p in (site / "data" / "sources").iterdir()) == SEED_FILES


@pytest.mark.slow
def test_report_pages_link_their_downloads_after_the_metadata_block(site, rows):
    for row in rows:
        page = Links(page_file(site, row["url"]).read_text(encoding="utf-8"))
        targets = {resolve(row["url"], href): (attrs, text) for href, attrs, text in page.links}
        raw = unquote(row["source_file_url"])
        assert raw in targets, row["url"]
        assert targets[raw][0].get("download") == row["source"]
        assert row["source"] in targets[raw][1]
        assert row["json_url"] in targets, row["url"]
        assert "open-data/" in targets
        # the 下载 line sits under the metadata block, before the report's first section
        assert page.order.index("meta") < page.order.index("downloads") < page.order.index("h2"), row["url"]


@pytest.mark.slow
def test_urls_in_the_data_point_at_files(site, rows):
    for row in rows:
        for key in ("url", "json_url", "source_file_url"):
            assert page_file(site, row[key]).is_file(), (key, row[key])


@pytest.mark.slow
def test_open_data_page_documents_every_field(site):
    text = (ROOT / "docs" / "open-data.md").read_text(encoding="utf-8")
    summary = json.loads((SCHEMAS / "reports.schema.json").read_text("utf-8"))["$defs"]["report"]["properties"]
    detail = json.loads((SCHEMAS / "report.schema.json").read_text("utf-8"))["properties"]
    section = detail["sections"]["items"]["properties"]
    for name in [*summary, *detail, *section, *detail["signature"]["properties"]]:
        assert f"`{name}`" in text, name
    assert list(summary) == list(data.FIELDS)
    assert list(detail) == list(data.DETAIL_FIELDS)
    assert "使用许可" in text and "CC BY 4.0" in text
    html = (site / "open-data" / "index.html").read_text(encoding="utf-8")
    links = {resolve("open-data/", h) for h, _, _ in Links(html).links}
    assert {"data/reports.json", "data/reports.csv", "feed.xml", "data/schemas/reports.schema.json"} <= links


# ---------------------------------------------------------------------------------------------
# Feed


@pytest.mark.slow
def test_feed_lists_the_dated_reports_newest_first(site, rows):
    root = ET.fromstring((site / "feed.xml").read_bytes())
    assert root.tag == f"{A}feed"
    entries = root.findall(f"{A}entry")
    dated = [r for r in rows if r["published"] or r["written"]]
    assert len(entries) == len(dated) >= 1
    assert len(dated) < len(rows)  # the seeds include reports without any date
    by_title = {r["display_title"]: r for r in rows}
    days = []
    for entry in entries:
        row = by_title[entry.findtext(f"{A}title")]
        day = row["published"] or row["written"]
        assert entry.findtext(f"{A}updated") == f"{day}T00:00:00+08:00"
        assert (entry.find(f"{A}published") is not None) == bool(row["published"])
        links = {(link.get("rel"), link.get("type")): link.get("href") for link in entry.findall(f"{A}link")}
        assert links[("alternate", "text/html")] == row["url"]  # no site_url: site-relative
        assert links[("alternate", "application/json")] == row["json_url"]
        assert entry.findtext(f"{A}id").startswith("urn:uuid:")
        days.append(day)
    assert days == sorted(days, reverse=True)
    assert root.findtext(f"{A}updated") == f"{max(days)}T00:00:00+08:00"
    assert len({e.findtext(f"{A}id") for e in entries}) == len(entries)


@pytest.mark.slow
def test_home_lists_reports_without_a_date(site, rows):
    html = (site / "index.html").read_text(encoding="utf-8")
    assert 'id="undated"' in html and "未注明发布日期" in html
    section = html[html.index('id="undated"'):]
    section = section[: section.index("<h2")]
    linked = {resolve("", h) for h, _, _ in Links(section).links}
    undated = {r["url"] for r in rows if not (r["published"] or r["written"])}
    dated = {r["url"] for r in rows if r["published"] or r["written"]}
    assert undated and undated <= linked
    assert not dated & linked
    assert "feed.xml" in linked


@pytest.mark.slow
def test_every_page_names_the_feed(site):
    for path in (site / "index.html", site / "reports" / "2023", site / "404.html"):
        page = path if path.suffix else next(path.rglob("index.html"))
        html = page.read_text(encoding="utf-8")
        assert re.search(r'<link rel="alternate feed" type="application/atom\+xml"[^>]*href="[^"]*feed\.xml"', html), page


# ---------------------------------------------------------------------------------------------
# Builds of their own: a configured site_url; the clock


@pytest.mark.slow
def test_site_url_makes_feed_and_sitemap_absolute(tmp_path, rows):
    base = "https://example.gov.cn/fzzf/"
    project = copy_project(tmp_path / "project")
    result = mkdocs_build(project, tmp_path / "site", env={"SITE_URL": base})
    assert result.returncode == 0, result.stderr
    site = tmp_path / "site"
    feed = ET.fromstring((site / "feed.xml").read_bytes())
    assert feed.findtext(f"{A}id") == base
    self_link = next(link for link in feed.findall(f"{A}link") if link.get("rel") == "self")
    assert self_link.get("href") == base + "feed.xml"
    for entry in feed.findall(f"{A}entry"):
        assert entry.findtext(f"{A}id").startswith(base + "reports/")
        assert all(link.get("href").startswith(base) for link in entry.findall(f"{A}link"))
    sitemap = ET.fromstring((site / "sitemap.xml").read_bytes())
    locs = [loc.text for loc in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert locs and all(loc.startswith(base) for loc in locs)
    assert {base + r["url"] for r in rows} <= set(locs)
    assert not list(sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}lastmod"))
    assert f"Sitemap: {base}sitemap.xml" in (site / "robots.txt").read_text(encoding="utf-8")
    # the data stay site-relative: the same wherever the site is published
    assert load(site, "data/reports.json") == rows


def digest(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(site.rglob("*")) if p.is_file()}


@pytest.mark.slow
def test_builds_are_byte_identical_whatever_source_date_epoch(tmp_path, built_site):
    """A fresh copy built with SOURCE_DATE_EPOCH set to two other dates gives the same bytes as the
    shared build (which ran without it): no build time anywhere, the sitemap's gzip header included."""
    sites = []
    for epoch in ("86400", "1893456000"):  # 1970-01-02 and 2030-01-01
        project = copy_project(tmp_path / f"project-{epoch}")
        result = mkdocs_build(project, tmp_path / f"site-{epoch}", env={"SOURCE_DATE_EPOCH": epoch})
        assert result.returncode == 0, result.stderr
        sites.append(digest(tmp_path / f"site-{epoch}"))
    reference = digest(built_site.site)
    for other in sites:
        assert other.keys() == reference.keys()
        assert [k for k in reference if reference[k] != other[k]] == []


# ---------------------------------------------------------------------------------------------
# data.py without MkDocs


def info(**kw) -> ReportRecord:
    year = kw.get("year", 2023)
    slug = kw.pop("slug", "nan-kai-qu-si-fa-ju")
    defaults = dict(
        source=f"{slug}.txt", source_sha256="0" * 64, path=f"{year if year else 'undated'}/{slug}.md", title=None,
        display_title=f"南开区司法局{year}年度法治政府建设情况报告", agency="南开区司法局", agency_key=slug,
        agency_slug=slug, agency_type="department", region="天津市南开区", year=year, written=None, published=None,
        index_no=None, parts={"measures": "measures", "shortcomings": None, "leadership": None, "plans": "plans", "other": None},
        parts_within={"leadership": "measures-3"}, source_url=None,
    )  # fmt: skip
    defaults.update(kw)
    return as_record(defaults)


def index_of(*records: ReportRecord) -> listings.SiteIndex:
    return listings.index_reports(records, "reports")


def test_feed_dates_precedence_and_left_out_reports():
    reports = [
        info(slug="a", written=dt.date(2024, 1, 3)),
        info(slug="b", written=dt.date(2024, 1, 3), published=dt.date(2024, 3, 1)),
        info(slug="c"),
        info(slug="d", year=2022, published=dt.date(2023, 2, 1)),
    ]
    text = data.atom_feed(index_of(*reports), site_name="站", description=None, owner="某区政府", site_url=None)
    root = ET.fromstring(text)
    entries = root.findall(f"{A}entry")
    assert [e.findtext(f"{A}updated")[:10] for e in entries] == ["2024-03-01", "2024-01-03", "2023-02-01"]
    assert [e.find(f"{A}link").get("href") for e in entries] == ["reports/2023/b/", "reports/2023/a/", "reports/2022/d/"]
    assert root.findtext(f"{A}updated") == "2024-03-01T00:00:00+08:00"
    assert root.find(f"{A}subtitle") is None
    # the same input, the same bytes; an empty feed is dated by no clock
    again = data.atom_feed(index_of(*reversed(reports)), site_name="站", description=None, owner="某区政府",
                           site_url=None)  # fmt: skip
    assert text == again
    empty = ET.fromstring(data.atom_feed(index_of(info(slug="c")), site_name="站", description=None, owner="x",
                                         site_url=None))  # fmt: skip
    assert empty.findall(f"{A}entry") == [] and empty.findtext(f"{A}updated").startswith("1970-01-01")


def test_feed_escapes_report_text():
    hostile = '<script>alert(1)</script> & "引号" ]]>'
    text = data.atom_feed(index_of(info(display_title=hostile, agency=hostile, agency_key=hostile,
                                        written=dt.date(2024, 1, 1))),
                          site_name="站 & <b>", description="d", owner="o", site_url="https://example.org/x/")  # fmt: skip
    root = ET.fromstring(text)
    entry = root.find(f"{A}entry")
    assert entry.findtext(f"{A}title") == hostile
    assert entry.findtext(f"{A}author/{A}name") == hostile
    assert root.findtext(f"{A}title") == "站 & <b>"
    assert entry.findtext(f"{A}id") == "https://example.org/x/reports/2023/nan-kai-qu-si-fa-ju/"


def test_csv_cells():
    row = data.summary(info(title="标题,含逗号\"引号\"", region=None), "reports/2023/nan-kai-qu-si-fa-ju/")
    text = data.to_csv([row])
    assert text.startswith("\ufeff") and text.endswith("\r\n")
    back = list(csv.DictReader(io.StringIO(text[1:], newline="")))[0]
    assert back["title"] == '标题,含逗号"引号"'
    assert back["region"] == "" and back["parts"] == "measures;plans" and back["parts_within"] == "leadership"
    assert row["index_no"] is None and back["index_no"] == ""  # none in the text: null, never made up


FORMULAS = ["=1+1", "=HYPERLINK(\"http://x\",\"y\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", "\t=1",
            "\r=1", "- 一是", "+86 22 2345 6789"]


def starts_a_formula(cell: str) -> bool:
    """What a spreadsheet reads as a formula: a cell beginning with = + - @ tab or CR, unless a plain number."""
    return cell[:1] in md.FORMULA_START and not md.PLAIN_NUMBER.fullmatch(cell)


def read_csv(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def test_markup_docstring_examples():
    result = doctest.testmod(md)
    assert result.failed == 0 and result.attempted > 0


@pytest.mark.parametrize("value", FORMULAS)
def test_csv_cells_never_start_a_formula(value):
    """OWASP: a cell that begins with = + - @ tab or CR gets a leading single quote; the rest is kept."""
    row = data.summary(info(title=value, display_title=value, agency=value, region=value, index_no=value,
                            source_url=value), "reports/2023/nan-kai-qu-si-fa-ju/")  # fmt: skip
    back = dict(zip(data.FIELDS, read_csv(data.to_csv([row]))[1], strict=True))
    for name in ("title", "display_title", "agency", "region", "index_no", "source_url"):
        assert back[name] == "'" + value, name
    assert not any(starts_a_formula(c) for c in back.values())


def test_csv_numbers_stay_numbers():
    """A number that is data (a negative or signed count, a decimal) is written as it is: a spreadsheet
    reads it as that number, which is no formula; text that only begins like one is quoted."""
    for value in (-3, 0, 12.5, "-3", "+4", "-0.25", "1e-05", "-1.5E+20"):
        assert md.csv_cell(value) == str(value)
    for value in ("-3件", "-", "+", "--1", "-1-1", "-1e", "=3", "@3"):
        assert md.csv_cell(value) == "'" + value
    assert md.csv_cell(["measures", "plans"]) == "measures;plans" and md.csv_cell(None) == ""


@given(st.one_of(st.text(), st.lists(st.text(alphabet="=+-@'\t\r1.e ", max_size=6), max_size=3).map("".join)))
def test_csv_cell_never_starts_a_formula_and_reads_back(value):
    cell = md.csv_cell(value)
    assert not starts_a_formula(cell)
    assert md.csv_value(cell) == value


def test_figures_csv_cells_never_start_a_formula():
    hostile = "=HYPERLINK(\"http://x\")"
    figure = Figure(value="-3", unit="件", text="+减少-3件", anchor="measures", line=7, start=2, number=-3.0)
    odd = Figure(value="12", unit="@次", text="=1+1", anchor="-a", line=8, start=0, number=12.0)
    record = dataclasses.replace(info(agency=hostile, source="@x.txt"), figures=(figure, odd))
    rows = read_csv(figures_csv([Entry(record, "reports/2023/nan-kai-qu-si-fa-ju.md", 1.0)]).content or "")
    assert not any(starts_a_formula(c) for row in rows for c in row)
    got = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert got[0]["agency"] == "'" + hostile and got[0]["source"] == "'@x.txt"
    first = got[0]
    assert (first["value"], first["number"], first["figure"], first["sentence"]) == ("-3", "-3", "'-3件", "'+减少-3件")
    assert (got[1]["anchor"], got[1]["sentence"], got[1]["unit"]) == ("'-a", "'=1+1", "'@次")


#: Characters XML 1.0 does not allow, and neighbours it does.
NOT_XML = "\x00\x01\x08\x0b\x0c\x1b\x1f\ufffe\uffff\ud800\udfff"


def test_xml_safe_removes_what_xml_does_not_allow():
    assert md.xml_safe("a" + NOT_XML + "b") == "ab"
    kept = "\t\n\r \x7f\x85\u2028\u202e\ufeff\ufffd\U0001f600<&>\"'"
    assert md.xml_safe(kept) == kept
    for code in range(0x20):
        assert (md.xml_safe(chr(code)) == chr(code)) == (chr(code) in "\t\n\r")


def test_feed_parses_whatever_the_characters():
    hostile = "南开" + NOT_XML + "<x>&]]>"
    record = info(display_title=hostile, agency=hostile, agency_key=hostile, region=hostile, source=f"a{NOT_XML}.txt",
                  written=dt.date(2024, 1, 1))  # fmt: skip
    text = data.atom_feed(index_of(record), site_name="站" + NOT_XML, description="d" + NOT_XML, owner="o\x01",
                          site_url=None)  # fmt: skip
    text.encode("utf-8")  # no lone surrogate left
    root = ET.fromstring(text)
    entry = root.find(f"{A}entry")
    assert entry.findtext(f"{A}title") == "南开<x>&]]>" and entry.findtext(f"{A}author/{A}name") == "南开<x>&]]>"
    assert root.findtext(f"{A}title") == "站" and root.findtext(f"{A}subtitle") == "d"
    assert entry.findall(f"{A}link")[2].get("title") == "原始文件 a.txt"


@pytest.mark.parametrize("chart", [charts.column_chart, charts.bar_chart, charts.diverging_chart])
def test_charts_parse_whatever_the_characters(chart):
    hostile = "单位" + NOT_XML + "<script>&"
    bars = [charts.Bar(hostile, -3, hostile, title=hostile), charts.Bar("乙\x02", 2, "2 份")]
    svg = chart("c\x01", "标题" + NOT_XML, "说明" + NOT_XML, bars)
    svg.encode("utf-8")
    root = ET.fromstring(svg)
    texts = ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}title")]
    assert texts[0] == "标题" and "单位<script>&" in texts[1]
    assert root.get("id") == "c" and root.get("aria-label") == "标题"
    assert ET.fromstring(chart("c", "t", "d", [])) is not None


def test_downloads_go_under_the_metadata_block():
    page = ('# 标题 {#title}\n\n<table class="report-meta">\n<tr><td>x</td></tr>\n</table>\n'
            '<p class="report-parts">…</p>\n\n导语。\n\n## 一、主要举措 {#measures}\n')  # fmt: skip
    r = info(source="004 报告#1.txt")
    out = data.with_downloads(page, r, "reports/2023/nan-kai-qu-si-fa-ju.md")
    assert out.index('report-parts') < out.index("下载：") < out.index("导语。")
    assert "(../../data/sources/004%20%E6%8A%A5%E5%91%8A%231.txt)" in out  # a link, however the file is named
    assert "(../../data/reports/2023/nan-kai-qu-si-fa-ju.json)" in out
    # in the data the address is an IRI: readable, but "#", "?" and spaces encoded; the schema accepts it
    row = data.summary(r, "reports/2023/nan-kai-qu-si-fa-ju/")
    assert row["source_file_url"] == "data/sources/004%20报告%231.txt"
    assert errors(validator("reports.schema.json"), [row]) == []
    assert "&#35;" in out.split("下载：")[1].split("]")[0]  # the name is text, not markup
    # no metadata block: the line goes at the end
    assert data.with_downloads("# t\n\n正文。\n", r, "reports/2023/x.md").rstrip().endswith("{: .report-downloads }")


def test_sections_split_paragraphs_between_headings():
    source = SourceText("x.txt", "0" * 64, "utf-8", (), 0)
    report_fields = {f.name for f in dataclasses.fields(Report)}
    body = (
        Paragraph("导语一。", 2), Paragraph("导语二。", 3),
        Heading(1, "一、主要举措和成效", "measures", 4, None, "measures"),
        Heading(2, "（一）学法", "measures-1", 5, None, "measures"), Paragraph("第一段。", 6), Paragraph("第二段。", 7),
        Heading(1, "二、其他", "other", 8, None, None),
    )  # fmt: skip
    values = dict(source=source, title=None, title_lines=(), title_line=None, agency=None, region=None, year=2023,
                  written=None, published=None, index_no=None, addressee="区委、区政府：", addressee_line=1, meta_lines=(),
                  body=body, signature=Signature(("某局", "2024年1月3日"), 9, "某局", dt.date(2024, 1, 3)), parts={},
                  parts_within={}, inferred={}, diagnostics=())  # fmt: skip
    report = Report(**{k: v for k, v in values.items() if k in report_fields})
    got = data.body_of(report)
    assert got.preamble == "导语一。\n导语二。"
    assert [(s["anchor"], s["text"]) for s in got.sections] == [("measures", ""), ("measures-1", "第一段。\n第二段。"), ("other", "")]
    assert got.sections[2]["part"] is None
    assert got.signature == {"lines": ["某局", "2024年1月3日"], "agency": "某局", "date": "2024-01-03"}
    assert got.addressee == "区委、区政府："


def test_open_data_files_come_from_the_records(tmp_path):
    """Every file in a fixed order; each report's JSON holds its record's text; raw files are copied, not read."""
    body = (Heading(1, "一、主要举措和成效", "measures", 1, None, "measures"), Paragraph("第一段。", 2))
    a = info(slug="a", body=body, written=dt.date(2024, 1, 3))
    b = info(slug="b", year=2024, source="b 原文#1.docx")
    files = data.open_data(index_of(a, b), Settings(owner="某区政府"), tmp_path, site_name="站", description=None,
                           site_url=None)  # fmt: skip
    assert [f.uri for f in files] == [
        "data/reports.json", "data/reports.csv", "data/unreported.json", "data/unreported.csv",
        "data/reports/2024/b.json", "data/sources/b 原文#1.docx",
        "data/reports/2023/a.json", "data/sources/a.txt",
        "data/schemas/reports.schema.json", "data/schemas/report.schema.json", "data/schemas/unreported.schema.json",
        "data/schemas/versions.schema.json", "feed.xml",
    ]  # fmt: skip
    by_uri = {f.uri: f for f in files}
    assert by_uri["data/sources/a.txt"].source == tmp_path / "a.txt" and by_uri["data/sources/a.txt"].content is None
    detail = json.loads(by_uri["data/reports/2023/a.json"].content)
    assert detail["sections"] == [{"level": 1, "title": "一、主要举措和成效", "anchor": "measures", "part": "measures",
                                   "text": "第一段。"}]  # fmt: skip
    assert detail["characters"] == len("一、主要举措和成效第一段。") and detail["url"] == "reports/2023/a/"
    assert errors(validator("report.schema.json"), detail) == []
    assert json.loads(by_uri["data/reports.json"].content)[0]["source_file_url"] == "data/sources/b%20原文%231.docx"
    assert "reports/2023/a/" in by_uri["feed.xml"].content and "reports/2024/b/" not in by_uri["feed.xml"].content


def test_listing_home_without_undated_reports_keeps_the_anchor():
    index = listings.index_reports([info(written=dt.date(2024, 1, 3))], "reports")
    home = home_page(index, Settings()).content
    assert "{#undated}" in home and "所有报告均注明了发布日期或成文日期" in home
