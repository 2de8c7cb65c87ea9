"""Issuing bodies (issue #17 item 5): self-references, their full names, and reports naming nobody."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from lawreports.build.prepare import Context, prepare
from lawreports.parse import header, issuers, parse_report
from lawreports.read import source_from_bytes
from lawreports.settings import Settings

BODY = "一、主要举措和成效\n全年审查规范性文件十二件。\n二、存在的不足\n执法队伍专业化水平有待提高。\n"
SPEAKS_AS_DISTRICT = "2023年，区政府坚持依法行政，持续推进法治政府建设。\n" + BODY
JOINT = ("县委、县政府关于2021年度法治政府建设情况的报告\n" + BODY
         + "中共沅陵县委员会\n沅陵县人民政府\n2022年1月20日\n")
NAMES_NOBODY = "2023年法治政府建设情况\n2023年，自觉对标对表中央关于依法治国的决策部署，全面推进依法行政。\n" + BODY


@pytest.mark.parametrize("name, expected", [
    ("区政府", True), ("县委、县政府", True), ("省委 省政府", True), ("镇党委、镇人民政府", True),
    ("区政府办公室", False), ("桃源县人民政府", False), ("", False), (None, False),
])
def test_self_reference(name, expected):
    assert issuers.is_self_reference(name) is expected


@pytest.mark.parametrize("name, expected", [
    ("天津市人力资源和社会保障局", True), ("中共安化县委员会、安化县人民政府", True),
    ("自觉对标对表中央关于依法治国的决策部", False), ("全面推进依法行政的工作部", False), ("局", False), (None, False),
])
def test_a_sentence_fragment_is_not_a_name(name, expected):
    assert issuers.plausible(name) is expected


@pytest.mark.parametrize("opening, expected", [
    ("2023年，区政府坚持依法行政。", "区政府"),
    ("二〇二一年，县委、县政府高度重视法治建设。", "县委、县政府"),
    ("2023年，在区委、区政府的领导下，我局坚持依法行政。", None),  # the superior, not the speaker
    ("区政府工作报告指出，要依法行政。", None),  # no verb after the name
])
def test_self_reference_in_the_opening(opening, expected):
    assert issuers.self_reference_in(opening, header.SUBJECT_END) == expected


@pytest.mark.parametrize("date, year", [
    (dt.date(2019, 12, 18), 2019), (dt.date(2020, 3, 2), 2019), (dt.date(2020, 8, 1), None), (None, None),
])
def test_the_year_a_signature_date_means(date, year):
    assert header.year_of_signature(date) == year


def parse(text: str):
    return parse_report(source_from_bytes("r.txt", text.encode("utf-8")))


def test_full_name_from_the_signature_of_a_joint_self_reference():
    report = parse(JOINT)
    assert report.agency == "县委、县政府"
    assert issuers.full_name(report) == "中共沅陵县委员会、沅陵县人民政府"


def test_no_full_name_when_the_signature_is_a_self_reference_too():
    report = parse("县委、县政府关于2021年度法治政府建设情况的报告\n" + BODY + "县委\n县政府\n2022年1月20日\n")
    assert issuers.full_name(report) is None


# -- through prepare: what the record and the officer get ------------------------------------------------

def convert(tmp_path: Path, text: str, sidecar: str | None = None, agencies: str | None = None):
    raw = tmp_path / "r.txt"
    raw.write_text(text, encoding="utf-8")
    if sidecar is not None:
        (tmp_path / "r.meta.yml").write_text(sidecar, encoding="utf-8")
    table = tmp_path / "agencies.yml"
    if agencies is not None:
        table.write_text(agencies, encoding="utf-8")
    return prepare(raw, Context.load(Settings(region="天津市"), agencies_file=table))


def codes(record, severity: str) -> set[str]:
    return {d.code for d in record.findings if d.severity == severity}


def test_a_self_reference_without_a_full_name_asks_for_it(tmp_path: Path):
    record = convert(tmp_path, SPEAKS_AS_DISTRICT)
    assert record.agency == "区政府"
    assert "agency-key-unknown" in codes(record, "warning")
    assert "agency-key-unknown" not in codes(record, "error")  # published; the officer is asked
    assert "agency_key" in next(d.message for d in record.findings if d.code == "agency-key-unknown")


def test_the_joint_full_names_of_the_text_are_the_agency_key(tmp_path: Path):
    record = convert(tmp_path, JOINT)
    assert record.agency == "县委、县政府"  # the front-matter contract: as the text names it
    assert record.agency_key == "中共沅陵县委员会、沅陵县人民政府"
    assert record.agency_type == "government"
    assert record.region == "湖南省怀化市沅陵县"
    assert "agency-key-unknown" not in codes(record, "warning")


def test_a_sidecar_agency_key_answers_the_question(tmp_path: Path):
    record = convert(tmp_path, SPEAKS_AS_DISTRICT, sidecar="agency_key: 天津市东丽区人民政府\n")
    assert record.agency_key == "天津市东丽区人民政府"
    assert "agency-key-unknown" not in codes(record, "warning")


def test_the_agency_table_answers_the_question(tmp_path: Path):
    table = ("agencies:\n  - name: 东丽区人民政府\n    aliases: [区政府]\n"
             "    region: 天津市东丽区\n    type: government\n")
    record = convert(tmp_path, SPEAKS_AS_DISTRICT, agencies=table)
    assert record.agency_key == "东丽区人民政府"
    assert "agency-key-unknown" not in codes(record, "warning")


def test_a_report_naming_no_issuer_is_refused_with_a_question(tmp_path: Path):
    record = convert(tmp_path, NAMES_NOBODY)
    assert record.agency is None  # never the sentence fragment
    finding = next(d for d in record.findings if d.code == "no-agency")
    assert finding.severity == "error"  # records with an error finding are not published
    assert "r.meta.yml" in finding.message and "agency" in finding.message


def test_a_sidecar_agency_lifts_the_refusal(tmp_path: Path):
    record = convert(tmp_path, NAMES_NOBODY, sidecar="agency: 天津市东丽区司法局\n")
    assert record.agency == "天津市东丽区司法局"
    assert "no-agency" not in codes(record, "error")


def test_clauses_before_the_subject_are_passed_over_without_counting():
    opening = "2023年，在市委、市政府的坚强领导下，在省司法厅的精心指导下，在市人大、市政协的监督支持下，嘉兴市司法局坚持依法行政。"
    assert issuers.opening_clauses(opening)[0] == "嘉兴市司法局坚持依法行政"
    assert header.agency_from_opening(opening) == "嘉兴市司法局"


@pytest.mark.parametrize("name, expected", [
    ("三门县司法局", True), ("中国政府网", False), ("本网", False), ("人民日报", False),
])
def test_a_source_line_names_a_body_only_when_it_ends_as_one(name, expected):
    assert issuers.is_body_name(name) is expected
