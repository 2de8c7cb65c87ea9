"""具体数据: the reports by key figures per 1,000 characters (``compare/figures.md``), and every
figure in ``data/figures.csv``."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from ...render import FIGURES_ANCHOR, escape_html
from .. import markup as md
from ..generated import Generated
from ..listings import SiteIndex, _pager, _pages, pinyin_key, year_label, year_uri
from .common import COMPARE_INDEX, FIGURES_CSV, Entry, page

#: agency: as the report writes it; agency_key: the unit's full name (as on every page)
CSV_COLUMNS = ("source", "agency", "agency_key", "year", "page", "anchor", "line", "figure", "value", "unit",
               "number", "sentence")


def figures_pages(index: SiteIndex, entries: Sequence[Entry], per_page: int) -> list[Generated]:
    rows = sorted(entries, key=lambda e: (-e.rate, -len(e.record.figures), _order(e)))
    pages = _pages("compare/figures", rows, per_page)
    uris = [u for u, _ in pages]
    out = []
    for k, (uri, chunk) in enumerate(pages, start=1):
        table = md.html_table(
            ["报告", "单位", "年度", "字数", "具体数据", "每千字"],
            [[md.a(escape_html(e.record.display_title), uri, e.uri, FIGURES_ANCHOR),
              md.a(escape_html(index.agency(e.record).name), uri, index.agency(e.record).uri),
              md.a(year_label(e.record.year), uri, year_uri(e.record.year)),
              str(e.record.characters), f"{len(e.record.figures)} 处", f"{e.rate}"] for e in chunk],
        )
        intro = (
            "报告正文中以阿拉伯数字表述的数量（如“开展培训19次”“办理274件”“满意率100%”），"
            "按每千字的处数从高到低排列；年份、日期、文号和序号不计。每份报告页面末尾的“关键数据”列出原句和所在章节。"
            f"全部数据可下载：{md.link('figures.csv', uri, FIGURES_CSV)}（UTF-8，可用 Excel 打开）。"
            f"{md.link('全部比较', uri, COMPARE_INDEX)}"
        )
        suffix = f"（第{k}页）" if k > 1 else ""
        out.append(Generated(uri, page("具体数据" + suffix, "具体数据" + suffix, "figures", intro, table,
                                       _pager(uris, k, len(rows)))))
    return out


def _order(e: Entry) -> tuple:
    return (pinyin_key(e.record.agency_key), e.record.year or 0, e.uri)


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else repr(value)


def figures_csv(entries: Sequence[Entry]) -> Generated:
    """Every figure of every report, one a row; UTF-8 with a BOM so that Excel reads the Chinese; every
    cell through :func:`~..markup.csv_cell` (no cell can start a formula; numbers stay numbers)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for e in entries:
        r = e.record
        url = md.url(e.uri)
        for f in r.figures:
            writer.writerow([md.csv_cell(v) for v in (r.source, r.agency, r.agency_key, r.year, url, f.anchor, f.line,
                                                      f.figure, f.value, f.unit, _number(f.number), f.text)])
    return Generated(FIGURES_CSV, "\ufeff" + out.getvalue())
