"""Issue #17: what the public reads is true and plain.

- no invented metadata: 索引号, 文号, 发布日期 shown only when given, else 未注明 (null in the open data);
  the page's own address as 本页地址;
- one full name per unit (``agency_key``) wherever a unit meets a report; the title kept verbatim;
- 按时 only from a 发布日期; ``check`` asks for a missing one (``no-published-date``);
- no check code, severity or line number on a public page;
- the 未公开名单: expected units without a report, on 合规概览, in ``check`` and in data/unreported.json.

Unit tests on hand-made reports and tables, then the seeds' real site (conftest ``built_site``) and a
real ``build_site.py check`` on a copy of the project.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from html import unescape
from pathlib import Path

import lawreports.checks as checks
from conftest import copy_project
from lawreports.checks import timeliness
from lawreports.checks.unreported import Roster, Unreported, covered_years, unreported, unreported_findings
from lawreports.identity import Agency, load_agencies
from lawreports.parts import load_parts
from lawreports.render import display_title, meta_block
from lawreports.settings import settings_problems
from lawreports.site import compliance, compliance_pages, data, listings
from test_open_data import errors, validator
from test_site import info, render

TABLE = """\
agencies:
  - name: 南开区司法局
    region: 天津市南开区
    type: department
    expected: {from: 2023}

  - name: 南开区审计局
    region: 天津市南开区
    type: department
    expected:
      from: 2021
      until: 2022

  - name: 南开区统计局
    region: 天津市南开区
    type: department
"""
#: Every code in the checks' table (lawreports/checks/__init__.py): none may reach a public page.
CODES = sorted(set(re.findall(r"^([a-z]+(?:-[a-z]+)+)\s+(?:error|warning|info)\b", checks.__doc__ or "", re.M)))


def table(tmp_path: Path):
    path = tmp_path / "agencies.yml"
    path.write_text(TABLE, encoding="utf-8")
    return load_agencies(path), path


# ---------------------------------------------------------------------------------------------
# Without MkDocs


def test_unreported_covers_report_years_and_expected_years_up_to_the_latest(tmp_path):
    agencies, path = table(tmp_path)
    assert covered_years([2025, 2023], agencies) == [2021, 2022, 2023, 2024, 2025]
    assert covered_years([], agencies) == []  # no report: nothing is asked of any year
    roster = unreported([("南开区司法局", 2023), ("南开区统计局", 2025)], agencies, path)
    assert [(m.year, m.agency.key) for m in roster.missing] == [
        (2025, "南开区司法局"), (2024, "南开区司法局"), (2022, "南开区审计局"), (2021, "南开区审计局")]
    assert roster.expected == {2025: 1, 2024: 1, 2023: 1, 2022: 1, 2021: 1}  # 统计局 is not expected
    assert [m.line for m in roster.missing] == [5, 5, 10, 10]  # the line of each unit's ``expected``
    # nothing beyond the latest report year, although 司法局 is expected every year from 2023
    only_2023 = unreported([("南开区司法局", 2023)], agencies, path).missing
    assert [(m.year, m.agency.key) for m in only_2023] == [(2022, "南开区审计局"), (2021, "南开区审计局")]
    found = unreported_findings(roster.missing, "agencies.yml")
    assert (found[0].file, found[0].line, found[0].severity, found[0].code) == ("agencies.yml", 5, "warning",
                                                                                "not-reported")
    assert "南开区司法局应公开 2025 年度" in found[0].message and "expected" in found[0].message


def test_unreported_names_are_escaped_text_everywhere():
    hostile = "<script>alert(1)</script>*局*"
    unit = Agency(name=hostile, aliases=(), region="[链接](http://evil.example)", type="department", slug=None,
                  expected=(2023, None))
    roster = Roster({2023: 1}, (Unreported(2023, unit, 3),))
    index = listings.index_reports([info()], "reports")
    page = next(p.content for p in compliance_pages.build(index, [], load_parts(), roster=roster).pages
                if p.uri == compliance.INDEX)
    html = render(page)
    assert "<script>" not in html and "<em>" not in html
    assert "http://evil.example" not in re.findall(r'href="([^"]*)"', html)
    item = unescape(re.findall(r"<li>(.*?)</li>", html)[-1])
    assert item.endswith("1 个未公开：" + unit.key + "（[链接](http://evil.example)）。")  # as typed
    rows = data.unreported_rows(roster)
    assert rows == [{"year": 2023, "agency_key": unit.key, "agency_type": "department",
                     "region": "[链接](http://evil.example)", "agency_slug": unit.url_slug}]
    assert data.to_csv(rows, data.UNREPORTED_FIELDS).splitlines()[1].startswith("2023,[链接](http://evil.example)<script>")


def test_timeliness_is_judged_on_the_publication_date_only():
    deadline = dt.date(2024, 4, 1)
    written_in_time = info(written=dt.date(2024, 1, 3)).report
    assert timeliness(written_in_time, deadline).status == "unknown"  # never 按时 from a 成文日期
    written_late = info(written=dt.date(2024, 5, 1)).report
    late = timeliness(written_late, deadline)
    assert (late.status, late.basis, late.days_late) == ("late", "written", 30)  # certainly late
    published = info(written=dt.date(2024, 1, 3), published=dt.date(2024, 3, 1)).report
    assert timeliness(published, deadline).status == "on-time"
    assert compliance.timing_text(timeliness(written_in_time, deadline)) == "发布日期未注明，无法判断是否按时公开"


def test_metadata_block_gives_only_what_the_text_gives_and_the_full_name():
    record = info(agency="区政府办公室", agency_key="东丽区人民政府办公室", title="区政府办公室2023年报告",
                  display_title="区政府办公室2023年报告")
    html = meta_block(record, 'https://example.org/reports/2023/x/?a="<b>')
    rows = dict(re.findall(r'<th scope="row">([^<]+)</th><td[^>]*>(.*?)</td>', html))
    assert rows["索引号"] == rows["文号"] == rows["发布日期"] == "未注明"
    assert rows["发布机构"] == "东丽区人民政府办公室" and rows["信息名称"] == "区政府办公室2023年报告"
    assert "<b>" not in html and "&lt;b&gt;" in rows["本页地址"] and rows["本页地址"].startswith('<a href="https://')
    assert "本页地址" not in meta_block(record)  # no address given (``convert``): no row


def test_a_report_without_title_is_named_by_the_units_full_name():
    report = info(agency="区政府办公室", title=None).report
    assert display_title(report, "东丽区人民政府办公室") == "东丽区人民政府办公室2023年度法治政府建设情况报告"
    assert display_title(report) == "区政府办公室2023年度法治政府建设情况报告"  # no key known: as written


def test_scope_setting_is_validated_naming_the_key():
    assert settings_problems({"scope": "天津市南开区、东丽区"}) == []
    for bad in ("", 1, ["南开区"]):
        problems = settings_problems({"scope": bad})
        assert problems and problems[0].startswith("mkdocs.yml: extra.reports.scope: "), problems


# ---------------------------------------------------------------------------------------------
# The seeds' site and `check`


def public_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*") if p.suffix in (".html", ".xml") and p.is_file())


def test_no_check_code_severity_or_line_number_on_a_public_page(built_site):
    assert {"no-published-date", "not-reported", "unnumbered-heading", "plans-year"} <= set(CODES)
    for path in public_pages(built_site.site):
        text = path.read_text(encoding="utf-8")
        for code in CODES:
            assert code not in text, (path, code)
        assert not re.search(r"(警告|提示|错误) \d|第 \d+ 行", text), path


def test_each_unit_has_one_full_name_on_every_page(built_site):
    """区政府办公室 (as seed 002 writes it) appears only in its own text: title and signature."""
    for path in public_pages(built_site.site):
        text = re.sub(r'<div class="report-signature">.*?</div>', "", path.read_text(encoding="utf-8"), flags=re.S)
        assert ">区政府办公室<" not in text and "发布机构：区政府办公室" not in text, path
    reports = json.loads((built_site.site / "data" / "reports.json").read_text(encoding="utf-8"))
    dongli = next(r for r in reports if r["agency"] == "区政府办公室")
    assert dongli["agency_key"] == "东丽区人民政府办公室" and dongli["display_title"] == dongli["title"]
    feed = (built_site.site / "feed.xml").read_text(encoding="utf-8")
    assert "<name>东丽区人民政府办公室</name>" in feed and "发布机构：东丽区人民政府办公室" in feed


def test_unreported_list_on_the_overview_and_in_its_own_open_data_file(built_site):
    site = built_site.site
    missing = json.loads((site / "data" / "unreported.json").read_text(encoding="utf-8"))
    assert errors(validator("unreported.schema.json"), missing) == []
    pairs = {(m["year"], m["agency_key"]) for m in missing}
    assert {(2024, "南开区司法局"), (2025, "南开区司法局")} <= pairs  # agencies.yml: expected from 2023; 2023 only
    reports = json.loads((site / "data" / "reports.json").read_text(encoding="utf-8"))
    assert not pairs & {(r["year"], r["agency_key"]) for r in reports}  # not rows of reports.json
    overview = (site / "compliance" / "index.html").read_text(encoding="utf-8")
    section = overview[overview.index('id="unreported"'): overview.index('id="charts"')]
    year_2025 = section[section.index("<strong>2025年度</strong>"): section.index("<strong>2024年度</strong>")]
    assert "南开区司法局" in year_2025
    csv_text = (site / "data" / "unreported.csv").read_bytes().decode("utf-8")
    assert csv_text.startswith("\ufeffyear,agency_key,agency_type,region,agency_slug\r\n")
    assert len(csv_text.splitlines()) == len(missing) + 1
    assert 'href="../data/unreported.json"' in (site / "open-data" / "index.html").read_text(encoding="utf-8")


def test_check_asks_for_the_publication_date_and_names_the_unreported(tmp_path):
    project = copy_project(tmp_path / "project")
    result = subprocess.run([sys.executable, "build_site.py", "check", "--format", "json"], cwd=project,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr  # warnings only: the seeds still build
    found = json.loads(result.stdout)
    asked = [f for f in found if f["code"] == "no-published-date"]
    seed_002 = next(f for f in asked if f["file"] == "002_3906ac3f1b536f46.txt")
    assert seed_002["severity"] == "warning" and seed_002["line"] == 30
    assert "发布日期：YYYY年M月D日" in seed_002["message"] and "002_3906ac3f1b536f46.meta.yml" in seed_002["message"]
    assert not [f for f in found if f["code"] in ("written-only", "no-date")]
    text = (project / "agencies.yml").read_text(encoding="utf-8").splitlines()
    unreported_rows = [f for f in found if f["code"] == "not-reported"]
    assert unreported_rows and all(f["file"] == "agencies.yml" and f["severity"] == "warning" for f in unreported_rows)
    for f in unreported_rows:
        assert text[f["line"] - 1].strip().startswith("expected:"), f
