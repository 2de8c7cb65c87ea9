"""Issue #10: in one site build each raw report is parsed at most once, and let go afterwards.

The insight pages, the checks (合规概览) and the open data all read the raw reports; they share the
build's :class:`lawreports.convert.PreparedReports`, which the converter also fills when it converts
in the MkDocs process. These tests build the seeds in this process (``mkdocs.commands.build``) and
count the calls of the parser, with the process-wide caches emptied first so nothing is served
from an earlier test.
"""

from __future__ import annotations

import gc
import sys
import weakref
from collections import Counter
from pathlib import Path

import pytest
from mkdocs.commands import build as mkdocs_build_command
from mkdocs.config import load_config

import lawreports.parse as parse_package
from conftest import ROOT, copy_project
from lawreports import convert as convert_module
from lawreports.site import compliance, data, insight

SEED_FILES = sorted(p.name for p in (ROOT / "seeds").iterdir() if p.is_file() and p.suffix == ".txt")


@pytest.fixture
def counted(monkeypatch, tmp_path):
    """(project copy, parser calls by file name, weak references to every prepared report)."""
    calls: Counter[str] = Counter()
    prepared: list[weakref.ref] = []
    real_parse, real_prepare = parse_package.parse_report, convert_module.prepare

    def parse_report(source, *args, **kwargs):
        calls[source.name] += 1
        return real_parse(source, *args, **kwargs)

    def prepare(*args, **kwargs):
        result = real_prepare(*args, **kwargs)
        prepared.append(weakref.ref(result.report))
        return result

    monkeypatch.setattr(parse_package, "parse_report", parse_report)
    monkeypatch.setattr(convert_module, "parse_report", parse_report)
    monkeypatch.setattr(convert_module, "prepare", prepare)
    for module, name in ((convert_module, "_PREPARED"), (insight, "_PARSED"), (data, "_BODIES"), (compliance, "_CACHE")):
        if hasattr(module, name):
            monkeypatch.setattr(module, name, {})
    for name in ("SITE_URL", "SOURCE_DATE_EPOCH", "LAWREPORTS_CONVERTED"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LAWREPORTS_JOBS", "1")
    monkeypatch.setattr(sys, "path", list(sys.path))  # hooks.py puts its project first
    project = copy_project(tmp_path / "project")
    monkeypatch.chdir(project)
    return project, calls, prepared


def _keys(project: Path) -> list[tuple[str, str]]:
    """(raw file name, inputs hash) of every seed, as the converter keys them."""
    from lawreports.settings import load_settings

    context = convert_module.Context.load(load_settings(project / "mkdocs.yml"), project / "agencies.yml")
    seeds = sorted((project / "seeds").glob("*.txt"))
    return [(p.name, convert_module._inputs_key(p, context, p.read_bytes())) for p in seeds]


def build(project: Path, site: Path) -> None:
    config = load_config(str(project / "mkdocs.yml"), site_dir=str(site))
    mkdocs_build_command.build(config)


def test_a_cold_build_parses_each_report_once_the_converter_in_this_process_included(counted, tmp_path):
    project, calls, prepared = counted
    build(project, tmp_path / "site")
    assert sorted(calls) == SEED_FILES  # every report was read (converted, checked, compared, published)
    assert set(calls.values()) == {1}, calls
    assert (tmp_path / "site" / "data" / "reports.json").is_file()


def test_a_build_over_converted_pages_loads_the_kept_reports_or_parses_each_once_and_keeps_none(counted, tmp_path):
    project, calls, prepared = counted
    build(project, tmp_path / "first")
    calls.clear()
    prepared.clear()
    for cache in (convert_module._PREPARED, data._BODIES, compliance._CACHE):
        cache.clear()
    store = project / "docs" / "reports" / convert_module.PREPARED_DIR
    assert len(list(store.glob("*.pickle"))) == len(SEED_FILES)  # the converter kept what it parsed
    # the pages are up to date: the converter parses nothing, the site loads the kept reports
    loaded: list[weakref.ref] = []
    real_load = convert_module.load_prepared

    def load_prepared(*args):
        item = real_load(*args)
        loaded.append(weakref.ref(item.report))
        return item

    convert_module.load_prepared = load_prepared
    try:
        build(project, tmp_path / "second")
    finally:
        convert_module.load_prepared = real_load
    assert not calls and len(loaded) == len(SEED_FILES)
    # without the kept reports (deleted, or from another converter version) each is parsed once
    for item in store.iterdir():
        item.write_bytes(b"not a pickle")
    build(project, tmp_path / "third")
    assert sorted(calls) == SEED_FILES
    assert set(calls.values()) == {1}, calls
    assert all(convert_module.load_prepared(store, name, key) for name, key in _keys(project))  # kept again
    gc.collect()
    refs = prepared + loaded
    assert refs and not [ref for ref in refs if ref() is not None]  # no parsed report outlives on_files
    for page in ("compliance/index.html", "compare/index.html", "data/reports.json"):
        for later in ("second", "third"):
            assert (tmp_path / "first" / page).read_bytes() == (tmp_path / later / page).read_bytes()


def test_the_kept_reports_follow_the_raw_files(tmp_path):
    """One kept report per raw file: older versions and files gone from the folder are removed."""
    import os

    store = tmp_path / "store"
    store.mkdir()

    def kept(name: str, key: str, mtime: int) -> Path:
        path = convert_module._prepared_file(store, name, key)
        path.write_bytes(b"x")
        os.utime(path, (mtime, mtime))
        return path

    old, new, other, gone = kept("a.txt", "k1", 100), kept("a.txt", "k2", 200), kept("b.txt", "k", 100), kept("c.txt", "k", 100)
    convert_module.prune_prepared(store, ["a.txt", "b.txt"])
    assert sorted(store.iterdir()) == sorted([new, other])
    assert not old.exists() and not gone.exists()
