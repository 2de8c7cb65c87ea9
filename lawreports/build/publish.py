"""The last two stages: the engine renders docs_dir into a fresh folder, which then replaces site_dir.

The engine is a separate process (``python -m mkdocs build``; ProperDocs reads the same mkdocs.yml),
so its memory is its own and a crash cannot leave half a site: site_dir changes only when the
render succeeded, by two renames.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from .project import Project


def staging_dir(project: Project) -> Path:
    """A fresh folder beside site_dir (same file system: the swap is a rename)."""
    return project.site_dir.with_name(f".{project.site_dir.name}-new-{os.getpid()}")


def render(project: Project, dest: Path, quiet: bool = True) -> bool:
    """The engine over docs_dir into ``dest``; True when it succeeded (``--strict``: a broken link fails)."""
    shutil.rmtree(dest, ignore_errors=True)
    # no -q: with it MkDocs 1.6 counts no warning, and --strict would let a broken link through
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--clean",
               "-f", str(project.config_file), "-d", str(dest)]
    # the hooks need not generate again; MkDocs' notice about its 2.0 is for maintainers (README), not officers
    env = dict(os.environ, LAWREPORTS_GENERATED="1", NO_MKDOCS_2_WARNING=os.environ.get("NO_MKDOCS_2_WARNING", "1"))
    done = subprocess.run(command, env=env, cwd=project.root, capture_output=quiet, text=True)
    if done.returncode != 0:
        if quiet:  # what the engine said, only when it failed
            sys.stderr.write(done.stdout + done.stderr)
        shutil.rmtree(dest, ignore_errors=True)
    return done.returncode == 0


def swap(built: Path, site_dir: Path) -> None:
    """Put ``built`` in the place of ``site_dir``; the old site is removed only once the new one is there."""
    old = site_dir.with_name(f".{site_dir.name}-old-{os.getpid()}")
    if site_dir.exists():
        site_dir.rename(old)
    built.rename(site_dir)
    shutil.rmtree(old, ignore_errors=True)
