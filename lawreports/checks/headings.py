"""Headings a supervisor reads first: the years they name and how they are numbered.

Codes: ``heading-year``, ``plans-year``, ``numbering-gap``, ``numbering-repeat``, ``numbering-order``,
``numbering-mixed-width``. A restart under a same-kind heading (``numbering-restart``) and a heading
without a number (``unnumbered-heading``) are found by the parser, which needs them to build the
tree; their diagnostics are passed through unchanged, never found twice.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Diagnostic, Heading, Report
from ..parse.header import years_in
from .base import Context, finding, marker_text

#: Parts whose level-1 headings must name the report's own year, if they name one.
SAME_YEAR_PARTS = ("measures", "shortcomings", "leadership")


def heading_years(report: Report, ctx: Context) -> Iterator[Diagnostic]:
    """Level-1 headings naming a year other than the covered one (plans: other than the next one).

    A heading naming no year (``四、下一年度推进法治政府建设的主要安排``) is fine; years inside
    《…》 and ranges (``2021—2025年``) are not read as years, as in the parser.
    """
    if report.year is None:
        return
    for heading in report.headings:
        if heading.level != 1 or heading.part not in (*SAME_YEAR_PARTS, "plans"):
            continue
        # a heading naming two parts (一、2023年工作情况和2024年工作打算) may name both their years
        named = {heading.part, *ctx.table.classify_all(heading.title)}
        allowed = {report.year + 1 if part == "plans" else report.year for part in named
                   if part in (*SAME_YEAR_PARTS, "plans")}
        wrong = [y for y in sorted(set(years_in(heading.title))) if y not in allowed]
        if not wrong:
            continue
        if heading.part == "plans":
            yield finding(report, heading.line, "warning", "plans-year",
                          f"下一年度安排的标题“{heading.title}”写的是{_years(wrong)}，"
                          f"{report.year}年度报告的下一年度应为{report.year + 1}年")
        else:
            yield finding(report, heading.line, "warning", "heading-year",
                          f"标题“{heading.title}”写的是{_years(wrong)}，本报告是{report.year}年度报告")


def _years(years: list[int]) -> str:
    return "、".join(f"{y}年" for y in years)


def sibling_runs(headings: tuple[Heading, ...]) -> list[list[Heading]]:
    """Headings numbered in one sequence: same parent, same level, same marker kind, in order.

    An unnumbered heading joins the run of the numbered siblings around it (it holds a place in the
    sequence: seed 002's unnumbered heading stands where ``（四）`` would).
    """
    groups: dict[tuple[str, int], list[Heading]] = {}
    stack: list[Heading] = []
    for heading in headings:
        del stack[heading.level - 1:]
        parent = stack[-1].anchor if stack else ""
        groups.setdefault((parent, heading.level), []).append(heading)
        stack.append(heading)
    runs: list[list[Heading]] = []
    for siblings in groups.values():
        by_kind: dict[str, list[Heading]] = {}
        kind = next((h.marker.kind for h in siblings if h.marker), "none")
        for heading in siblings:
            if heading.marker:
                kind = heading.marker.kind
            by_kind.setdefault(kind, []).append(heading)
        runs.extend(run for run in by_kind.values() if any(h.marker for h in run))
    return runs


def numbering(report: Report, ctx: Context) -> Iterator[Diagnostic]:
    for run in sibling_runs(report.headings):
        yield from _sequence(report, run)
        yield from _widths(report, run)


def _sequence(report: Report, run: list[Heading]) -> Iterator[Diagnostic]:
    """Repeats, numbers going backwards, and numbers left out (``（一）（二）（四）``)."""
    kind = next(h.marker.kind for h in run if h.marker)
    seen: dict[int, Heading] = {}
    highest = 0
    for heading in run:
        marker = heading.marker
        if marker is None:
            continue
        if marker.value in seen:
            yield finding(report, heading.line, "warning", "numbering-repeat",
                          f"序号重复：“{heading.title}”与第 {seen[marker.value].line} 行"
                          f"“{seen[marker.value].title}”都是“{marker.text}”")
        elif marker.value < highest:
            yield finding(report, heading.line, "warning", "numbering-order",
                          f"序号顺序颠倒：“{heading.title}”排在“{seen[highest].title}”之后")
        seen.setdefault(marker.value, heading)
        highest = max(highest, marker.value)

    missing = set(range(1, highest + 1)) - set(seen)
    place = 0  # an unnumbered heading holds the place after the sibling before it
    for heading in run:
        if heading.marker is None:
            place += 1
            missing.discard(place)
        else:
            place = heading.marker.value
    reported: set[int] = set()
    for heading in run:
        if heading.marker is None:
            continue
        left_out = sorted(m for m in missing if m < heading.marker.value and m not in reported)
        if not left_out:
            continue
        reported.update(left_out)
        names = _names(kind, left_out, heading.marker.fullwidth)
        if left_out[0] == 1 and heading is _first_numbered(run):
            what = f"序号没有从“{marker_text(kind, 1, heading.marker.fullwidth)}”开始"
        else:
            what = "序号不连续"
        yield finding(report, heading.line, "warning", "numbering-gap", f"{what}：“{heading.title}”之前缺少{names}")


def _names(kind: str, values: list[int], fullwidth: bool) -> str:
    """“（三）”, “（三）”、“（五）”, or “（三）”至“（九）” for a run of three or more."""
    quoted = [f"“{marker_text(kind, v, fullwidth)}”" for v in values]
    if len(values) >= 3 and values[-1] - values[0] == len(values) - 1:
        return f"{quoted[0]}至{quoted[-1]}"
    return "、".join(quoted)


def _first_numbered(run: list[Heading]) -> Heading | None:
    return next((h for h in run if h.marker), None)


def _widths(report: Report, run: list[Heading]) -> Iterator[Diagnostic]:
    """Full-width ``（一）`` and half-width ``(二)`` markers among the same siblings: one finding per run."""
    numbered = [(h, h.marker) for h in run if h.marker]
    widths = {m.fullwidth for _, m in numbered}
    if len(widths) < 2:
        return
    full = sum(1 for _, m in numbered if m.fullwidth)
    majority = full * 2 >= len(numbered)  # ties: full-width is the norm of official documents
    odd = [(h, m) for h, m in numbered if m.fullwidth != majority]
    examples = "、".join(f"“{m.text}”" for _, m in odd[:3])
    usual = next(m for _, m in numbered if m.fullwidth == majority)
    yield finding(report, odd[0][0].line, "warning", "numbering-mixed-width",
                  f"同级序号全角、半角混用：{examples}与“{usual.text}”写法不一致")
