"""A folder of raw reports → every finding, without writing anything.

Each raw file goes through the same stages as ``convert`` (read → parse → sidecar → identity); a file
that cannot be read, parsed or whose sidecar is invalid becomes an error finding and the others are
still checked. Reports are then checked one by one, each with its agency's report of the year before.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..convert import Context, Prepared, input_files, prepare, tool_version
from ..identity import AgencyTable, load_agencies
from ..model import Diagnostic, Report
from ..parse import ParseError
from ..parts import load_parts
from ..read import ReadError
from ..settings import Settings, deadline_for
from ..sidecar import SidecarError

#: Formats handed to ``read_source``: .txt is read (as by ``convert``); for .doc/.wps it gives its own
#: advice. Anything else in the folder is reported, not guessed at.
KNOWN_FORMATS = (".txt", ".doc", ".wps")


@dataclass(frozen=True)
class Entry:
    """One raw file of the folder, parsed (``report``) or not (``problems`` say why)."""

    file: str  #: the raw file's name
    report: Report | None
    agency_key: str | None  #: the agency across years (``identity.agency_key``, sidecar ``agency_key``)
    agency_type: str  #: government | department
    deadline: dt.date | None  #: sidecar ``deadline``, else the configured one for the agency type
    problems: tuple[Diagnostic, ...] = ()


#: How a raw file is prepared: :func:`lawreports.convert.prepare`, or a site build's shared
#: :meth:`lawreports.convert.PreparedReports.prepare` (each report parsed once a build).
Prepare = Callable[[Path, Context], Prepared]


def load_entry(path: Path, context: Context, prepare: Prepare = prepare) -> Entry:
    """read → parse → sidecar → identity exactly as ``convert`` does; failures become findings."""
    try:
        prepared = prepare(path, context)
    except (ReadError, ParseError) as err:
        problem = Diagnostic(path.name, err.line, "error", err.code, err.message)
        return Entry(path.name, None, None, "department", None, (problem,))
    except SidecarError as err:
        first = Diagnostic(err.file, err.line, "error", err.code, err.message)
        return Entry(path.name, None, None, "department", None, tuple(getattr(err, "diagnostics", ())) or (first,))
    except OSError as err:
        problem = Diagnostic(path.name, None, "error", "unreadable", f"无法读取：{err.strerror}")
        return Entry(path.name, None, None, "department", None, (problem,))
    report, identity, values = prepared.report, prepared.identity, prepared.values
    if "deadline" in values:
        deadline = dt.date.fromisoformat(str(values["deadline"]))
    else:
        deadline = deadline_for(context.settings, identity.type, report.year) if report.year else None
    return Entry(path.name, report, identity.key, identity.type, deadline)


def load_folder(seeds_dir: Path, settings: Settings, agencies_file: Path | None = None,
                prepare: Prepare = prepare) -> list[Entry]:
    """Every raw file of ``seeds_dir``; an invalid agency table is an entry of its own (its errors).
    ``prepare`` reads each file (see :data:`Prepare`)."""
    agencies, problems = _agency_table(agencies_file or Path("agencies.yml"))
    context = Context(settings, load_parts(), agencies or AgencyTable((), ""), tool_version())
    entries = [load_entry(path, context, prepare) for path in input_files(seeds_dir)]
    if problems:
        entries.append(Entry(problems[0].file, None, None, "department", None, tuple(problems)))
    return entries


def _agency_table(path: Path) -> tuple[AgencyTable | None, list[Diagnostic]]:
    """The agency table, or None and its problems: the reports are still checked without it."""
    try:
        return load_agencies(path), []
    except Exception as err:  # identity's table error carries every problem (file, line, key) as diagnostics
        problems = list(getattr(err, "diagnostics", ()))
        if not problems:
            raise
        return None, problems


def check_entries(entries: list[Entry], settings: Settings) -> list[Diagnostic]:
    """Every finding for the loaded files, sorted by file, line and code."""
    from . import check_report

    by_year: dict[tuple[str, int], list[Entry]] = {}
    for entry in entries:
        if entry.report is not None and entry.agency_key and entry.report.year:
            by_year.setdefault((entry.agency_key, entry.report.year), []).append(entry)

    findings: list[Diagnostic] = []
    for entry in entries:
        findings.extend(entry.problems)
        report = entry.report
        if report is None:
            continue
        earlier = by_year.get((entry.agency_key, report.year - 1), []) if report.year else []
        previous = earlier[0].report if earlier else None
        findings.extend(check_report(report, settings, previous=previous, agency_type=entry.agency_type,
                                     deadline=entry.deadline))
    for (key, year), same in sorted(by_year.items()):
        if len(same) > 1:
            names = "、".join(e.file for e in same)
            for entry in same:
                findings.append(Diagnostic(entry.file, None, "error", "duplicate-report",
                                           f"{key} {year}年度有多份报告：{names}；只能发布一份"))
    return sort_findings(findings)


def sort_findings(findings: list[Diagnostic]) -> list[Diagnostic]:
    return sorted(findings, key=lambda d: (d.file, d.line or 0, d.code, d.message))


def check_reports(seeds_dir: Path, settings: Settings, agencies_file: Path | None = None) -> list[Diagnostic]:
    """Every finding for the raw reports in ``seeds_dir``, sorted by file, line and code."""
    return check_entries(load_folder(seeds_dir, settings, agencies_file), settings)


def as_json(findings: list[Diagnostic]) -> str:
    rows = [{"file": d.file, "line": d.line, "severity": d.severity, "code": d.code, "message": d.message}
            for d in findings]
    return json.dumps(rows, ensure_ascii=False, indent=2)


def run_checks_command(seeds_dir: Path, settings: Settings, fmt: str = "text", agencies_file: Path | None = None) -> int:
    """``build_site.py check``: print the findings; 1 when any is an error, 2 when the folder is missing."""
    if not seeds_dir.is_dir():
        print(f"错误：找不到报告目录 {seeds_dir}", file=sys.stderr)
        return 2
    entries = load_folder(seeds_dir, settings, agencies_file)
    findings = check_entries(entries, settings)
    if fmt == "json":
        print(as_json(findings))
    else:
        for item in findings:
            print(item)
        counts = {s: sum(1 for d in findings if d.severity == s) for s in ("error", "warning", "info")}
        print(f"共检查 {len(entries)} 份：error {counts['error']} 条，warning {counts['warning']} 条，"
              f"info {counts['info']} 条。", file=sys.stderr)
    return 1 if any(d.severity == "error" for d in findings) else 0

