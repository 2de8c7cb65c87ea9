"""The site (issue #4): listings from hand-made reports, then a real ``mkdocs build --strict``.

The real builds run on a copy of the project (mkdocs.yml, docs/, overrides/, seeds/, lawreports/)
in a temporary folder, so the tests never write into the working tree. The repository's build is
done once per module and reused by every assertion on it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import markdown
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from lawreports.model import Report, SourceText
from lawreports.parts import load_parts
from lawreports.record import ReportRecord, SourceStat
from lawreports.settings import Settings
from lawreports.site import home, listings
from lawreports.site import markup as md

ROOT = Path(__file__).resolve().parents[1]
PARTS = load_parts()
REPORT_FIELDS = {f.name for f in dataclasses.fields(Report)}
RECORD_FIELDS = {f.name for f in dataclasses.fields(ReportRecord)}


# ---------------------------------------------------------------------------------------------
# Hand-made reports: listings without MkDocs


def as_record(values: dict) -> ReportRecord:
    """A hand-made record (no raw file): ``values`` names the report's fields and the record's
    (``source``, ``source_sha256``: the raw file's; the 字数 come from ``body``)."""
    values = dict(values)
    source = SourceText(values.pop("source"), values.pop("source_sha256", "0" * 64), "utf-8", (), 0)
    report = Report(source=source, title=None, title_lines=(), title_line=None, agency=None, region=None, year=None,
                    written=None, published=None, index_no=None, addressee=None, addressee_line=None, meta_lines=(),
                    body=(), signature=None, parts={}, parts_within={}, inferred={}, diagnostics=())  # fmt: skip
    report = dataclasses.replace(report, **{k: v for k, v in values.items() if k in REPORT_FIELDS})
    record = dict(report=report, index_no=values.get("index_no"), source_url=None, sidecar_note=None,
                  from_sidecar=(), deadline=None, findings=(), figures=(), words={}, inputs_sha256="0" * 64,
                  sidecar_sha256=None, stat=SourceStat(0, 0, None, None))  # fmt: skip
    record.update({k: v for k, v in values.items() if k in RECORD_FIELDS and k not in ("report", "index_no")})
    return ReportRecord(**record)


def info(**kw) -> ReportRecord:
    year = kw.get("year", 2023)
    slug = kw.pop("slug", "nan-kai-qu-si-fa-ju")
    defaults = dict(
        source="000_x.txt",
        source_sha256="0" * 64,
        path=f"{year if year is not None else 'unknown'}/{slug}.md",
        title=None,
        display_title=f"南开区司法局{year}年度法治政府建设情况报告",
        agency="南开区司法局",
        agency_key="天津市南开区司法局",
        agency_slug=slug,
        agency_type="department",
        region="天津市南开区",
        year=year,
        written=None,
        published=None,
        index_no=None,
        parts={"measures": "measures", "shortcomings": "shortcomings", "leadership": None, "plans": "plans", "other": None},
        parts_within={"leadership": "measures-3"},
        source_url=None,
    )
    defaults.update(kw)
    return as_record(defaults)


def render(text: str) -> str:
    """Markdown → HTML with the extensions mkdocs.yml enables (front matter removed)."""
    body = text.split("---\n", 2)[2] if text.startswith("---\n") else text
    return markdown.markdown(body, extensions=["attr_list", "md_in_html", "tables", "toc"])


def test_report_text_is_escaped_in_listings():
    hostile = "*粗体* _斜体_ [链接](http://evil.example) <script>alert(1)</script> | &amp; {#x} `代码` 1. #"
    index = listings.index_reports([info(display_title=hostile, agency=hostile, agency_key=hostile)], "reports")
    pages = {p.uri: p.content for p in home.listing_pages(index, Settings(owner="某<b>区</b>", scope="<b>某</b>区*"), PARTS)}
    for uri in ("index.md", "years/2023.md", "agencies/nan-kai-qu-si-fa-ju.md"):
        html = render(pages[uri])
        assert "<script>" not in html and "<b>" not in html, uri
        assert "http://evil.example" not in re.findall(r'href="([^"]*)"', html), uri
        assert "<em>" not in html and "<strong>粗体" not in html and "<code>" not in html, uri
        assert hostile.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") in _unescape_refs(html), uri
    # the front-matter title is data for YAML, not Markdown
    assert yaml.safe_load(pages["agencies/nan-kai-qu-si-fa-ju.md"].split("---\n")[1])["title"] == hostile


def _unescape_refs(html: str) -> str:
    """Numeric references back to characters, except the three that must stay escaped in HTML."""

    def sub(m: re.Match) -> str:
        c = chr(int(m.group(1)))
        return {"&": "&amp;", "<": "&lt;", ">": "&gt;"}.get(c, c)

    return re.sub(r"&#(\d+);", sub, html)


def test_years_descending_and_agencies_by_pinyin():
    reports = [
        info(year=2022, slug="a"),
        info(year=2024, slug="a"),
        info(year=None, slug="a"),
        info(agency="中山路街道", agency_key="中山路街道", slug="zhong-shan-lu-jie-dao"),
        info(agency="阿城区司法局", agency_key="阿城区司法局", slug="a-cheng-qu-si-fa-ju"),
        info(agency="北辰区司法局", agency_key="北辰区司法局", slug="bei-chen-qu-si-fa-ju"),
    ]
    index = listings.index_reports(reports, "reports")
    assert [y for y, _ in index.years] == [2024, 2023, 2022, None]
    assert [a.key for a in index.agencies] == ["阿城区司法局", "北辰区司法局", "天津市南开区司法局", "中山路街道"]
    years_md = dict((p.uri, p.content) for p in listings.year_pages(index, PARTS))
    assert "years/unknown.md" in years_md
    assert re.findall(r">(\d{4}年|年度不详)</a>", years_md["years/index.md"]) == ["2024年", "2023年", "2022年", "年度不详"]


def test_homophone_agencies_get_distinct_pages():
    reports = [
        info(agency="市司法局", agency_key="市司法局", slug="shi-si-fa-ju"),
        info(agency="是司法局", agency_key="是司法局", slug="shi-si-fa-ju", path="2023/shi-si-fa-ju-2.md"),
    ]
    index = listings.index_reports(reports, "reports")
    assert sorted(a.slug for a in index.agencies) == ["shi-si-fa-ju", "shi-si-fa-ju-2"]


def test_long_listings_paginate_at_page_size():
    reports = [info(agency=f"单位{i:03d}", agency_key=f"单位{i:03d}", slug=f"dan-wei-{i:03d}") for i in range(250)]
    index = listings.index_reports(reports, "reports")
    pages = {p.uri: p.content for p in home.listing_pages(index, Settings(), PARTS, per_page=100)}
    assert {"years/2023.md", "years/2023/page-2.md", "years/2023/page-3.md"} <= set(pages)
    assert {"agencies/index.md", "agencies/page-2.md", "agencies/page-3.md"} <= set(pages)
    assert "agencies/page-4.md" not in pages

    def rows(text: str) -> int:
        return sum(1 for line in text.splitlines() if line.startswith("<tr><td>"))

    assert [rows(pages[u]) for u in ("years/2023.md", "years/2023/page-2.md", "years/2023/page-3.md")] == [100, 100, 50]
    # page links resolve from where each page lives
    assert "[2](2023/page-2.md)" in pages["years/2023.md"]
    assert "[1](../2023.md)" in pages["years/2023/page-3.md"]
    assert "[下一页](page-3.md)" in pages["years/2023/page-2.md"]


def test_badges_link_present_parts_and_mark_missing_ones():
    r = info()
    cell = listings.badges(r, "years/2023.md", "reports/2023/nan-kai-qu-si-fa-ju.md", PARTS)
    html = render(cell)
    assert 'href="../../reports/2023/nan-kai-qu-si-fa-ju/#measures"' in html  # years/2023/ → the report's URL
    assert 'class="part-badge part-leadership within"' in html  # found only under a sub-heading
    assert "part-other" not in html  # `other` is optional: no badge when absent
    r2 = info(parts={k: None for k in ("measures", "shortcomings", "leadership", "plans", "other")}, parts_within={})
    html2 = render(listings.badges(r2, "years/2023.md", "reports/x.md", PARTS))
    assert html2.count("missing") == 4
    # the wording comes from parts.yml: the short name on the badge, the rules' wording in its tooltip
    assert ">举措成效</a>" in html and 'title="主要举措和成效"' in html and ">缺第一责任人<" in html2
    assert 'title="缺少：党政主要负责人履行推进法治建设第一责任人职责情况"' in html2


def test_report_page_links_other_years_of_its_agency():
    a, b = info(year=2023), info(year=2024)
    index = listings.index_reports([a, b], "reports")
    links = listings.report_links(index, a)
    assert "[2024年](../2024/nan-kai-qu-si-fa-ju.md)" in links
    assert "[2023年](../../years/2023.md)" in links
    assert "(../../agencies/nan-kai-qu-si-fa-ju.md)" in links


def test_markup_helpers():
    assert md.month_day("04-01") == "4月1日"
    assert md.rel("agencies/x.md", "agencies/index.md") == "index.md"
    assert md.rel("reports/2023/x.md", "data/sources/a#1 b?.txt") == "../../data/sources/a%231%20b%3F.txt"
    assert md.date(dt.date(2024, 1, 3)) == "2024-01-03" and md.date(None) == "—"
    assert md.text("第一行\n第二行") == "第一行 第二行"


# ---------------------------------------------------------------------------------------------
# Real builds


def make_project(dest: Path) -> Path:
    from conftest import copy_project  # the one copy of what a build needs

    return copy_project(dest)


def mkdocs_build(project: Path, site: Path, config: str = "mkdocs.yml") -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "SOURCE_DATE_EPOCH")}
    env.update(NO_MKDOCS_2_WARNING="1", PYTHONHASHSEED="0", LC_ALL="C.UTF-8")
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", config, "-d", str(site)],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def slug_of(matter: dict) -> str:
    """The agency's URL name: a report page lives at reports/<year>/<agency slug>/."""
    return matter["url"].rstrip("/").rsplit("/", 1)[-1]


@dataclasses.dataclass
class Built:
    project: Path
    site: Path
    second: Path
    log: str
    reports: dict[str, dict]  #: report URL (e.g. reports/2023/x/) → its front matter


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Built:
    base = tmp_path_factory.mktemp("site")
    project = make_project(base / "project")
    first = mkdocs_build(project, base / "site1")
    assert first.returncode == 0, first.stderr
    # The second build converts incrementally (pages already there) and must not differ.
    second = mkdocs_build(project, base / "site2")
    assert second.returncode == 0, second.stderr
    reports = {}
    for page in sorted((project / "docs" / "reports").rglob("*.md")):
        matter = yaml.safe_load(page.read_text(encoding="utf-8").split("---\n", 2)[1])
        rel = page.relative_to(project / "docs").with_suffix("").as_posix()
        reports[rel + "/"] = matter
    return Built(project, base / "site1", base / "site2", first.stderr, reports)


class Page(HTMLParser):
    """What the tests read from a built page."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []  # (href, text)
        self.urls: list[str] = []  # every URL the browser loads without a click
        self.lang = ""
        self.title = ""
        self.h1 = ""
        self.meta_rows: dict[str, str] = {}
        self.nav_links: list[str] = []  # links in the primary (site) navigation
        self._stack: list[str] = []
        self._href: str | None = None
        self._text: list[str] = []
        self._in = {"title": False, "h1": False, "th": False, "td": False, "meta": False}
        self._nav_depth = 0
        self._permalink = False
        self._th = ""
        self._cell: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        # Resources the browser fetches by itself (a plain <a> link is the reader's choice).
        for key in ("src", "action", "data", "poster"):
            if a.get(key):
                self.urls.append(a[key])
        if tag == "link" and a.get("href"):
            self.urls.append(a["href"])
        if a.get("srcset"):
            self.urls += [part.split()[0] for part in a["srcset"].split(",") if part.strip()]
        if tag == "html":
            self.lang = a.get("lang", "")
        cls = a.get("class") or ""
        if tag == "div" and "md-sidebar--primary" in cls:
            self._nav_depth = 1
        elif tag == "div" and self._nav_depth:
            self._nav_depth += 1
        if tag == "a":
            self._href, self._text = a.get("href", ""), []
            self._permalink = "headerlink" in cls
            if self._nav_depth:
                self.nav_links.append(a.get("href", ""))
        if tag == "table" and "report-meta" in cls:
            self._in["meta"] = True
        if tag in ("title", "h1", "th", "td"):
            self._in[tag] = True
            if tag in ("th", "td"):
                self._cell = []

    def handle_endtag(self, tag):
        if tag == "div" and self._nav_depth:
            self._nav_depth -= 1
        if tag == "a" and self._href is not None:
            self.links.append((self._href, "".join(self._text).strip()))
            self._href = None
        if tag == "table":
            self._in["meta"] = False
        if tag in ("title", "h1", "th", "td"):
            self._in[tag] = False
            if self._in["meta"] and tag == "th":
                self._th = "".join(self._cell).strip()
            if self._in["meta"] and tag == "td":
                self.meta_rows[self._th] = "".join(self._cell).strip()

    def handle_data(self, data):
        if self._href is not None:
            self._text.append(data)
        if self._in["title"]:
            self.title += data
        if self._in["h1"] and not (self._href is not None and self._permalink):
            self.h1 += data
        if self._in["th"] or self._in["td"]:
            self._cell.append(data)


def read(site: Path, url: str) -> Page:
    return Page((site / url / "index.html").read_text(encoding="utf-8") if not url.endswith(".html") else (site / url).read_text(encoding="utf-8"))


def resolve(page_url: str, href: str) -> str:
    """A link as a site-relative URL (``years/2023/``), fragment dropped."""
    return urlsplit(urljoin("http://site/" + page_url, href)).path.lstrip("/")


@pytest.mark.slow
def test_build_is_strict_clean(built):
    assert "WARNING" not in built.log, built.log
    assert len(built.reports) == len(list((ROOT / "seeds").glob("*.txt")))


@pytest.mark.slow
def test_home_links_every_year_and_agency(built):
    home = read(built.site, "")
    years = sorted({m["year"] for m in built.reports.values()}, reverse=True)
    for year in years:
        assert (f"years/{year}/", f"{year}年") in home.links
    linked = {resolve("", href) for href, _ in home.links}
    for m in built.reports.values():
        assert f"agencies/{slug_of(m)}/" in linked
    assert home.lang == "zh"
    assert home.title == "法治政府建设年度报告"
    # the heading names whose reports (settings scope), the footer who runs the site (owner) and the scope
    assert home.h1 == "天津市南开区、东丽区法治政府建设年度报告"
    html = (built.site / "index.html").read_text(encoding="utf-8")
    assert "本站由天津市南开区人民政府主办" in html and "主办单位：天津市南开区人民政府" in html
    assert "收录范围：天津市南开区、东丽区的法治政府建设年度报告" in html


@pytest.mark.slow
def test_every_report_is_listed_on_its_year_and_agency_page(built):
    for url, m in built.reports.items():
        year_page = f"years/{m['year']}/"
        assert url in {resolve(year_page, h) for h, _ in read(built.site, year_page).links}, (url, year_page)
        agency_page = f"agencies/{slug_of(m)}/"
        agency = read(built.site, agency_page)
        assert url in {resolve(agency_page, h) for h, _ in agency.links}, (url, agency_page)
        assert agency.h1 == m["agency_key"]  # the full name, not the text's 区政府办公室
    # a year page lists exactly that year's reports, in a table of links titled by the report
    page = read(built.site, "years/2023/")
    listed = [(resolve("years/2023/", h), t) for h, t in page.links if resolve("years/2023/", h).startswith("reports/")]
    expected = {(u, m["display_title"]) for u, m in built.reports.items() if m["year"] == 2023}
    assert {x for x in listed if x[0] in {u for u, _ in expected} and x[1] == dict(expected)[x[0]]} == expected
    assert {u for u, _ in listed} == {u for u, _ in expected}
    assert read(built.site, "years/").title.startswith("按年度")
    assert read(built.site, "agencies/").title.startswith("按单位")


# The disclosure block of each seed, as read from its text (issue #2 / #4).
SEEDS = {
    "000_af92be2414133f56.txt": ("南开区政府研究室2023年度法治政府建设情况报告", "南开区政府研究室", "天津市南开区", 2023, None),
    "001_de61297b1667e9da.txt": ("南开区投资促进局2024年度法治政府建设情况报告", "南开区投资促进局", "天津市南开区", 2024, None),
    # 发布机构: the full name (agency_key); the title stays as the text writes it
    "002_3906ac3f1b536f46.txt": ("区政府办公室2023年法治政府建设年度报告", "东丽区人民政府办公室", "天津市东丽区", 2023, "2024-01-03"),
    "003_9f76e420dcbb0c26.txt": ("南开区政府办公室2025年度法治政府建设情况报告", "南开区政府办公室", "天津市南开区", 2025, None),
    "004_6794a1f585b17187.txt": ("南开区司法局2023年度法治政府建设情况报告", "南开区司法局", "天津市南开区", 2023, None),
}
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@pytest.mark.slow
@pytest.mark.parametrize("source", sorted(SEEDS))
def test_report_page_metadata_block(built, source):
    title, agency, region, year, written = SEEDS[source]
    url = next(u for u, m in built.reports.items() if m["source"] == source)
    page = read(built.site, url)
    assert page.h1 == title
    assert page.title.startswith(title + " - ")
    rows = page.meta_rows
    assert rows["信息名称"] == title
    assert rows["发布机构"] == agency
    assert rows["所属地区"] == region
    assert rows["报告年度"] == f"{year}年"
    assert rows["来源文件"] == source
    assert rows["索引号"] == "未注明"  # no seed gives one; a URL slug is not an official identifier
    assert rows["文号"] == "未注明" and rows["发布日期"] == "未注明"  # no seed gives one: never made up
    # the page's own address, shown as what it is (no site_url in the test build: below the site root)
    assert rows["本页地址"] == f"{url}（相对于本站首页）"
    assert rows["字数"].isdigit() and int(rows["字数"]) > 1000
    if written:
        assert rows["成文日期"] == written
    else:
        assert not DATE.fullmatch(rows["成文日期"])
    # back to its year and agency
    linked = {resolve(url, h) for h, _ in page.links}
    assert f"years/{year}/" in linked
    assert f"agencies/{slug_of(built.reports[url])}/" in linked


@pytest.mark.slow
def test_reports_stay_out_of_the_navigation(built):
    for html in sorted(built.site.rglob("*.html")):
        url = html.relative_to(built.site).parent.as_posix() + "/"
        url = "" if url == "./" else url
        page = Page(html.read_text(encoding="utf-8"))
        nav = {resolve(url, h) for h in page.nav_links}
        assert nav, f"{url}: no site navigation found"
        assert not any(n.startswith("reports/") for n in nav), (url, sorted(nav))
        assert nav <= {"", "years/", "agencies/", "compliance/", "open-data/", "about/"}, (url, sorted(nav))


@pytest.mark.slow
def test_no_request_to_another_host(built):
    for path in sorted(built.site.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for word in ("fonts.googleapis", "fonts.gstatic", "unpkg", "cdn", "api.github.com", "analytics"):
            assert word not in text, (path, word)
        for url in Page(text).urls:
            parts = urlsplit(url)
            assert parts.scheme in ("", "mailto") and not parts.netloc, (path, url)


@pytest.mark.slow
def test_404_robots_and_favicon(built):
    page = (built.site / "404.html").read_text(encoding="utf-8")
    parsed = Page(page)
    assert parsed.lang == "zh"
    assert "页面不存在" in parsed.h1
    assert "返回首页" in page
    robots = (built.site / "robots.txt").read_text(encoding="utf-8")
    assert robots.startswith("User-agent: *\n")
    assert (built.site / "assets" / "favicon.svg").read_text(encoding="utf-8").startswith("<svg")
    assert 'rel="icon" href="assets/favicon.svg"' in (built.site / "index.html").read_text(encoding="utf-8")
    footer = (built.site / "index.html").read_text(encoding="utf-8")
    assert "主办单位：天津市南开区人民政府" in footer and "纠错" in footer
    assert 'class="site-notice"' in footer


@pytest.mark.slow
def test_second_build_is_byte_identical(built):
    def digest(site: Path) -> dict[str, str]:
        return {
            p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(site.rglob("*"))
            if p.is_file()
        }

    first, second = digest(built.site), digest(built.second)
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []


@pytest.mark.slow
def test_every_file_the_build_writes_into_docs_is_in_its_manifest(built):
    """Generated files stay apart from hand-written ones: whatever in docs/ is not a tracked hand-written
    file is listed in docs/.lawreports-generated.json, with the hash of its bytes."""
    docs = built.project / "docs"
    tracked = subprocess.run(["git", "ls-files", "docs"], cwd=ROOT, capture_output=True, text=True, check=True)
    hand_written = {line[len("docs/"):] for line in tracked.stdout.splitlines()}
    manifest = json.loads((docs / ".lawreports-generated.json").read_text(encoding="utf-8"))["files"]
    written = {p.relative_to(docs).as_posix() for p in docs.rglob("*") if p.is_file()}
    written -= {".lawreports-generated.json"}
    written = {p for p in written if "/.lawreports-catalog/" not in p}
    assert hand_written and not hand_written & set(manifest)
    assert written - hand_written == set(manifest)
    for uri, (digest, _owner) in manifest.items():
        assert hashlib.sha256((docs / uri).read_bytes()).hexdigest() == digest, uri


@pytest.mark.slow
def test_pagination_links_pass_strict_build(tmp_path):
    """One row per page: every page link and every badge anchor must resolve under --strict."""
    project = make_project(tmp_path / "project")
    text = (project / "mkdocs.yml").read_text(encoding="utf-8")
    assert "page_size: 100" in text
    (project / "mkdocs.yml").write_text(text.replace("page_size: 100", "page_size: 1"), encoding="utf-8")
    result = mkdocs_build(project, tmp_path / "site")
    assert result.returncode == 0 and "WARNING" not in result.stderr, result.stderr
    site = tmp_path / "site"
    n2023 = sum(1 for s in SEEDS.values() if s[3] == 2023)
    assert (site / "years" / "2023" / f"page-{n2023}" / "index.html").exists()
    assert not (site / "years" / "2023" / f"page-{n2023 + 1}").exists()
    assert (site / "agencies" / f"page-{len(SEEDS)}" / "index.html").exists()


@pytest.mark.slow
def test_bad_setting_stops_the_build_naming_the_key(tmp_path):
    project = make_project(tmp_path / "project")
    text = (project / "mkdocs.yml").read_text(encoding="utf-8").replace('deadline_government: "04-01"', 'deadline_government: "April"')
    (project / "mkdocs.yml").write_text(text, encoding="utf-8")
    result = mkdocs_build(project, tmp_path / "site")
    assert result.returncode != 0
    assert "extra.reports.deadline_government" in result.stderr


# ---------------------------------------------------------------------------------------------
# The deploy workflow


def test_pages_workflow():
    wf = yaml.safe_load((ROOT / ".github" / "workflows" / "pages.yml").read_text(encoding="utf-8"))
    on = wf.get("on", wf.get(True))  # YAML 1.1 reads a bare `on` as true
    assert on["push"]["branches"] == ["main"]
    build, deploy = wf["jobs"]["build"], wf["jobs"]["deploy"]
    uses = [s.get("uses", "") for s in build["steps"]]
    runs = " ".join(s.get("run", "") for s in build["steps"])
    assert any(u.startswith("actions/setup-python@") for u in uses)
    assert next(s for s in build["steps"] if s.get("uses", "").startswith("actions/setup-python@"))["with"]["python-version"] == "3.11"
    assert ".ci/run" in runs and "build_site.py" in runs
    assert runs.index(".ci/run") < runs.index("build_site.py")  # tests gate the build
    assert any(u.startswith("actions/configure-pages@") for u in uses)
    upload = next(s for s in build["steps"] if s.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert upload["with"]["path"] == "site"
    assert deploy["needs"] == "build"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]
    assert "main" in deploy["if"]
    ci = ROOT / ".ci" / "run"
    if ci.exists():
        assert os.access(ci, os.X_OK)


@pytest.mark.slow
def test_a_bad_report_fails_strict_build_naming_the_file(tmp_path):
    project = make_project(tmp_path / "project")
    (project / "seeds" / "999_bad.txt").write_bytes("南开区某局2023年度法治政府建设情况报告\n".encode() + b"\x80\xff\n")
    result = mkdocs_build(project, tmp_path / "site")
    assert result.returncode != 0
    assert re.search(r"ERROR\s+-\s+999_bad\.txt(:\d+)?: error ", result.stderr), result.stderr


@given(st.lists(st.sampled_from(["a", "b", "index", "page-2", "reports", "2023"]), max_size=3),
       st.lists(st.sampled_from(["a", "b", "index", "page-2", "reports", "2023"]), max_size=3),
       st.sampled_from(["index.md", "x.md", "f.csv"]), st.sampled_from(["index.md", "y.md", "f.csv"]))
def test_html_links_agree_with_relpath(from_dirs, to_dirs, from_name, to_name):
    """markup.href (string work, for speed) gives the link posixpath.relpath gives between site URLs."""
    import posixpath

    from_uri, to_uri = "/".join([*from_dirs, from_name]), "/".join([*to_dirs, to_name])
    here, there = md.url(from_uri), md.url(to_uri)
    expected = posixpath.relpath(there or ".", here.rstrip("/") if here.endswith("/") else posixpath.dirname(here) or ".")
    if there == "" or there.endswith("/"):
        expected = "./" if expected == "." else expected + "/"
    assert md.href(from_uri, to_uri) == expected
    assert posixpath.normpath(posixpath.join(here if here.endswith("/") else posixpath.dirname(here), expected)) \
        == posixpath.normpath(there or ".")


@given(st.lists(st.sampled_from(["a", "b", "index", "page-2", "reports", "2023"]), max_size=3),
       st.lists(st.sampled_from(["a", "b", "index", "page-2", "reports", "2023"]), max_size=3),
       st.sampled_from(["index.md", "x.md", "f.csv"]), st.sampled_from(["index.md", "y.md", "f.csv"]))
def test_markdown_links_agree_with_relpath(from_dirs, to_dirs, from_name, to_name):
    """markup.rel (the same string work as markup.href) gives the link posixpath.relpath gives between docs files."""
    import posixpath

    from_uri, to_uri = "/".join([*from_dirs, from_name]), "/".join([*to_dirs, to_name])
    assert md.rel(from_uri, to_uri) == posixpath.relpath(to_uri, posixpath.dirname(from_uri) or ".")
