"""The last two stages: the engine renders docs_dir into a fresh folder, which then replaces site_dir.

The engine is a separate process (``python -m mkdocs build``; ProperDocs reads the same mkdocs.yml),
so its memory is its own and a crash cannot leave half a site: site_dir changes only when the
render succeeded, by two renames.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

from ..site.generated import Generated
from .project import Project


def clean_leftovers(project: Project) -> None:
    """What a killed build left: half-built sites beside site_dir, half-written files in docs_dir."""
    for old in project.site_dir.parent.glob(f".{project.site_dir.name}-[no][el][wd]-*"):
        shutil.rmtree(old, ignore_errors=True)
    for temporary in project.docs_dir.rglob(".*.tmp"):
        with contextlib.suppress(OSError):
            temporary.unlink()


def staging_dir(project: Project) -> Path:
    """A fresh folder beside site_dir (same file system: the swap is a rename)."""
    return project.site_dir.with_name(f".{project.site_dir.name}-new-{os.getpid()}")


class Render:
    """The engine rendering docs_dir into ``dest``, in its own process: the caller works meanwhile."""

    def __init__(self, project: Project, dest: Path, quiet: bool = True) -> None:
        shutil.rmtree(dest, ignore_errors=True)
        self.dest = dest
        # no -q: with it MkDocs 1.6 counts no warning, and --strict would let a broken link through
        command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--clean",
                   "-f", str(project.config_file), "-d", str(dest)]
        # the hooks need not generate again; MkDocs' notice about its 2.0 is for maintainers, not officers
        env = dict(os.environ, LAWREPORTS_GENERATED="1",
                   NO_MKDOCS_2_WARNING=os.environ.get("NO_MKDOCS_2_WARNING", "1"))
        # what the engine says, kept in a file (a pipe could fill up while we work) and shown if it fails
        self.log = tempfile.TemporaryFile(mode="w+", encoding="utf-8") if quiet else None  # noqa: SIM115 - closed by wait()
        self.process = subprocess.Popen(command, env=env, cwd=project.root, stdout=self.log,
                                        stderr=subprocess.STDOUT if quiet else None)

    def wait(self) -> bool:
        """True when the engine succeeded (``--strict``: a broken link fails it); else its output is shown."""
        ok = self.process.wait() == 0
        if self.log is not None:
            if not ok:
                self.log.seek(0)
                sys.stderr.write(self.log.read())
            self.log.close()
        if not ok:
            shutil.rmtree(self.dest, ignore_errors=True)
        return ok


def render(project: Project, dest: Path, quiet: bool = True) -> bool:
    """The engine over docs_dir into ``dest``, waited for."""
    return Render(project, dest, quiet).wait()


def add_files(site: Path, files: Iterable[Generated]) -> None:
    """Files made beside the render (the search index), into the rendered site."""
    for item in files:
        target = site / item.uri
        target.parent.mkdir(parents=True, exist_ok=True)
        content = item.content if item.content is not None else ""
        target.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)


def swap(built: Path, site_dir: Path) -> None:
    """Put ``built`` in the place of ``site_dir``; the old site is removed only once the new one is there."""
    old = site_dir.with_name(f".{site_dir.name}-old-{os.getpid()}")
    if site_dir.exists():
        site_dir.rename(old)
    built.rename(site_dir)
    shutil.rmtree(old, ignore_errors=True)
