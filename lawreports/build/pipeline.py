"""The build, as a list of stages (read it top to bottom):

    seeds/*  ─collect─▶  records (catalog)  ─▶  checks of the folder
             ─▶  site stages, pure functions of the records: listings, insight, 合规概览, open data, search
             ─▶  every generated file written into docs_dir (only what changed; hand edits kept)
             ─▶  the engine renders docs_dir into a fresh folder  ─▶  swapped into site_dir at once

:func:`generate` is everything before the engine (``convert`` runs it for the report pages alone,
``mkdocs serve`` from its ``on_pre_build``); :func:`build` adds the render and the swap.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..checks.unreported import Roster, unreported, unreported_findings
from ..identity import AgencyTableError
from ..model import Diagnostic
from ..parts import load_parts
from ..record import ReportRecord
from ..render import render_body, render_page
from ..site import compliance, compliance_pages, data, home, insight, listings, search
from ..site.generated import Generated
from . import publication
from .catalog import Catalog
from .collect import Collected, collect, input_files, internal_error
from .history import HISTORY_DIR, Mode
from .outputs import OutputFiles
from .prepare import Context
from .project import Project
from .recording import HistoryError, Recording, open_record

#: Facts of the whole site the engine glue reads (a dot file: not published).
SITE_FILE = ".lawreports-site.json"
#: The date every page shows (in the sitemap) when no report gives one: never the build's clock.
FALLBACK_DATE = "1970-01-01"


@dataclass
class Generation:
    """What one run of the stages before the engine did."""

    collected: Collected
    outputs: OutputFiles | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)  #: collect's findings and the writer's
    site_date: str = FALLBACK_DATE
    #: the search index, when it is made while the engine renders (``generate(search_beside=True)``)
    search_files: Callable[[], list[Generated]] | None = None
    #: why nothing was written (a broken table, an empty seeds folder): the site must stay as it is
    stopped: str | None = None
    #: the publication record of this run; saved once the site is built (``build_site.py``)
    recording: Recording | None = None

    @property
    def ok(self) -> bool:
        return (self.stopped is None and self.collected.ok
                and not any(d.severity == "error" for d in self.diagnostics))

    @property
    def failed(self) -> list[str]:
        refused = self.outputs.refused if self.outputs is not None else set()
        return sorted(set(self.collected.failed) | refused)


def load_context(project: Project) -> Context:
    """The tables every report needs (raises AgencyTableError naming the table's problems)."""
    return Context.load(project.settings, project.agencies_file)


def stopped_by_tables(project: Project, seeds_dir: Path, err: AgencyTableError) -> Generation:
    """A broken agency table: no identity can be trusted, so nothing is converted or written."""
    files = input_files(seeds_dir)
    collected = Collected(diagnostics=list(err.diagnostics), failed=[p.name for p in files], total=len(files))
    return Generation(collected, diagnostics=list(err.diagnostics), stopped=f"{project.agencies_file.name} 有误")


def report_pages(records: Iterable[ReportRecord], out: OutputFiles, prefix: str,
                 body: Callable[[ReportRecord, str], str] | None = None) -> None:
    """Each report's page, at ``<prefix>/<year>/<slug>.md``; ``body`` gives its body with the site's
    additions (default: the report alone)."""
    for record in records:
        uri = f"{prefix}/{record.path}" if prefix else record.path
        url = f"{prefix}/{record.url}" if prefix else record.url
        try:
            text = render_page(record, url, body(record, uri) if body else None)
        except Exception as err:  # a bug must cost this page only (its last good one stays), never the build
            out.diagnostics.append(internal_error(record.source, err))
            out.refused.add(record.source)
            continue
        out.put(Generated(uri, text), owner=record.source)


def convert(project: Project, seeds_dir: Path, out_dir: Path, force: bool = False, jobs: int | None = None,
            progress: Callable[[str], None] | None = None) -> Generation:
    """``build_site.py convert``: the report pages alone, into ``out_dir`` (the catalog beside them)."""
    catalog = Catalog(out_dir)
    try:
        context = load_context(project)
    except AgencyTableError as err:
        return stopped_by_tables(project, seeds_dir, err)
    collected = collect(seeds_dir, context, catalog, jobs, progress)
    generation = Generation(collected, diagnostics=list(collected.diagnostics))
    if not collected.records and not out_dir.exists():
        return generation
    chosen = publication.choose(collected, catalog)
    out = OutputFiles(out_dir, force)
    report_pages(chosen.records, out, "")
    out.finish(keep_owners=set(collected.failed))
    publication.remember(chosen, catalog, {*collected.failed, *(r.source for r in collected.records)})
    generation.outputs = out
    generation.diagnostics = sorted({*collected.diagnostics, *chosen.diagnostics, *out.diagnostics}, key=_order)
    return generation


def check(project: Project, seeds_dir: Path) -> Collected:
    """``build_site.py check``: every finding of the folder, nothing written (no catalog either). An
    invalid agency table is reported, and the reports are still checked without it."""
    try:
        context = load_context(project)
        problems: list[Diagnostic] = []
    except AgencyTableError as err:
        context = Context.load(project.settings, None, tables=False)
        problems = list(err.diagnostics)
    collected = collect(seeds_dir, context, None)
    roster = missing_reports(project, context, collected.records)
    record: list[Diagnostic] = []
    if seeds_dir.resolve() == project.seeds_dir:  # the record is of the project's own seeds, not of any folder
        try:
            record = open_record(project.root, collected, "preview").diagnostics
        except HistoryError as err:
            record = [Diagnostic(HISTORY_DIR, None, "error", "history-unreadable", str(err))]
    collected.diagnostics = sorted([*problems, *collected.diagnostics, *missing_findings(project, roster), *record],
                                   key=_order)
    return collected


def missing_reports(project: Project, context: Context, records: Iterable[ReportRecord]) -> Roster:
    """The 未公开名单: units agencies.yml expects to report that have no report (:mod:`..checks.unreported`)."""
    return unreported(((r.agency_key, r.year) for r in records), context.agencies, project.agencies_file)


def missing_findings(project: Project, roster: Roster) -> list[Diagnostic]:
    return unreported_findings(roster.missing, project.agencies_file.name)


def generate(project: Project, force: bool = False, jobs: int | None = None,
             progress: Callable[[str], None] | None = None, search_beside: bool = False,
             allow_empty: bool = False, record: Mode = "preview") -> Generation:
    """Every stage before the engine: the files of the site, written into docs_dir.

    Nothing is written (``Generation.stopped`` says why) when the agency table is broken or the
    seeds folder is empty while a site was generated before (``allow_empty`` lets it be emptied).
    ``search_beside``: leave the search index out of docs_dir; :attr:`Generation.search_files` makes it
    while the engine renders (``build_site.py`` adds it to the rendered site: the index needs no page,
    and the render uses one core). ``record``: how the publication record is kept (``history.Mode``:
    ``write`` by ``build_site.py``, ``frozen`` under ``--frozen-record``, ``preview`` under the engine)."""
    catalog = Catalog(project.reports_dir)
    out = OutputFiles(project.docs_dir, force)
    try:
        context = load_context(project)
    except AgencyTableError as err:
        return stopped_by_tables(project, project.seeds_dir, err)
    collected = collect(project.seeds_dir, context, catalog, jobs, progress)
    if collected.total == 0 and out.previous and not allow_empty:
        return Generation(collected, stopped=f"{project.seeds_dir.name}/ 中没有报告；为免清空已发布的网站，未生成"
                                             "（确需清空请加 --allow-empty）")
    try:
        recording = open_record(project.root, collected, record)
    except HistoryError as err:
        return Generation(collected, stopped=str(err))
    downloads = {uri: entry[0] for uri, entry in out.previous.items()
                 if uri.startswith(f"{data.DATA_DIR}/") and entry[0] and (project.docs_dir / uri).is_file()}
    chosen = publication.choose(collected, catalog, downloads)
    chosen.records, chosen.fresh = recording.online(chosen.records), recording.online(chosen.fresh)
    records, settings = chosen.records, project.settings
    index = listings.index_reports(records, project.reports_prefix)
    recording.record(records, {r.source for r in chosen.fresh}, index)
    unrecorded = recording.unrecorded()
    if unrecorded:
        return Generation(collected, diagnostics=unrecorded, recording=recording,
                          stopped="发布记录（history/）未包含这些改动（--frozen-record），未生成")
    parts = load_parts()
    seen = insight.build(index, records, settings, parts.label)
    roster = missing_reports(project, context, records)
    checked = compliance_pages.build(index, chosen.findings(collected), parts, settings.page_size,
                                     rate_of=insight.figures_rate, roster=roster)

    def page_body(record: ReportRecord, uri: str) -> str:
        address = data.absolute(project.site_url, data.page_url(index, record))
        text = data.with_downloads(render_body(record, address), record, uri)
        row = checked.row(uri)
        if row is not None:
            text = compliance.with_summary(text, row)
        return (text.rstrip("\n") + "\n" + recording.section(record, uri) + listings.report_links(index, record)
                + insight.report_extra(seen, record))

    report_pages(records, out, project.reports_prefix, page_body)
    by_source = {r.source: r.source_sha256 for r in records}
    dates = [d for r in records for d in (r.published, r.written) if d]
    site_date = max(dates).isoformat() if dates else FALLBACK_DATE

    def search_files() -> list[Generated]:
        return search.search_files(index, records, parts.names)

    stages: list[Callable[[], Iterable[Generated]]] = [
        lambda: home.listing_pages(index, settings, parts, settings.page_size),
        lambda: [Generated("robots.txt", robots_txt(project.site_url)),
                 Generated(SITE_FILE, json.dumps({"date": site_date}) + "\n")],
        lambda: seen.pages,
        lambda: checked.pages,
        lambda: data.open_data(index, settings, project.seeds_dir, site_name=project.site_name,
                               description=project.site_description, site_url=project.site_url, roster=roster),
        *([] if search_beside else [search_files]),
    ]
    for stage in stages:  # one stage's files at a time in memory
        for item in stage():
            out.put(item, known_sha256=by_source.get(item.source.name) if item.source is not None else None)
    for item in recording.files(set(out.current), project.site_url, project.docs_dir, project.reports_prefix):
        out.put(item)
    out.finish(keep_owners=set(collected.failed) | out.refused)  # a page that failed keeps its last good one
    publication.remember(chosen, catalog, {*collected.failed, *(r.source for r in collected.records)})
    found = sorted({*collected.diagnostics, *chosen.diagnostics, *out.diagnostics, *recording.diagnostics,
                    *missing_findings(project, roster)}, key=_order)
    return Generation(collected, out, found, site_date, search_files if search_beside else None,
                      recording=recording)


def robots_txt(site_url: str | None) -> str:
    """Everything may be crawled; the sitemap is named when the public address is known."""
    lines = ["User-agent: *", "Allow: /"]
    if site_url:
        lines.append(f"Sitemap: {site_url.rstrip('/')}/sitemap.xml")
    return "\n".join(lines) + "\n"


def page_date(meta: Mapping[str, object], site_date: str) -> str:
    """The date a page is dated by in the sitemap: a report's publication (else writing) date."""
    for key in ("published", "written"):
        value = meta.get(key)
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, str) and value:
            return value
    return site_date


def _order(d: Diagnostic) -> tuple:
    return (d.file, d.line or 0, d.code, d.message)
