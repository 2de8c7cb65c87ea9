"""Insight pages (issue #8): one part across agencies, one agency across years, figures, keywords.

A pure function of the records (:func:`build`): it reads of each :class:`~lawreports.record.ReportRecord`
its parsed text (``record.report``: parts, headings, paragraphs), its key figures (``record.figures``)
and its word counts (``record.words``) — no raw file, no MkDocs. Report text is data: paragraphs go
into HTML through :func:`lawreports.render.escape_html`, inline pieces of Markdown through
:func:`markup.text`. HTML links are page URLs (:func:`markup.href`); Markdown links are relative
links to a page's source file, so ``mkdocs build --strict`` checks them and their anchors.

Pages (paths relative to docs_dir)::

    compare/index.md                 分析比较: what there is to compare          (overview.py)
    compare/2023/shortcomings.md     2023年各单位“存在的不足和原因”, ≤ 50 agencies a page
                                     (compare/2023/shortcomings/page-2.md …)    (compare.py)
    changes/<agency>/2024.md         one agency: 2023's plans beside 2024's measures; each part diffed
    changes/index.md                 逐年对比: every agency compared year over year  (changes.py)
    tags/index.md                    关键词: each keyword and its reports (tags/page-2.md …)  (tags.py)
    compare/figures.md               具体数据: figures per 1,000 characters, report by report
    data/figures.csv                 every figure (UTF-8 with BOM, for Excel)    (keyfigures.py)

A report page gets :func:`report_extra`: its keywords and links to where it is compared.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ... import keywords as kw
from ...model import PART_KEYS
from ...parts import load_parts
from ...record import ReportRecord
from ...render import escape_html
from .. import markup as md
from ..generated import Generated
from ..htmlblock import block
from ..listings import SiteIndex, year_label
from .changes import YearOverYear, changes_index_pages, changes_pages, changes_uri, diff_html
from .common import CHANGES_INDEX, FIGURES_CSV, Entry, entries_of, figures_rate, part_blocks
from .compare import COMPARE_PER_PAGE, PartComparisons, compare_pages, compare_uri
from .keyfigures import CSV_COLUMNS, figures_csv, figures_pages
from .overview import index_page
from .tags import TAG_PAGE_BUDGET, Tags, tag_chunks, tag_pages

if TYPE_CHECKING:
    from ...settings import Settings

__all__ = [
    "CHANGES_INDEX", "COMPARE_PER_PAGE", "CSV_COLUMNS", "FIGURES_CSV", "TAG_PAGE_BUDGET", "Entry", "Insight",
    "build", "changes_uri", "compare_uri", "diff_html", "figures_rate", "part_blocks", "report_extra", "tag_chunks",
]


@dataclass(frozen=True)
class Insight:
    """The insight pages, and what the report pages get from them."""

    pages: list[Generated]  #: every insight page and ``data/figures.csv``
    entries: list[Entry]  #: the reports, in the index's order (year descending, agency pinyin)
    by_uri: dict[str, Entry]  #: report page uri → entry
    parts: PartComparisons  #: one part across agencies: pages, cards
    changes: YearOverYear  #: one agency across years: pages, pairs
    tags: Tags  #: keywords: each report's, and their pages
    reports_prefix: str  #: the reports folder below docs_dir (``SiteIndex.reports_prefix``)

    @property
    def keywords(self) -> dict[str, tuple[kw.Keyword, ...]]:
        """Each report's keywords, by report page uri."""
        return self.tags.keywords


def build(index: SiteIndex, records: Sequence[ReportRecord], settings: Settings,
          labels: Callable[[str], str]) -> Insight:
    """Every insight page (and ``data/figures.csv``) of the records the index lists.

    ``labels``: a part's label as ``parts.yml`` words it (:meth:`PartTable.label`)."""
    entries = entries_of(index, records)
    per_page = max(1, getattr(settings, "page_size", 100) or 100)
    parts = compare_pages(index, entries, labels, min(per_page, COMPARE_PER_PAGE))
    changes = changes_pages(index, entries)
    tags = tag_pages(index, entries, per_page)
    pages = [index_page(entries, parts, changes), *parts.pages, *changes.pages, *tags.pages,
             *figures_pages(index, entries, per_page), *changes_index_pages(index, changes, per_page),
             figures_csv(entries)]
    return Insight(pages=pages, entries=entries, by_uri={e.uri: e for e in entries}, parts=parts,
                   changes=changes, tags=tags, reports_prefix=index.reports_prefix)


def report_extra(insight: Insight, record: ReportRecord) -> str:
    """What a report page gets appended: its keywords, and links to where it is compared ("" when nothing).

    HTML with page URLs (see ``htmlblock``), because the comparison cards are HTML too: MkDocs
    checks anchors only in Markdown (the site tests check these links in the built site)."""
    uri = f"{insight.reports_prefix}/{record.path}" if insight.reports_prefix else record.path
    if uri not in insight.by_uri:
        return ""
    lines = []
    targets = insight.tags.targets
    words = insight.keywords.get(uri, ())
    if words:
        tags = " ".join(md.a(escape_html(k.word), uri, *targets[k.word], "report-tag")
                        for k in words if k.word in targets)
        lines.append(f'<p class="report-keywords">关键词：{tags}</p>')
    cards = insight.parts.card_targets
    names = load_parts().name
    compare = [md.a(escape_html(names(key)), uri, *cards[(uri, key)]) for key in PART_KEYS if (uri, key) in cards]
    links = []
    if compare:
        links.append(f"与{year_label(record.year)}其他单位对照：" + " · ".join(compare))
    if uri in insight.changes.changes:
        page, prev = insight.changes.changes[uri]
        links.append(md.a(f"与本单位{year_label(prev.record.year)}报告对比", uri, page))
    if uri in insight.changes.followed:
        page, nxt = insight.changes.followed[uri]
        links.append(md.a(f"与本单位{year_label(nxt.record.year)}报告对比", uri, page))
    if links:
        lines.append(f'<p class="report-insight">{"；".join(links)}。</p>')
    return ("\n" + block("\n".join(lines))) if lines else ""
