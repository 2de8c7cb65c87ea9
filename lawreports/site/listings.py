"""The pages around the reports: home, 按年度, 按单位, and the links added to each report page.

Pure functions from the converter's :class:`~lawreports.convert.PageInfo` list and the
settings to Markdown text; no MkDocs here (``plugin.py`` adds the results as virtual files).
Everything is sorted explicitly, so the same reports give byte-identical pages.

Page layout (paths relative to docs_dir; a listing longer than ``per_page`` rows continues on
``…/page-2.md`` and so on)::

    index.md                    home
    years/index.md              all years
    years/2023.md               one year's reports      (years/2023/page-2.md …)
    years/unknown.md            reports without a year
    agencies/index.md           all agencies            (agencies/page-2.md …)
    agencies/<slug>.md          one agency's reports    (agencies/<slug>/page-2.md …)
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol

from pypinyin import lazy_pinyin

from ..model import PART_KEYS
from . import markup as md

if TYPE_CHECKING:  # the settings object; only its attributes are used here
    from ..settings import Settings

#: Rows per listing page.
PER_PAGE = 100
#: Reports shown under 最新报告 on the home page.
LATEST = 10

#: Badge text for each part; the full wording (parts.yml label) goes into the tooltip.
PART_BADGES: dict[str, str] = {
    "measures": "举措成效",
    "shortcomings": "问题不足",
    "leadership": "第一责任人",
    "plans": "下年安排",
    "other": "其他",
}
AGENCY_TYPES: dict[str, str] = {"government": "人民政府", "department": "政府部门"}


class ReportInfo(Protocol):
    """What listings read of :class:`lawreports.convert.PageInfo` (kept narrow for tests)."""

    path: str
    display_title: str
    agency: str | None
    agency_key: str
    agency_slug: str
    agency_type: str
    region: str | None
    year: int | None
    written: dt.date | None
    published: dt.date | None
    parts: dict[str, str | None]
    parts_within: dict[str, str]
    source_url: str | None


@dataclass(frozen=True)
class Generated:
    """A page to add to the site: where it pretends to live in docs_dir, and its Markdown."""

    src_uri: str
    content: str


@dataclass(frozen=True)
class Agency:
    """One issuing body (grouped by ``agency_key``) and its reports, newest year first."""

    key: str
    slug: str  #: file name of its page; unique among agencies
    name: str  #: as the newest report writes it
    type: str
    region: str | None
    reports: tuple[ReportInfo, ...]

    @property
    def uri(self) -> str:
        return f"agencies/{self.slug}.md"


@dataclass(frozen=True)
class SiteIndex:
    """The reports arranged for the listings."""

    reports: tuple[ReportInfo, ...]  #: year descending, then agency pinyin, then path
    years: tuple[tuple[int | None, tuple[ReportInfo, ...]], ...]  #: descending, unknown last
    agencies: tuple[Agency, ...]  #: by pinyin of agency_key
    reports_prefix: str  #: reports_dir relative to docs_dir, e.g. ``reports``
    _agency_by_key: dict[str, Agency]

    def report_uri(self, info: ReportInfo) -> str:
        return f"{self.reports_prefix}/{info.path}" if self.reports_prefix else info.path

    def agency(self, info: ReportInfo) -> Agency:
        return self._agency_by_key[info.agency_key]

    def by_report_uri(self) -> dict[str, ReportInfo]:
        return {self.report_uri(r): r for r in self.reports}


@lru_cache(maxsize=4096)
def pinyin_key(value: str) -> tuple[str, ...]:
    """Sort key: toneless pinyin syllables, then the text itself to break ties."""
    return (*lazy_pinyin(value), "\x00", value)


def year_uri(year: int | None) -> str:
    return f"years/{year}.md" if year is not None else "years/unknown.md"


def year_label(year: int | None) -> str:
    return f"{year}年" if year is not None else "年度不详"


def _report_order(r: ReportInfo) -> tuple:
    return (-(r.year or 0), r.year is None, pinyin_key(r.agency_key), r.path)


def index_reports(pages: Sequence[ReportInfo], reports_prefix: str) -> SiteIndex:
    """Arrange converted reports by year and by agency."""
    reports = tuple(sorted(pages, key=_report_order))
    years: dict[int | None, list[ReportInfo]] = {}
    groups: dict[str, list[ReportInfo]] = {}
    for r in reports:
        years.setdefault(r.year, []).append(r)
        groups.setdefault(r.agency_key, []).append(r)
    year_order = sorted(years, key=lambda y: (y is None, -(y or 0)))

    agencies: list[Agency] = []
    used: set[str] = set()
    for key in sorted(groups, key=pinyin_key):
        rs = groups[key]
        newest = rs[0]
        slug = _unique_slug(newest.agency_slug or "agency", used)
        agencies.append(
            Agency(
                key=key,
                slug=slug,
                name=newest.agency or key or "未识别单位",
                type=newest.agency_type,
                region=next((r.region for r in rs if r.region), None),
                reports=tuple(rs),
            )
        )
    return SiteIndex(
        reports=reports,
        years=tuple((y, tuple(years[y])) for y in year_order),
        agencies=tuple(agencies),
        reports_prefix=reports_prefix.strip("/"),
        _agency_by_key={a.key: a for a in agencies},
    )


_RESERVED_SLUG = re.compile(r"^(index|page-\d+)$")


def _unique_slug(slug: str, used: set[str]) -> str:
    """Homophones share a toneless pinyin slug: the second gets ``-2`` (in pinyin order)."""
    base = slug if not _RESERVED_SLUG.match(slug) else f"{slug}-agency"
    candidate, n = base, 1
    while candidate in used:
        n += 1
        candidate = f"{base}-{n}"
    used.add(candidate)
    return candidate


# ---------------------------------------------------------------------------------------------
# Cells shared by the tables


def badges(r: ReportInfo, from_uri: str, report_uri: str, labels: Callable[[str], str]) -> str:
    """One badge per part (HTML): a link to the part when present, a struck-out badge when missing."""
    out = []
    for key in PART_KEYS:
        name = PART_BADGES[key]
        anchor = r.parts.get(key)
        within = r.parts_within.get(key)
        if anchor or within:
            note = "" if anchor else "（见于其他部分的小标题下）"
            cls = f"part-badge part-{key} " + ("present" if anchor else "within")
            out.append(
                f'<a href="{md.href(from_uri, report_uri, anchor or within)}" class="{cls}" '
                f'title="{md.attr(labels(key) + note)}">{name}</a>'
            )
        elif key != "other":
            out.append(
                f'<span class="part-badge part-{key} missing" title="缺少：{md.attr(labels(key))}">缺{name}</span>'
            )
    return " ".join(out)


def _agency_type(value: str) -> str:
    return AGENCY_TYPES.get(value, md.text(value or "—"))


# ---------------------------------------------------------------------------------------------
# Pages


def _pages(base: str, rows: Sequence, per_page: int) -> list[tuple[str, Sequence]]:
    """Split rows into listing pages: ``years/2023`` → years/2023.md, years/2023/page-2.md …

    An ``…/index`` base continues as ``…/page-2.md`` in the same folder.
    """
    chunks = [rows[i : i + per_page] for i in range(0, len(rows), per_page)] or [rows[:0]]
    out = []
    for k, chunk in enumerate(chunks, start=1):
        if k == 1:
            uri = f"{base}.md"
        elif base.endswith("/index"):
            uri = f"{base[: -len('index')]}page-{k}.md"
        else:
            uri = f"{base}/page-{k}.md"
        out.append((uri, chunk))
    return out


def _pager(uris: list[str], current: int, total_rows: int) -> str:
    """Page links under a long listing (empty when it fits on one page)."""
    if len(uris) < 2:
        return ""
    here = uris[current - 1]
    numbers = " · ".join(f"**{k}**" if k == current else md.link(str(k), here, uri) for k, uri in enumerate(uris, start=1))
    parts = []
    if current > 1:
        parts.append(md.link("上一页", here, uris[current - 2]))
    parts.append(numbers)
    if current < len(uris):
        parts.append(md.link("下一页", here, uris[current]))
    return f"第 {current}/{len(uris)} 页（共 {total_rows} 条）：" + " ｜ ".join(parts) + "\n{: .listing-pager }\n"


def _page_text(title: str, heading: str, anchor: str, intro: str, body: str, pager: str) -> str:
    """A listing page: front matter, heading, intro, the table between two pagers."""
    out = md.front_matter({"title": title})
    out += f"# {heading} {{#{anchor}}}\n\n"
    if intro:
        out += intro + "\n\n"
    if pager:
        out += pager + "\n"
    out += body + "\n"
    if pager:
        out += "\n" + pager
    return out


def _paginated(
    base: str,
    rows: Sequence,
    per_page: int,
    render: Callable[[str, Sequence], str],
    title: str,
    heading: str,
    anchor: str,
    intro: Callable[[str], str],
) -> list[Generated]:
    """``render(uri, rows)`` and ``intro(uri)`` get the page's own path: links are relative to it."""
    pages = _pages(base, rows, per_page)
    uris = [uri for uri, _ in pages]
    out = []
    for k, (uri, chunk) in enumerate(pages, start=1):
        suffix = f"（第{k}页）" if k > 1 else ""
        out.append(
            Generated(
                uri,
                _page_text(title + suffix, heading + suffix, anchor, intro(uri), render(uri, chunk), _pager(uris, k, len(rows))),
            )
        )
    return out


def year_pages(index: SiteIndex, labels: Callable[[str], str], per_page: int = PER_PAGE) -> list[Generated]:
    out: list[Generated] = []

    def render_years(uri: str, chunk: Sequence) -> str:
        rows = []
        for year, reports in chunk:
            gov = sum(1 for r in reports if r.agency_type == "government")
            rows.append([md.a(year_label(year), uri, year_uri(year)), str(len(reports)), str(gov), str(len(reports) - gov)])
        return md.html_table(["年度", "报告数", "人民政府", "政府部门"], rows)

    out += _paginated(
        "years/index", index.years, per_page, render_years, "按年度", "按年度浏览", "years",
        lambda uri: f"共 {len(index.reports)} 份报告，按报告所属年度排列（报告年度是报告总结的年度，一般在次年公开）。",
    )

    for year, reports in index.years:

        def render(uri: str, chunk: Sequence[ReportInfo]) -> str:
            rows = []
            for r in chunk:
                ruri = index.report_uri(r)
                agency = index.agency(r)
                rows.append(
                    [
                        md.a(html.escape(r.agency or agency.name), uri, agency.uri),
                        md.a(html.escape(r.display_title), uri, ruri),
                        md.date(r.written),
                        md.date(r.published),
                        badges(r, uri, ruri, labels),
                    ]
                )
            return md.html_table(["单位", "报告", "成文日期", "发布日期", "组成部分"], rows)

        heading = f"{year}年度报告" if year is not None else "年度不详的报告"
        out += _paginated(
            year_uri(year)[: -len(".md")], reports, per_page, render, heading, heading, "year",
            lambda uri, n=len(reports), known=year is not None: (
                f"共 {n} 份报告。" if known else f"以下 {n} 份报告未能确定所属年度。"
            )
            + md.link("全部年度", uri, "years/index.md"),
        )
    return out


def agency_pages(index: SiteIndex, labels: Callable[[str], str], per_page: int = PER_PAGE) -> list[Generated]:
    out: list[Generated] = []

    def render_agencies(uri: str, chunk: Sequence[Agency]) -> str:
        rows = []
        for a in chunk:
            years = " ".join(md.a(year_label(r.year), uri, index.report_uri(r)) for r in a.reports)
            rows.append([md.a(html.escape(a.name), uri, a.uri), html.escape(AGENCY_TYPES.get(a.type, a.type or "—")),
                         html.escape(a.region or "—"), years])
        return md.html_table(["单位", "类型", "所属地区", "年度报告"], rows)

    out += _paginated(
        "agencies/index", index.agencies, per_page, render_agencies, "按单位", "按单位浏览", "agencies",
        lambda uri: f"共 {len(index.agencies)} 个单位，按单位名称的拼音排序。",
    )

    for a in index.agencies:

        def render(uri: str, chunk: Sequence[ReportInfo]) -> str:
            rows = []
            for r in chunk:
                ruri = index.report_uri(r)
                rows.append(
                    [
                        md.a(year_label(r.year), uri, year_uri(r.year)),
                        md.a(html.escape(r.display_title), uri, ruri),
                        md.date(r.written),
                        md.date(r.published),
                        badges(r, uri, ruri, labels),
                    ]
                )
            return md.html_table(["年度", "报告", "成文日期", "发布日期", "组成部分"], rows)

        facts = [f"类型：{_agency_type(a.type)}"]
        if a.region:
            facts.append(f"所属地区：{md.text(a.region)}")
        facts.append(f"共 {len(a.reports)} 份报告")
        summary = "；".join(facts) + "。"
        out += _paginated(
            a.uri[: -len(".md")], a.reports, per_page, render, a.name, md.text(a.name), "agency",
            lambda uri, summary=summary: summary + md.link("全部单位", uri, "agencies/index.md"),
        )
    return out


def home_page(index: SiteIndex, settings: Settings, labels: Callable[[str], str]) -> Generated:
    uri = "index.md"
    owner = md.text(settings.owner)
    # No front-matter title: Material then titles the home page with the site name alone.
    lines = [f"# {owner}法治政府建设年度报告 {{#home}}\n"]
    where = md.text(settings.region) if settings.region else ""
    about = (
        f"本站由{owner}主办，收录{where}各级人民政府及其部门公开的法治政府建设年度报告，按年度和按单位提供查阅；"
        "每份报告附有公开信息（索引号、发布机构、所属地区、成文日期、发布日期等）和章节目录。"
    )
    lines.append(about + "\n")

    lines.append("## 公开规则 {#rule}\n")
    lines.append(
        "依据《法治政府建设与责任落实督察工作规定》，县级以上地方各级人民政府和政府部门每年向本级党委、政府和上级机关"
        "报告上一年度法治政府建设情况，报告的主要内容包括：主要举措和成效、存在的不足和原因、党政主要负责人履行推进法治建设"
        "第一责任人职责情况、下一年度的主要安排和其他需要报告的情况；除涉及党和国家秘密的，报告应通过报刊、网站等新闻媒体向社会公开，"
        "接受人民群众监督。\n"
    )
    gov, dept = md.month_day(settings.deadline_government), md.month_day(settings.deadline_department)
    if gov == dept:
        deadline = f"人民政府和政府部门的报告均应于每年{gov}前公开上一年度的报告"
    else:
        deadline = f"人民政府应于每年{gov}前、政府部门应于每年{dept}前公开上一年度的报告"
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

    lines.append("## 分析比较 {#insight}\n")
    lines.append(
        f"{md.link('分析比较', uri, 'compare/index.md')}：同一年度各单位报告的同一部分并列对照（如各单位的“存在的不足和原因”），"
        f"同一单位相邻年度的报告逐段对比，报告中的{md.link('具体数据', uri, 'compare/figures.md')}和"
        f"{md.link('关键词', uri, 'tags/index.md')}。\n"
    )

    lines.append("## 合规概览 {#compliance}\n")
    lines.append(
        f"{md.link('合规概览', uri, 'compliance/index.md')}：每份报告是否具备规定的各部分、是否按时公开，"
        "以及发布前检查发现的问题，附各年度报告数、各单位完整程度和公开时限的图表。\n"
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
        key=lambda r: (-(r.year or 0), -(r.published or r.written or dt.date.min).toordinal(), _report_order(r)),
    )[:LATEST]
    if latest:
        rows = [
            [
                md.link(md.text(r.display_title), uri, index.report_uri(r)),
                md.link(md.text(r.agency or index.agency(r).name), uri, index.agency(r).uri),
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
        f"全部报告的清单（JSON、CSV）、每份报告的全文数据和原始文件可以下载，见{md.link('开放数据', uri, 'open-data.md')}；"
        f"新收录的报告可通过{md.link('订阅源（Atom）', uri, 'feed.xml')}获取。\n"
    )
    return Generated(uri, "\n".join(lines))


def _undated_section(index: SiteIndex, uri: str) -> list[str]:
    """Reports with neither a publication nor a writing date: the feed leaves them out, so the
    home page names them (at most :data:`PER_PAGE`)."""
    undated = [r for r in index.reports if not (r.published or r.written)]
    lines = ["## 未注明发布日期 {#undated}\n"]
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
            md.link(md.text(r.agency or index.agency(r).name), uri, index.agency(r).uri),
            md.link(year_label(r.year), uri, year_uri(r.year)),
        ]
        for r in undated[:PER_PAGE]
    ]
    lines.append(md.table(["报告", "单位", "年度"], rows) + "\n")
    if len(undated) > PER_PAGE:
        lines.append(f"（仅列出前 {PER_PAGE} 份，其余见{md.link('按年度', uri, 'years/index.md')}中各年度的报告列表。）\n")
    return lines


def listing_pages(
    index: SiteIndex, settings: Settings, labels: Callable[[str], str], per_page: int = PER_PAGE
) -> list[Generated]:
    """Every generated page, in a fixed order."""
    return [home_page(index, settings, labels), *year_pages(index, labels, per_page), *agency_pages(index, labels, per_page)]


def report_links(index: SiteIndex, info: ReportInfo) -> str:
    """Markdown appended to a report page: its year, its agency, the agency's other years."""
    uri = index.report_uri(info)
    agency = index.agency(info)
    others = [r for r in agency.reports if r is not info]
    lines = [
        "",
        "",
        f"本报告：{md.link(year_label(info.year), uri, year_uri(info.year))} · "
        f"{md.link(md.text(agency.name), uri, agency.uri)}"
        + (
            "；本单位其他年度：" + " · ".join(md.link(year_label(r.year), uri, index.report_uri(r)) for r in others)
            if others
            else "；本单位暂无其他年度的报告"
        )
        + "。",
        "{: .report-related }",
        "",
    ]
    return "\n".join(lines)
