"""Was the report made public in time? Deadline: 1 April of the following year by default
(《法治政府建设与责任落实督察工作规定》第二十七条), configurable per agency type in ``mkdocs.yml`` and per
report in its sidecar (``deadline:``).

Codes: ``late`` (warning, with days late), ``written-only`` (info: no 发布日期, judged on 成文日期 and on
time), ``no-date`` (info), ``early-date`` (warning: dated before the covered year ended),
``date-order`` (warning: published before it was written), ``no-year`` (info: nothing to judge against).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from ..model import Diagnostic, Report
from ..parse.header import parse_date
from ..patterns import META_FIELDS
from .base import Context, finding


@dataclass(frozen=True)
class Timeliness:
    """How a report stands against its deadline, for the 合规概览 and its chart of days early/late."""

    status: Literal["on-time", "late", "unknown"]
    basis: Literal["published", "written"] | None  #: which date was judged; None when there is none
    date: dt.date | None  #: the date judged
    deadline: dt.date | None
    days_late: int | None  #: positive: late; zero or negative: days to spare


def timeliness(report: Report, deadline: dt.date | None) -> Timeliness:
    basis: Literal["published", "written"] | None = (
        "published" if report.published else "written" if report.written else None)
    date = report.published or report.written
    if deadline is None or date is None:
        return Timeliness("unknown", basis, date, deadline, None)
    days = (date - deadline).days
    return Timeliness("late" if days > 0 else "on-time", basis, date, deadline, days)


def date_line(report: Report, field: str) -> int | None:
    """The raw line a date was read from: its metadata line, or the signature's date line."""
    value = getattr(report, field)
    for item in report.meta_lines:
        if META_FIELDS.get(item.label) == field and parse_date(item.value) == value:
            return item.line
    if field == "written" and report.signature and report.signature.date == value:
        last = report.signature.lines[-1].strip()
        for line in report.source.lines:
            if line.number >= report.signature.line and line.text.strip() == last:
                return line.number
        return report.signature.line
    return None  # from the sidecar


def check_timeliness(report: Report, ctx: Context) -> Iterator[Diagnostic]:
    if report.year is None:
        yield finding(report, None, "info", "no-year", "未能确定报告所属年度，无法核对标题年份和公开时限")
        return
    state = timeliness(report, ctx.deadline)
    deadline = f"截止日期 {ctx.deadline.isoformat()}" if ctx.deadline else "截止日期未知"
    if state.basis is None or state.date is None:  # one is None when the other is
        yield finding(report, None, "info", "no-date", f"没有发布日期和成文日期，无法判断是否按时公开（{deadline}）")
    elif state.status == "late":
        line = date_line(report, state.basis)
        if state.basis == "published":
            yield finding(report, line, "warning", "late",
                          f"发布日期 {state.date.isoformat()} 晚于{deadline}，逾期 {state.days_late} 天")
        else:
            yield finding(report, line, "warning", "late",
                          f"没有发布日期，按成文日期判断：成文日期 {state.date.isoformat()} 已晚于{deadline}，"
                          f"逾期 {state.days_late} 天")
    elif state.basis == "written":
        yield finding(report, date_line(report, "written"), "info", "written-only",
                      f"没有发布日期，按成文日期 {state.date.isoformat()} 判断为按时（{deadline}）；请补充发布日期")

    year_end = dt.date(report.year, 12, 31)
    for field, name in (("written", "成文日期"), ("published", "发布日期")):
        value = getattr(report, field)
        if value is not None and value <= year_end:
            yield finding(report, date_line(report, field), "warning", "early-date",
                          f"{name} {value.isoformat()} 早于{report.year}年度结束，年度报告应在年度结束后形成和公开")
    if report.published and report.written and report.published < report.written:
        yield finding(report, date_line(report, "published"), "warning", "date-order",
                      f"发布日期 {report.published.isoformat()} 早于成文日期 {report.written.isoformat()}")
