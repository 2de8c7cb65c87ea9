"""Scale (issue #10): parallel conversion, the page index, staging and the fast front-matter writer.

Small and fast: five seeds, with the parallel threshold lowered so that worker processes really run.
Nothing here is timed (bench/convert.py and bench/scale.py measure).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lawreports import convert as convert_module
from lawreports import fastyaml
from lawreports.cli import main as cli_main
from lawreports.convert import PAGE_INDEX, STAGING_PREFIX, Context, convert_all
from lawreports.render import CONTENT_HASH_LINE, PageFacts, SafeDumper, content_hash, display_title, render_page
from lawreports.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
AGENCIES = ROOT / "agencies.yml"
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


def seeds_folder(tmp_path: Path, extra: dict[str, bytes] | None = None) -> Path:
    folder = tmp_path / "seeds"
    folder.mkdir()
    for seed in SEEDS:
        shutil.copy(seed, folder / seed.name)
    for name, data in (extra or {}).items():
        (folder / name).write_bytes(data)
    return folder


def convert(seeds: Path, out: Path, **kw):
    kw.setdefault("agencies_file", AGENCIES)
    return convert_all(seeds, out, Settings(region="天津市"), **kw)


def files_of(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.fixture
def parallel(monkeypatch):
    """Worker processes even for a handful of files."""
    monkeypatch.setattr(convert_module, "PARALLEL_MIN", 1)


# -- parallel conversion ------------------------------------------------------------------------------


def test_parallel_and_serial_conversion_give_byte_identical_pages_and_the_same_run(tmp_path: Path, parallel):
    # a bad file (empty) and a bad sidecar among the good ones: failures come back from the workers too
    seeds = seeds_folder(tmp_path, {"empty.txt": b"", "zz_bad.txt": SEEDS[0].read_bytes().replace(b"2023", b"2019")})
    (seeds / "zz_bad.meta.yml").write_text("year: not-a-year\n", encoding="utf-8")
    serial = convert(seeds, tmp_path / "serial", jobs=1)
    workers = convert(seeds, tmp_path / "workers", jobs=3)
    assert files_of(tmp_path / "serial") == files_of(tmp_path / "workers")
    assert serial.pages == workers.pages and serial.diagnostics == workers.diagnostics
    assert serial.failed == workers.failed and sorted(serial.failed) == ["empty.txt", "zz_bad.txt"]
    assert serial.written == workers.written and len(workers.written) == len(SEEDS)
    assert serial.workers == 0 and workers.workers >= 1  # the pages really came from worker processes


def test_workers_that_cannot_start_leave_the_work_to_this_process(tmp_path: Path, parallel, monkeypatch):
    class NoProcesses:
        def __init__(self, *args, **kwargs):
            raise OSError(38, "Function not implemented")

    seeds = seeds_folder(tmp_path)
    expected = convert(seeds, tmp_path / "serial", jobs=1)
    monkeypatch.setattr(convert_module, "ProcessPoolExecutor", NoProcesses)
    run = convert(seeds, tmp_path / "out", jobs=2)
    assert run.ok and run.pages == expected.pages and run.workers == 0
    assert files_of(tmp_path / "out") == files_of(tmp_path / "serial")


def test_an_incremental_parallel_run_converts_only_what_changed(tmp_path: Path, parallel):
    seeds, out = seeds_folder(tmp_path), tmp_path / "out"
    first = convert(seeds, out, jobs=2)
    before = files_of(out)
    again = convert(seeds, out, jobs=2)
    assert again.written == [] and sorted(again.unchanged) == sorted(first.written)
    assert again.pages == first.pages and files_of(out) == before
    (seeds / SEEDS[1].name).write_text(SEEDS[1].read_text(encoding="utf-8") + "\n补充说明。\n", encoding="utf-8")
    changed = convert(seeds, out, jobs=2)
    assert len(changed.written) == 1 and len(changed.unchanged) == len(SEEDS) - 1


def test_no_staging_folder_is_left_behind(tmp_path: Path, parallel):
    seeds, out = seeds_folder(tmp_path, {"empty.txt": b""}), tmp_path / "out"
    convert(seeds, out, jobs=2)
    convert(seeds, out, jobs=1, force=True)
    assert not [p for p in out.iterdir() if p.name.startswith(STAGING_PREFIX)]
    assert not [p for p in out.rglob("*.tmp")]


def test_jobs_must_be_a_positive_number(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli_main(["convert", "--jobs", "0"])
    assert exit_.value.code == 2 and "--jobs" in capsys.readouterr().err


# -- the page index -------------------------------------------------------------------------------------


def test_unchanged_pages_are_not_parsed_again(tmp_path: Path, monkeypatch):
    seeds, out = seeds_folder(tmp_path), tmp_path / "out"
    first = convert(seeds, out)
    index = json.loads((out / PAGE_INDEX).read_text(encoding="utf-8"))
    assert sorted(index["pages"]) == sorted(first.written)
    calls = []
    real = convert_module._classify
    monkeypatch.setattr(convert_module, "_classify", lambda data: calls.append(1) or real(data))
    again = convert(seeds, out)
    assert calls == [] and again.pages == first.pages and again.written == []


def test_a_hand_edit_is_seen_whatever_the_index_says(tmp_path: Path):
    seeds, out = seeds_folder(tmp_path), tmp_path / "out"
    first = convert(seeds, out)
    page = out / first.written[0]
    page.write_text(page.read_text(encoding="utf-8").replace("。", "。（已核对）", 1), encoding="utf-8")
    edited = page.read_bytes()
    run = convert(seeds, out)
    assert [d.code for d in run.diagnostics if d.severity == "error"] == ["hand-edited"]
    assert page.read_bytes() == edited


def test_an_index_from_other_code_or_broken_is_ignored(tmp_path: Path):
    seeds, out = seeds_folder(tmp_path), tmp_path / "out"
    first = convert(seeds, out)
    index = out / PAGE_INDEX
    data = json.loads(index.read_text(encoding="utf-8"))
    for entry in data["pages"].values():  # an index that lies: every page foreign
        entry["kind"] = "foreign"
    data["code"] = "0.0.0+other"
    index.write_text(json.dumps(data), encoding="utf-8")
    assert convert(seeds, out).pages == first.pages
    index.write_text("{not json", encoding="utf-8")
    assert convert(seeds, out).pages == first.pages


# -- the page is render_page's ------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [s.name for s in SEEDS])
def test_the_converter_writes_exactly_what_render_page_writes(tmp_path: Path, seed):
    """convert.py builds the page from render.py's parts (one front matter, fastyaml): the same bytes
    as render_page, with the cache key and the hash over it as the converter always wrote them."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copy(ROOT / "seeds" / seed, seeds / seed)
    context = Context.load(Settings(region="天津市"), AGENCIES)
    path = seeds / seed
    data = path.read_bytes()
    key = context.inputs_hash(data, None)
    converted = convert_module._render(path, context, data, key)
    prepared = convert_module.prepare(path, context, data)
    report, identity = prepared.report, prepared.identity
    facts = PageFacts(display_title=display_title(report), agency_key=identity.key, agency_slug=identity.slug,
                      agency_type=identity.type, url=converted.path[:-3] + "/",
                      index_no=report.index_no or f"{identity.slug}/{report.year or 'undated'}")
    page = render_page(report, facts)
    page = page.replace("\ngenerator: ", f"\ninputs_sha256: {key}\ngenerator: ", 1)
    page = CONTENT_HASH_LINE.sub(f"content_sha256: {content_hash(page)}\n", page, count=1)
    assert converted.page == page


# -- fastyaml -------------------------------------------------------------------------------------------------


def reference(data) -> str:
    return yaml.dump(data, Dumper=SafeDumper, allow_unicode=True, sort_keys=False, width=100000)


_TRICKY = list("ab:#'\" -?[]{},&*!|>%@`~.=<+0123456789eEyYnN\t\n\r\x85\u2028\u3000\u00a0\ufeff中文（）《》“”：；、—…")
_WORDS = ["yes", "No", "NULL", "null", "~", "true", "on", "2024-01-03", "1e5", "0x1f", ".inf", "-.5", "1_000",
          "12:30", "<<", "=", "", " a", "a ", "- a", "---", "...", "syn_0001.txt", "2016/ba-nan/", "e99be1", "\U0001f600"]
_TEXT = st.one_of(st.text(alphabet=st.sampled_from(_TRICKY), max_size=12), st.text(max_size=12), st.sampled_from(_WORDS))
_SCALAR = st.one_of(_TEXT, st.none(), st.booleans(), st.integers(-10**20, 10**20))
_KEYS = st.one_of(st.from_regex(r"[a-z_][a-z0-9_]{0,6}", fullmatch=True), _TEXT)
_VALUE = st.recursive(_SCALAR, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_KEYS, inner, max_size=4)),
                      max_leaves=12)


@settings(max_examples=500, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.dictionaries(_KEYS, _VALUE, max_size=6))
def test_fastyaml_writes_what_pyyaml_writes(data):
    try:
        expected = reference(data)
    except yaml.YAMLError:
        return
    assert fastyaml.dump(data) == expected


def test_fastyaml_on_front_matter_shapes():
    matter = {
        "source": "000_af92be2414133f56.txt", "title": "南开区司法局2023年度法治政府建设情况报告", "year": 2023,
        "written": "2024-01-03", "published": None, "sections": [{"level": 1, "title": "一、主要举措：依法行政", "anchor": "measures"}],
        "parts": {"measures": "measures", "other": None}, "parts_within": {}, "warnings": [], "flag": True,
        "figures": [{"value": "2", "unit": "%", "text": "增长2%# 注", "line": 3}], "long": "长" * 5000,
        "float": 1.5, "tuple_free": ["a", "b"],
    }
    assert fastyaml.dump(matter) == reference(matter)
    del matter["float"], matter["long"]
    assert fastyaml.dump(matter) == reference(matter)


def test_the_index_keeps_all_that_page_info_reads(tmp_path: Path):
    seeds, out = seeds_folder(tmp_path), tmp_path / "out"
    run = convert(seeds, out)
    for rel in run.written:
        matter, _ = convert_module.read_front_matter(out / rel)
        kept = {key: matter[key] for key in convert_module.INDEX_KEYS if key in matter}
        assert convert_module.page_info(kept, rel) == convert_module.page_info(matter, rel)


def test_other_code_re_renders_but_does_not_re_read_the_pages(tmp_path: Path, monkeypatch):
    seeds, out = seeds_folder(tmp_path), tmp_path / "out"
    first = convert(seeds, out)
    monkeypatch.setattr(convert_module, "tool_fingerprint", lambda: "9.9.9+other-code")
    calls = []
    real = convert_module._classify
    monkeypatch.setattr(convert_module, "_classify", lambda data: calls.append(1) or real(data))
    again = convert(seeds, out)
    assert calls == [] and again.written == [] and again.pages == first.pages


def test_a_report_is_prepared_once_for_the_site_and_again_when_it_changes(tmp_path: Path, monkeypatch):
    calls = []
    real = convert_module.parse_report
    monkeypatch.setattr(convert_module, "parse_report", lambda source, *a, **k: calls.append(source.name) or real(source, *a, **k))
    monkeypatch.setattr(convert_module, "_PREPARED", {})
    seeds = seeds_folder(tmp_path)
    context = Context.load(Settings(region="天津市"), AGENCIES)
    path = seeds / SEEDS[0].name
    first = convert_module.prepare(path, context)
    assert convert_module.prepare(path, context) is first and calls == [path.name]
    (seeds / f"{path.stem}.meta.yml").write_text("source_url: https://x.example/a\n", encoding="utf-8")
    assert convert_module.prepare(path, context).values == {"source_url": "https://x.example/a"}
    assert calls == [path.name] * 2
    convert(seeds, tmp_path / "out")  # the converter neither uses nor fills the memo
    assert calls.count(path.name) == 3 and len(convert_module._PREPARED) == 2


def test_prepared_reports_take_what_the_converter_parsed_and_parse_the_rest_once(tmp_path: Path, monkeypatch):
    calls = []
    real = convert_module.parse_report
    monkeypatch.setattr(convert_module, "parse_report", lambda source, *a, **k: calls.append(source.name) or real(source, *a, **k))
    monkeypatch.setattr(convert_module, "_PREPARED", {})
    seeds = seeds_folder(tmp_path, {"broken.txt": b""})
    context = Context.load(Settings(region="天津市"), AGENCIES)
    keep = convert_module.PreparedReports()
    convert(seeds, tmp_path / "out", keep=keep, jobs=1)
    assert sorted(calls) == sorted(p.name for p in SEEDS) and len(keep) == len(SEEDS)
    for seed in SEEDS:  # handed over by the converter: not parsed again
        assert keep.prepare(seeds / seed.name, context).report.source.name == seed.name
    assert len(calls) == len(SEEDS) and keep.parsed == 0
    prepared = []
    real_prepare = convert_module.prepare
    monkeypatch.setattr(convert_module, "prepare", lambda path, *a, **k: prepared.append(path.name) or real_prepare(path, *a, **k))
    for _ in range(2):  # an error is kept and raised again, not read again
        with pytest.raises(convert_module.ReadError):
            keep.prepare(seeds / "broken.txt", context)
    assert prepared == ["broken.txt"]
    (seeds / SEEDS[0].name).write_bytes(SEEDS[0].read_bytes() + "\n补充一段。\n".encode("utf-8"))
    changed = keep.prepare(seeds / SEEDS[0].name, context)  # other inputs: prepared again
    assert calls.count(SEEDS[0].name) == 2 and keep.prepare(seeds / SEEDS[0].name, context) is changed
    keep.clear()
    assert len(keep) == 0 and convert_module._PREPARED == {}  # a build's reports are not kept in the process memo


def test_a_parallel_conversion_hands_over_no_report(tmp_path: Path, parallel):
    keep = convert_module.PreparedReports()
    run = convert(seeds_folder(tmp_path), tmp_path / "out", keep=keep, jobs=2)
    assert run.ok and len(run.pages) == len(SEEDS)
    assert len(keep) == 0 or run.workers == 0  # reports parsed in worker processes stay there
