"""The same site from MkDocs and from ProperDocs, the maintained fork of MkDocs 1.x.

ProperDocs (``pip install properdocs``, pinned in requirements-dev.txt) ships its own package,
``properdocs``, and its own command, ``properdocs``; it leaves the ``mkdocs`` package alone, so
both live in one venv. It reads ``mkdocs.yml`` (given with ``-f``; without it, it looks for
``properdocs.yml`` first), loads ``hooks:`` files by path as MkDocs does, runs themes and plugins
registered for MkDocs (``mkdocs.themes`` / ``mkdocs.plugins`` entry points: mkdocs-material), and
while it runs, ``import mkdocs.…`` is redirected to ``properdocs.…`` (``properdocs.replacement``),
so lawreports/site/plugin.py's ``from mkdocs.structure.files import File`` needs no change.

The test: (1) ``python build_site.py`` — the normal build, MkDocs — in a copy of the project;
(2) ``python -m properdocs build --strict`` of the same ``mkdocs.yml`` and the same docs_dir
(reports already converted by step 1, as the build's own MkDocs step sees them) into another
folder; (3) the same files, every page byte for byte once its ``<meta name="generator">`` line
(``mkdocs-1.6.1`` against ``mkdocs-ProperDocs 1.6.7``) is removed, and every other file byte for
byte. About 6 s on the seeds (3 s build, 2 s ProperDocs).

Run in a subprocess only: importing ``properdocs.__main__`` in this process would alias
``mkdocs`` to ``properdocs`` for every later test.
"""

from __future__ import annotations

import difflib
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, copy_project

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        importlib.util.find_spec("properdocs") is None,
        reason="properdocs is not installed: pip install -r requirements-dev.txt (properdocs==1.6.7)",
    ),
]

#: The one line that names the engine (Material writes it into every page's <head>).
GENERATOR = re.compile(rb'^[ \t]*<meta name="generator"[^>]*>[ \t]*\r?\n', re.M)


def _env(**extra: str) -> dict[str, str]:
    """A clean environment as in conftest.mkdocs_build: relative links, no build date."""
    env = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "SOURCE_DATE_EPOCH", "LAWREPORTS_GENERATED")}
    env.update(NO_MKDOCS_2_WARNING="1", DISABLE_MKDOCS_2_WARNING="true", PYTHONHASHSEED="0", LC_ALL="C.UTF-8")
    env.update(extra)
    return env


def _files(site: Path) -> dict[str, bytes]:
    """Every file of a built site by its path, pages without the generator line."""
    out = {}
    for path in sorted(site.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            out[path.relative_to(site).as_posix()] = GENERATOR.sub(b"", data) if path.suffix == ".html" else data
    return out


def _first_difference(name: str, a: bytes, b: bytes) -> str:
    lines = difflib.unified_diff(
        a.decode("utf-8", "replace").splitlines(),
        b.decode("utf-8", "replace").splitlines(),
        f"mkdocs/{name}",
        f"properdocs/{name}",
        lineterm="",
        n=1,
    )
    return "\n".join(list(lines)[:40])


def test_properdocs_builds_the_same_site_as_mkdocs(tmp_path):
    project = copy_project(tmp_path / "project")
    shutil.copy2(ROOT / "build_site.py", project / "build_site.py")

    # (1) the normal build: convert seeds/ into docs_dir, then MkDocs into site/
    built = subprocess.run(
        [sys.executable, "build_site.py"], cwd=project, env=_env(), capture_output=True, text=True, timeout=600
    )
    assert built.returncode == 0, built.stdout + built.stderr
    mkdocs_site = project / "site"

    # (2) ProperDocs alone on the same mkdocs.yml: its hooks run the same pipeline (the search index
    # included, which build_site.py makes while its engine renders), then it renders docs_dir
    properdocs_site = tmp_path / "site-properdocs"
    rendered = subprocess.run(
        [sys.executable, "-m", "properdocs", "build", "--strict", "-f", "mkdocs.yml", "-d", str(properdocs_site)],
        cwd=project,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert rendered.returncode == 0, rendered.stderr

    # (3) the same files; pages equal but for the engine's name, everything else byte for byte
    ours, theirs = _files(mkdocs_site), _files(properdocs_site)
    assert any(name.endswith(".html") for name in ours), "MkDocs built no page"
    assert sorted(ours) == sorted(theirs), (
        f"only from MkDocs: {sorted(set(ours) - set(theirs))}; only from ProperDocs: {sorted(set(theirs) - set(ours))}"
    )
    pages = [name for name in ours if name.endswith(".html") and ours[name] != theirs[name]]
    assert not pages, f"{len(pages)} pages differ: {pages[:10]}\n" + _first_difference(
        pages[0], ours[pages[0]], theirs[pages[0]]
    )
    others = [name for name in ours if not name.endswith(".html") and ours[name] != theirs[name]]
    assert not others, f"{len(others)} other files differ: {others[:10]}"
