"""The MkDocs side of the site: the one module (with ``hooks.py``) that talks to MkDocs.

Build stages, in MkDocs event order:

``on_config``
    read ``extra.reports`` into :class:`~lawreports.settings.Settings`; a bad value stops the
    build with an error naming the key.
``on_pre_build``
    convert ``seeds_dir`` into ``reports_dir`` (incremental: unchanged reports are not
    rewritten) and log every diagnostic as ``file:line: severity code: message`` — errors at
    ERROR level, so ``mkdocs build --strict`` fails on them; warnings (content findings, also
    shown on the page) at INFO.
``on_files``
    add the listing pages (home, 按年度, 按单位) and ``robots.txt`` as virtual files: nothing is
    written into docs/ besides the converter's own report pages; then the open data (``data/``:
    JSON, CSV, JSON Schemas, the raw files) and the Atom feed ``feed.xml`` (see ``data.py``);
    the insight pages (``insight.py``) and the 合规概览 with its SVG charts (``compliance.py``,
    from the findings of ``build_site.py check``, computed once a build). All three read the raw
    reports through one :class:`~lawreports.convert.PreparedReports` of the build (also handed
    what the converter parsed in this process): each report is parsed at most once a build, and
    the parsed reports are let go at the end of ``on_files`` — what stays for the rest of the
    build is small (the report pages' additions as text, the findings, the open-data bodies).
    Two jobs run in forked copies of the build on a second core (``forked.py``): the checks and
    the keyword counts, while the comparison pages are made, and last the search index (``search.py``), which needs
    nothing from the pages, while MkDocs renders them.
``on_page_markdown``
    give each report page its display title and links to its year, its agency and the agency's
    other years, the 下载 line (raw file, report JSON) and the scorecard of the checks
    (``compliance.py``) under its metadata block; give every
    page a date taken from the reports, not the clock, so the sitemap (and its gzip header) is
    the same in every build.
``on_page_content``, ``on_post_page``
    let go of the page's Markdown once MkDocs has made its HTML, and of the HTML once the page's
    template is rendered (nothing reads either later): MkDocs holds every page until the build
    ends, and at 10,000 reports that is most of the peak memory.
``on_post_build``
    wait for the search index in ``site/search/`` (``search.py``; written here instead where no
    copy was forked: one core, no ``fork``, other threads running, or ``mkdocs serve``, whose
    rebuilds reuse what the process kept; skipped when unchanged).
``on_build_error``
    stop the copies of the failed build.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import os
import re
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from ..convert import PREPARED_DIR, Context, PreparedReports
from ..model import Report
from . import compliance, data, forked, listings, rawhtml, search

log = logging.getLogger("mkdocs.plugins.lawreports")

#: Dates MkDocs puts in the sitemap when no report gives one (never the build clock).
FALLBACK_DATE = "1970-01-01"


#: ``mkdocs serve --dirty`` (set by on_startup): a rebuild reuses the listing, insight and open-data
#: files of the first build (they catch up on the next full build) and MkDocs rebuilds only the
#: report pages whose Markdown changed. Module state: MkDocs loads the hooks anew for every build.
_DIRTY_SERVE: dict = {"on": False, "files": None, "extras": None, "compliance": None}
#: How MkDocs runs (set by on_startup): ``mkdocs serve`` keeps parsed reports between rebuilds.
_RUN: dict = {"command": None, "dirty": False}


class _Built(File):
    """A generated file already built by this ``mkdocs serve --dirty``: MkDocs skips it."""

    def is_modified(self) -> bool:
        return not os.path.isfile(self.abs_dest_path)


#: Elements whose text keeps its whitespace: left as they are by :func:`strip_indentation`.
_KEEP_WHITESPACE = re.compile(r"<(pre|textarea|script)\b.*?</\1>", re.S | re.I)
_INDENT = re.compile(r"\n\s+")


def strip_indentation(html: str) -> str:
    r"""The theme's indentation and blank lines, gone: ~9 % of every page (the difference between
    a report page over and under 30 KB; ~60 MB of a 10,000-report site). A line break stays
    where there was one, so the page renders the same (HTML collapses whitespace; the site
    styles no text ``white-space: pre``); ``<pre>``, ``<textarea>`` and ``<script>`` are kept
    whole.

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


class ReportsSite:
    """State of one build, shared by the hook functions."""

    def on_startup(self, *, command: str, dirty: bool) -> None:
        _DIRTY_SERVE.update(on=command == "serve" and dirty, files=None, extras=None, compliance=None)
        _RUN.update(command=command, dirty=dirty)

    def __init__(self) -> None:
        self.settings = None
        self.root = Path(".")
        self.seeds_dir: Path | None = None
        self.reports_dir: Path | None = None
        self.reports_prefix = ""
        self.index: listings.SiteIndex | None = None
        self.by_uri: dict[str, listings.ReportInfo] = {}
        self.insight = None  # insight.Insight of this build (comparisons, figures, keywords); on_files only
        self.extras: dict[str, str] = {}  # report page uri → what insight adds to it (keywords, links)
        self.compliance = None  # compliance.Compliance of this build (findings, 合规概览)
        # every raw report parsed at most once a build (converter, insight, checks, open data)
        self.reports = PreparedReports(memo=_RUN["command"] == "serve")
        self._context_cache: Context | Exception | None = None
        self.site_date = FALLBACK_DATE
        self.copy_job: forked.Job | None = None  # _work_beside_the_pages in a forked copy
        self.folder_checks = None  # what the copy's compliance.check_folder found
        self.search_job: forked.Job | None = None  # the search index, written while the pages render

    # -- on_config ---------------------------------------------------------------------------

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        from ..settings import SettingsError, settings_from_dict

        self.cancel_copies()
        self.__init__()  # a fresh state for every build (`mkdocs serve` rebuilds in one process)
        try:
            settings = settings_from_dict(config.extra.get("reports"), Path(config.config_file_path or "mkdocs.yml").name)
        except SettingsError as e:
            raise PluginError(str(e)) from e

        root = Path(config.config_file_path or ".").resolve().parent
        docs = Path(config.docs_dir).resolve()
        seeds = (root / settings.seeds_dir).resolve()
        reports = (root / settings.reports_dir).resolve()
        if not seeds.is_dir():
            raise PluginError(f"mkdocs.yml extra.reports.seeds_dir: 找不到原始报告目录 {seeds}")
        if reports == docs or docs not in reports.parents:
            raise PluginError(
                f"mkdocs.yml extra.reports.reports_dir: 生成页面的目录必须位于 docs_dir（{docs}）之内的子目录，现为 {reports}"
            )
        self.settings = settings
        self.root = root
        self.seeds_dir, self.reports_dir = seeds, reports
        # what the converter parsed (in the command line's process or its workers), kept on disk
        self.reports.store = reports / PREPARED_DIR
        self.reports_prefix = reports.relative_to(docs).as_posix()
        # Templates (announce bar, footer) read the validated values, defaults filled in.
        config.extra["reports"] = _as_dict(settings)
        # HTML the project builds itself (diffs, cards, the key-figures table) skips Markdown.
        config.markdown_extensions.append(rawhtml.RawHtmlExtension())
        return config

    # -- on_pre_build ------------------------------------------------------------------------

    def on_pre_build(self, config: MkDocsConfig) -> None:
        from ..convert import convert_all

        assert self.settings is not None and self.seeds_dir and self.reports_dir
        agencies_file = self.root / "agencies.yml"  # the agency table (#3), beside mkdocs.yml
        run = convert_all(self.seeds_dir, self.reports_dir, self.settings, force=False, agencies_file=agencies_file,
                          keep=self.reports)
        self._report(run)

        self.index = listings.index_reports(run.pages, self.reports_prefix)
        self.by_uri = self.index.by_report_uri()
        dates = [d for r in run.pages for d in (r.published, r.written) if d]
        self.site_date = max(dates).isoformat() if dates else FALLBACK_DATE

    def _report(self, run) -> None:
        """Log the conversion's findings through MkDocs (``--strict`` counts the errors).

        Under ``python build_site.py`` (``LAWREPORTS_CONVERTED=1``) the command line has already
        converted and printed them, and decides the exit code itself: a bad report must not stop
        the others from being published, so they are only logged at DEBUG here.
        """
        quiet = os.environ.get("LAWREPORTS_CONVERTED") == "1"
        level = {"error": logging.ERROR, "warning": logging.INFO, "info": logging.DEBUG}
        named = set()
        for d in run.diagnostics:
            named.add(d.file)
            log.log(logging.DEBUG if quiet else level.get(d.severity, logging.INFO), str(d))
        failed = sorted(run.failed)
        for name in failed:
            if name not in named:
                log.log(logging.DEBUG if quiet else logging.ERROR, f"{name}: error convert-failed: 未能转换")
        if failed:
            log.log(logging.DEBUG if quiet else logging.ERROR, f"{len(failed)} 份原始报告未能转换：{'、'.join(failed)}")
        log.info(f"已转换 {len(run.pages)} 份报告（{self.seeds_dir.name} → {self.reports_prefix}）")

    # -- on_files ----------------------------------------------------------------------------

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        from ..parts import load_parts

        assert self.index is not None and self.settings is not None
        # A page left in reports_dir that this run did not produce (its seed is gone) is not
        # published: the listings are the complete list of reports.
        prefix = self.reports_prefix + "/"
        for f in list(files):
            if f.src_uri.startswith(prefix) and f.is_documentation_page() and f.src_uri not in self.by_uri:
                log.info(f"{f.src_uri}: 没有对应的原始报告，不发布")
                files.remove(f)

        if _DIRTY_SERVE["on"] and _DIRTY_SERVE["files"] is not None:
            for uri, content, source in _DIRTY_SERVE["files"]:
                if files.get_file_from_path(uri) is None:
                    files.append(_Built.generated(config, uri, **({"abs_src_path": source} if source else {"content": content})))
            self.extras, self.compliance = _DIRTY_SERVE["extras"], _DIRTY_SERVE["compliance"]
            self.reports.clear()
            return files
        known = {f.src_uri for f in files}
        # What needs no page (the checks, the keyword counts) runs in a forked copy of the build
        # while the comparison pages are made.
        self.copy_job = self._fork("检查与关键词", self._work_beside_the_pages)
        labels = load_parts().label
        generated = listings.listing_pages(self.index, self.settings, labels, self.settings.page_size)
        generated.append(listings.Generated("robots.txt", robots_txt(config.site_url)))
        generated += self._insight_pages(files, labels)
        generated += self._compliance_pages(config, labels)
        # What on_page_markdown needs of the insight, as text: the parsed reports can go.
        self.extras = {self.index.report_uri(info): self.insight.report_extra(info) for info in self.index.reports}
        self.insight = None
        for page in generated:
            existing = files.get_file_from_path(page.src_uri)
            if existing is not None:
                raise PluginError(
                    f"{page.src_uri}: 此页面由 lawreports/site 生成，请删除 {config.docs_dir}/{page.src_uri}"
                )
            files.append(File.generated(config, page.src_uri, content=page.content))
        self._add_open_data(files, config)
        log.debug(f"on_files: 解析原始报告 {self.reports.parsed} 份")
        self.reports.clear()
        self.search_job = search.index_in_background(self, config) if self._may_fork() else None
        if _DIRTY_SERVE["on"]:
            _DIRTY_SERVE["extras"], _DIRTY_SERVE["compliance"] = self.extras, self.compliance
            _DIRTY_SERVE["files"] = [(f.src_uri, f._content, None if f._content is not None else f.abs_src_path)
                                     for f in files if f.src_uri not in known]
        return files

    def _add_open_data(self, files: Files, config: MkDocsConfig) -> None:
        """data/… and feed.xml (data.py); a report whose text cannot be re-read is an error."""
        assert self.index is not None and self.settings is not None and self.seeds_dir is not None

        def page_url(info) -> str:
            page = files.get_file_from_path(self.index.report_uri(info))
            return page.url if page is not None else info.url

        context = self._context()
        parse = None if isinstance(context, Exception) else (lambda path: self.reports.prepare(path, context).report)
        generated, problems = data.open_data(
            self.index, self.seeds_dir, self.settings, page_url,
            site_name=config.site_name, description=config.site_description, site_url=config.site_url, parse=parse,
        )
        quiet = os.environ.get("LAWREPORTS_CONVERTED") == "1"
        for problem in problems:
            log.log(logging.DEBUG if quiet else logging.ERROR, problem)
        for item in generated:
            if files.get_file_from_path(item.uri) is not None:
                raise PluginError(f"{item.uri}: 此文件由 lawreports/site 生成，请删除 {config.docs_dir}/{item.uri}")
            if item.source is not None:
                files.append(File.generated(config, item.uri, abs_src_path=str(item.source)))
            else:
                files.append(File.generated(config, item.uri, content=item.content))

    def _insight_pages(self, files: Files, labels) -> list:
        """Comparisons, year over year, key figures and keywords (``insight.py``)."""
        from . import insight

        assert self.index is not None and self.settings is not None and self.seeds_dir is not None

        def page_url(entry) -> str:
            page = files.get_file_from_path(entry.uri)
            return page.url if page is not None else entry.uri[: -len(".md")] + "/"

        self.insight = insight.build(self.index, self.settings, labels, self.load, page_url=page_url,
                                     cache_file=self.keywords_cache, before_keywords=self._await_copy)
        quiet = os.environ.get("LAWREPORTS_CONVERTED") == "1"
        for problem in self.insight.problems:
            log.log(logging.DEBUG if quiet else logging.INFO, problem)
        return self.insight.pages

    @property
    def keywords_cache(self) -> Path:
        """Word counts by text (``keywords.TokenCache``), kept between builds."""
        return self.root / ".cache" / "lawreports" / "keywords.json"

    def _work_beside_the_pages(self) -> compliance.FolderChecks:
        """In a forked copy of the build (``forked.py``): every report's word counts into the
        keyword cache, then the checks. The build waits for it before scoring keywords."""
        from ..keywords import report_text, warm_cache

        def texts():
            for info in self.index.reports:
                try:
                    yield report_text(self.load(info))
                except Exception:  # noqa: BLE001 - the build itself reports a report it cannot read
                    continue

        warm_cache(texts(), self.keywords_cache)
        return compliance.check_folder(self.seeds_dir, self.settings, self.root / "agencies.yml", self.reports.prepare)

    @staticmethod
    def _may_fork() -> bool:
        """Copies only for one-off builds: under ``mkdocs serve`` the process keeps what a build
        computed (the checks, parsed reports) for the next rebuild, and a copy's would be lost."""
        return _RUN["command"] != "serve"

    def _fork(self, name: str, work) -> forked.Job | None:
        return forked.start(name, work) if self._may_fork() else None

    def cancel_copies(self) -> None:
        """Stop the copies of a build that failed (or that a new build replaces)."""
        for name in ("copy_job", "search_job"):
            job = getattr(self, name, None)
            if job is not None:
                job.cancel()
                setattr(self, name, None)

    def on_build_error(self, error: Exception) -> None:
        self.cancel_copies()

    def _await_copy(self) -> None:
        """Wait for :meth:`_work_beside_the_pages`; if it failed, the build does that work itself."""
        job, self.copy_job = self.copy_job, None
        if job is None:
            return
        try:
            self.folder_checks = job.result()
        except forked.JobFailed as err:
            log.info(f"检查与关键词：后台运行失败（{err}），改为直接运行")

    def _context(self) -> Context | Exception:
        """The converter's tables for this build (as :func:`insight.raw_loader` loads them), or the
        error that stops them loading (the converter has reported it)."""
        if self._context_cache is None:
            try:
                self._context_cache = Context.load(self.settings, self.root / "agencies.yml")
            except Exception as err:  # noqa: BLE001
                self._context_cache = err
        return self._context_cache

    def load(self, info: listings.ReportInfo) -> Report:
        """A published report, parsed as the converter parses it — once a build (``insight.Loader``)."""
        context = self._context()
        if isinstance(context, Exception):
            raise context
        assert self.seeds_dir is not None
        return self.reports.prepare(self.seeds_dir / info.source, context).report

    def _compliance_pages(self, config: MkDocsConfig, labels) -> list:
        """The findings of ``check`` (once a build) and the 合规概览 (``compliance.py``)."""
        assert self.index is not None and self.settings is not None and self.seeds_dir is not None
        self._await_copy()
        folder = self.folder_checks or compliance.check_folder(
            self.seeds_dir, self.settings, self.root / "agencies.yml", self.reports.prepare)

        @functools.cache  # each report is linked from two tables, five times per row
        def url_of(uri: str) -> str:
            return File(uri, None, config.site_dir, config.use_directory_urls).url

        def rate_of(info) -> float | None:
            entry = self.insight.entry(info) if self.insight is not None else None
            return entry.rate if entry is not None else None

        self.compliance = compliance.build(self.index, folder, labels, url_of, self.settings.page_size, rate_of)
        return self.compliance.pages

    # -- on_page_markdown --------------------------------------------------------------------

    def on_page_markdown(self, markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        info = self.by_uri.get(page.file.src_uri)
        if info is None:
            page.update_date = self.site_date
            return markdown
        # MkDocs takes <title> from the front-matter `title`, which is the report's own title
        # and may be null; the converter's display_title is what the <h1> shows.
        page.meta["report_title"] = page.meta.get("title")
        page.meta["title"] = info.display_title
        page.update_date = (info.published or info.written).isoformat() if (info.published or info.written) else self.site_date
        assert self.index is not None
        markdown = data.with_downloads(markdown, info, page.file.src_uri)
        row = self.compliance.row(page.file.src_uri) if self.compliance is not None else None
        if row is not None:
            markdown = compliance.with_scorecard(markdown, row)
        extra = self.extras.get(page.file.src_uri, "") if self.extras else ""
        return markdown.rstrip("\n") + "\n" + listings.report_links(self.index, info) + extra

    # -- on_page_content ---------------------------------------------------------------------

    def on_page_content(self, html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        """Let go of the page's Markdown, now that MkDocs has made its HTML: MkDocs keeps every
        page (and every generated file's text) until the build ends, and reads neither again.
        ``page.markdown`` becomes "" rather than None (``Page.title`` reads None as "not read
        yet"), a generated file's text "" (``File.is_modified`` still says modified)."""
        page.markdown = ""
        if page.file._content is not None and page.file.is_documentation_page():
            page.file._content = ""
        return html

    # -- on_post_page ------------------------------------------------------------------------

    def on_post_page(self, output: str, page: Page, config: MkDocsConfig) -> str:
        """Let go of the page's HTML once its template is rendered (the file is written next):
        only the page's own template reads ``page.content``. "" rather than None, as above (for
        ``Page.title`` a non-None content means "rendered")."""
        page.content = ""
        return strip_indentation(output)

    # -- on_post_build -----------------------------------------------------------------------

    def on_post_build(self, config: MkDocsConfig) -> None:
        """The search index (``site/search/``, see ``search.py``), from the published reports."""
        search.on_post_build(self, config)


def robots_txt(site_url: str | None) -> str:
    """Everything may be crawled; the sitemap is named when the public address is known."""
    lines = ["User-agent: *", "Allow: /"]
    if site_url:
        lines.append(f"Sitemap: {site_url.rstrip('/')}/sitemap.xml")
    return "\n".join(lines) + "\n"


def _as_dict(settings: object) -> dict:
    if dataclasses.is_dataclass(settings):
        return {k: (os.fspath(v) if isinstance(v, Path) else v) for k, v in dataclasses.asdict(settings).items()}
    return dict(vars(settings))
