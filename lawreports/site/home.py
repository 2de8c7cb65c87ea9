"""The home page: what the site is, the disclosure rule, counts, and the ways into the reports.

A pure function of the index (:mod:`.listings`) and the settings, like the other listing pages.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import TYPE_CHECKING

from . import markup as md
from .generated import Generated
from .listings import (
    LATEST,
    PER_PAGE,
    SiteIndex,
    agency_pages,
    report_order,
    year_label,
    year_pages,
    year_uri,
)

if TYPE_CHECKING:
    from ..parts import PartTable
    from ..settings import Settings


def home_page(index: SiteIndex, settings: Settings) -> Generated:
    uri = "index.md"
    owner = md.text(settings.owner)
    scope = md.text(settings.scope) if settings.scope else ""
    # No front-matter title: Material then titles the home page with the site name alone.
    # The heading names whose reports these are (scope), not who runs the site (owner): one site may
    # hold the reports of several districts.
    lines = [f"# {scope}法治政府建设年度报告 {{#home}}\n"]
    held = f"{scope}各级人民政府及其部门" if scope else "各级人民政府及其部门"
    about = (
        f"本站由{owner}主办，收录{held}公开的法治政府建设年度报告，按年度和按单位提供查阅；"
        "每份报告附有公开信息（索引号、发布机构、所属地区、成文日期、发布日期等，原文未注明的标为“未注明”）和章节目录。"
    )
    lines.append(about + "\n")

    lines.append("## 公开规则 {#rule}\n")
    lines.append(
        "依据《法治政府建设与责任落实督察工作规定》，县级以上地方各级人民政府和政府部门每年向本级党委、政府和上级机关"
        "报告上一年度法治政府建设情况，报告的主要内容包括：主要举措和成效、存在的不足和原因、党政主要负责人履行推进法治建设"
        "第一责任人职责情况、下一年度的主要安排和其他需要报告的情况；除涉及党和国家秘密的，报告应通过报刊、网站等新闻媒体向社会公开，"
        "接受人民群众监督。\n"
    )
    gov_day, dept_day = md.month_day(settings.deadline_government), md.month_day(settings.deadline_department)
    if gov_day == dept_day:
        deadline = f"人民政府和政府部门的报告均应于每年{gov_day}前公开上一年度的报告"
    else:
        deadline = f"人民政府应于每年{gov_day}前、政府部门应于每年{dept_day}前公开上一年度的报告"
    lines.append(f"本站采用的公开时限：{deadline}。\n")

    lines.append("## 收录概况 {#counts}\n")
    years = [y for y, _ in index.years if y is not None]
    span = ""
    if years:
        span = f"，覆盖 {min(years)}—{max(years)} 年度" if min(years) != max(years) else f"，为 {years[0]} 年度"
    gov = sum(1 for r in index.reports if r.agency_type == "government")
    lines.append(
        f"共收录报告 **{len(index.reports)}** 份（人民政府 {gov} 份，政府部门 {len(index.reports) - gov} 份），"
        f"涉及 **{len(index.agencies)}** 个单位{span}。\n"
    )
    regions = Counter(r.region or "所属地区未注明" for r in index.reports)
    if len(regions) > 1:  # what the reports themselves say, beside the scope the settings give
        by_count = sorted(regions.items(), key=lambda kv: (-kv[1], kv[0]))
        lines.append("按所属地区：" + "、".join(f"{md.text(name)} {n} 份" for name, n in by_count) + "。\n")

    lines.append("## 分析比较 {#insight}\n")
    lines.append(
        f"{md.link('分析比较', uri, 'compare/index.md')}："
        "同一年度各单位报告的同一部分并列对照（如各单位的“存在的不足和原因”），"
        f"同一单位相邻年度的报告逐段对比，报告中的{md.link('具体数据', uri, 'compare/figures.md')}和"
        f"{md.link('关键词', uri, 'tags/index.md')}。\n"
    )

    lines.append("## 合规概览 {#compliance}\n")
    lines.append(
        f"{md.link('合规概览', uri, 'compliance/index.md')}：每份报告是否具备规定的各部分、是否按时公开，"
        "应公开而尚未公开报告的单位（未公开名单），附各年度报告数、各单位完整程度和公开时限的图表。\n"
    )

    lines.append("## 按年度 {#years}\n")
    if index.years:
        lines.append(
            "\n".join(f"- {md.link(year_label(y), uri, year_uri(y))}（{len(rs)} 份）" for y, rs in index.years) + "\n"
        )
    else:
        lines.append("暂无报告。\n")

    lines.append("## 最新报告 {#latest}\n")
    latest = sorted(
        index.reports,
        key=lambda r: (-(r.year or 0), -(r.published or r.written or dt.date.min).toordinal(), report_order(r)),
    )[:LATEST]
    if latest:
        rows = [
            [
                md.link(md.text(r.display_title), uri, index.report_uri(r)),
                md.link(md.text(index.agency(r).name), uri, index.agency(r).uri),
                md.link(year_label(r.year), uri, year_uri(r.year)),
                md.date(r.published),
            ]
            for r in latest
        ]
        lines.append(md.table(["报告", "单位", "年度", "发布日期"], rows) + "\n")
    else:
        lines.append("暂无报告。\n")

    lines += _undated_section(index, uri)

    lines.append("## 按单位 {#agencies}\n")
    shown = index.agencies[:PER_PAGE]
    if shown:
        items = "、".join(f"{md.link(md.text(a.name), uri, a.uri)}（{len(a.reports)}）" for a in shown)
        more = f"等 {len(index.agencies)} 个单位，" if len(index.agencies) > len(shown) else ""
        lines.append(items + "。\n")
        lines.append(f"{more}{md.link('查看全部单位', uri, 'agencies/index.md')}。\n")
    else:
        lines.append("暂无报告。\n")

    lines.append("## 开放数据与订阅 {#open-data}\n")
    lines.append(
        "全部报告的清单（JSON、CSV）、每份报告的全文数据和原始文件可以下载，"
        f"见{md.link('开放数据', uri, 'open-data.md')}；"
        f"新收录的报告可通过{md.link('订阅源（Atom）', uri, 'feed.xml')}获取。\n"
    )
    return Generated(uri, "\n".join(lines))


def _undated_section(index: SiteIndex, uri: str) -> list[str]:
    """Reports with neither a publication nor a writing date: the feed leaves them out, so the
    home page names them (at most :data:`PER_PAGE`)."""
    undated = [r for r in index.reports if not (r.published or r.written)]
    lines = ["## 未注明日期的报告 {#undated}\n"]
    if not undated:
        lines.append("所有报告均注明了发布日期或成文日期。\n")
        return lines
    lines.append(
        f"以下 {len(undated)} 份报告既未注明发布日期，也未注明成文日期，因此未列入"
        f"{md.link('订阅源', uri, 'feed.xml')}：\n"
    )
    rows = [
        [
            md.link(md.text(r.display_title), uri, index.report_uri(r)),
            md.link(md.text(index.agency(r).name), uri, index.agency(r).uri),
            md.link(year_label(r.year), uri, year_uri(r.year)),
        ]
        for r in undated[:PER_PAGE]
    ]
    lines.append(md.table(["报告", "单位", "年度"], rows) + "\n")
    if len(undated) > PER_PAGE:
        years = md.link("按年度", uri, "years/index.md")
        lines.append(f"（仅列出前 {PER_PAGE} 份，其余见{years}中各年度的报告列表。）\n")
    return lines


def listing_pages(index: SiteIndex, settings: Settings, parts: PartTable, per_page: int = PER_PAGE) -> list[Generated]:
    """The home page and every 按年度 and 按单位 page, in a fixed order."""
    return [home_page(index, settings), *year_pages(index, parts, per_page), *agency_pages(index, parts, per_page)]
