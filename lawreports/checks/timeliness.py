"""Was the report made public in time? Deadline: 1 April of the following year by default
(《法治政府建设与责任落实督察工作规定》第二十七条), configurable per agency type in ``mkdocs.yml`` and per
report in its sidecar (``deadline:``).

The deadline is about publication, so only a 发布日期 makes a report 按时. A 成文日期 alone proves
lateness (a report written after the deadline cannot have been published before it) but never
timeliness.

Codes: ``late`` (warning: published after the deadline, or written after it), ``no-published-date``
(warning: no 发布日期, so timeliness cannot be judged: the officer is asked for it), ``early-date``
(warning: dated before the covered year ended), ``date-order`` (warning: published before it was
written), ``no-year`` (info: nothing to judge against).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ..model import Diagnostic, Report
from ..parse.header import parse_date
from ..patterns import META_FIELDS
from ..sidecar import sidecar_path
from .base import Context, finding


@dataclass(frozen=True)
class Timeliness:
    """How a report stands against its deadline, for the 合规概览 and its chart of days early/late."""

    #: on-time: published by the deadline; late: published (or already written) after it; unknown: otherwise
    status: Literal["on-time", "late", "unknown"]
    basis: Literal["published", "written"] | None  #: which date was judged; None when there is none
    date: dt.date | None  #: the date judged
    deadline: dt.date | None
    days_late: int | None  #: positive: late (with basis written: at least this late); ≤ 0: days to spare


def timeliness(report: Report, deadline: dt.date | None) -> Timeliness:
    if report.published:
        if deadline is None:
            return Timeliness("unknown", "published", report.published, None, None)
        days = (report.published - deadline).days
        return Timeliness("late" if days > 0 else "on-time", "published", report.published, deadline, days)
    if report.written and deadline is not None and report.written > deadline:
        return Timeliness("late", "written", report.written, deadline, (report.written - deadline).days)
    return Timeliness("unknown", "written" if report.written else None, report.written, deadline, None)


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
    if report.published is None:
        sidecar = sidecar_path(Path(report.source.name)).name
        written = f"只有成文日期 {report.written.isoformat()}" if report.written else "也没有成文日期"
        yield finding(report, date_line(report, "written") if report.written else None, "warning",
                      "no-published-date",
                      f"没有发布日期（{written}），网站上只能显示“发布日期未注明”，无法判断是否按时公开（{deadline}）；"
                      f"请在原文开头写明“发布日期：YYYY年M月D日”，或在旁注文件 {sidecar} 中写 published: YYYY-MM-DD")
    if state.status == "late" and state.basis == "published":
        yield finding(report, date_line(report, "published"), "warning", "late",
                      f"发布日期 {report.published} 晚于{deadline}，逾期 {state.days_late} 天")
    elif state.status == "late" and state.date is not None:
        yield finding(report, date_line(report, "written"), "warning", "late",
                      f"成文日期 {state.date.isoformat()} 已晚于{deadline}，发布必然逾期（至少 {state.days_late} 天）")

    year_end = dt.date(report.year, 12, 31)
    for field, name in (("written", "成文日期"), ("published", "发布日期")):
        value = getattr(report, field)
        if value is not None and value <= year_end:
            yield finding(report, date_line(report, field), "warning", "early-date",
                          f"{name} {value.isoformat()} 早于{report.year}年度结束，年度报告应在年度结束后形成和公开")
    if report.published and report.written and report.published < report.written:
        yield finding(report, date_line(report, "published"), "warning", "date-order",
                      f"发布日期 {report.published.isoformat()} 早于成文日期 {report.written.isoformat()}")
