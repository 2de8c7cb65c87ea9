"""Checks: what a supervisor (督察) would find in a report before it is published (issue #7).

Each check is a small function ``(report, context) -> findings`` registered in ``CHECKS`` by name;
``check_report`` runs them all and adds the parser's own diagnostics (a heading without a number, a
restart under a same-kind heading, a sidecar value that differs from the text), so a finding is
made in exactly one place. Codes are stable; messages are Chinese.

=========================  ========  ==============================================================
code                       severity  finding
=========================  ========  ==============================================================
missing-part               warning   a required part (举措和成效, 不足和原因, 第一责任人, 下一年度安排) missing
part-within                warning   … present only as a sub-heading inside another part
empty-part                 warning   a part with a heading and no text
short-part                 warning   a part < ``short_part_ratio`` × the median part length
short-report               warning   the body is shorter than ``min_characters``
heading-year               warning   a measures/shortcomings/leadership heading names another year
plans-year                 warning   the plans heading names a year other than the next one
numbering-gap              warning   ``（一）（二）（四）``: a number left out (or not starting at 一)
numbering-repeat           warning   ``（二）（二）``
numbering-order            warning   ``（一）（三）（二）``
numbering-mixed-width      warning   ``（一）`` and ``(二)`` among the same siblings
numbering-restart          warning   (parser) ``一、`` right under ``一、``
unnumbered-heading         warning   (parser) a heading without a number among numbered siblings
late                       warning   published after the deadline, or (no 发布日期) written after it
no-published-date          warning   no 发布日期: timeliness cannot be judged (a 成文日期 never makes it 按时)
early-date                 warning   dated before the covered year ended
date-order                 warning   published before it was written
no-year                    info      the covered year is unknown
sidecar-differs            info      (sidecar) a sidecar value differs from the text: both named
no-agency                  error     (parser) nothing in the title, opening, signature or page metadata names
                                     the issuer: not published until the sidecar gives ``agency``
agency-key-unknown         warning   (parser) the report names itself only as 区政府 / 县委、县政府 and nothing
                                     gives its full name: asks for ``agency_key`` (sidecar or agencies.yml)
privacy-id                 error     an 18-digit ID number with a valid check digit
privacy-mobile             error     a mobile number
privacy-marking            error     a 绝密/机密/秘密/内部 marking
format-character           error     a bidi override/embedding/isolate (U+202A–E, U+2066–9) in a line or a
                                     sidecar value; **warning** for other invisible format characters (Cf:
                                     zero-width space/joiners, direction marks, U+FEFF inside the text)
control-character          warning   a character no XML file can hold (a form feed, U+FFFE …): the feed
                                     and the charts leave it out
reused-paragraph           info      a paragraph identical to one of the agency's previous year
duplicate-report           error     (folder) two reports of one agency and year
not-reported               warning   (folder) a unit ``agencies.yml`` expects (``expected:``) has no report
                                     for a year the site covers (the 未公开名单); file agencies.yml
correction-no-reason       warning   (record) a published report changed and its sidecar gives no new
                                     ``correction: {date, reason}``
version-recorded           info      (record) a new version was added to ``history/``: commit it
published-file-missing     error     (record) a published report's raw file is gone without a withdrawal
                                     (``build_site.py withdraw``); its last good version stays
withdrawn                  info      (record) the raw file of a withdrawn report is still in seeds/
unrecorded-change          error     (record, ``--frozen-record``) a change with no committed entry
history-unreadable         error     (record, ``check``) a ``history/`` file cannot be read
=========================  ========  ==============================================================

Checks that need more than one report (a report reused from the year before, two reports of one
agency and year) run over the whole folder in :mod:`lawreports.build.collect`; the units without a
report (:mod:`.unreported`) in :mod:`lawreports.build.pipeline`; the publication record's
(``history/``, issue #18) in :mod:`lawreports.build.recording`. ``build_site.py
check`` also reports files that cannot be read or parsed (``undecodable``,
``bad-character``, ``no-body``, ``sidecar-*`` …) as errors.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable

from ..identity import agency_type as type_of_agency
from ..model import Diagnostic, Report
from ..parts import load_parts
from ..settings import Settings, deadline_for
from .base import Context
from .characters import check_format_characters
from .headings import heading_years, numbering
from .parts import missing_parts, part_lengths, part_sizes, report_length
from .privacy import check_privacy
from .reuse import check_reuse
from .timeliness import Timeliness, check_timeliness, timeliness
from .xmlchars import check_control_characters

Check = Callable[[Report, Context], Iterable[Diagnostic]]

#: Every check, in the order a supervisor reads a report.
CHECKS: tuple[tuple[str, Check], ...] = (
    ("parts", missing_parts),
    ("part-sizes", part_sizes),
    ("length", report_length),
    ("heading-years", heading_years),
    ("numbering", numbering),
    ("timeliness", check_timeliness),
    ("privacy", check_privacy),
    ("format-characters", check_format_characters),
    ("control-characters", check_control_characters),
    ("reuse", check_reuse),
)

#: Parser diagnostics that the checks make themselves (with finer codes), so they are not passed on.
REPLACED_PARSER_CODES = frozenset({"missing-part"})

SEVERITIES = ("error", "warning", "info")


def check_report(
    report: Report,
    settings: Settings,
    previous: Report | None = None,
    agency_type: str | None = None,
    deadline: dt.date | None = None,
    public: tuple[str, ...] = (),
) -> list[Diagnostic]:
    """Every finding about one report, sorted by line and code.

    ``previous``: the same agency's report of the year before (for text reuse). ``agency_type``
    (government | department) chooses the configured deadline; by default it is inferred from the
    agency's name. ``deadline`` overrides the configured one (a sidecar's ``deadline:``).
    """
    kind = agency_type or type_of_agency(report.agency)
    if deadline is None and report.year is not None:
        deadline = deadline_for(settings, kind, report.year)
    ctx = Context(settings=settings, table=load_parts(), agency_type=kind, deadline=deadline, previous=previous,
                  public=public)
    findings = [d for d in report.diagnostics if d.code not in REPLACED_PARSER_CODES]
    for _name, check in CHECKS:
        findings.extend(check(report, ctx))
    return sorted(findings, key=lambda d: (d.file, d.line or 0, d.code, d.message))


def scorecard(findings: Iterable[Diagnostic]) -> dict:
    """Counts for a report's scorecard: ``{"total", "status", "by_severity", "by_code"}``.

    ``status`` is the worst severity found, or ``"ok"``; ``by_severity`` always has the three
    severities; ``by_code`` is sorted by code. Deterministic, JSON- and YAML-safe.
    """
    items = list(findings)
    by_severity = {s: sum(1 for d in items if d.severity == s) for s in SEVERITIES}
    codes = Counter(d.code for d in items)
    status = next((s for s in SEVERITIES if by_severity[s]), "ok")
    return {
        "total": len(items),
        "status": status,
        "by_severity": by_severity,
        "by_code": {code: codes[code] for code in sorted(codes)},
    }


def findings_by_file(findings: Iterable[Diagnostic]) -> dict[str, list[Diagnostic]]:
    """Findings grouped by raw file name (the key of a report page's ``source``)."""
    out: dict[str, list[Diagnostic]] = {}
    for item in findings:
        out.setdefault(item.file, []).append(item)
    return out


__all__ = [
    "CHECKS",
    "Context",
    "Timeliness",
    "check_report",
    "findings_by_file",
    "part_lengths",
    "scorecard",
    "timeliness",
]
