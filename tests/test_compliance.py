"""Checks on the site (issues #7, #17): the plain-Chinese summary on each report page (no check code,
severity or line number), the 合规概览, its 未公开名单 and its SVG charts.

Unit tests run the page generators on hand-made records (no MkDocs); the rest read the seeds' real
``mkdocs build --strict`` (conftest ``built_site``), build it a second time to compare bytes, and
open the overview in Chromium (conftest ``served_site``, ``chromium``; axe-core from node_modules).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit
from xml.etree import ElementTree as ET

import pytest

from conftest import ARTIFACTS, AXE, copy_project, mkdocs_build
from lawreports.checks import Timeliness
from lawreports.model import Diagnostic
from lawreports.parts import load_parts
from lawreports.record import ReportRecord
from lawreports.site import charts, compliance, compliance_pages, listings
from lawreports.site import markup as md
from test_site import as_record

PARTS = load_parts()
SVG = "{http://www.w3.org/2000/svg}"
SEED_001 = "001_de61297b1667e9da.txt"
SEED_002 = "002_3906ac3f1b536f46.txt"
AGENCY_ORDER = ["东丽区人民政府办公室", "南开区司法局", "南开区投资促进局", "南开区政府办公室", "南开区政府研究室"]


# ---------------------------------------------------------------------------------------------
# Without MkDocs


def info(**kw) -> ReportRecord:
    year = kw.get("year", 2023)
    slug = kw.pop("slug", "nan-kai-qu-si-fa-ju")
    values = dict(
        source=f"{slug}-{year}.txt", source_sha256="0" * 64, path=f"{year}/{slug}.md", title=None,
        display_title=f"{slug}{year}年度法治政府建设情况报告", agency="南开区司法局", agency_key=slug,
        agency_slug=slug, agency_type="department", region="天津市南开区", year=year, written=None,
        published=None, index_no=None,
        parts={"measures": "measures", "shortcomings": "shortcomings", "leadership": None, "plans": "plans", "other": None},
        parts_within={"leadership": "measures-3"}, source_url=None,
        deadline=dt.date(year + 1, 4, 1) if year else None,
    )
    values.update(kw)
    return as_record(values)


def make(reports, findings=(), per_page=100):
    index = listings.index_reports(reports, "reports")
    return compliance_pages.build(index, list(findings), PARTS, per_page)


def test_timing_words():
    deadline = dt.date(2024, 4, 1)
    assert compliance.timing_text(Timeliness("on-time", "published", dt.date(2024, 3, 1), deadline, -31)) == "按时（提前 31 天）"
    assert compliance.timing_text(Timeliness("late", "published", dt.date(2024, 4, 13), deadline, 12)) == "逾期 12 天"
    # a 成文日期 alone never makes a report 按时; written after the deadline, it is certainly 逾期
    assert compliance.timing_text(Timeliness("unknown", "written", dt.date(2024, 1, 3), deadline, None)) == "发布日期未注明，无法判断是否按时公开"
    assert compliance.timing_text(Timeliness("late", "written", dt.date(2024, 4, 2), deadline, 1)) == "逾期"
    assert "成文日期 2024-04-02 已晚于截止日期" in compliance.timing_detail(Timeliness("late", "written", dt.date(2024, 4, 2), deadline, 1))
    assert compliance.timing_text(Timeliness("unknown", None, None, deadline, None)) == "发布日期未注明，无法判断是否按时公开"
    assert compliance.timing_text(Timeliness("unknown", "published", dt.date(2024, 3, 1), None, None)) == "报告年度不详，无法判断是否按时公开"
    assert compliance.timing_text(None) == "未能判断"


def test_relative_links_between_site_urls():
    """The table's links: markup's one way to a relative URL, from the pages' paths below docs_dir."""
    assert md.href("compliance/index.md", "reports/2023/x.md", "measures") == "../reports/2023/x/#measures"
    assert md.href("compliance/page-2.md", "compliance/by-agency.md") == "../by-agency/"
    assert md.href("compliance/index.md", "compliance/index.md") == "./"
    assert md.href("compliance/index.md", "reports/a.html") == "../reports/a.html"
    assert md.relative_url("compliance/index.html", "reports/a.html") == "../reports/a.html"


def test_part_states_and_escaping_in_the_table():
    hostile = "<script>alert(1)</script>*局* | &amp;"
    r = info(agency_key=hostile, display_title=hostile)
    c = make([r])
    page = next(p.content for p in c.pages if p.uri == compliance.INDEX)
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;*局* | &amp;amp;" in page
    row = c.rows[0]
    assert [row.part_state(k) for k in ("measures", "shortcomings", "leadership", "plans", "other")] == [
        "present", "present", "within", "present", "optional"]
    assert not row.complete
    assert 'href="../reports/2023/nan-kai-qu-si-fa-ju/#measures-3"' in page  # ◐ links to where the part is
    assert "缺少规定部分的 0 份" in page and "只写在其他部分小标题下的 1 份" in page


def test_report_summary_is_plain_chinese_and_lands_under_the_downloads():
    r = info(written=dt.date(2024, 1, 3))
    finding = Diagnostic(r.source, 7, "warning", "heading-year", "标题“<b>2022</b>”")
    c = make([r], [finding])
    text = "# T\n\n<table class=\"report-meta\">\n</table>\n\n下载：x\n{: .report-downloads }\n\n正文\n"
    out = compliance.with_summary(text, c.rows[0])
    assert out.index("{: .report-downloads }") < out.index('id="disclosure"') < out.index("正文")
    # the officer's to-do list stays in `check`: no code, severity, line number or finding text
    for internal in ("heading-year", "第 7 行", "警告", "2022", "data-code", "data-line"):
        assert internal not in out, internal
    assert "“党政主要负责人履行推进法治建设第一责任人职责情况”没有单独成章" in out
    assert "发布日期未注明，无法判断是否按时公开" in out and "按时（" not in out
    assert "\n\n" not in compliance.summary_html(c.rows[0], PARTS.label)  # one HTML block


def test_overview_paginates_and_sorts_by_agency():
    reports = [info(slug=s, agency_key=k, year=y) for s, k, y in (
        ("a", "中山路街道", 2024), ("b", "阿城区司法局", 2023), ("c", "北辰区司法局", 2024), ("d", "阿城区司法局", 2024))]
    c = make(reports, per_page=3)
    uris = [p.uri for p in c.pages if p.uri.endswith(".md")]
    assert uris == ["compliance/index.md", "compliance/page-2.md", "compliance/by-agency.md", "compliance/by-agency/page-2.md"]
    pages = {p.uri: p.content for p in c.pages}
    names = lambda uri: re.findall(r'<th scope="row"><a [^>]*>([^<]+)</a>', pages[uri])  # noqa: E731
    assert names("compliance/index.md") + names("compliance/page-2.md") == ["阿城区司法局", "北辰区司法局", "中山路街道", "阿城区司法局"]
    assert names("compliance/by-agency.md") + names("compliance/by-agency/page-2.md") == ["阿城区司法局", "阿城区司法局", "北辰区司法局", "中山路街道"]
    assert 'aria-sort="descending">年度' in pages["compliance/index.md"]
    assert 'aria-sort="ascending">单位' in pages["compliance/by-agency.md"]
    assert "图表 {#charts}" in pages["compliance/index.md"] and "{#charts}" not in pages["compliance/page-2.md"]


def test_timeliness_and_counts_come_from_the_records_and_the_folders_findings():
    late = info(slug="a", published=dt.date(2024, 4, 13))
    written = info(slug="b", written=dt.date(2024, 1, 3))
    undated = info(slug="c", deadline=None, year=None, path="unknown/c.md", published=dt.date(2024, 3, 1))
    failed = Diagnostic("999_bad.txt", 2, "error", "undecodable", "无法解码")
    orphan = Diagnostic("x.meta.yml", None, "warning", "sidecar-orphan", "没有同名的报告原文")
    c = make([late, written, undated], [failed, orphan, Diagnostic(late.source, None, "info", "no-year", "…")])
    by_source = {r.info.source: r for r in c.rows}
    assert compliance.timing_text(by_source[late.source].timing) == "逾期 12 天"
    assert compliance.timing_text(by_source[written.source].timing) == "发布日期未注明，无法判断是否按时公开"
    assert by_source[undated.source].timing.days_late is None
    assert [d.code for d in by_source[late.source].findings] == ["no-year"]
    # the raw file that failed is checked and not published; a sidecar is not a raw file
    assert c.checked == 4
    page = next(p.content for p in c.pages if p.uri == compliance.INDEX)
    assert "另有 1 份报告文件未能发布" in page
    assert "按时公开 **0** 份，逾期 **1** 份，未注明发布日期、无法判断是否按时的 **1** 份，报告年度不详、无法判断的 1 份" in page
    for internal in ("错误", "警告", "提示", "undecodable", "no-year", "检查结果"):  # no severity or code in public
        assert internal not in page, internal
    # the column heads: parts.yml's short names, the rules' wording in the tooltip
    assert '<th scope="col" title="党政主要负责人履行推进法治建设第一责任人职责情况">第一责任人</th>' in page


def test_overview_table_links_from_its_own_page():
    c = make([info()], per_page=1)
    table = compliance_pages.overview_table(listings.index_reports([info()], "reports"), c.rows, "compliance/page-2.md",
                                            "year", PARTS)  # fmt: skip
    assert 'href="../../reports/2023/nan-kai-qu-si-fa-ju/"' in table and 'href="../by-agency/"' in table


def test_charts_are_well_formed_accessible_and_deterministic():
    bars = [charts.Bar("东丽区人民政府办公室综合科", -89, "提前 89 天", kind="good"), charts.Bar("南开区司法局 2023年", 12, "逾期 12 天", kind="late")]
    made = [
        charts.column_chart("a", "各年度报告数", "2023年 3 份", [charts.Bar("2023年", 3, "3 份")]),
        charts.bar_chart("b", "完整程度", "…", [charts.Bar("南开区司法局", 0.75, "75%")]),
        charts.diverging_chart("c", "天数", "…", bars),
        charts.diverging_chart("d", "天数", "…", []),
    ]
    for svg in made:
        root = ET.fromstring(svg)
        assert root.tag == f"{SVG}svg" and root.get("role") == "img" and root.get("aria-label")
        assert root.get("width") == "100%" and root.get("viewBox").startswith("0 0 ")
        assert root.find(f"{SVG}title").text and root.find(f"{SVG}desc").text
    texts = [t.text for t in ET.fromstring(made[2]).iter(f"{SVG}text")]
    assert "东丽区人民政府办公…" in texts and "逾期 12 天" in texts  # labels stay text, cut short
    assert charts.diverging_chart("c", "天数", "…", bars) == made[2]


# ---------------------------------------------------------------------------------------------
# The seeds' site


class Tables(HTMLParser):
    """Rows of the overview table, scorecard findings, hrefs and ids of one page."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[dict] = []
        self.findings: list[dict] = []
        self.hrefs: list[str] = []
        self.ids: set[str] = set()
        self.sorted: dict[str, str] = {}
        self.timing = ""
        self._in_table = self._in_body = False
        self._cell: dict | None = None
        self._li: dict | None = None
        self._timing = False
        self._th_sort: str | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = a.get("class") or ""
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"])
        if tag == "table" and "compliance-table" in cls:
            self._in_table = True
        if self._in_table and tag == "tbody":
            self._in_body = True
        if self._in_table and tag == "th" and a.get("aria-sort"):
            self._th_sort = a["aria-sort"]
            self._cell = {"text": ""}
        if self._in_body and tag == "tr":
            self.rows.append({"cells": [], "classes": []})
        if self._in_body and tag in ("th", "td"):
            self._cell = {"text": ""}
            self.rows[-1]["classes"].append(cls)
            if tag == "th":
                self.rows[-1]["href"] = None
        if self._in_body and tag == "a" and self.rows and "href" in self.rows[-1] and self.rows[-1]["href"] is None:
            self.rows[-1]["href"] = a["href"]
        if tag == "li" and "finding" in cls:
            self._li = {"line": a.get("data-line"), "code": a.get("data-code"), "text": ""}
        if tag == "p" and "summary-timing" in cls:
            self._timing = True

    def handle_endtag(self, tag):
        if tag == "table":
            self._in_table = self._in_body = False
        if tag in ("th", "td") and self._cell is not None:
            if self._th_sort:
                self.sorted[self._cell["text"].split("（")[0].strip(" ↓↑")] = self._th_sort
                self._th_sort = None
            elif self._in_body:
                self.rows[-1]["cells"].append(self._cell["text"].strip())
            self._cell = None
        if tag == "li" and self._li is not None:
            self.findings.append(self._li)
            self._li = None
        if tag == "p":
            self._timing = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell["text"] += data
        if self._li is not None:
            self._li["text"] += data
        if self._timing:
            self.timing += data


def page(site: Path, url: str) -> Tables:
    return Tables((site / url / "index.html").read_text(encoding="utf-8"))


def report_url(site: Path, source: str) -> str:
    reports = json.loads((site / "data" / "reports.json").read_text(encoding="utf-8"))
    return next(r["url"] for r in reports if r["source"] == source)


@pytest.mark.slow
def test_strict_build_is_clean(built_site):
    assert "WARNING" not in built_site.log and "ERROR" not in built_site.log, built_site.log
    for path in ("compliance/index.html", "compliance/by-agency/index.html", "compliance/charts/days-late.svg"):
        assert (built_site.site / path).is_file(), path


@pytest.mark.slow
def test_overview_lists_every_report_with_every_required_part(built_site):
    overview = page(built_site.site, "compliance")
    reports = json.loads((built_site.site / "data" / "reports.json").read_text(encoding="utf-8"))
    assert len(overview.rows) == len(reports) == 5
    for row in overview.rows:
        # 单位 · 年度 · five parts · 公开时限
        assert row["classes"][2:6] == ["cp cp-present"] * 4, row
        assert row["cells"][2:6] == ["✓有"] * 4, row
    linked = {urlsplit(urljoin("http://s/compliance/", r["href"])).path.lstrip("/") for r in overview.rows}
    assert linked == {r["url"] for r in reports}
    assert [r["cells"][1] for r in overview.rows] == ["2025年", "2024年", "2023年", "2023年", "2023年"]
    assert overview.sorted == {"年度": "descending"}
    by_agency = page(built_site.site, "compliance/by-agency")
    assert [r["cells"][0] for r in by_agency.rows] == AGENCY_ORDER
    assert by_agency.sorted == {"单位": "ascending"}
    text = (built_site.site / "compliance" / "index.html").read_text(encoding="utf-8")
    assert "报告 <strong>5</strong> 份；规定的 4 个部分齐全的 <strong>5</strong> 份" in text
    # seed 002 has a 成文日期 and no 发布日期: not 按时
    assert [r["cells"][-1] for r in overview.rows] == ["发布日期未注明，无法判断是否按时公开"] * 5
    assert "按时公开 <strong>0</strong> 份" in text and "按时（提前" not in text


@pytest.mark.slow
def test_seed_001_page_keeps_the_plans_year_slip_for_the_officer(built_site):
    """`check` reports plans-year at line 55 (test_cli); the public page shows parts and timeliness only."""
    url = report_url(built_site.site, SEED_001)
    card = page(built_site.site, url)
    html = (built_site.site / url / "index.html").read_text(encoding="utf-8")
    assert card.findings == [] and "plans-year" not in html and "第 55 行" not in html
    assert "发布日期未注明，无法判断是否按时公开" in card.timing and "公开截止日期为 2025-04-01" in card.timing


@pytest.mark.slow
def test_seed_002_page_is_not_on_time_from_its_written_date(built_site):
    card = page(built_site.site, report_url(built_site.site, SEED_002))
    html = (built_site.site / report_url(built_site.site, SEED_002) / "index.html").read_text(encoding="utf-8")
    assert "unnumbered-heading" not in html and "no-published-date" not in html and "第 17 行" not in html
    assert "发布日期未注明，无法判断是否按时公开" in card.timing and "按时（提前" not in html
    assert html.index("report-downloads") < html.index('id="disclosure"') < html.index('id="measures"')
    assert html.count("具体数据：每千字") == 1  # the indicator under the metadata block, not repeated


@pytest.mark.slow
def test_overview_links_and_anchors_hold(built_site):
    site = built_site.site
    for html in sorted((site / "compliance").rglob("index.html")):
        url = html.parent.relative_to(site).as_posix() + "/"
        for href in Tables(html.read_text(encoding="utf-8")).hrefs:
            parts = urlsplit(urljoin("http://s/" + url, href))
            if parts.netloc != "s":
                continue
            target = site / unquote(parts.path).lstrip("/")
            target = target / "index.html" if parts.path.endswith("/") else target
            assert target.is_file(), (url, href)
            if parts.fragment and target.suffix == ".html":
                assert parts.fragment in Tables(target.read_text(encoding="utf-8")).ids, (url, href)


@pytest.mark.slow
def test_svg_charts_are_well_formed_and_byte_identical_across_builds(built_site, tmp_path):
    names = sorted(p.name for p in (built_site.site / "compliance" / "charts").glob("*.svg"))
    assert names == ["completeness-by-agency.svg", "days-late.svg", "reports-per-year.svg"]
    overview = (built_site.site / "compliance" / "index.html").read_text(encoding="utf-8")
    for name in names:
        svg = (built_site.site / "compliance" / "charts" / name).read_text(encoding="utf-8")
        root = ET.fromstring(svg)
        assert root.find(f"{SVG}title") is not None and root.find(f"{SVG}desc") is not None
        assert root.get("role") == "img" and root.get("aria-label")
        assert any(re.search(r"[\u4e00-\u9fff]", t.text or "") for t in root.iter(f"{SVG}text"))  # Chinese stays text
        assert svg.strip() in overview  # the same chart inline
    second = tmp_path / "site"
    result = mkdocs_build(copy_project(tmp_path / "project"), second)
    assert result.returncode == 0, result.stderr

    def digest(site: Path) -> dict[str, str]:
        folder = site / "compliance"
        return {p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(folder.rglob("*")) if p.is_file()}

    assert digest(built_site.site) == digest(second)
    for url in (report_url(built_site.site, SEED_001), report_url(built_site.site, SEED_002)):
        assert (built_site.site / url / "index.html").read_bytes() == (second / url / "index.html").read_bytes()


# ---------------------------------------------------------------------------------------------
# In Chromium


def _axe(pw_page) -> list[dict]:
    pw_page.evaluate(AXE.read_text(encoding="utf-8"))  # not an inline <script>: the pages' CSP forbids those
    return pw_page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map(n => n.target.join(" "))}))"""
    )


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, {"width": 390, "height": 844}], ids=["desktop", "phone"])
def test_overview_in_a_browser(served_site, chromium, viewport):
    context = chromium.new_context(viewport=viewport, locale="zh-CN", service_workers="block")
    pw_page = context.new_page()
    errors: list[str] = []
    requested: list[str] = []
    pw_page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pw_page.on("pageerror", lambda e: errors.append(str(e)))
    pw_page.on("request", lambda r: requested.append(r.url))
    first_column = "els => els.map(e => e.textContent.trim())"
    try:
        pw_page.goto(served_site.url("compliance/"), wait_until="networkidle")
        rows = pw_page.locator("table.compliance-table tbody th[scope=row]")
        by_year = rows.evaluate_all(first_column)
        assert len(by_year) == 5 and by_year != AGENCY_ORDER
        assert pw_page.locator("th[aria-sort]").evaluate("th => [th.textContent, th.getAttribute('aria-sort')]")[1] == "descending"
        assert pw_page.locator("svg.chart").count() == 3
        assert pw_page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")[0] <= viewport["width"]
        blocking = [v for v in _axe(pw_page) if v["impact"] in ("serious", "critical")]
        assert blocking == [], json.dumps(blocking, ensure_ascii=False, indent=1)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        pw_page.screenshot(path=str(ARTIFACTS / f"compliance-{viewport['width']}.png"), full_page=True)

        # sort by agency: the 单位 header is a link to the view sorted by agency
        pw_page.locator("table.compliance-table thead").get_by_role("link", name=re.compile("^单位")).click()
        pw_page.wait_for_load_state("networkidle")
        assert urlsplit(pw_page.url).path == "/compliance/by-agency/"
        assert rows.evaluate_all(first_column) == AGENCY_ORDER
        assert pw_page.locator("th[aria-sort]").get_attribute("aria-sort") == "ascending"
        blocking = [v for v in _axe(pw_page) if v["impact"] in ("serious", "critical")]
        assert blocking == [], json.dumps(blocking, ensure_ascii=False, indent=1)

        # and from a ✓ to the part of the report
        pw_page.locator("td.cp-present a").first.click()
        pw_page.wait_for_function("location.hash === '#measures'")
        assert pw_page.locator("#measures").is_visible() and pw_page.locator("#disclosure").count() == 1
    finally:
        context.close()
    assert errors == []
    assert [u for u in requested if not u.startswith(served_site.root)] == []
