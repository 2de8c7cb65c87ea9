"""The catalog's unit: one converted report as every stage after conversion sees it.

A :class:`ReportRecord` is made once per raw file (read → parse → sidecar → identity → the
per-report checks, key figures and word counts) and written to the catalog
(:mod:`lawreports.build.catalog`). Listings, insight, 合规概览, open data, the search index and
the report pages read records; none of them reads a raw file or a page's front matter again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .figures import Figure
from .model import Diagnostic, Heading, Report


@dataclass(frozen=True)
class SourceStat:
    """What says, without reading it, that a raw file (and its sidecar) is unchanged."""

    size: int
    mtime_ns: int
    sidecar_size: int | None  #: None: no sidecar
    sidecar_mtime_ns: int | None


@dataclass(frozen=True)
class ReportRecord:
    """One report, parsed and identified, with everything later stages need of it alone."""

    report: Report  #: sidecar values applied, region completed; in the catalog without its raw lines
    path: str  #: the page below the reports folder, e.g. ``2023/nan-kai-qu-si-fa-ju.md``
    display_title: str  #: the report's title, or one made from agency and year
    agency_key: str  #: the agency across years (agencies.yml, sidecar ``agency_key``)
    agency_slug: str  #: the agency's URL name
    agency_type: str  #: government | department
    index_no: str | None  #: 索引号 from the text or the sidecar; None when neither gives one (never invented)
    source_url: str | None  #: the official original (sidecar ``source_url``)
    sidecar_note: str | None
    from_sidecar: tuple[str, ...]  #: report fields the sidecar set
    deadline: dt.date | None  #: the disclosure deadline (sidecar ``deadline``, else the settings')
    findings: tuple[Diagnostic, ...]  #: every finding about this report alone (parser, sidecar, checks)
    figures: tuple[Figure, ...]  #: key figures, with the raw line each stands on
    words: dict[str, int]  #: keyword candidates and their counts (``keywords.count_words``)
    inputs_sha256: str  #: raw bytes, sidecar, code, tables and settings this record was made from
    sidecar_sha256: str | None  #: None: no sidecar
    stat: SourceStat
    #: the sidecar's ``correction:`` (date or None, reason): why this version differs from the last published
    correction: tuple[str | None, str] | None = None

    # -- the report's own facts, under the names listings and pages use ---------------------------------

    @property
    def source(self) -> str:
        return self.report.source.name

    @property
    def source_sha256(self) -> str:
        return self.report.source.sha256

    @property
    def title(self) -> str | None:
        return self.report.title

    @property
    def agency(self) -> str | None:
        return self.report.agency

    @property
    def region(self) -> str | None:
        return self.report.region

    @property
    def year(self) -> int | None:
        return self.report.year

    @property
    def written(self) -> dt.date | None:
        return self.report.written

    @property
    def published(self) -> dt.date | None:
        return self.report.published

    @property
    def parts(self) -> dict[str, str | None]:
        return self.report.parts

    @property
    def parts_within(self) -> dict[str, str]:
        return self.report.parts_within

    @property
    def characters(self) -> int:
        return self.report.body_characters

    @property
    def headings(self) -> tuple[Heading, ...]:
        return self.report.headings

    @property
    def url(self) -> str:
        """The page's URL below the reports folder: ``2023/nan-kai-qu-si-fa-ju/``."""
        return self.path[: -len(".md")] + "/"

    @property
    def key(self) -> tuple[str, int | None]:
        """(agency_key, year): at most one report each."""
        return self.agency_key, self.year
