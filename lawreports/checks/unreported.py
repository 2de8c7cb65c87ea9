"""Who has not reported (未公开名单): the units ``agencies.yml`` expects to publish a report
(``expected: {from, until}``) that have none for a year the site covers.

The years covered are the years that have reports, plus every expected year up to the latest of
them: a unit expected from 2023 on a site whose newest report is on 2025 is missing 2024 when it
has no 2024 report, but nothing is asked of 2026 before any report of 2026 exists.

One roster (:func:`unreported`) feeds ``check`` (a ``not-reported`` warning each, naming the line of the
unit's ``expected`` in agencies.yml), the 未公开名单 of 合规概览 and the open-data file
``data/unreported.json`` — never rows of ``data/reports.json``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..identity import Agency, AgencyTable
from ..model import Diagnostic
from ..sidecar import key_line


@dataclass(frozen=True)
class Unreported:
    """One expected report that is not there."""

    year: int
    agency: Agency
    line: int | None  #: the line of the unit's ``expected`` in agencies.yml (None when not found)


def covered_years(report_years: Iterable[int | None], table: AgencyTable) -> list[int]:
    """The years with reports, and the expected years up to the latest of them (ascending)."""
    years = {y for y in report_years if y is not None}
    if not years:
        return []
    latest = max(years)
    for agency in table.agencies:
        if agency.expected:
            first, last = agency.expected
            years.update(range(first, min(last if last is not None else latest, latest) + 1))
    return sorted(years)


@dataclass(frozen=True)
class Roster:
    """Who was expected to report, per covered year, and who did not."""

    expected: dict[int, int]  #: covered year → units expected that year (years with none left out), newest first
    missing: tuple[Unreported, ...]  #: by year (newest first), then table order

    def missing_in(self, year: int) -> list[Unreported]:
        return [m for m in self.missing if m.year == year]


def unreported(reported: Iterable[tuple[str, int | None]], table: AgencyTable,
               table_file: Path | None = None) -> Roster:
    """Expected (agency_key, year) pairs without a report. ``reported``: the (agency_key, year) of
    every report; ``table_file``: agencies.yml, for the line numbers."""
    have = set(reported)
    text = _read(table_file)
    expected: dict[int, int] = {}
    missing = []
    for year in reversed(covered_years((y for _, y in have), table)):
        for i, agency in enumerate(table.agencies):
            if not agency.expected_in(year):
                continue
            expected[year] = expected.get(year, 0) + 1
            if (agency.key, year) not in have:
                line = key_line(text, ["agencies", i, "expected"]) if text else None
                missing.append(Unreported(year, agency, line))
    return Roster(expected, tuple(missing))


def _read(path: Path | None) -> str | None:
    try:
        return path.read_text(encoding="utf-8") if path is not None else None
    except (OSError, UnicodeDecodeError):  # the table was read before: only the line numbers are lost
        return None


def unreported_findings(missing: Iterable[Unreported], table_file: str) -> list[Diagnostic]:
    """``not-reported`` warnings, one per missing report, in agencies.yml at the unit's ``expected``."""
    return [
        Diagnostic(table_file, m.line, "warning", "not-reported",
                   f"{m.agency.key}应公开 {m.year} 年度的法治政府建设年度报告，但报告目录中没有这份报告；"
                   f"请把报告原文放入报告目录，或修改 {table_file} 中该单位的 expected（应公开报告的年度）")
        for m in missing
    ]
