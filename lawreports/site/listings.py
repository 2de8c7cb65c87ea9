"""The pages around the reports: 按年度, 按单位 (the home page: ``home.py``), and the links added to each report page.

Pure functions of the records (:class:`~lawreports.record.ReportRecord`), the settings and the
part table to Markdown text, handed to the pipeline as :class:`~.generated.Generated` files.
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

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from pypinyin import lazy_pinyin

from ..record import ReportRecord
from . import markup as md
from .generated import Generated

if TYPE_CHECKING:
    from ..parts import PartTable

#: Rows per listing page.
PER_PAGE = 100
#: Reports shown under 最新报告 on the home page.
LATEST = 10

AGENCY_TYPES: dict[str, str] = {"government": "人民政府", "department": "政府部门"}


@dataclass(frozen=True)
class Agency:
    """One issuing body (grouped by ``agency_key``) and its reports, newest year first."""

    key: str
    slug: str  #: file name of its page; unique among agencies
    name: str  #: the full name (``agency_key``) shown wherever the unit meets a report; never the text's short form
    type: str
    region: str | None
    reports: tuple[ReportRecord, ...]

    @property
    def uri(self) -> str:
        return f"agencies/{self.slug}.md"


@dataclass(frozen=True)
class SiteIndex:
    """The reports arranged for the listings."""

    reports: tuple[ReportRecord, ...]  #: year descending, then agency pinyin, then path
    years: tuple[tuple[int | None, tuple[ReportRecord, ...]], ...]  #: descending, unknown last
    agencies: tuple[Agency, ...]  #: by pinyin of agency_key
    reports_prefix: str  #: reports_dir relative to docs_dir, e.g. ``reports``
    _agency_by_key: dict[str, Agency]

    def report_uri(self, record: ReportRecord) -> str:
        return f"{self.reports_prefix}/{record.path}" if self.reports_prefix else record.path

    def agency(self, record: ReportRecord) -> Agency:
        return self._agency_by_key[record.agency_key]

    def by_report_uri(self) -> dict[str, ReportRecord]:
        return {self.report_uri(r): r for r in self.reports}


@lru_cache(maxsize=4096)
def pinyin_key(value: str) -> tuple[str, ...]:
    """Sort key: toneless pinyin syllables, then the text itself to break ties."""
    return (*lazy_pinyin(value), "\x00", value)


def year_uri(year: int | None) -> str:
    return f"years/{year}.md" if year is not None else "years/unknown.md"


def year_label(year: int | None) -> str:
    return f"{year}年" if year is not None else "年度不详"


def report_order(r: ReportRecord) -> tuple:
    return (-(r.year or 0), r.year is None, pinyin_key(r.agency_key), r.path)


def index_reports(records: Sequence[ReportRecord], reports_prefix: str) -> SiteIndex:
    """Arrange the records by year and by agency."""
    reports = tuple(sorted(records, key=report_order))
    years: dict[int | None, list[ReportRecord]] = {}
    groups: dict[str, list[ReportRecord]] = {}
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
                name=key or "未识别单位",
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


def badges(r: ReportRecord, from_uri: str, report_uri: str, parts: PartTable) -> str:
    """One badge per part (HTML): a link to the part when present, a struck-out badge when a
    required one is missing. The badge says the part's short name, its tooltip the rules' wording."""
    out = []
    for key in parts.keys:
        name = parts.short(key)
        label = parts.label(key)
        anchor = r.parts.get(key)
        within = r.parts_within.get(key)
        if anchor or within:
            note = "" if anchor else "（见于其他部分的小标题下）"
            cls = f"part-badge part-{key} " + ("present" if anchor else "within")
            out.append(
                f'<a href="{md.href(from_uri, report_uri, anchor or within)}" class="{cls}" '
                f'title="{md.attr(label + note)}">{name}</a>'
            )
        elif parts.rule(key).required:
            out.append(f'<span class="part-badge part-{key} missing" title="缺少：{md.attr(label)}">缺{name}</span>')
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
    numbers = " · ".join(
        f"**{k}**" if k == current else md.link(str(k), here, uri) for k, uri in enumerate(uris, start=1)
    )
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
        text = _page_text(title + suffix, heading + suffix, anchor, intro(uri), render(uri, chunk),
                          _pager(uris, k, len(rows)))
        out.append(Generated(uri, text))
    return out


def _then_link(words: str, label: str, to_uri: str) -> Callable[[str], str]:
    """A listing's intro: ``words``, then a link (relative to the page it is on) to ``to_uri``."""
    return lambda uri: words + md.link(label, uri, to_uri)


def year_pages(index: SiteIndex, parts: PartTable, per_page: int = PER_PAGE) -> list[Generated]:
    out: list[Generated] = []

    def render_years(uri: str, chunk: Sequence) -> str:
        rows = []
        for year, reports in chunk:
            gov = sum(1 for r in reports if r.agency_type == "government")
            link = md.a(year_label(year), uri, year_uri(year))
            rows.append([link, str(len(reports)), str(gov), str(len(reports) - gov)])
        return md.html_table(["年度", "报告数", "人民政府", "政府部门"], rows)

    out += _paginated(
        "years/index", index.years, per_page, render_years, "按年度", "按年度浏览", "years",
        lambda uri: f"共 {len(index.reports)} 份报告，按报告所属年度排列（报告年度是报告总结的年度，一般在次年公开）。",
    )

    for year, reports in index.years:

        def render(uri: str, chunk: Sequence[ReportRecord]) -> str:
            rows = []
            for r in chunk:
                ruri = index.report_uri(r)
                agency = index.agency(r)
                rows.append(
                    [
                        md.a(html.escape(agency.name), uri, agency.uri),
                        md.a(html.escape(r.display_title), uri, ruri),
                        md.date(r.written),
                        md.date(r.published),
                        badges(r, uri, ruri, parts),
                    ]
                )
            return md.html_table(["单位", "报告", "成文日期", "发布日期", "组成部分"], rows)

        heading = f"{year}年度报告" if year is not None else "年度不详的报告"
        count = f"共 {len(reports)} 份报告。" if year is not None else f"以下 {len(reports)} 份报告未能确定所属年度。"
        out += _paginated(
            year_uri(year)[: -len(".md")], reports, per_page, render, heading, heading, "year",
            _then_link(count, "全部年度", "years/index.md"),
        )
    return out


def agency_pages(index: SiteIndex, parts: PartTable, per_page: int = PER_PAGE) -> list[Generated]:
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

        def render(uri: str, chunk: Sequence[ReportRecord]) -> str:
            rows = []
            for r in chunk:
                ruri = index.report_uri(r)
                rows.append(
                    [
                        md.a(year_label(r.year), uri, year_uri(r.year)),
                        md.a(html.escape(r.display_title), uri, ruri),
                        md.date(r.written),
                        md.date(r.published),
                        badges(r, uri, ruri, parts),
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
            _then_link(summary, "全部单位", "agencies/index.md"),
        )
    return out



def report_links(index: SiteIndex, record: ReportRecord) -> str:
    """Markdown appended to a report page: its year, its agency, the agency's other years."""
    uri = index.report_uri(record)
    agency = index.agency(record)
    others = [r for r in agency.reports if r is not record]
    lines = [
        "",
        "",
        f"本报告：{md.link(year_label(record.year), uri, year_uri(record.year))} · "
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
