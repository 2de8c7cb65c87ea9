"""What the insight pages share: the reports as entries, one part's text, a page's frame, ids."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ...figures import per_thousand
from ...model import Block, Heading, Report
from ...record import ReportRecord
from ...render import escape_html
from ...text import characters as text_characters
from ...text import one_space
from .. import markup as md
from ..listings import SiteIndex

#: Pages that repeat report text stay out of the search index (the report page has it), and give
#: the cards the width of the navigation sidebar.
WIDE_NO_SEARCH = {"search": {"exclude": True}, "hide": ["navigation"]}
#: A part with a heading and no text under it.
EMPTY_PART = '<p class="compare-empty">（此部分只有标题，没有内容）</p>'
#: The section link Python-Markdown's toc extension gives a heading (mkdocs.yml: permalink "¶").
PERMALINK = '<a class="headerlink" href="#{id}" title="本节链接">¶</a>'
FIGURES_CSV = "data/figures.csv"
COMPARE_INDEX = "compare/index.md"
CHANGES_INDEX = "changes/index.md"


@dataclass(frozen=True)
class Entry:
    """A published report as the insight pages see it."""

    record: ReportRecord
    uri: str  #: the report page's source path, e.g. ``reports/2023/nan-kai-qu-si-fa-ju.md``
    rate: float  #: figures per 1,000 characters (the 具体数据 indicator)

    @property
    def report(self) -> Report:
        return self.record.report


def figures_rate(record: ReportRecord) -> float:
    """A report's key figures per 1,000 characters of body text (具体数据, also on 合规概览)."""
    return per_thousand(len(record.figures), record.characters)


def entries_of(index: SiteIndex, records: Sequence[ReportRecord]) -> list[Entry]:
    """The records in the index's order (year descending, agency pinyin); a report the index
    lists without a record is left out (there is no text to compare)."""
    by_path = {r.path: r for r in records}
    out = []
    for info in index.reports:
        record = by_path.get(info.path)
        if record is not None:
            out.append(Entry(record, index.report_uri(info), figures_rate(record)))
    return out


def agency_name(index: SiteIndex, e: Entry) -> str:
    """The agency as the agency table names it (东丽区人民政府办公室, not the report's 区政府办公室):
    on a page of many agencies the short form would be ambiguous."""
    return index.agency(e.record).name


def part_blocks(report: Report, key: str) -> tuple[Heading | None, list[Block], bool]:
    """(heading, the blocks under it, only-within) of a part: its level-1 heading when it has one,
    else the sub-heading of another part that holds it (``parts_within``), else (None, [], False)."""
    anchor = report.parts.get(key)
    within = False
    if not anchor:
        anchor = report.parts_within.get(key)
        within = anchor is not None
    if not anchor:
        return None, [], False
    body = list(report.body)
    start = next((k for k, b in enumerate(body) if isinstance(b, Heading) and b.anchor == anchor), None)
    if start is None:
        return None, [], False
    head = body[start]
    assert isinstance(head, Heading)
    blocks: list[Block] = []
    for b in body[start + 1:]:
        if isinstance(b, Heading) and b.level <= head.level:
            break
        blocks.append(b)
    return head, blocks, within


def characters(blocks: Sequence[Block]) -> int:
    """字数 of a part's blocks (sub-headings included)."""
    return sum(text_characters(b.title if isinstance(b, Heading) else b.text) for b in blocks)


def part_html(blocks: Sequence[Block]) -> str:
    """A part's sub-headings (bold lines) and paragraphs as HTML, escaped.

    HTML, not Markdown: a comparison page holds the text of up to 50 reports, and Markdown would
    only turn these paragraphs into the same HTML, slowly (see ``htmlblock``)."""
    out = []
    for b in blocks:
        if isinstance(b, Heading):
            out.append(f'<p class="compare-subheading"><strong>{escape_html(one_space(b.title))}</strong></p>')
        else:
            out.append(f"<p>{escape_html(one_space(b.text))}</p>")
    return "\n".join(out) if out else EMPTY_PART


def ascii_id(prefix: str, value: str, used: set[str]) -> str:
    """An HTML id of ``prefix`` and the ASCII of ``value``, unique among ``used`` (which it joins)."""
    base = prefix + re.sub(r"-+", "-", re.sub(r"[^a-z0-9-]", "", value.lower())).strip("-")
    base = base if base != prefix else f"{prefix}x"
    candidate, n = base, 1
    while candidate in used:
        n += 1
        candidate = f"{base}-{n}"
    used.add(candidate)
    return candidate


def page(title: str, heading: str, anchor: str, intro: str, body: str, pager: str = "", cards: bool = False) -> str:
    """A page's Markdown: front matter, the heading, the intro, the body between two pagers."""
    meta: dict = {"title": title}
    if cards:
        meta.update(WIDE_NO_SEARCH)
    out = md.front_matter(meta) + f"# {heading} {{#{anchor}}}\n\n"
    if intro:
        out += intro + "\n\n"
    if pager:
        out += pager + "\n"
    out += body.rstrip("\n") + "\n"
    if pager:
        out += "\n" + pager
    return out
