"""Scale (issues #10, #15): parallel conversion, the catalog that spares unchanged files, and the writer
that touches only what changed.

Small and fast: five seeds, with the parallel threshold lowered so that worker processes really run.
Nothing here is timed (bench/convert.py and bench/scale.py measure).
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from lawreports.build import collect as collect_module
from lawreports.build import pipeline
from lawreports.build import prepare as prepare_module
from lawreports.build.catalog import CATALOG_DIR
from lawreports.build.outputs import MANIFEST
from lawreports.build.project import Project, project_of
from lawreports.cli import main as cli_main
from lawreports.render import render_page
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


def project() -> Project:
    """The repository's project with plain settings and its agency table (nothing of it is written)."""
    found = project_of(ROOT / "mkdocs.yml", Settings(region="天津市"), "docs", "site")
    return replace(found, agencies_file=AGENCIES)


def convert(seeds: Path, out: Path, force: bool = False, jobs: int | None = None) -> pipeline.Generation:
    """``build_site.py convert --seeds <seeds> --out <out>``: the report pages and the catalog."""
    return pipeline.convert(project(), seeds, out, force=force, jobs=jobs)


def files_of(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def pages_of(out: Path) -> dict[str, bytes]:
    return {rel: data for rel, data in files_of(out).items() if rel.endswith(".md")}


@pytest.fixture
def parallel(monkeypatch):
    """Worker processes even for a handful of files."""
    monkeypatch.setattr(collect_module, "PARALLEL_MIN", 1)


# -- parallel conversion ------------------------------------------------------------------------------


def test_parallel_and_serial_conversion_give_byte_identical_pages_and_the_same_run(tmp_path: Path, parallel):
    # a bad file (empty) and a bad sidecar among the good ones: failures come back from the workers too
    seeds = seeds_folder(tmp_path, {"empty.txt": b"", "zz_bad.txt": SEEDS[0].read_bytes().replace(b"2023", b"2019")})
    (seeds / "zz_bad.meta.yml").write_text("year: not-a-year\n", encoding="utf-8")
    serial = convert(seeds, tmp_path / "serial", jobs=1)
    workers = convert(seeds, tmp_path / "workers", jobs=3)
    assert files_of(tmp_path / "serial") == files_of(tmp_path / "workers")  # pages, catalog and manifest
    assert serial.collected.records == workers.collected.records
    assert serial.diagnostics == workers.diagnostics and serial.collected.diagnostics == workers.collected.diagnostics
    assert serial.failed == workers.failed == ["empty.txt", "zz_bad.txt"]
    assert {d.file for d in serial.diagnostics if d.severity == "error"} == {"empty.txt", "zz_bad.meta.yml"}
    assert serial.outputs.written == workers.outputs.written and len(workers.outputs.written) == len(SEEDS)
    assert serial.collected.workers == 0 and workers.collected.workers >= 1  # the records came from workers


def test_workers_that_cannot_start_leave_the_work_to_this_process(tmp_path: Path, parallel, monkeypatch):
    class NoProcesses:
        def __init__(self, *args, **kwargs):
            raise OSError(38, "Function not implemented")

    seeds = seeds_folder(tmp_path)
    expected = convert(seeds, tmp_path / "serial", jobs=1)
    monkeypatch.setattr(collect_module, "ProcessPoolExecutor", NoProcesses)
    run = convert(seeds, tmp_path / "out", jobs=2)
    assert run.ok and run.collected.records == expected.collected.records and run.collected.workers == 0
    assert files_of(tmp_path / "out") == files_of(tmp_path / "serial")


def test_an_incremental_parallel_run_converts_only_what_changed(tmp_path: Path, parallel):
    seeds, out = seeds_folder(tmp_path), tmp_path / "out"
    first = convert(seeds, out, jobs=2)
    before = files_of(out)
    again = convert(seeds, out, jobs=2)
    assert again.collected.converted == 0  # every record from the catalog
    assert again.outputs.written == [] and again.outputs.unchanged == len(first.outputs.written) == len(SEEDS)
    assert again.collected.records == first.collected.records and files_of(out) == before
    (seeds / SEEDS[1].name).write_text(SEEDS[1].read_text(encoding="utf-8") + "\n补充说明。\n", encoding="utf-8")
    changed = convert(seeds, out, jobs=2)
    assert changed.collected.converted == 1
    assert len(changed.outputs.written) == 1 and changed.outputs.unchanged == len(SEEDS) - 1


def test_no_temporary_file_is_left_behind(tmp_path: Path, parallel):
    seeds, out = seeds_folder(tmp_path, {"empty.txt": b""}), tmp_path / "out"
    convert(seeds, out, jobs=2)
    convert(seeds, out, jobs=1, force=True)
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    assert sorted(p.name for p in out.iterdir()) == sorted([MANIFEST, CATALOG_DIR, "2023", "2024", "2025"])
    assert [p for p in out.rglob(".*") if p.parent != out] == []  # no hidden half-written file anywhere


def test_jobs_must_be_a_positive_number(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli_main(["convert", "--jobs", "0"])
    assert exit_.value.code == 2 and "--jobs" in capsys.readouterr().err


# -- the catalog: unchanged files are not converted again ------------------------------------------------


def test_unchanged_files_are_not_converted_again_and_a_changed_one_is(tmp_path: Path, monkeypatch):
    prepared: list[str] = []
    real = collect_module.prepare
    monkeypatch.setattr(collect_module, "prepare",
                        lambda path, *a, **k: prepared.append(path.name) or real(path, *a, **k))
    seeds, out = seeds_folder(tmp_path), tmp_path / "out"
    first = convert(seeds, out, jobs=1)
    assert sorted(prepared) == [p.name for p in SEEDS]
    prepared.clear()
    again = convert(seeds, out, jobs=1)
    assert prepared == [] and again.collected.records == first.collected.records
    assert again.diagnostics == first.diagnostics  # the findings come back from the catalog too
    # a sidecar is part of a file's inputs
    (seeds / f"{SEEDS[0].stem}.meta.yml").write_text("source_url: https://x.example/a\n", encoding="utf-8")
    changed = convert(seeds, out, jobs=1)
    assert prepared == [SEEDS[0].name]
    assert changed.collected.records[0].source_url == "https://x.example/a"
    assert changed.outputs.written == [first.collected.records[0].path]


def test_a_touched_but_unchanged_file_is_not_converted_again(tmp_path: Path, monkeypatch):
    seeds, out = seeds_folder(tmp_path), tmp_path / "out"
    convert(seeds, out, jobs=1)
    for path in seeds.iterdir():  # a checkout or a copy: new times, same bytes
        path.touch()
    again = convert(seeds, out, jobs=1)
    assert again.collected.converted == 0 and again.outputs.written == []


def test_a_broken_catalog_file_is_converted_again(tmp_path: Path):
    seeds, out = seeds_folder(tmp_path), tmp_path / "out"
    first = convert(seeds, out, jobs=1)
    pages = pages_of(out)
    catalog = out / CATALOG_DIR
    (catalog / f"{SEEDS[0].name}.json").write_text("{not json", encoding="utf-8")
    (catalog / f"{SEEDS[1].name}.json").write_text('{"format": 1}', encoding="utf-8")
    again = convert(seeds, out, jobs=1)
    assert again.collected.converted == 2 and again.ok
    assert again.collected.records == first.collected.records and pages_of(out) == pages
    assert convert(seeds, out, jobs=1).collected.converted == 0  # kept again


def test_other_code_converts_again_but_rewrites_no_unchanged_page(tmp_path: Path, monkeypatch):
    seeds, out = seeds_folder(tmp_path), tmp_path / "out"
    first = convert(seeds, out, jobs=1)
    monkeypatch.setattr(prepare_module, "tool_fingerprint", lambda: "9.9.9+other-code")
    again = convert(seeds, out, jobs=1)
    assert again.collected.converted == len(SEEDS)  # records of other code are not trusted
    pairs = zip(first.collected.records, again.collected.records, strict=True)
    assert again.outputs.written == []
    assert again.collected.records == [replace(old, inputs_sha256=new.inputs_sha256) for old, new in pairs]


def test_the_catalog_follows_the_raw_files(tmp_path: Path):
    seeds, out = seeds_folder(tmp_path), tmp_path / "out"
    convert(seeds, out, jobs=1)
    (seeds / SEEDS[0].name).unlink()
    run = convert(seeds, out, jobs=1)
    kept = sorted(p.name for p in (out / CATALOG_DIR).iterdir() if p.is_file())  # (published/: what is online)
    assert kept == [f"{p.name}.json" for p in SEEDS[1:]]
    assert len(run.outputs.removed) == 1 and len(pages_of(out)) == len(SEEDS) - 1


# -- the writer: hand edits are seen whatever the manifest says -------------------------------------------


def test_a_hand_edit_is_seen_and_kept(tmp_path: Path):
    seeds, out = seeds_folder(tmp_path), tmp_path / "out"
    first = convert(seeds, out)
    page = out / first.outputs.written[0]
    page.write_text(page.read_text(encoding="utf-8").replace("。", "。（已核对）", 1), encoding="utf-8")
    edited = page.read_bytes()
    run = convert(seeds, out)
    assert [d.code for d in run.diagnostics if d.severity == "error"] == ["hand-edited"]
    assert page.read_bytes() == edited
    assert convert(seeds, out, force=True).ok and page.read_bytes() != edited


def test_a_manifest_broken_or_lost_is_no_reason_to_refuse_or_lose_a_page(tmp_path: Path):
    seeds, out = seeds_folder(tmp_path), tmp_path / "out"
    convert(seeds, out)
    pages = pages_of(out)
    (out / MANIFEST).write_text("{not json", encoding="utf-8")
    run = convert(seeds, out)
    assert run.ok and run.outputs.written == [] and pages_of(out) == pages  # judged by their content hash
    (out / MANIFEST).unlink()
    run = convert(seeds, out)
    assert run.ok and pages_of(out) == pages and (out / MANIFEST).is_file()


# -- the page is render_page's ------------------------------------------------------------------------------


def test_the_converter_writes_exactly_what_render_page_writes(tmp_path: Path):
    seeds, out = seeds_folder(tmp_path), tmp_path / "out"
    run = convert(seeds, out)
    assert len(run.collected.records) == len(SEEDS)
    for record in run.collected.records:
        assert (out / record.path).read_text(encoding="utf-8") == render_page(record, record.url)
