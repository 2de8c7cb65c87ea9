"""The 合规概览 pages: the table of every report (two sort orders, paginated), the counts and the charts.

Sorting is done here, not in the browser: the table is paginated (``page_size`` rows a page), so
only the server can sort across pages, and it works without JavaScript. Two pre-sorted views are
linked from the column headers, the sorted column carries ``aria-sort``, and a line above the
table names the order and links to the other one.

Pages (paths relative to docs_dir; ``page_size`` rows a page)::

    compliance/index.md              by year (newest first), then agency pinyin; counts and charts
    compliance/page-2.md …
    compliance/by-agency.md          by agency pinyin, then year (newest first)
    compliance/by-agency/page-2.md …
    compliance/charts/*.svg          the charts as files of their own

The table is HTML (an ``aria-sort`` attribute cannot be written in a Markdown table), so its links
are site URLs made by :func:`markup.href`; report-derived text is escaped with :func:`html.escape`.
Everything else is Markdown with :mod:`markup` helpers, checked by ``mkdocs build --strict`` like
every other generated page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ..checks import Timeliness
from ..checks.unreported import Roster
from ..model import Diagnostic
from . import charts, htmlblock
from . import markup as md
from .compliance import (
    BY_AGENCY,
    CHART_ROWS,
    CHARTS_DIR,
    INDEX,
    PART_STATES,
    SUMMARY_ID,
    Compliance,
    ReportCheck,
    _e,
    timing_class,
    timing_text,
)
from .compliance import (
    rows as compliance_rows,
)
from .generated import Generated
from .listings import SiteIndex, _pager, _pages, pinyin_key, year_label

if TYPE_CHECKING:
    from ..parts import PartTable
    from ..record import ReportRecord


def agency_name(index: SiteIndex, info: ReportRecord) -> str:
    """The unit's full name, as on every page (the listings' :attr:`Agency.name`)."""
    return index.agency(info).name


def by_agency_order(index: SiteIndex, rows: Sequence[ReportCheck]) -> list[ReportCheck]:
    return sorted(rows, key=lambda r: (pinyin_key(agency_name(index, r.info)), -(r.info.year or 0),
                                       r.info.year is None, r.uri))


def _part_cell(row: ReportCheck, key: str, page_uri: str, parts: PartTable) -> str:
    state = row.part_state(key)
    symbol, words, cls = PART_STATES[state]
    tip = _e(f"{parts.label(key)}：{words}")
    inner = f'<span aria-hidden="true">{symbol}</span><span class="compliance-sr">{_e(words)}</span>'
    if state in ("present", "within"):
        anchor = row.info.parts.get(key) or row.info.parts_within.get(key)
        return f'<td class="cp {cls}"><a href="{md.href(page_uri, row.uri, anchor)}" title="{tip}">{inner}</a></td>'
    return f'<td class="cp {cls}" title="{tip}">{inner}</td>'


def overview_table(index: SiteIndex, rows: Sequence[ReportCheck], page_uri: str, sort: str, parts: PartTable) -> str:
    """The HTML table: 单位 · 年度 · the five parts · 公开时限. ``sort``: ``year`` | ``agency``."""

    def sortable(name: str, key: str, target: str, order: str) -> str:
        if sort == key:
            arrow = "↓" if order == "descending" else "↑"
            words = "降序" if order == "descending" else "升序"
            return (f'<th scope="col" aria-sort="{order}">{name}<span aria-hidden="true"> {arrow}</span>'
                    f'<span class="compliance-sr">（{words}）</span></th>')
        return (f'<th scope="col"><a href="{md.href(page_uri, target)}" title="按{name}排序">{name}'
                f'<span class="compliance-sr">（点击按{name}排序）</span></a></th>')

    head = [
        sortable("单位", "agency", BY_AGENCY, "ascending"),
        sortable("年度", "year", INDEX, "descending"),
        *(f'<th scope="col" title="{_e(parts.label(k))}">{_e(parts.short(k))}</th>' for k in parts.keys),
        '<th scope="col">公开时限</th>',
    ]
    body = []
    for row in rows:
        info = row.info
        report = md.href(page_uri, row.uri)
        cells = [
            f'<th scope="row"><a href="{report}" title="{_e(info.display_title)}">'
            f"{_e(agency_name(index, info))}</a></th>",
            f"<td>{_e(year_label(info.year))}</td>",
            *(_part_cell(row, k, page_uri, parts) for k in parts.keys),
            f'<td class="{timing_class(row.timing)}"><a href="{md.href(page_uri, row.uri, SUMMARY_ID)}">'
            f"{_e(timing_text(row.timing))}</a></td>",
        ]
        body.append("<tr>" + "".join(cells) + "</tr>")
    order = "按单位名称拼音排序" if sort == "agency" else "按年度从新到旧、再按单位名称拼音排序"
    caption = f"各报告的组成部分和公开时限（{order}）"
    return "\n".join([
        '<div class="compliance-wrap" role="region" aria-label="合规概览表" tabindex="0">',
        '<table class="compliance-table">',
        f"<caption>{caption}</caption>",
        "<thead><tr>" + "".join(head) + "</tr></thead>",
        "<tbody>",
        *body,
        "</tbody>",
        "</table>",
        "</div>",
    ])


def counts_markdown(c: Compliance) -> str:
    """The 概况 in plain words: parts and timeliness (按时 only from a 发布日期)."""
    rows = c.rows
    complete = sum(1 for r in rows if r.complete)
    within = sum(1 for r in rows if not r.complete and all(r.part_state(k) != "missing" for k in c.required))
    missing = sum(1 for r in rows if any(r.part_state(k) == "missing" for k in c.required))
    timed = [r.timing for r in rows]
    on_time = sum(1 for t in timed if t and t.status == "on-time")
    late = sum(1 for t in timed if t and t.status == "late")
    late_written = sum(1 for t in timed if t and t.status == "late" and t.basis == "written")
    no_date = sum(1 for r, t in zip(rows, timed, strict=True) if t is not None and t.status == "unknown"
                  and not r.info.published)
    other = len(rows) - on_time - late - no_date
    late_note = f"（其中 {late_written} 份未注明发布日期，但成文日期已晚于截止日期）" if late_written else ""
    lines = [
        f"- 报告 **{len(rows)}** 份；规定的 {len(c.required)} 个部分齐全的 **{complete}** 份，"
        f"有部分没有单独成章、只写在其他部分小标题下的 {within} 份，缺少规定部分的 {missing} 份。",
        f"- 公开时限：按时公开 **{on_time}** 份，逾期 **{late}** 份{late_note}，"
        f"未注明发布日期、无法判断是否按时的 **{no_date}** 份"
        + (f"，报告年度不详、无法判断的 {other} 份" if other else "") + "。",
    ]
    unpublished = c.checked - len(c.rows)  # raw files that failed (not a sidecar's findings)
    if unpublished:
        lines.append(f"- 另有 {unpublished} 份报告文件未能发布，未列入下表。")
    return "\n".join(lines) + "\n"


LEGEND = (
    "图例：<span aria-hidden=\"true\">✓</span> 有此部分（链接到该部分）；"
    "<span aria-hidden=\"true\">◐</span> 只在其他部分的小标题下；"
    "<span aria-hidden=\"true\">✗</span> 缺少；"
    "<span aria-hidden=\"true\">–</span> 没有“其他需要报告的情况”（非必需）。"
    "公开时限只按发布日期判断：报告未注明发布日期的，无法判断是否按时"
    "（成文日期已晚于截止日期的，必然逾期）。\n{: .compliance-legend }\n"
)


def unreported_markdown(roster: Roster | None) -> str:
    """The 未公开名单: per covered year (an item each: no heading lengthens the table of contents, no
    table scrolls sideways on a phone),
    the units the agency table expects to report that have no report on this site. Names are text, not
    links: links inside a run of text are told apart by colour alone (axe: link-in-text-block)."""
    out = ["## 未公开名单 {#unreported}\n"]
    if roster is None or not roster.expected:
        out.append("本站的单位名单未登记应公开报告的单位及年度，暂不能列出未公开名单。\n")
        return "\n".join(out)
    out.append("按本站登记的应公开报告的单位，各年度尚未在本站公开报告的单位如下"
               "（报告可能已在其他渠道公开而本站尚未收录）。\n")
    items = []
    for year, expected in roster.expected.items():
        names = [md.text(m.agency.key) + (f"（{md.text(m.agency.region)}）" if m.agency.region else "")
                 for m in roster.missing_in(year)]
        missing = f"{len(names)} 个未公开：" + "、".join(names) if names else "均已公开"
        items.append(f"- **{year}年度**：应公开报告的单位 {expected} 个，{missing}。")
    out.append("\n".join(items) + "\n")
    return "\n".join(out)


def overview_pages(c: Compliance, index: SiteIndex, parts: PartTable, per_page: int,
                   roster: Roster | None = None) -> list[Generated]:
    svgs = chart_svgs(c, index)
    counts = counts_markdown(c)  # the same on every page: counted once (10,000 rows)
    out: list[Generated] = []
    views = (("year", "compliance/index", c.rows), ("agency", "compliance/by-agency", by_agency_order(index, c.rows)))
    for sort, base, rows in views:
        pages = _pages(base, rows, per_page)
        uris = [u for u, _ in pages]
        for k, (uri, chunk) in enumerate(pages, start=1):
            suffix = f"（第{k}页）" if k > 1 else ""
            order = ("当前按**年度**（从新到旧）排序 · " + md.link("按单位排序", uri, BY_AGENCY) if sort == "year"
                     else "当前按**单位**（名称拼音）排序 · " + md.link("按年度排序", uri, INDEX))
            text = md.front_matter({"title": "合规概览" + suffix, "hide": ["navigation"]})
            text += f"# 合规概览{suffix} {{#compliance}}\n\n"
            text += (
                "每份报告是否具备《法治政府建设与责任落实督察工作规定》第二十六条要求的各部分、是否按时公开，"
                "以及应公开而尚未公开报告的单位。单击单位名称查看报告，单击公开时限查看所依据的日期。\n\n"
            )
            text += "## 概况 {#counts}\n\n" + counts + "\n"
            if sort == "year" and k == 1:
                text += ("见下方" + md.link("未公开名单", uri, uri, "unreported") + "和"
                         + md.link("图表", uri, uri, "charts") + "。\n\n")
            text += "## 报告一览 {#reports}\n\n"
            text += f"{order}\n{{: .compliance-sort }}\n\n" + LEGEND + "\n"
            pager = _pager(uris, k, len(rows))
            if pager:
                text += pager + "\n"
            # 100 rows of HTML: passed through, not re-parsed by Markdown's HTML block parser (rawhtml)
            text += htmlblock.block(overview_table(index, chunk, uri, sort, parts)) + "\n"
            if pager:
                text += pager + "\n"
            if sort == "year" and k == 1:
                text += unreported_markdown(roster) + "\n" + charts_markdown(svgs, uri)
            out.append(Generated(uri, text))
    out += [Generated(f"{CHARTS_DIR}/{name}.svg", svg + "\n") for name, (_, svg, _) in svgs.items()]
    return out


# ---------------------------------------------------------------------------------------------
# Charts


def chart_svgs(c: Compliance, index: SiteIndex) -> dict[str, tuple[str, str, str]]:
    """name → (heading, SVG, note) for the three charts, in page order."""
    out: dict[str, tuple[str, str, str]] = {}

    years = [(y, rs) for y, rs in index.years if y is not None]
    bars = [charts.Bar(year_label(y), len(rs), f"{len(rs)} 份") for y, rs in sorted(years)]
    desc = "；".join(f"{b.label} {b.text}" for b in bars) or "暂无报告"
    unknown = sum(len(rs) for y, rs in index.years if y is None)
    note = f"另有 {unknown} 份年度不详。" if unknown else ""
    out["reports-per-year"] = ("各年度报告数", charts.column_chart("chart-years", "各年度报告数", desc, bars), note)

    agencies: dict[str, list[ReportCheck]] = {}
    for r in c.rows:
        agencies.setdefault(agency_name(index, r.info), []).append(r)
    shares = []
    for name, rs in agencies.items():
        present = sum(1 for r in rs for k in c.required if r.part_state(k) == "present")
        share = present / (len(c.required) * len(rs))
        shares.append((share, pinyin_key(name), name, present, len(rs)))
    shares.sort()
    bars = [
        charts.Bar(name, share, f"{share:.0%}",
                   f"{name}：{n} 份报告，必备部分具备 {present}/{len(c.required) * n}（{share:.0%}）",
                   "good" if share >= 1 else "bar")
        for share, _, name, present, n in shares[:CHART_ROWS]
    ]
    desc = "；".join(f"{b.label} {b.text}" for b in bars) or "暂无报告"
    note = f"按完整程度从低到高列出前 {CHART_ROWS} 个单位，共 {len(shares)} 个。" if len(shares) > CHART_ROWS else ""
    out["completeness-by-agency"] = (
        "各单位报告的完整程度（四个必备部分单列的比例）",
        charts.bar_chart("chart-completeness", "各单位报告的完整程度", desc, bars), note,
    )

    timed: list[tuple[ReportCheck, Timeliness, int]] = []
    for r in c.rows:
        if r.timing is not None and r.timing.days_late is not None:
            timed.append((r, r.timing, r.timing.days_late))
    timed.sort(key=lambda item: (-item[2], pinyin_key(agency_name(index, item[0].info)), item[0].uri))
    bars = []
    for r, timing, days in timed[:CHART_ROWS]:
        label = f"{agency_name(index, r.info)} {year_label(r.info.year)}"
        text = (f"逾期 {days} 天" if days > 0 else f"提前 {-days} 天" if days < 0 else "当天")
        basis = "未注明发布日期，成文日期已逾期" if timing.basis == "written" else "按发布日期"
        text = "至少" + text if timing.basis == "written" else text
        deadline = timing.deadline.isoformat() if timing.deadline else "未知"  # days_late is known: so is the deadline
        bars.append(charts.Bar(label, days, text, f"{label}：{text}（{basis}，截止 {deadline}）",
                               "late" if days > 0 else "good"))
    desc = "；".join(f"{b.label} {b.text}" for b in bars) or "暂无注明发布日期的报告"
    undated = len(c.rows) - len(timed)
    note = (f"逾期最多的 {CHART_ROWS} 份（共 {len(timed)} 份）。" if len(timed) > CHART_ROWS else "") + (
        f"另有 {undated} 份未注明发布日期或年度不详，无法判断。" if undated else "")
    out["days-late"] = (
        "各报告距公开截止日期的天数（左：提前；右：逾期）",
        charts.diverging_chart("chart-days", "各报告距公开截止日期的天数", desc, bars), note,
    )
    return out


def charts_markdown(svgs: dict[str, tuple[str, str, str]], uri: str) -> str:
    parts = ["## 图表 {#charts}\n"]
    for name, (heading, svg, note) in svgs.items():
        download = md.link("SVG 文件", uri, f"{CHARTS_DIR}/{name}.svg")
        parts.append(f"### {md.text(heading)} {{#chart-{name}}}\n")
        parts.append(htmlblock.block(f'<figure class="compliance-chart">\n{svg}\n</figure>'))
        parts.append((md.text(note) + " " if note else "") + f"下载：{download}\n{{: .compliance-chart-note }}\n")
    return "\n".join(parts)


def build(index: SiteIndex, findings: Sequence[Diagnostic], parts: PartTable, per_page: int = 100,
          rate_of: Callable[[ReportRecord], float | None] = lambda record: None,
          roster: Roster | None = None) -> Compliance:
    """The rows (:func:`lawreports.site.compliance.rows`, one per published report) and every page of
    the 合规概览; ``roster``: who was expected to report (the 未公开名单; None: nobody is listed)."""
    result = compliance_rows(index, findings, parts, rate_of)
    result.pages = overview_pages(result, index, parts, max(1, per_page), roster)
    return result
