"""The engine glue: MkDocs (or ProperDocs) hooks, named in mkdocs.yml (``hooks: [lawreports/engine/hooks.py]``).

The engine only renders what the pipeline wrote into docs_dir. These hooks add what an engine run
needs and nothing else:

``on_config``       the settings (``extra.reports``, validated: a bad value stops the build naming the
                    key) for the templates; the Markdown extension that passes the project's HTML through.
``on_pre_build``    under ``mkdocs serve`` or a plain ``mkdocs build``, the same pipeline stages as
                    ``python build_site.py`` (:func:`lawreports.build.pipeline.generate`); skipped when
                    ``build_site.py`` has just run them (``LAWREPORTS_GENERATED=1``).
``on_page_markdown`` a report page's display title as its title; every page dated by its report (or the
                    newest report), never the clock, so the sitemap is the same in every build.
``on_post_page``    the theme's indentation removed (~9 % of every page).
``on_post_build``   the search index into the rendered site (it needs no page: made after them).

MkDocs loads this file by path, so the project root is put on ``sys.path`` to import the package.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
import sys
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
_ROOT = str(_HERE.parents[1])
# MkDocs puts this file's folder first on sys.path while loading it; drop it so the module names here
# can never shadow anything else.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from mkdocs.config.defaults import MkDocsConfig  # noqa: E402
from mkdocs.exceptions import PluginError  # noqa: E402
from mkdocs.structure.pages import Page  # noqa: E402

from lawreports.build.pipeline import FALLBACK_DATE, SITE_FILE, generate, page_date  # noqa: E402
from lawreports.build.project import Project, project_of  # noqa: E402
from lawreports.build.publish import add_files  # noqa: E402
from lawreports.engine.rawhtml import RawHtmlExtension  # noqa: E402
from lawreports.settings import SettingsError, settings_from_dict  # noqa: E402
from lawreports.site.search import SEARCH_DIR  # noqa: E402

log = logging.getLogger("mkdocs.plugins.lawreports")
LEVELS = {"error": logging.ERROR, "warning": logging.INFO, "info": logging.DEBUG}
_state: dict[str, Any] = {"project": None, "site_date": FALLBACK_DATE, "search_files": None}


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    try:
        settings = settings_from_dict(config.extra.get("reports"), Path(config.config_file_path or "mkdocs.yml").name)
        project = project_of(Path(config.config_file_path or "mkdocs.yml"), settings, config.docs_dir,
                             config.site_dir, config.site_name, config.site_description, config.site_url)
    except SettingsError as err:
        raise PluginError(str(err)) from err
    _state["project"] = project
    config.extra["reports"] = {k: (os.fspath(v) if isinstance(v, Path) else v)
                               for k, v in dataclasses.asdict(settings).items()}
    config.markdown_extensions.append(RawHtmlExtension())  # type: ignore[arg-type]  # an instance is accepted
    return config


def on_pre_build(config: MkDocsConfig) -> None:
    project: Project = _state["project"]
    _state["search_files"] = None
    if os.environ.get("LAWREPORTS_GENERATED") != "1":
        if not project.seeds_dir.is_dir():
            raise PluginError(f"mkdocs.yml extra.reports.seeds_dir: 找不到原始报告目录 {project.seeds_dir}")
        generation = generate(project, search_beside=True)  # the index goes in after the render
        _state["search_files"] = generation.search_files
        for d in generation.diagnostics:
            log.log(LEVELS.get(d.severity, logging.INFO), str(d))
        if generation.stopped:
            raise PluginError(f"{generation.stopped}；网站未生成")
        count = len(generation.collected.records)
        log.info(f"已转换 {count} 份报告（{project.seeds_dir.name} → {project.reports_prefix}）")
    try:
        _state["site_date"] = json.loads((project.docs_dir / SITE_FILE).read_text(encoding="utf-8"))["date"]
    except (OSError, ValueError, KeyError, TypeError):
        _state["site_date"] = FALLBACK_DATE


def on_page_markdown(markdown: str, page: Page, **kwargs: Any) -> str:
    # MkDocs takes <title> from the front-matter `title`: the report's own title, which may be null.
    if page.meta.get("display_title"):
        page.meta["report_title"] = page.meta.get("title")
        page.meta["title"] = page.meta["display_title"]
    page.update_date = page_date(page.meta, _state["site_date"])
    return markdown


def on_page_content(html: str, page: Page, **kwargs: Any) -> str:
    page.markdown = ""  # MkDocs keeps every page to the end and reads this no more: let it go
    return html


#: Elements whose text keeps its whitespace: left as they are by :func:`strip_indentation`.
_KEEP_WHITESPACE = re.compile(r"<(pre|textarea|script)\b.*?</\1>", re.S | re.I)
_INDENT = re.compile(r"\n\s+")


def strip_indentation(html: str) -> str:
    r"""The theme's indentation and blank lines, gone (~9 % of every page); a line break stays where
    there was one, so the page renders the same; ``<pre>``, ``<textarea>`` and ``<script>`` are kept.

    >>> strip_indentation("<div>\n    <p>a\n\n   b</p>\n  <pre>x\n    y</pre>\n</div>")
    '<div>\n<p>a\nb</p>\n<pre>x\n    y</pre>\n</div>'
    """
    out, at = [], 0
    for kept in _KEEP_WHITESPACE.finditer(html):
        out.append(_INDENT.sub("\n", html[at:kept.start()]))
        out.append(kept.group())
        at = kept.end()
    out.append(_INDENT.sub("\n", html[at:]))
    return "".join(out)


def on_post_page(output: str, page: Page, **kwargs: Any) -> str:
    page.content = ""  # only the page's own template read it
    return strip_indentation(output)


def on_post_build(config: MkDocsConfig) -> None:
    """The search index, made after the pages (under ``mkdocs serve`` a changed report shows sooner)."""
    make = _state["search_files"]
    if make is not None:
        site = Path(config.site_dir)
        for old in (site / SEARCH_DIR).rglob("*.json"):  # no shard of an earlier index is left
            old.unlink()
        add_files(site, make())
