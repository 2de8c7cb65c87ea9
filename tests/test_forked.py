"""Work done in forked copies of the build (``lawreports/site/forked.py``): the checks, the
keyword counts and the search index. A copy is only a head start: the site must come out the same byte for byte with
copies, without them, and when a copy fails. Builds run in this process (real ``mkdocs build`` of
the seeds) so that the tests can say whether copies may be forked and make them fail."""

from __future__ import annotations

import logging
import multiprocessing
import os
import shutil
import threading
import time
from pathlib import Path

import pytest

from lawreports import keywords
from lawreports.site import compliance, forked, search

needs_fork = pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="needs fork")


def build_in_process(project: Path, site: Path, caplog) -> str:
    """``mkdocs build`` of ``project`` into ``site`` in this process; returns the lawreports log."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    caplog.clear()
    with caplog.at_level(logging.INFO, logger="mkdocs"):
        build(load_config(str(project / "mkdocs.yml"), site_dir=str(site)))
    return "\n".join(r.getMessage() for r in caplog.records if r.name == "mkdocs.plugins.lawreports")


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def project(tmp_path):
    from conftest import copy_project

    return copy_project(tmp_path / "project")


@pytest.fixture
def inline_site(project, tmp_path, monkeypatch, caplog) -> Path:
    """The seeds built with no copy forked."""
    monkeypatch.setattr(forked, "can_fork", lambda: False)
    log = build_in_process(project, tmp_path / "inline", caplog)
    assert "与页面同时编制" not in log
    monkeypatch.undo()
    return tmp_path / "inline"


def where_called(monkeypatch, module, name: str, calls: list[int], fail_in_copy: bool = False) -> None:
    """Record the process id of each call of ``module.name``; with ``fail_in_copy``, raise there."""
    original, parent = getattr(module, name), os.getpid()

    def recorded(*args, **kwargs):
        calls.append(os.getpid())
        if fail_in_copy and os.getpid() != parent:
            raise MemoryError(f"{name} ran out of memory in the copy")
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, recorded)


@needs_fork
def test_checks_and_index_made_in_copies_give_the_same_site(project, inline_site, tmp_path, monkeypatch, caplog):
    shutil.rmtree(project / ".cache")  # the inline build's keyword counts: the copy must make them
    compliance._CACHE.clear()  # and its checks, kept by this process: the copy must run them
    monkeypatch.setattr(forked, "can_fork", lambda: True)
    checks, counts, indexes = [], [], []  # filled in the copies: only the build's own calls are seen here
    where_called(monkeypatch, compliance, "check_folder", checks)
    where_called(monkeypatch, keywords, "count_words", counts)
    where_called(monkeypatch, search, "build_site_index", indexes)
    log = build_in_process(project, tmp_path / "parallel", caplog)

    assert checks == [] and counts == [] and indexes == [], "the build did itself what its copies were to do"
    assert (project / ".cache" / "lawreports" / "keywords.json").is_file()
    assert "与页面同时编制" in log
    assert tree(tmp_path / "parallel") == tree(inline_site)


@needs_fork
def test_a_failed_copy_leaves_its_work_to_the_build(project, inline_site, tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(forked, "can_fork", lambda: True)
    checks, indexes = [], []
    compliance._CACHE.clear()
    where_called(monkeypatch, compliance, "check_folder", checks, fail_in_copy=True)
    where_called(monkeypatch, search, "build_site_index", indexes, fail_in_copy=True)
    log = build_in_process(project, tmp_path / "site", caplog)

    assert checks == [os.getpid()] and indexes == [os.getpid()]
    assert "检查与关键词：后台运行失败（MemoryError: check_folder ran out of memory in the copy）" in log
    assert "搜索索引：后台编制失败（MemoryError: build_site_index ran out of memory in the copy）" in log
    assert tree(tmp_path / "site") == tree(inline_site)


@needs_fork
def test_a_copy_that_dies_is_reported(monkeypatch):
    monkeypatch.setattr(forked, "can_fork", lambda: True)
    job = forked.start("test", os._exit, 3)
    with pytest.raises(forked.JobFailed, match="退出码 3"):
        job.result()


def test_no_copy_is_forked_while_other_threads_run():
    started, stop = threading.Event(), threading.Event()
    worker = threading.Thread(target=lambda: (started.set(), stop.wait(10)))
    worker.start()
    try:
        started.wait(5)
        assert not forked.can_fork()
        assert forked.start("test", print) is None
    finally:
        stop.set()
        worker.join()


@needs_fork
def test_a_copy_that_cannot_be_started_leaves_the_work_to_the_build(monkeypatch):
    def no_memory(self):
        raise OSError(12, "Cannot allocate memory")

    monkeypatch.setattr(forked, "can_fork", lambda: True)
    monkeypatch.setattr(multiprocessing.get_context("fork").Process, "start", no_memory)
    assert forked.start("test", print) is None


@needs_fork
def test_a_cancelled_copy_is_stopped(monkeypatch):
    monkeypatch.setattr(forked, "can_fork", lambda: True)
    job = forked.start("test", time.sleep, 60)
    job.cancel()
    assert job._process.exitcode is not None


def test_no_copies_under_mkdocs_serve(monkeypatch):
    from lawreports.site import plugin

    monkeypatch.setattr(forked, "can_fork", lambda: True)
    monkeypatch.setitem(plugin._RUN, "command", "serve")
    assert plugin.ReportsSite()._fork("test", print) is None
    monkeypatch.setitem(plugin._RUN, "command", "build")
    job = plugin.ReportsSite()._fork("test", print)
    assert job is not None and job.result() is None
