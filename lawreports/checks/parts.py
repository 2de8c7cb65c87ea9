"""The four required parts (《法治政府建设与责任落实督察工作规定》第二十六条) and how much each says.

Codes: ``missing-part``, ``part-within``, ``empty-part``, ``short-part``, ``short-report``.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterator

from ..model import REQUIRED_PARTS, Diagnostic, Heading, Report
from ..text import characters
from .base import Context, block_text, finding


def missing_parts(report: Report, ctx: Context) -> Iterator[Diagnostic]:
    """A required part with no level-1 heading of its own; ``part-within`` when only a sub-heading holds it.

    A report without any heading gets the parser's ``no-headings`` warning instead of four findings.
    """
    if not report.headings:
        return
    for key in REQUIRED_PARTS:
        if report.parts.get(key) is not None:
            continue
        label = ctx.table.label(key)
        inner = report.heading(report.parts_within[key]) if key in report.parts_within else None
        if inner is not None:
            outer = top_heading(report, inner)
            where = f"“{outer.title}”" if outer else "其他部分"
            yield finding(report, inner.line, "warning", "part-within",
                          f"“{label}”没有单列为一部分，只在{where}下的小标题“{inner.title}”中出现")
        else:
            yield finding(report, None, "warning", "missing-part", f"缺少“{label}”部分")


def top_heading(report: Report, heading: Heading) -> Heading | None:
    """The level-1 heading ``heading`` stands under (itself when it is level 1)."""
    top = None
    for item in report.headings:
        if item.level == 1:
            top = item
        if item is heading:
            return top
    return None


def part_lengths(report: Report) -> dict[str, int]:
    """Characters in each part the report has, under its level-1 heading(s): sub-headings and text."""
    return {
        key: sum(characters(block_text(b)) for b in report.part_blocks(key)
                 if not (isinstance(b, Heading) and b.level == 1))
        for key, anchor in report.parts.items()
        if anchor is not None
    }


def part_sizes(report: Report, ctx: Context) -> Iterator[Diagnostic]:
    """An empty part (its heading and nothing under it), and a part far shorter than the others
    (< ``short_part_ratio`` × the median length of the parts that have content)."""
    lengths = part_lengths(report)
    filled = [n for n in lengths.values() if n > 0]
    median = statistics.median(filled) if len(filled) >= 2 else 0
    for key, length in lengths.items():
        heading = report.heading(report.parts[key] or "")
        line = heading.line if heading else None
        title = f"“{heading.title}”" if heading else f"“{ctx.table.label(key)}”"
        if length == 0:
            yield finding(report, line, "warning", "empty-part", f"{title}部分只有标题，没有内容")
        elif median and length < ctx.settings.short_part_ratio * median:
            yield finding(report, line, "warning", "short-part",
                          f"{title}部分只有 {length} 字，不到各部分字数中位数（{median:g} 字）的 "
                          f"{ctx.settings.short_part_ratio:.0%}")


def report_length(report: Report, ctx: Context) -> Iterator[Diagnostic]:
    total = report.body_characters
    if total < ctx.settings.min_characters:
        yield finding(report, None, "warning", "short-report",
                      f"正文只有 {total} 字，少于 {ctx.settings.min_characters} 字")
