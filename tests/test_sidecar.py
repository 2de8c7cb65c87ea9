"""Sidecars (``<name>.meta.yml``): schema, errors naming the file, the key and its line; applying them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from lawreports.parse import parse_report
from lawreports.read import source_from_bytes
from lawreports.sidecar import SCHEMA, SidecarError, apply_sidecar, key_line, load_sidecar, sidecar_path

REPORT = "南开区司法局2023年度法治政府建设情况报告\n\n一、主要举措和成效\n全年学法12次。\n二、存在的不足\n学习不够深入。\n"


def write(tmp_path: Path, text: str, name: str = "000_x.meta.yml", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def report():
    return parse_report(source_from_bytes("000_x.txt", REPORT.encode("utf-8")))


def test_sidecar_is_named_after_the_raw_file():
    assert sidecar_path(Path("seeds/000_x.txt")) == Path("seeds/000_x.meta.yml")


def test_every_documented_key_is_accepted(tmp_path: Path):
    text = """\
title: 南开区司法局2023年度法治政府建设情况报告
agency: 南开区司法局
agency_key: 南开区司法局
region: 天津市南开区
year: 2023
written: 2024-01-03
published: '2024-01-10'
slug: nan-kai-qu-si-fa-ju
source_url: https://www.tjnk.gov.cn/x.html
index_no: 11120104MB1234567X/2024-00001
deadline: 2024-04-01
note: 原文标题缺年份，已补。
public: ["13800000000"]
correction:
  date: 2024-04-10
  reason: 更正第一段的用词
"""
    overrides = load_sidecar(write(tmp_path, text))
    assert set(overrides.values) == set(SCHEMA["properties"])
    assert overrides.values["correction"] == {"date": "2024-04-10", "reason": "更正第一段的用词"}
    assert overrides.values["written"] == "2024-01-03"  # dates stay text until applied
    assert overrides.values["year"] == 2023
    assert overrides.path == "000_x.meta.yml"


def test_empty_sidecar_changes_nothing(tmp_path: Path):
    assert load_sidecar(write(tmp_path, "# nothing yet\n")).values == {}


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk", "utf-16"])
def test_sidecar_in_any_report_encoding(tmp_path: Path, encoding):
    overrides = load_sidecar(write(tmp_path, "agency: 南开区司法局\n", encoding=encoding))
    assert overrides.values == {"agency": "南开区司法局"}


def test_invalid_yaml_names_the_file_and_line(tmp_path: Path):
    with pytest.raises(SidecarError) as err:
        load_sidecar(write(tmp_path, "title: 报告\nyear: [2023\nagency: x\n"))
    assert err.value.file == "000_x.meta.yml"
    assert err.value.code == "sidecar-yaml"
    assert err.value.line in (2, 3)
    assert "YAML" in err.value.message


def test_a_key_given_twice_is_an_error(tmp_path: Path):
    with pytest.raises(SidecarError) as err:
        load_sidecar(write(tmp_path, "year: 2022\ntitle: 报告\nyear: 2023\n"))
    assert err.value.code == "sidecar-yaml"
    assert err.value.line == 3
    assert "year" in err.value.message


def test_unknown_key_is_named_with_its_line(tmp_path: Path):
    with pytest.raises(SidecarError) as err:
        load_sidecar(write(tmp_path, "title: 报告\nyaer: 2023\n"))
    assert (err.value.file, err.value.line, err.value.code) == ("000_x.meta.yml", 2, "sidecar-unknown-key")
    assert "yaer" in err.value.message
    assert "year" in err.value.message  # the keys that are allowed are listed


@pytest.mark.parametrize(
    "line, key",
    [
        ("year: '2023'", "year"),
        ("year: 1899", "year"),
        ("year: 二〇二三", "year"),
        ("written: 2024/01/03", "written"),
        ("written: 2024-02-30", "written"),
        ("published: 2024-1-3", "published"),
        ("deadline: soon", "deadline"),
        ("slug: Nan Kai", "slug"),
        ("slug: nan_kai", "slug"),
        ("source_url: www.example.org", "source_url"),
        ("title: ''", "title"),
        ("agency: [a, b]", "agency"),
        ("region: 12", "region"),
    ],
)
def test_bad_value_names_the_file_the_key_and_its_line(tmp_path: Path, line, key):
    with pytest.raises(SidecarError) as err:
        load_sidecar(write(tmp_path, f"note: 更正\n{line}\n"))
    assert err.value.file == "000_x.meta.yml"
    assert err.value.code == "sidecar-bad-value"
    assert err.value.line == 2
    assert f"键 {key} " in err.value.message


def test_every_problem_is_reported_not_just_the_first(tmp_path: Path):
    with pytest.raises(SidecarError) as err:
        load_sidecar(write(tmp_path, "year: '2023'\ncolour: red\nslug: A B\n"))
    found = {(d.line, d.code) for d in err.value.diagnostics}
    assert found == {(1, "sidecar-bad-value"), (2, "sidecar-unknown-key"), (3, "sidecar-bad-value")}
    assert all(d.file == "000_x.meta.yml" and d.severity == "error" for d in err.value.diagnostics)


@pytest.mark.parametrize("text", ["- year: 2023\n", "2023\n", "'just text'\n"])
def test_a_sidecar_must_be_a_mapping(tmp_path: Path, text):
    with pytest.raises(SidecarError) as err:
        load_sidecar(write(tmp_path, text))
    assert err.value.code == "sidecar-schema"


def test_undecodable_sidecar_is_an_error(tmp_path: Path):
    path = tmp_path / "000_x.meta.yml"
    path.write_bytes(b"title: \x80\xff\n")
    with pytest.raises(SidecarError) as err:
        load_sidecar(path)
    assert (err.value.file, err.value.code) == ("000_x.meta.yml", "sidecar-encoding")


def test_key_line_finds_nested_keys():
    text = "agencies:\n  - name: a\n    slug: x\n  - name: b\n    slug: y\n"
    assert key_line(text, ["agencies", 1, "slug"]) == 5
    assert key_line(text, ["agencies", 1]) == 4
    assert key_line(text, ["agencies", 7]) == 1  # the nearest parent
    assert key_line("a: [", ["a"]) is None


# -- applying ------------------------------------------------------------------------------------------


def test_applied_values_replace_the_text_and_are_recorded(tmp_path: Path):
    overrides = load_sidecar(write(tmp_path, "year: 2022\nwritten: 2023-01-05\nsource_url: https://x.example/a\nnote: 纠正年度\n"))
    fixed, used = apply_sidecar(report(), overrides)
    assert fixed.year == 2022
    assert fixed.written == dt.date(2023, 1, 5)
    assert used == ("source_url", "written", "year")  # every key but the note


def test_a_value_that_differs_from_the_text_is_an_info_naming_both(tmp_path: Path):
    overrides = load_sidecar(write(tmp_path, "year: 2022\nagency: 南开区司法局\n"))
    fixed, _ = apply_sidecar(report(), overrides)
    infos = [d for d in fixed.diagnostics if d.code == "sidecar-differs"]
    assert len(infos) == 1  # the agency is the same as the text's: nothing to say
    assert infos[0].severity == "info"
    assert "000_x.meta.yml" in infos[0].message
    assert "2022" in infos[0].message and "2023" in infos[0].message


def test_a_field_given_by_the_sidecar_is_no_longer_inferred(tmp_path: Path):
    original = report()
    original = original.__class__(**{**original.__dict__, "inferred": {"region": "settings", "year": "text"}})
    fixed, _ = apply_sidecar(original, load_sidecar(write(tmp_path, "region: 天津市南开区\n")))
    assert fixed.region == "天津市南开区"
    assert fixed.inferred == {"year": "text"}


def test_no_sidecar_changes_nothing():
    original = report()
    assert apply_sidecar(original, None) == (original, ())


def test_a_sidecar_agency_answers_the_no_agency_error(tmp_path: Path):
    nobody = "2023年法治政府建设情况\n2023年，自觉对标对表中央的决策部署。\n一、主要举措和成效\n全年学法12次。\n"
    original = parse_report(source_from_bytes("000_x.txt", nobody.encode("utf-8")))
    assert [d.severity for d in original.diagnostics if d.code == "no-agency"] == ["error"]
    assert "000_x.meta.yml" in next(d.message for d in original.diagnostics if d.code == "no-agency")
    fixed, _ = apply_sidecar(original, load_sidecar(write(tmp_path, "agency: 南开区司法局\n")))
    assert fixed.agency == "南开区司法局"
    assert "no-agency" not in {d.code for d in fixed.diagnostics}
    untouched, _ = apply_sidecar(original, load_sidecar(write(tmp_path, "year: 2023\n")))
    assert "no-agency" in {d.code for d in untouched.diagnostics}


@pytest.mark.parametrize("text, where", [
    ("correction:\n  date: 2024-02-30\n  reason: 更正\n", "correction.date"),
    ("correction:\n  date: 2024-04-10\n", "reason"),
    ("correction: 更正了数字\n", "correction"),
])
def test_a_bad_correction_names_the_key(tmp_path: Path, text: str, where: str):
    with pytest.raises(SidecarError) as caught:
        load_sidecar(write(tmp_path, text))
    assert where in " ".join(d.message for d in caught.value.diagnostics)


@pytest.mark.parametrize("text, key", [
    ("note: 见\u202e原文\n", "note"),
    ("source_url: https://www.gov.cn/\u200bx.html\n", "source_url"),
    ("agency_key: 南开区\u2066司法局\n", "agency_key"),
    ("correction:\n  reason: 更正\u202d数字\n", "correction.reason"),
])
def test_invisible_characters_in_values_the_checks_never_read_are_refused(tmp_path: Path, text: str, key: str):
    with pytest.raises(SidecarError) as caught:
        load_sidecar(write(tmp_path, text))
    assert any(d.code == "sidecar-bad-character" and key in d.message for d in caught.value.diagnostics)
