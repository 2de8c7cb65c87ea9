"""Text reuse: a paragraph copied word for word from the same agency's report of the year before.

Code ``reused-paragraph`` (info): evaluators look for it, but a repeated sentence of principle is
not wrong in itself. Paragraphs shorter than ``MIN_REUSED`` characters (``一是……``-lines, dates) are
ignored; whitespace does not count.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Diagnostic, Paragraph, Report
from ..text import paragraph_key
from .base import Context, finding, quote

MIN_REUSED = 30  #: characters (non-whitespace) a paragraph needs before its reuse is worth a finding


def check_reuse(report: Report, ctx: Context) -> Iterator[Diagnostic]:
    previous = ctx.previous
    if previous is None:
        return
    earlier: dict[str, int] = {}
    for block in previous.body:
        if isinstance(block, Paragraph) and len(key := paragraph_key(block.text)) >= MIN_REUSED:
            earlier.setdefault(key, block.line)
    year = f"{previous.year}年度" if previous.year else "上一年度"
    for block in report.body:
        if isinstance(block, Paragraph) and (key := paragraph_key(block.text)) in earlier:
            yield finding(report, block.line, "info", "reused-paragraph",
                          f"段落{quote(block.text)}与{year}报告 {previous.source.name} 第 "
                          f"{earlier[key]} 行一字不差")
