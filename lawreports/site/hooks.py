"""MkDocs hooks, named in mkdocs.yml (``hooks: [lawreports/site/hooks.py]``): no install step.

Thin on purpose: each event is forwarded to :class:`lawreports.site.plugin.ReportsSite`.
MkDocs loads this file by path, so the project root is put on ``sys.path`` to import the package.
"""

import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
_ROOT = str(_HERE.parents[1])
# MkDocs puts this file's folder first on sys.path while loading it; drop it so module names
# here (plugin, listings, markup) can never shadow anything else.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from lawreports.site.plugin import ReportsSite  # noqa: E402

_site = ReportsSite()

on_startup = _site.on_startup
on_config = _site.on_config
on_pre_build = _site.on_pre_build
on_files = _site.on_files
on_page_markdown = _site.on_page_markdown
on_page_content = _site.on_page_content
on_post_page = _site.on_post_page
on_post_build = _site.on_post_build
on_build_error = _site.on_build_error
