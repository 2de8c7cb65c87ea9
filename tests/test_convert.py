"""The folder stage (lawreports.build: collect, outputs, pipeline.convert) and identity (identity.py,
agencies.yml), in process.

Every row of issue #3's input table, the agency table, duplicates, the hand-edit guard and
``force``, removal, incremental conversion (by the catalog) and determinism. Inputs are built in
``tmp_path`` from the repository's own seeds.
"""

from __future__ import annotations

import codecs
import datetime as dt
import os
import shutil
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lawreports import render
from lawreports.build import outputs as outputs_module
from lawreports.build import pipeline
from lawreports.build import prepare as prepare_module
from lawreports.build.catalog import Catalog
from lawreports.build.project import project_of
from lawreports.identity import (
    AgencyTableError,
    agency_key,
    identify,
    load_agencies,
    region_units,
    slugify,
)
from lawreports.model import Diagnostic
from lawreports.parts import load_parts
from lawreports.record import ReportRecord
from lawreports.render import content_hash
from lawreports.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
AGENCIES = ROOT / "agencies.yml"
SEEDS = {p.name: p for p in sorted((ROOT / "seeds").glob("*.txt"))}
S000, S001, S002, S003, S004 = sorted(SEEDS)


def text_of(name: str) -> str:
    return SEEDS[name].read_text(encoding="utf-8")


def make_seeds(tmp_path: Path, files: dict[str, bytes | str], folder: str = "seeds") -> Path:
    seeds = tmp_path / folder
    seeds.mkdir(exist_ok=True)
    for name, data in files.items():
        (seeds / name).write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return seeds


def all_seeds(tmp_path: Path) -> Path:
    return make_seeds(tmp_path, {name: path.read_bytes() for name, path in SEEDS.items()})


@dataclass
class Run:
    """One ``pipeline.convert`` under the names these tests read."""

    generation: pipeline.Generation

    @property
    def ok(self) -> bool:
        return self.generation.ok

    @property
    def failed(self) -> list[str]:
        return self.generation.failed

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return self.generation.diagnostics

    @property
    def written(self) -> list[str]:  #: files (re)written, below the output folder
        return self.generation.outputs.written if self.generation.outputs else []

    @property
    def removed(self) -> list[str]:
        return self.generation.outputs.removed if self.generation.outputs else []

    @property
    def unchanged(self) -> int:  #: files left as they were
        return self.generation.outputs.unchanged if self.generation.outputs else 0

    @property
    def records(self) -> dict[str, ReportRecord]:  #: source → the record published
        return {r.source: r for r in self.generation.collected.records}


def run_convert(seeds: Path, out: Path, settings: Settings | None = None, agencies_file: Path = AGENCIES,
                force: bool = False) -> Run:
    """``build_site.py convert --seeds seeds --out out``, in this process (jobs=1)."""
    project = project_of(ROOT / "mkdocs.yml", settings or Settings(), "docs", "site")
    project = replace(project, agencies_file=agencies_file)
    return Run(pipeline.convert(project, seeds, out, force=force, jobs=1))


def read_front_matter(path: Path) -> dict | None:
    """A page's front matter, or None (none, or not valid YAML)."""
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        return None
    end = text.find("\n---\n", 3)
    try:
        matter = yaml.safe_load(text[4: end + 1]) if end > 0 else None
    except yaml.YAMLError:
        return None
    return matter if isinstance(matter, dict) else None


def pages(out: Path) -> dict[str, tuple[dict, Path]]:
    """source → (front matter, path) of every report page in ``out``."""
    found = {}
    for path in sorted(out.rglob("*.md")):
        matter = read_front_matter(path)
        if matter and "source" in matter:
            found[matter["source"]] = (matter, path)
    return found


def snapshot(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def errors(run: Run, file: str) -> list:
    return [d for d in run.diagnostics if d.file == file and d.severity == "error"]


def codes(record: ReportRecord) -> set[str]:
    return {d.code for d in record.findings}


# -- accepted input: converted, exit 0 ---------------------------------------------------------------


def _variants() -> dict[str, bytes]:
    text = text_of(S002)
    return {
        "gb18030": text.encode("gb18030"),
        "gbk": text.encode("gbk"),
        "utf-8-bom": codecs.BOM_UTF8 + text.encode("utf-8"),
        "utf-16-le-bom": codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
        "utf-16-be-bom": codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
        "crlf": text.replace("\n", "\r\n").encode("utf-8"),
        "cr": text.replace("\n", "\r").encode("utf-8"),
        "crlf-gbk-bom-less": text.replace("\n", "\r\n").encode("gbk"),
    }


@pytest.fixture(scope="module")
def plain_page(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("plain")
    run = run_convert(make_seeds(tmp, {S002: text_of(S002)}), tmp / "out")
    assert run.ok
    return {"matter": pages(tmp / "out")[S002][0], "record": run.records[S002]}


@pytest.mark.parametrize("variant", sorted(_variants()))
def test_every_accepted_encoding_and_line_ending_converts_the_same(tmp_path: Path, plain_page, variant):
    seeds = make_seeds(tmp_path, {S002: _variants()[variant]})
    run = run_convert(seeds, tmp_path / "out")
    assert run.ok and not run.failed
    matter = pages(tmp_path / "out")[S002][0]
    for key in ("title", "agency", "agency_key", "region", "year", "written", "sections", "parts"):
        assert matter[key] == plain_page["matter"][key], key
    # line numbers are lines of the raw file, whatever ends them (CR-only files count CRs)
    findings = run.records[S002].findings
    assert findings == plain_page["record"].findings
    assert any(w.line == 17 and w.code == "unnumbered-heading" for w in findings)


def test_a_5_mb_report_converts(tmp_path: Path):
    text = text_of(S004)
    title, body = text.split("\n", 1)
    big = title + "\n" + "\n".join([body] * (5 * 2**20 // len(body.encode("utf-8")) + 1))
    assert len(big.encode("utf-8")) > 5 * 2**20
    run = run_convert(make_seeds(tmp_path, {"big.txt": big, S000: text_of(S000)}), tmp_path / "out")
    assert run.ok
    matter = pages(tmp_path / "out")["big.txt"][0]
    assert matter["year"] == 2023
    assert len(matter["sections"]) > 100


def test_a_report_without_headings_is_one_body_with_null_parts_and_a_warning(tmp_path: Path):
    text = ("南开区司法局2023年度法治政府建设情况报告\n\n"
            "2023年，区司法局坚持依法行政，推进法治政府建设。全年办理行政复议案件十件，开展普法活动二十场。\n"
            "下一步，我局将继续努力。\n")
    run = run_convert(make_seeds(tmp_path, {"flat.txt": text}), tmp_path / "out")
    assert run.ok
    matter, path = pages(tmp_path / "out")["flat.txt"]
    assert matter["sections"] == []
    assert matter["parts"] == dict.fromkeys(("measures", "shortcomings", "leadership", "plans", "other"))
    assert "no-headings" in codes(run.records["flat.txt"])
    assert "全年办理行政复议案件十件" in path.read_text(encoding="utf-8")


# -- refused input: named, the others converted -------------------------------------------------------

TITLE_ONLY = "南开区司法局2023年度法治政府建设情况报告\n"
BAD_INPUTS = {
    "empty": (b"", "empty"),
    "whitespace-only": (" \r\n\t\n\u3000\n".encode("utf-8"), "empty"),
    "binary": (bytes(range(256)) * 16, None),
    "undecodable": ("南开区司法局2023年度报告\n正文".encode() + b"\x80\xff\x80\n", "undecodable"),
    "c0-control": ("标题\n正文\x01正文\n".encode(), "bad-character"),
    "replacement-char": ("标题\n正文\ufffd正文\n".encode("utf-8"), "bad-character"),
    "private-use": ("标题\n正文\ue123正文\n".encode("utf-8"), "bad-character"),
    "title-only": (TITLE_ONLY.encode("utf-8"), "no-body"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_is_named_and_the_others_still_convert(tmp_path: Path, case):
    data, code = BAD_INPUTS[case]
    seeds = make_seeds(tmp_path, {S000: text_of(S000), f"bad_{case}.txt": data, S004: text_of(S004)})
    run = run_convert(seeds, tmp_path / "out")
    assert not run.ok
    assert run.failed == [f"bad_{case}.txt"]
    found = errors(run, f"bad_{case}.txt")
    assert found, run.diagnostics
    if code:
        assert found[0].code == code
    else:
        assert found[0].code in ("undecodable", "bad-character")
    assert set(pages(tmp_path / "out")) == {S000, S004}


@pytest.mark.parametrize("suffix", [".doc", ".wps", ".DOC"])
def test_word_and_wps_files_are_named_with_save_as_docx(tmp_path: Path, suffix):
    seeds = make_seeds(tmp_path, {f"report{suffix}": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", S000: text_of(S000)})
    run = run_convert(seeds, tmp_path / "out")
    assert not run.ok and run.failed == [f"report{suffix}"]
    (error,) = errors(run, f"report{suffix}")
    assert error.code == "unsupported-format" and "请另存为 .docx" in error.message
    assert set(pages(tmp_path / "out")) == {S000}


@pytest.mark.parametrize("suffix", [".html", ".rtf"])
def test_formats_not_read_are_named(tmp_path: Path, suffix):
    seeds = make_seeds(tmp_path, {f"report{suffix}": b"PK\x03\x04", S000: text_of(S000)})
    run = run_convert(seeds, tmp_path / "out")
    assert not run.ok
    (error,) = errors(run, f"report{suffix}")
    assert error.code == "unsupported-format" and "暂不支持" in error.message


def test_an_unexpected_exception_is_an_internal_error_naming_the_file(tmp_path: Path, monkeypatch):
    real = prepare_module.parse_report

    def flaky(source, *args, **kwargs):
        if source.name == S002:
            raise RuntimeError("boom")
        return real(source, *args, **kwargs)

    monkeypatch.setattr(prepare_module, "parse_report", flaky)
    run = run_convert(all_seeds(tmp_path), tmp_path / "out")
    assert run.failed == [S002]
    (error,) = errors(run, S002)
    assert error.code == "internal-error"
    assert S002 in error.message and "boom" in error.message
    assert set(pages(tmp_path / "out")) == set(SEEDS) - {S002}


# -- sidecars ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sidecar, code, key",
    [
        ("title: [unclosed\n", "sidecar-yaml", None),
        ("colour: red\n", "sidecar-unknown-key", "colour"),
        ("year: '2023'\n", "sidecar-bad-value", "year"),
        ("written: 2024-02-30\n", "sidecar-bad-value", "written"),
    ],
)
def test_bad_sidecar_names_its_file_and_key_and_the_others_convert(tmp_path: Path, sidecar, code, key):
    stem = S000[:-4]
    seeds = make_seeds(tmp_path, {S000: text_of(S000), f"{stem}.meta.yml": sidecar, S004: text_of(S004)})
    run = run_convert(seeds, tmp_path / "out")
    assert not run.ok and run.failed == [S000]
    (error,) = errors(run, f"{stem}.meta.yml")
    assert error.code == code
    if key:
        assert key in error.message
    assert set(pages(tmp_path / "out")) == {S004}


def test_front_matter_records_the_fields_from_the_sidecar_and_differences(tmp_path: Path):
    stem = S004[:-4]
    sidecar = "year: 2022\nagency: 南开区司法局\nsource_url: https://www.tjnk.gov.cn/sfj/2023.html\nnote: 核对\n"
    seeds = make_seeds(tmp_path, {S004: text_of(S004), f"{stem}.meta.yml": sidecar})
    run = run_convert(seeds, tmp_path / "out")
    assert run.ok
    matter, path = pages(tmp_path / "out")[S004]
    record = run.records[S004]
    assert record.from_sidecar == ("agency", "source_url", "year")
    assert Catalog(tmp_path / "out").load(S004) == record  # kept as made
    assert matter["year"] == 2022 and path.parent.name == "2022"
    assert matter["source_url"] == "https://www.tjnk.gov.cn/sfj/2023.html"
    infos = [d for d in run.diagnostics if d.code == "sidecar-differs"]
    assert len(infos) == 1 and infos[0].severity == "info" and infos[0].file == S004
    assert "2022" in infos[0].message and "2023" in infos[0].message and f"{stem}.meta.yml" in infos[0].message
    assert "sidecar-differs" in codes(record)


def test_sidecar_agency_key_and_slug_set_the_identity(tmp_path: Path):
    stem = S004[:-4]
    seeds = make_seeds(tmp_path, {S004: text_of(S004), f"{stem}.meta.yml": "slug: nk-sfj\n"})
    run = run_convert(seeds, tmp_path / "out")
    assert run.ok
    matter, path = pages(tmp_path / "out")[S004]
    assert path == tmp_path / "out" / "2023" / "nk-sfj.md"
    assert matter["agency_key"] == "南开区司法局"
    assert run.records[S004].agency_slug == "nk-sfj" and run.records[S004].from_sidecar == ("slug",)
    assert any(d.code == "sidecar-differs" and "nan-kai-qu-si-fa-ju" in d.message for d in run.diagnostics)


def test_orphan_and_misnamed_sidecars_are_warned_about(tmp_path: Path):
    seeds = make_seeds(tmp_path, {S000: text_of(S000), S004: text_of(S004), "gone.meta.yml": "year: 2023\n",
                                  f"{S000[:-4]}.yml": "year: 2023\n", f"{S004[:-4]}.meta.yaml": "year: 2023\n"})
    run = run_convert(seeds, tmp_path / "out")
    assert run.ok
    codes = {(d.file, d.code) for d in run.diagnostics}
    assert ("gone.meta.yml", "sidecar-orphan") in codes
    assert (f"{S000[:-4]}.yml", "sidecar-name") in codes
    assert (f"{S004[:-4]}.meta.yaml", "sidecar-name") in codes


# -- identity: the agency table -----------------------------------------------------------------------


def test_the_agency_table_of_the_repository_is_valid_and_knows_every_seed(tmp_path: Path):
    table = load_agencies(AGENCIES)
    run = run_convert(all_seeds(tmp_path), tmp_path / "out")
    assert run.ok
    for name, (matter, _) in pages(tmp_path / "out").items():
        known = table.find(matter["agency_key"])
        assert known is not None, name
        assert run.records[name].agency_slug == known.url_slug
        assert matter["region"] == known.region
    dongli = pages(tmp_path / "out")[S002][0]
    assert dongli["agency"] == "区政府办公室"  # as the report names it
    assert dongli["agency_key"] == "东丽区人民政府办公室"  # as the table does
    assert dongli["region"] == "天津市东丽区"


def test_an_alias_and_the_canonical_name_in_two_years_are_one_agency(tmp_path: Path):
    canonical = text_of(S001)  # 南开区投资促进局2024年度法治政府建设情况报告
    alias = canonical.replace("南开区投资促进局2024年度", "投促局2023年度", 1)
    seeds = make_seeds(tmp_path, {"a_2024.txt": canonical, "b_2023.txt": alias})
    run = run_convert(seeds, tmp_path / "out")
    assert run.ok, run.diagnostics
    found = pages(tmp_path / "out")
    a, b = found["a_2024.txt"][0], found["b_2023.txt"][0]
    assert (a["agency"], b["agency"]) == ("南开区投资促进局", "投促局")
    assert a["agency_key"] == b["agency_key"] == "南开区投资促进局"
    slugs = {run.records[name].agency_slug for name in ("a_2024.txt", "b_2023.txt")}
    assert slugs == {"nan-kai-qu-tou-zi-cu-jin-ju"}
    assert (a["year"], b["year"]) == (2024, 2023)
    kept = Catalog(tmp_path / "out").load("b_2023.txt")
    assert kept is not None and kept.report.inferred["region"] == "agencies.yml: 南开区投资促进局"
    assert b["region"] == "天津市南开区"
    assert found["b_2023.txt"][1] == tmp_path / "out" / "2023" / "nan-kai-qu-tou-zi-cu-jin-ju.md"


def test_agencies_not_in_the_table_get_a_key_from_name_and_region(tmp_path: Path):
    empty = tmp_path / "agencies.yml"
    empty.write_text("agencies: []\n", encoding="utf-8")
    run = run_convert(make_seeds(tmp_path, {S002: text_of(S002)}), tmp_path / "out", agencies_file=empty)
    assert run.ok
    matter, path = pages(tmp_path / "out")[S002]
    assert matter["agency_key"] == "东丽区政府办公室"  # 区政府办公室, qualified by its district
    assert path.name == "dong-li-qu-zheng-fu-ban-gong-shi.md"


def test_a_missing_table_is_an_empty_one(tmp_path: Path):
    seeds = make_seeds(tmp_path, {S004: text_of(S004)})
    run = run_convert(seeds, tmp_path / "out", agencies_file=tmp_path / "none.yml")
    assert run.ok


def test_the_default_table_is_agencies_yml_beside_the_site_configuration(tmp_path: Path, monkeypatch):
    (tmp_path / "agencies.yml").write_text(
        "agencies:\n  - name: 南开区司法局\n    region: 天津市南开区\n    type: department\n    slug: nksfj\n",
        encoding="utf-8")
    seeds = make_seeds(tmp_path, {S004: text_of(S004)})
    monkeypatch.chdir(ROOT)  # not the working directory's table
    project = project_of(tmp_path / "mkdocs.yml", Settings(), "docs", "site")
    assert project.agencies_file == tmp_path / "agencies.yml"
    run = Run(pipeline.convert(project, seeds, tmp_path / "out", jobs=1))
    assert run.ok
    assert (tmp_path / "out" / "2023" / "nksfj.md").is_file()


@pytest.mark.parametrize(
    "table, code, words",
    [
        ("agencies:\n  - name: 南开区司法局\n    type: department\n    colour: red\n", "agencies-unknown-key",
         ["colour", "agencies[0].colour"]),
        ("agencies:\n  - name: 南开区司法局\n    type: bureau\n", "agencies-bad-value",
         ["agencies[0].type", "government"]),
        ("agencies:\n  - type: department\n", "agencies-missing-key", ["agencies[0]", "name"]),
        ("agencies:\n  - name: 南开区司法局\n    type: department\n    slug: Nan Kai\n", "agencies-bad-value",
         ["agencies[0].slug"]),
        ("agencies:\n  - name: 南开区司法局\n    type: department\n    aliases: 区司法局\n", "agencies-bad-value",
         ["agencies[0].aliases"]),
        ("agencies: [\n", "agencies-yaml", ["YAML"]),
        ("agency:\n  - name: x\n", "agencies-unknown-key", ["agency"]),
    ],
)
def test_agency_table_schema_errors_name_the_file_the_key_and_the_line(tmp_path: Path, table, code, words):
    path = tmp_path / "agencies.yml"
    path.write_text(table, encoding="utf-8")
    with pytest.raises(AgencyTableError) as err:
        load_agencies(path)
    first = err.value.diagnostics[0]
    assert (first.file, first.code, first.severity) == ("agencies.yml", code, "error")
    assert first.line is not None
    for word in words:
        assert word in first.message


def test_two_agencies_with_one_slug_is_an_error_naming_both(tmp_path: Path):
    path = tmp_path / "agencies.yml"
    path.write_text(
        "agencies:\n"
        "  - name: 南开区司法局\n    type: department\n    slug: si-fa-ju\n"
        "  - name: 东丽区司法局\n    type: department\n    slug: si-fa-ju\n", encoding="utf-8")
    with pytest.raises(AgencyTableError) as err:
        load_agencies(path)
    (problem,) = err.value.diagnostics
    assert problem.code == "agencies-slug-collision" and problem.line == 7
    assert "南开区司法局" in problem.message and "东丽区司法局" in problem.message and "si-fa-ju" in problem.message


def test_one_name_for_two_agencies_of_one_region_is_an_error(tmp_path: Path):
    path = tmp_path / "agencies.yml"
    path.write_text(
        "agencies:\n"
        "  - name: 南开区司法局\n    aliases: [司法局]\n    region: 天津市南开区\n    type: department\n"
        "  - name: 南开区法制办\n    aliases: [司法局]\n    region: 天津市南开区\n    type: department\n"
        "  - name: 南开区司法局\n    region: 天津市南开区\n    type: department\n    slug: x\n", encoding="utf-8")
    with pytest.raises(AgencyTableError) as err:
        load_agencies(path)
    codes = [d.code for d in err.value.diagnostics]
    assert codes == ["agencies-ambiguous-alias", "agencies-duplicate"]


def test_a_bad_agency_table_converts_nothing_and_touches_nothing(tmp_path: Path):
    seeds = all_seeds(tmp_path)
    out = tmp_path / "out"
    assert run_convert(seeds, out).ok
    before = snapshot(out)
    bad = tmp_path / "agencies.yml"
    bad.write_text("agencies:\n  - name: 南开区司法局\n    type: bureau\n", encoding="utf-8")
    run = run_convert(seeds, out, agencies_file=bad)
    assert not run.ok and sorted(run.failed) == sorted(SEEDS)
    assert [d.file for d in run.diagnostics] == ["agencies.yml"]
    assert snapshot(out) == before


def test_an_alias_is_resolved_by_region(tmp_path: Path):
    table = load_agencies(AGENCIES)
    assert identify("x", "区政府办公室", "天津市东丽区", table).key == "东丽区人民政府办公室"
    assert identify("x", "区政府办公室", "东丽区", table).key == "东丽区人民政府办公室"
    assert identify("x", "区政府办公室", "天津市南开区", table).key == "南开区政府办公室"
    ambiguous = identify("x", "区政府办公室", None, table)
    assert ambiguous.agency is None and [d.code for d in ambiguous.notes] == ["agency-ambiguous"]
    assert identify("x", "投促局", None, table).slug == "nan-kai-qu-tou-zi-cu-jin-ju"
    assert identify("x", "南开区 投资促进局", "天津市南开区", table).key == "南开区投资促进局"
    assert identify("x", "区司法局", "天津市东丽区", table).agency is None  # 南开区's alias, not 东丽区's


@pytest.mark.parametrize(
    "name, region, key",
    [
        ("南开区司法局", "天津市南开区", "南开区司法局"),
        ("区政府办公室", "天津市东丽区", "东丽区政府办公室"),
        ("区政府办公室", "天津市", "区政府办公室"),
        ("市人社局", "浙江省杭州市", "杭州市人社局"),
        ("司法局", "天津市南开区", "南开区司法局"),
        ("市场监管局", "天津市南开区", "南开区市场监管局"),
        ("天津市静海区人民政府", "天津市静海区", "天津市静海区人民政府"),
        ("留下街道", "浙江省杭州市西湖区", "西湖区留下街道"),
        ("市人社局", None, "市人社局"),
        (None, "天津市", "天津市未署名单位"),
        ("东城街道办事处", "广东省清远市清城区东城街道", "清城区东城街道办事处"),
        ("清城区东城街道办事处", "广东省清远市清城区东城街道", "清城区东城街道办事处"),
        ("合肥高新技术产业开发区管理委员会", "安徽省合肥市合肥高新技术产业开发区", "合肥高新技术产业开发区管理委员会"),
    ],
)
def test_agency_key_qualifies_a_name_by_its_region(name, region, key):
    assert agency_key(name, region) == key


@pytest.mark.parametrize(
    "region, units",
    [
        ("天津市东丽区", ["天津市", "东丽区"]),
        ("浙江省杭州市西湖区留下街道", ["浙江省", "杭州市", "西湖区", "留下街道"]),
        ("北京市通州区", ["北京市", "通州区"]),
        ("新疆维吾尔自治区乌鲁木齐市", ["新疆维吾尔自治区", "乌鲁木齐市"]),
        ("桃源县", ["桃源县"]),
    ],
)
def test_region_units(region, units):
    assert region_units(region) == units


def test_slugify():
    assert slugify("南开区司法局") == "nan-kai-qu-si-fa-ju"
    assert slugify("天津市（滨海）ABC局") == "tian-jin-shi-bin-hai-abc-ju"


# -- duplicates ----------------------------------------------------------------------------------------


def test_two_reports_of_one_agency_and_year_are_both_named_and_neither_written(tmp_path: Path):
    copy = text_of(S000) + "\n补充。\n"
    seeds = make_seeds(tmp_path, {S000: text_of(S000), "000_copy.txt": copy, S004: text_of(S004)})
    run = run_convert(seeds, tmp_path / "out")
    assert not run.ok and sorted(run.failed) == sorted([S000, "000_copy.txt"])
    for name in (S000, "000_copy.txt"):
        (error,) = errors(run, name)
        assert error.code == "duplicate-report"
        assert S000 in error.message and "000_copy.txt" in error.message
    assert set(pages(tmp_path / "out")) == {S004}


def test_an_alias_and_its_canonical_name_in_one_year_are_a_duplicate(tmp_path: Path):
    alias = text_of(S001).replace("南开区投资促进局2024年度", "投促局2024年度", 1)
    run = run_convert(make_seeds(tmp_path, {S001: text_of(S001), "alias.txt": alias}), tmp_path / "out")
    assert sorted(run.failed) == sorted([S001, "alias.txt"])
    assert {d.code for d in run.diagnostics if d.severity == "error"} == {"duplicate-report"}
    assert pages(tmp_path / "out") == {}


def test_two_agencies_with_one_slug_are_both_named_and_neither_written(tmp_path: Path):
    seeds = make_seeds(tmp_path, {S000: text_of(S000), S004: text_of(S004),
                                  f"{S004[:-4]}.meta.yml": "slug: nan-kai-qu-zheng-fu-yan-jiu-shi\n"})
    run = run_convert(seeds, tmp_path / "out")
    assert sorted(run.failed) == sorted([S000, S004])
    for name in (S000, S004):
        (error,) = errors(run, name)
        assert error.code == "slug-collision"
        assert "南开区政府研究室" in error.message and "南开区司法局" in error.message
    assert pages(tmp_path / "out") == {}


# -- hand edits, hand-written pages, removal -------------------------------------------------------------


def test_a_hand_edited_page_is_never_overwritten_without_force(tmp_path: Path):
    seeds, out = all_seeds(tmp_path), tmp_path / "out"
    assert run_convert(seeds, out).ok
    _, page = pages(out)[S004]
    edited = page.read_text(encoding="utf-8").replace("区司法局", "区司法局（已核对）", 1)
    page.write_text(edited, encoding="utf-8")
    (seeds / S000).write_text(text_of(S000) + "\n补记：全年无行政诉讼败诉案件。\n", encoding="utf-8")

    run = run_convert(seeds, out)
    assert not run.ok and run.failed == [S004]
    (error,) = errors(run, S004)
    rel = page.relative_to(out).as_posix()
    assert error.code == "hand-edited" and rel in error.message and "--force" in error.message
    assert page.read_text(encoding="utf-8") == edited
    assert run.written == [pages(out)[S000][1].relative_to(out).as_posix()]  # the others are written
    assert pages(out)[S004][1] == page  # the edited page stays published

    run = run_convert(seeds, out, force=True)
    assert run.ok and rel in run.written
    text = page.read_text(encoding="utf-8")
    assert "（已核对）" not in text and read_front_matter(page)["content_sha256"] == content_hash(text)


def test_a_page_whose_front_matter_was_broken_by_hand_is_still_guarded(tmp_path: Path):
    seeds, out = all_seeds(tmp_path), tmp_path / "out"
    run_convert(seeds, out)
    _, page = pages(out)[S004]
    broken = page.read_text(encoding="utf-8").replace("title: ", "title: [", 1)
    page.write_text(broken, encoding="utf-8")
    run = run_convert(seeds, out)
    assert run.failed == [S004] and errors(run, S004)[0].code == "hand-edited"
    assert page.read_text(encoding="utf-8") == broken


def test_a_hand_written_page_is_never_touched(tmp_path: Path):
    seeds, out = all_seeds(tmp_path), tmp_path / "out"
    run_convert(seeds, out)
    note = out / "2023" / "说明.md"
    note.write_text("# 说明\n\n手写页面。\n", encoding="utf-8")
    squatter = out / "2023" / "nan-kai-qu-si-fa-ju.md"
    squatter.write_text("---\ntitle: 手写\n---\n\n手写的同名页面。\n", encoding="utf-8")
    for force in (False, True):
        run = run_convert(seeds, out, force=force)
        assert run.failed == [S004] and errors(run, S004)[0].code == "page-not-generated"
        assert squatter.read_text(encoding="utf-8").endswith("手写的同名页面。\n")
    for name in SEEDS:
        (seeds / name).unlink()
    run = run_convert(seeds, out)
    assert note.is_file() and squatter.is_file()
    left = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.md"))
    assert left == ["2023/nan-kai-qu-si-fa-ju.md", "2023/说明.md"]


def test_a_removed_seed_removes_its_page_only_if_generated_and_untouched(tmp_path: Path):
    seeds, out = all_seeds(tmp_path), tmp_path / "out"
    run_convert(seeds, out)
    found = pages(out)
    _, gone = found[S003]  # the only 2025 report: its folder goes too
    _, kept = found[S004]
    kept.write_text(kept.read_text(encoding="utf-8") + "\n手工补充。\n", encoding="utf-8")
    (seeds / S003).unlink()
    (seeds / S004).unlink()
    run = run_convert(seeds, out)
    assert run.removed == [gone.relative_to(out).as_posix()]
    assert not gone.exists() and not gone.parent.exists()
    assert kept.is_file()
    assert any(d.code == "stale-edited-page" and d.file == S004 for d in run.diagnostics)
    assert run.ok  # a kept, edited page of a removed seed is a warning, not a failure


def test_a_seed_that_fails_now_keeps_its_last_good_page(tmp_path: Path):
    seeds, out = all_seeds(tmp_path), tmp_path / "out"
    run_convert(seeds, out)
    _, page = pages(out)[S004]
    before = page.read_bytes()
    (seeds / S004).write_bytes(b"\x00\x01binary")
    run = run_convert(seeds, out)
    assert run.failed == [S004]
    assert page.read_bytes() == before


def test_a_page_that_moves_leaves_no_stale_copy(tmp_path: Path):
    seeds, out = all_seeds(tmp_path), tmp_path / "out"
    run_convert(seeds, out)
    _, old = pages(out)[S004]
    (seeds / f"{S004[:-4]}.meta.yml").write_text("year: 2022\n", encoding="utf-8")
    run = run_convert(seeds, out)
    assert run.ok
    assert not old.exists()
    assert (out / "2022" / old.name).is_file()
    assert run.removed == [old.relative_to(out).as_posix()]


# -- incremental -----------------------------------------------------------------------------------------


@pytest.fixture
def parse_calls(monkeypatch) -> list[str]:
    calls: list[str] = []
    real = prepare_module.parse_report

    def counting(source, *args, **kwargs):
        calls.append(source.name)
        return real(source, *args, **kwargs)

    monkeypatch.setattr(prepare_module, "parse_report", counting)  # prepare imports it by name
    return calls


def _age(out: Path) -> dict[str, int]:
    """Set every file's mtime into the past; return them."""
    for path in out.rglob("*"):
        os.utime(path, ns=(10**18, 10**18))
    return {p.as_posix(): p.stat().st_mtime_ns for p in out.rglob("*")}


def test_a_second_run_with_nothing_changed_rewrites_nothing(tmp_path: Path, parse_calls):
    seeds, out = all_seeds(tmp_path), tmp_path / "out"
    first = run_convert(seeds, out)
    assert len(first.written) == len(SEEDS) and sorted(parse_calls) == sorted(SEEDS)
    before, mtimes = snapshot(out), _age(out)
    parse_calls.clear()

    second = run_convert(seeds, out)
    assert second.ok
    assert second.written == [] and second.removed == []
    assert second.unchanged == len(first.written)
    assert parse_calls == []  # not even parsed
    assert snapshot(out) == before
    assert {p.as_posix(): p.stat().st_mtime_ns for p in out.rglob("*")} == mtimes
    # the same findings are reported, and the same records (from the catalog) published
    assert second.diagnostics == first.diagnostics
    assert second.generation.collected.records == first.generation.collected.records
    assert second.generation.collected.converted == 0


def test_a_touched_but_unchanged_raw_file_is_not_parsed_and_read_once(tmp_path: Path, parse_calls):
    seeds, out = all_seeds(tmp_path), tmp_path / "out"
    run_convert(seeds, out)
    parse_calls.clear()
    os.utime(seeds / S002, ns=(10**18, 10**18))  # a checkout or a copy: same bytes, other time
    run = run_convert(seeds, out)
    assert run.ok and parse_calls == [] and run.written == []
    kept = Catalog(out).load(S002)
    assert kept is not None and kept.stat == prepare_module.stat_of(seeds / S002)  # known by its time again


def test_force_only_lifts_the_hand_edit_guard_nothing_unchanged_is_parsed_or_written(tmp_path: Path, parse_calls):
    seeds, out = all_seeds(tmp_path), tmp_path / "out"
    run_convert(seeds, out)
    parse_calls.clear()
    run = run_convert(seeds, out, force=True)
    assert parse_calls == []
    assert run.ok and run.written == [] and run.removed == []


def test_a_changed_sidecar_re_renders_only_its_report(tmp_path: Path, parse_calls):
    seeds, out = all_seeds(tmp_path), tmp_path / "out"
    run_convert(seeds, out)
    parse_calls.clear()
    sidecar = "source_url: https://www.tjnk.gov.cn/yjs/2023.html\n"
    (seeds / f"{S000[:-4]}.meta.yml").write_text(sidecar, encoding="utf-8")
    run = run_convert(seeds, out)
    assert parse_calls == [S000]
    assert run.written == [pages(out)[S000][1].relative_to(out).as_posix()]


def test_a_changed_raw_file_re_renders_only_its_report(tmp_path: Path, parse_calls):
    seeds, out = all_seeds(tmp_path), tmp_path / "out"
    run_convert(seeds, out)
    parse_calls.clear()
    (seeds / S002).write_bytes(text_of(S002).encode("gbk"))  # same text, other bytes
    run = run_convert(seeds, out)
    assert parse_calls == [S002]
    assert run.written == [pages(out)[S002][1].relative_to(out).as_posix()]  # source_sha256 changed


def test_a_changed_agency_table_re_renders_everything(tmp_path: Path, parse_calls):
    seeds, out = all_seeds(tmp_path), tmp_path / "out"
    table = tmp_path / "agencies.yml"
    table.write_bytes(AGENCIES.read_bytes())
    run_convert(seeds, out, agencies_file=table)
    parse_calls.clear()
    changed = AGENCIES.read_text(encoding="utf-8").replace("slug: nan-kai-qu-si-fa-ju", "slug: nk-sfj")
    table.write_text(changed, encoding="utf-8")
    run = run_convert(seeds, out, agencies_file=table)
    assert run.ok and sorted(parse_calls) == sorted(SEEDS)
    assert (out / "2023" / "nk-sfj.md").is_file() and not (out / "2023" / "nan-kai-qu-si-fa-ju.md").exists()


def test_a_changed_part_table_re_renders_everything(tmp_path: Path, parse_calls, monkeypatch):
    seeds, out = all_seeds(tmp_path), tmp_path / "out"
    run_convert(seeds, out)
    parse_calls.clear()
    changed = replace(load_parts(), sha256="0" * 64)
    monkeypatch.setattr(prepare_module, "load_parts", lambda: changed)
    run = run_convert(seeds, out)
    assert run.ok and sorted(parse_calls) == sorted(SEEDS)


def test_a_new_tool_version_re_renders_and_rewrites_everything(tmp_path: Path, parse_calls, monkeypatch):
    seeds, out = all_seeds(tmp_path), tmp_path / "out"
    run_convert(seeds, out)
    parse_calls.clear()
    monkeypatch.setattr(prepare_module, "tool_fingerprint", lambda: "9.9.9+code")
    monkeypatch.setattr(render, "GENERATOR", "lawreports 9.9.9")
    run = run_convert(seeds, out)
    assert run.ok and sorted(parse_calls) == sorted(SEEDS)
    assert len(run.written) == len(SEEDS)  # every page names the generator's version
    assert all(matter["generator"] == "lawreports 9.9.9" for matter, _ in pages(out).values())


def test_changed_code_re_renders_everything_but_rewrites_only_what_differs(tmp_path: Path, parse_calls, monkeypatch):
    seeds, out = all_seeds(tmp_path), tmp_path / "out"
    run_convert(seeds, out)
    parse_calls.clear()
    monkeypatch.setattr(prepare_module, "tool_fingerprint", lambda: "0.1.0+other-code")
    run = run_convert(seeds, out)
    assert run.ok and sorted(parse_calls) == sorted(SEEDS)
    assert run.written == []  # same output: the pages do not depend on the code's bytes
    parse_calls.clear()
    run_convert(seeds, out)
    assert parse_calls == []  # the catalog now holds records of this code


def test_a_changed_default_region_re_renders_everything(tmp_path: Path, parse_calls):
    seeds, out = all_seeds(tmp_path), tmp_path / "out"
    run_convert(seeds, out)
    parse_calls.clear()
    run_convert(seeds, out, settings=Settings(region="天津市"))
    assert sorted(parse_calls) == sorted(SEEDS)


# -- determinism ------------------------------------------------------------------------------------------


def test_the_same_input_gives_byte_identical_pages(tmp_path: Path):
    seeds = all_seeds(tmp_path)
    (seeds / f"{S000[:-4]}.meta.yml").write_text("source_url: https://x.example/a\n", encoding="utf-8")
    first, second = tmp_path / "one", tmp_path / "two"
    run_convert(seeds, first)
    run_convert(seeds, second)
    assert snapshot(first) == snapshot(second)
    shutil.rmtree(first)
    run_convert(seeds, first, force=True)
    assert snapshot(first) == snapshot(second)


def test_a_write_failure_costs_only_that_page(tmp_path: Path, monkeypatch):
    real = os.replace

    def flaky(source, target):
        if "nan-kai-qu-si-fa-ju" in str(target):
            raise PermissionError(13, "Permission denied")
        return real(source, target)

    monkeypatch.setattr(outputs_module.os, "replace", flaky)
    run = run_convert(all_seeds(tmp_path), tmp_path / "out")
    assert run.failed == [S004]
    (error,) = errors(run, S004)
    assert error.code == "write-failed" and "Permission denied" in error.message
    assert set(pages(tmp_path / "out")) == set(SEEDS) - {S004}
    assert not list((tmp_path / "out").rglob("*.tmp"))


def test_an_unexpected_exception_while_rendering_costs_only_that_page(tmp_path: Path, monkeypatch):
    real = pipeline.render_page

    def flaky(record, url, body=None):
        if record.source == S004:
            raise ValueError("disk says no")
        return real(record, url, body)

    monkeypatch.setattr(pipeline, "render_page", flaky)
    run = run_convert(all_seeds(tmp_path), tmp_path / "out")
    assert run.failed == [S004]
    (error,) = errors(run, S004)
    assert error.code == "internal-error" and "disk says no" in error.message
    assert set(pages(tmp_path / "out")) == set(SEEDS) - {S004}


def test_a_write_failure_is_named(tmp_path: Path, monkeypatch):
    def refuse(source, target):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(outputs_module.os, "replace", refuse)
    run = run_convert(make_seeds(tmp_path, {S004: text_of(S004)}), tmp_path / "out")
    assert run.failed == [S004]
    (error,) = errors(run, S004)
    assert error.code == "write-failed" and "2023/nan-kai-qu-si-fa-ju.md" in error.message


def test_a_new_report_does_not_take_the_page_of_one_that_failed(tmp_path: Path):
    seeds, out = make_seeds(tmp_path, {S004: text_of(S004)}), tmp_path / "out"
    run_convert(seeds, out)
    _, page = pages(out)[S004]
    before = page.read_bytes()
    (seeds / S004).write_bytes(b"")  # now fails ...
    # ... and this one would take its page
    (seeds / "004_resent.txt").write_text(text_of(S004) + "\n补充。\n", encoding="utf-8")
    run = run_convert(seeds, out)
    assert sorted(run.failed) == sorted([S004, "004_resent.txt"])
    (error,) = errors(run, "004_resent.txt")
    assert error.code == "duplicate-report" and S004 in error.message
    assert page.read_bytes() == before


def test_prepare_gives_check_the_same_report_and_identity(tmp_path: Path):
    seeds = make_seeds(tmp_path, {S002: text_of(S002), f"{S002[:-4]}.meta.yml": "deadline: 2024-03-31\n"})
    context = prepare_module.Context.load(Settings(), AGENCIES)
    record = prepare_module.prepare(seeds / S002, context)
    assert record.agency_key == "东丽区人民政府办公室" and record.agency_type == "department"
    assert record.report.region == "天津市东丽区"
    assert record.deadline == dt.date(2024, 3, 31) and record.from_sidecar == ("deadline",)
    assert record.report.source.lines == ()  # later stages never see the raw lines


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400) | st.text(max_size=400).map(lambda t: t.encode("utf-8")))
def test_no_input_escapes_as_an_exception(data):
    """Whatever bytes a raw file holds, the run names it or converts it; the good report is written."""
    with tempfile.TemporaryDirectory() as tmp:
        seeds = make_seeds(Path(tmp), {S004: text_of(S004), "any.txt": data})
        run = run_convert(seeds, Path(tmp) / "out")
        assert S004 in run.records
        converted = "any.txt" in run.records
        assert converted or errors(run, "any.txt") or "any.txt" in run.failed
        assert not any(d.code == "internal-error" for d in run.diagnostics), run.diagnostics


@pytest.mark.parametrize("suffix", [".docx", ".pdf"])
def test_broken_word_and_pdf_files_are_named_the_others_converted(tmp_path: Path, suffix):
    seeds = make_seeds(tmp_path, {f"report{suffix}": b"PK\x03\x04", S000: text_of(S000)})
    run = run_convert(seeds, tmp_path / "out")
    assert not run.ok
    (error,) = errors(run, f"report{suffix}")
    assert error.code == "broken-file"
    assert list(run.records) == [S000]


def test_a_folder_of_only_bad_files_names_them(tmp_path: Path):
    run = run_convert(make_seeds(tmp_path, {"bad.txt": b""}), tmp_path / "out")
    assert not run.ok and run.failed == ["bad.txt"]
    (error,) = errors(run, "bad.txt")
    assert error.code == "empty"
