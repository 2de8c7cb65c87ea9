"""One part across agencies: a year's reports side by side, one card a report (``compare/<year>/<part>.md``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ...model import PART_KEYS, Block, Heading, Report
from ...parts import load_parts
from ...render import escape_html
from ...text import one_space
from .. import markup as md
from ..generated import Generated
from ..htmlblock import block
from ..listings import SiteIndex, _pager, _pages, year_label, year_uri
from .common import COMPARE_INDEX, PERMALINK, Entry, agency_name, ascii_id, characters, page, part_blocks, part_html

#: Agencies on one comparison page (fewer when ``page_size`` is smaller).
COMPARE_PER_PAGE = 50


def compare_uri(year: int, key: str) -> str:
    return f"compare/{year}/{key}.md"


@dataclass(frozen=True)
class PartComparisons:
    """The comparison pages and where each report's card stands."""

    pages: list[Generated] = field(default_factory=list)
    part_pages: dict[tuple[int, str], list[str]] = field(default_factory=dict)  #: (year, part) → page uris
    having: dict[tuple[int, str], int] = field(default_factory=dict)  #: (year, part) → reports with the part
    card_targets: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    """(report uri, part) → (page uri, anchor) of its card"""


def compare_pages(index: SiteIndex, entries: Sequence[Entry], labels: Callable[[str], str],
                  per_page: int) -> PartComparisons:
    """A page (or several, ``per_page`` cards each) for every year and part some report of the year has."""
    out = PartComparisons()
    years: dict[int, list[Entry]] = {}
    for e in entries:
        if e.record.year is not None:
            years.setdefault(e.record.year, []).append(e)
    for year, of_year in years.items():
        for key in PART_KEYS:
            having = [(e, *part_blocks(e.report, key)) for e in of_year]
            cards = [(e, head, blocks, within) for e, head, blocks, within in having if head is not None]
            if not cards:
                continue
            lacking = [e for e, head, _, _ in having if head is None]
            pages = _pages(compare_uri(year, key)[: -len(".md")], cards, per_page)
            uris = [u for u, _ in pages]
            out.part_pages[(year, key)] = uris
            out.having[(year, key)] = len(cards)
            for k, (uri, chunk) in enumerate(pages, start=1):
                used: set[str] = {"compare", "missing"}
                rendered = []
                for e, head, blocks, within in chunk:
                    anchor = ascii_id("a-", index.agency(e.record).slug, used)
                    out.card_targets[(e.uri, key)] = (uri, anchor)
                    rendered.append(_card(index, e, head, blocks, within, uri, anchor))
                suffix = f"（第{k}页）" if k > 1 else ""
                title = f"{year}年各单位“{load_parts().name(key)}”"
                within_count = sum(1 for c in cards if c[3])
                intro = (
                    f"{year}年度共 {len(of_year)} 份报告，{len(cards)} 份有“{md.text(labels(key))}”部分"
                    + (f"（其中 {within_count} 份只在其他部分的小标题下）" if within_count else "")
                    + "，按单位名称的拼音排列，每个单位链接到报告原文中的这一部分。"
                    + f"{md.link('全部比较', uri, COMPARE_INDEX)} · "
                    + md.link(year_label(year) + "的报告", uri, year_uri(year))
                )
                # The cards are one HTML block (see ``htmlblock``): 50 cards of report text cost
                # Markdown ~1 ms each for nothing. Their headings carry their own ¶ link; the
                # page's table of contents does not list them.
                body = block('<div class="compare-grid">\n' + "\n".join(rendered) + "\n</div>")
                if lacking and k == len(pages):
                    names = "、".join(md.a(escape_html(agency_name(index, e)), uri, e.uri) for e in lacking)
                    body += f"\n## 没有此部分的报告 {{#missing}}\n{block(f'<p>{names}。</p>')}"
                out.pages.append(Generated(uri, page(title + suffix, md.text(title) + suffix, "compare", intro, body,
                                                     _pager(uris, k, len(cards)), cards=True)))
    return out


def _card(index: SiteIndex, e: Entry, head: Heading, blocks: Sequence[Block], within: bool, uri: str,
          anchor: str) -> str:
    facts = [md.a(escape_html(one_space(head.title)), uri, e.uri, head.anchor, "compare-source")]
    facts.append(f"{characters(blocks)} 字")
    figures = sum(1 for f in e.record.figures if _under(e.report, f.anchor, head))
    if figures:
        facts.append(f"具体数据 {figures} 处")
    if within:
        facts.append("（见于其他部分的小标题下）")
    return (
        f'<section class="compare-card">\n'
        f'<h2 id="{anchor}">{escape_html(agency_name(index, e))}{PERMALINK.format(id=anchor)}</h2>\n'
        f'<p class="compare-meta">{" · ".join(facts)}</p>\n{part_html(blocks)}\n</section>'
    )


def _under(report: Report, anchor: str, head: Heading) -> bool:
    """Whether the section ``anchor`` is ``head`` or lies under it."""
    inside = False
    for b in report.body:
        if isinstance(b, Heading):
            if b.anchor == head.anchor:
                inside = True
            elif inside and b.level <= head.level:
                return False
            if inside and b.anchor == anchor:
                return True
    return False
