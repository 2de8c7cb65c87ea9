"""分析比较 (``compare/index.md``): what there is to compare, and where."""

from __future__ import annotations

from collections.abc import Sequence

from ...model import PART_KEYS
from ...parts import load_parts
from .. import markup as md
from ..generated import Generated
from ..listings import year_label, year_uri
from .changes import YearOverYear
from .common import CHANGES_INDEX, COMPARE_INDEX, FIGURES_CSV, Entry, page
from .compare import PartComparisons


def index_page(entries: Sequence[Entry], parts: PartComparisons, changes: YearOverYear) -> Generated:
    uri = COMPARE_INDEX
    lines = []
    years = sorted({y for y, _ in parts.part_pages}, reverse=True)
    lines.append("## 同一部分，各单位对照 {#by-part}\n")
    if years:
        lines.append("同一年度各单位报告的同一部分并列，便于对照各单位的举措、问题和安排。\n")
        rows = []
        for year in years:
            cells = [md.link(year_label(year), uri, year_uri(year))]
            for key in PART_KEYS:
                pages = parts.part_pages.get((year, key))
                cells.append(md.link(f"{parts.having.get((year, key), 0)} 份", uri, pages[0]) if pages else "—")
            rows.append(cells)
        lines.append(md.table(["年度", *(load_parts().name(k) for k in PART_KEYS)], rows) + "\n")
    else:
        lines.append("暂无可对照的报告。\n")

    lines.append("## 逐年对比 {#by-agency}\n")
    if changes.changes:
        agencies = len({e.record.agency_key for e in entries if e.uri in changes.changes})
        lines.append("同一单位相邻两个年度的报告：上年的安排与本年的举措并列，各部分逐段对比，标出沿用、修改、新增和删除。"
                     f"{md.link(f'{agencies} 个单位的逐年对比', uri, CHANGES_INDEX)}。\n")
    else:
        lines.append("暂无两个以上年度都有报告的单位。\n")

    lines.append("## 具体数据与关键词 {#more}\n")
    lines.append(
        f"- {md.link('具体数据', uri, 'compare/figures.md')}：各报告以数字表述的数量，每千字的处数（"
        f"{md.link('figures.csv', uri, FIGURES_CSV)}）\n"
        f"- {md.link('关键词', uri, 'tags/index.md')}：每份报告的关键词和含有同一关键词的报告\n"
    )
    undated = sum(1 for e in entries if e.record.year is None)
    if undated:
        lines.append(f"有 {undated} 份报告年度不详，未列入同一年度的对照和逐年对比。\n")
    intro = "对照各单位的同一部分、同一单位的不同年度，以及报告中的具体数据和关键词。"
    return Generated(uri, page("分析比较", "分析比较", "compare", intro, "\n".join(lines)))
