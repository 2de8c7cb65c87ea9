"""Issue #15: in a site build each raw report is read at most twice, and not at all when nothing changed;
what the build keeps between runs is JSON, never pickle.

A real ``python build_site.py`` in a copy of the project (engine subprocess included), under
``strace -f -e trace=openat``, so every open of a raw file by any process of the build is counted,
whoever opens it. On a cold build a raw file may be opened twice: once to be converted (read,
parse, checks, figures, keywords: everything later stages need goes into the catalog) and once to
be copied into the open data (``data/sources/``). A second build with nothing changed opens none:
the catalog's record is reused on the file's size and modification time, and the copy in docs/ is
known by its hash.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import ROOT, copy_project
from lawreports.build.catalog import CATALOG_DIR, decode

STRACE = shutil.which("strace")
SEED_FILES = sorted(p.name for p in (ROOT / "seeds").iterdir() if p.is_file() and p.suffix == ".txt")
#: ``<pid> openat(<dirfd>, "<path>", …`` — also the first half of an ``<unfinished …>`` line.
OPENAT = re.compile(r'openat\([^,]+, "((?:[^"\\]|\\.)*)"')
#: What pickle writes first (protocols 4 and 5, the defaults of every Python 3 in use).
PICKLE_MAGIC = (b"\x80\x04", b"\x80\x05")


@dataclass(frozen=True)
class Builds:
    project: Path
    cold: Counter[str] | None  #: opens of each raw file in the first build (None: no strace)
    warm: Counter[str] | None  #: ... in a second build, nothing changed
    outputs: tuple[str, str]  #: what each build printed


def raw_file_opens(trace: Path, seeds: Path) -> Counter[str]:
    """Opens of the files directly in ``seeds`` (by any process of the trace), by file name."""
    opens: Counter[str] = Counter()
    for line in trace.read_text(encoding="utf-8", errors="replace").splitlines():
        found = OPENAT.search(line)
        if found:
            path = Path(found.group(1))
            if not path.is_absolute():  # relative to the build's folder (cwd)
                path = seeds.parent / path
            if path.parent == seeds:
                opens[path.name] += 1
    return opens


def run_build(project: Path, trace: Path | None) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "SOURCE_DATE_EPOCH", "LAWREPORTS_GENERATED")}
    command = [sys.executable, "build_site.py"]
    if trace is not None:
        command = [STRACE, "-f", "-qq", "-s", "4096", "-e", "trace=openat", "-o", str(trace), *command]
    result = subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=600,
                            env=dict(env, NO_MKDOCS_2_WARNING="1"))
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> Builds:
    base = tmp_path_factory.mktemp("read-once")
    project = copy_project(base / "project")
    seeds = project / "seeds"
    first = run_build(project, base / "cold.trace" if STRACE else None)
    second = run_build(project, base / "warm.trace" if STRACE else None)
    if not STRACE:
        return Builds(project, None, None, (first, second))
    return Builds(project, raw_file_opens(base / "cold.trace", seeds.resolve()),
                  raw_file_opens(base / "warm.trace", seeds.resolve()), (first, second))


def traced(builds: Builds) -> Builds:
    if builds.cold is None:
        pytest.skip("strace is not installed (apt-get install strace): the opens of the raw files cannot be counted")
    return builds


@pytest.mark.slow
def test_a_cold_build_opens_each_raw_report_at_most_twice(builds):
    cold = traced(builds).cold
    assert sorted(cold) == SEED_FILES, cold  # every report was read (the trace does see the opens)
    assert max(cold.values()) <= 2, cold
    assert "写入 0 个文件" not in builds.outputs[0]


@pytest.mark.slow
def test_a_second_build_with_nothing_changed_opens_no_raw_report(builds):
    warm = traced(builds).warm
    assert warm == Counter(), warm
    assert "写入 0 个文件" in builds.outputs[1]  # and it wrote nothing into docs/
    assert f"网站已生成：site/（{len(SEED_FILES)} 份报告）" in builds.outputs[1]


@pytest.mark.slow
def test_nothing_pickled_is_kept_and_the_catalog_is_json(builds):
    project = builds.project
    pickled = []
    for path in sorted(project.rglob("*")):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as f:
                if f.read(2) in PICKLE_MAGIC:
                    pickled.append(path.relative_to(project).as_posix())
    assert pickled == []
    catalog = project / "docs" / "reports" / CATALOG_DIR
    files = sorted(p for p in catalog.iterdir() if p.is_file())
    assert [p.name for p in files] == [f"{name}.json" for name in SEED_FILES]  # one record per raw file
    published = sorted((catalog / "published").iterdir())  # the versions online, records too
    assert [p.name for p in published] == [p.name for p in files]
    for path in [*files, *published]:
        text = path.read_text(encoding="utf-8")
        assert isinstance(json.loads(text), dict), path.name
        assert decode(text).source == path.name[: -len(".json")]  # a valid record of its raw file
    manifest = json.loads((project / "docs" / ".lawreports-generated.json").read_text(encoding="utf-8"))
    assert f"reports/{json.loads(files[0].read_text(encoding='utf-8'))['path']}" in manifest["files"]
