"""Shared fixtures: the repository's seeds built into a real site, served on 127.0.0.1, and Chromium.

Fixtures (all session-scoped, built at most once per test run):

``built_site`` → :class:`BuiltSite`
    a copy of the project (:data:`PROJECT_FILES`: mkdocs.yml, build_site.py, docs/ without generated files,
    overrides/, seeds/, lawreports/, agencies.yml …) in a temporary folder, built with a real
    ``mkdocs build --strict`` (``SITE_URL`` and ``SOURCE_DATE_EPOCH`` unset, so links are
    relative). ``.site`` is the built site, ``.project`` the copy, ``.log`` MkDocs' stderr. The
    working tree is never written to. Treat the folders as read-only: other tests share them.
``served_site`` → :class:`ServedSite`
    ``built_site`` served by :mod:`http.server` on 127.0.0.1 on a free port, in a thread.
    ``.url(path)`` gives the address of a site path (``served_site.url("years/2023/")``); an
    unknown path answers 404 with the site's own 404.html, as GitHub Pages does.
``chromium`` → playwright ``Browser``
    Debian's Chromium (:data:`CHROMIUM`) driven by Playwright's sync API — never a downloaded
    browser — launched with the flags in :data:`CHROMIUM_ARGS` (without them Chromium's own
    background traffic looks like page requests). Skips the test, naming the reason, when
    Chromium or Playwright is missing. Open a context per test (``chromium.new_context(...)``)
    and close it.

Helpers for tests that need builds of their own: :func:`copy_project` and :func:`mkdocs_build`.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: What a build needs from the working tree (generated report pages are left behind).
PROJECT_FILES = ("mkdocs.yml", "build_site.py", "docs", "overrides", "seeds", "lawreports", "agencies.yml")
#: The publication record (issue #18): copied only on request, since most tests change the seeds freely.
RECORD = "history"
#: The pipeline's list of the files it generated into docs/ (they are left behind by :func:`copy_project`).
GENERATED_MANIFEST = ".lawreports-generated.json"
# Debian's Chromium by default; CHROMIUM_PATH names another Chromium build (CI images ship Google Chrome).
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
)
#: Tools the tests use in the browser (npm, pinned in package.json).
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
#: Screenshots and other evidence kept after a run (git-ignored).
ARTIFACTS = ROOT / "tests" / "artifacts"


def copy_project(dest: Path, record: bool = False) -> Path:
    """Copy what a build needs into ``dest`` (generated pages, files and caches left out); returns ``dest``.
    ``record``: with the repository's publication record (``history/``), as a clone has it."""
    dest.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "reports", ".lawreports-*")
    for name in (*PROJECT_FILES, *([RECORD] if record else [])):
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=_without_generated(src, ignore))
        elif src.exists():
            shutil.copy2(src, dest / name)
    return dest


def _without_generated(top: Path, ignore):
    """``ignore``, and the files a build of the working tree generated below ``top`` (docs/: listings,
    data, search … as listed in its manifest), so that a copy starts from the hand-written pages only."""
    try:
        generated = {top / uri for uri in json.loads((top / GENERATED_MANIFEST).read_text(encoding="utf-8"))["files"]}
    except (OSError, ValueError, KeyError, TypeError):
        generated = set()

    def only_generated(path: Path) -> bool:
        if path.is_dir():
            return all(p in generated for p in path.rglob("*") if p.is_file())
        return path in generated

    def names(folder: str, entries: list[str]) -> set[str]:
        return set(ignore(folder, entries)) | {e for e in entries if generated and only_generated(Path(folder) / e)}

    return names


def mkdocs_build(project: Path, site: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """``mkdocs build --strict`` of ``project`` into ``site``; ``env`` adds to (or, with value
    ``None``, removes from) a clean environment without ``SITE_URL`` and ``SOURCE_DATE_EPOCH``."""
    unset = ("SITE_URL", "SOURCE_DATE_EPOCH", "LAWREPORTS_GENERATED")
    run_env = {k: v for k, v in os.environ.items() if k not in unset}
    run_env.update(NO_MKDOCS_2_WARNING="1", PYTHONHASHSEED="0", LC_ALL="C.UTF-8")
    for key, value in (env or {}).items():
        if value is None:
            run_env.pop(key, None)
        else:
            run_env[key] = value
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", "mkdocs.yml", "-d", str(site)],
        cwd=project,
        env=run_env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@dataclass(frozen=True)
class BuiltSite:
    project: Path  #: the copy of the project that was built (docs/reports/ holds the generated pages)
    site: Path  #: the built site
    log: str  #: MkDocs' stderr


@dataclass(frozen=True)
class ServedSite:
    root: str  #: ``http://127.0.0.1:<port>/``
    site: Path  #: the folder being served
    project: Path

    def url(self, path: str = "") -> str:
        return self.root + path.lstrip("/")


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> BuiltSite:
    base = tmp_path_factory.mktemp("built-site")
    project = copy_project(base / "project")
    result = mkdocs_build(project, base / "site")
    assert result.returncode == 0, result.stderr
    return BuiltSite(project, base / "site", result.stderr)


class _SiteHandler(SimpleHTTPRequestHandler):
    """Static files from the site folder; 404 with the site's 404.html; no log lines."""

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code != HTTPStatus.NOT_FOUND or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(code)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format, *args):
        pass


_SiteHandler.extensions_map = {
    **SimpleHTTPRequestHandler.extensions_map,
    ".json": "application/json",
    ".xml": "application/xml",
    ".csv": "text/csv; charset=utf-8",
}


@pytest.fixture(scope="session")
def served_site(built_site) -> ServedSite:
    handler = functools.partial(_SiteHandler, directory=str(built_site.site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)  # port 0: the system picks a free one
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    try:
        yield ServedSite(f"http://{host}:{port}/", built_site.site, built_site.project)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def chromium():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium) to run browser tests")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed: pip install -r requirements-dev.txt")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS))
        try:
            yield browser
        finally:
            browser.close()


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (for servers started outside these fixtures)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_build_site(project: Path, *args: str) -> subprocess.CompletedProcess:
    """``python build_site.py ARGS`` in ``project``, without ``SITE_URL``/``SOURCE_DATE_EPOCH`` (relative links)."""
    env = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "SOURCE_DATE_EPOCH", "LAWREPORTS_GENERATED")}
    return subprocess.run([sys.executable, "build_site.py", *args], cwd=project, env=env, capture_output=True,
                          text=True, timeout=600)


def site_hashes(site: Path) -> dict[str, str]:
    """Every file of a built site by its path, as its SHA-256: equal dicts mean byte-identical sites."""
    return {p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(site.rglob("*")) if p.is_file()}
