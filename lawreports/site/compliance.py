"""合规概览 (issue #7, on the site): what ``build_site.py check`` finds, shown on the site.

- every report page gets a small scorecard under its metadata block (:func:`with_scorecard`):
  counts by severity, the timeliness verdict, the 具体数据 indicator and the findings with their
  raw line numbers, exactly as ``check`` prints them;
- ``compliance/index.md``: every report × the five parts and timeliness, with counts and three
  static SVG charts (``charts.py``); ``compliance/by-agency.md`` the same table sorted by agency.

The findings come from :mod:`lawreports.checks` run over the seeds folder the way the ``check``
command runs them (:func:`~lawreports.checks.load_folder`, :func:`~lawreports.checks.check_entries`),
once a build, and are kept between the builds of one ``mkdocs serve`` process while the inputs
(raw files, sidecars, agencies.yml, parts.yml, settings) hash the same.

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
are made here from the site URLs (``url_of``); report-derived text is escaped with
:func:`html.escape`. Everything else is Markdown with :mod:`markup` helpers, checked by
``mkdocs build --strict`` like every other generated page.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from ..checks import SEVERITIES, Timeliness, check_entries, findings_by_file, load_folder, scorecard, timeliness
from ..model import PART_KEYS, REQUIRED_PARTS, Diagnostic
from . import charts
from . import markup as md
from . import rawhtml
from .listings import PART_BADGES, Generated, ReportInfo, SiteIndex, _pager, _pages, pinyin_key, year_label

INDEX = "compliance/index.md"
BY_AGENCY = "compliance/by-agency.md"
CHARTS_DIR = "compliance/charts"
SEVERITY_LABELS = {"error": "错误", "warning": "警告", "info": "提示"}
#: Rows in the completeness and days charts (the worst first); the table has them all.
CHART_ROWS = 40
#: Part cells: symbol, words for screen readers and the tooltip, CSS class.
PART_STATES = {
    "present": ("✓", "有", "cp-present"),
    "within": ("◐", "只在其他部分的小标题下", "cp-within"),
    "missing": ("✗", "缺少", "cp-missing"),
    "optional": ("–", "无（非必需）", "cp-optional"),
}

UrlOf = Callable[[str], str]


@dataclass(frozen=True)
class ReportCheck:
    """One published report and what the checks say about it."""

    info: ReportInfo
    uri: str  #: the report page's source path
    findings: tuple[Diagnostic, ...]
    card: dict  #: :func:`lawreports.checks.scorecard` of the findings
    timing: Timeliness | None  #: None when the raw file could not be checked
    rate: float | None  #: figures per 1,000 characters (insight), None when unknown

    def part_state(self, key: str) -> str:
        if self.info.parts.get(key):
            return "present"
        if self.info.parts_within.get(key):
            return "within"
        return "missing" if key in REQUIRED_PARTS else "optional"

    @property
    def complete(self) -> bool:
        return all(self.part_state(k) == "present" for k in REQUIRED_PARTS)


@dataclass
class Compliance:
    """The checks of one build: a row per published report, and the pages."""

    rows: list[ReportCheck]  #: in the index's order (year descending, agency pinyin)
    findings: list[Diagnostic]  #: every finding of the folder (files that did not convert too)
    checked: int  #: raw files checked
    pages: list[Generated] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._by_uri = {r.uri: r for r in self.rows}

    def row(self, uri: str) -> ReportCheck | None:
        return self._by_uri.get(uri)


# ---------------------------------------------------------------------------------------------
# Running the checks (once a build; kept while the inputs are the same)


@dataclass(frozen=True)
class FolderChecks:
    findings: list[Diagnostic]
    timing: dict[str, Timeliness]  #: raw file name → timeliness
    checked: int


_CACHE: dict[str, FolderChecks] = {}


def inputs_hash(seeds_dir: Path, settings, agencies_file: Path, parts_file: Path) -> str:
    """sha256 over everything the findings depend on: every file of the seeds folder (raw files
    and sidecars), the agency table, the part table and the settings."""
    h = hashlib.sha256(repr(settings).encode("utf-8"))
    for path in [*sorted(p for p in seeds_dir.iterdir() if p.is_file()), agencies_file, parts_file]:
        h.update(b"\0" + str(path.name).encode("utf-8") + b"\0")
        h.update(path.read_bytes() if path.is_file() else b"<absent>")
    return h.hexdigest()


def check_folder(seeds_dir: Path, settings, agencies_file: Path, prepare=None) -> FolderChecks:
    """``build_site.py check`` over ``seeds_dir``, with each report's timeliness.

    ``prepare`` reads a raw file (default :func:`lawreports.convert.prepare`); the site passes its
    build's shared one, so the checks parse no report the insight pages have parsed. What is kept
    is small: the findings and each file's timeliness, not the reports."""
    from ..parts import __file__ as parts_module

    key = inputs_hash(seeds_dir, settings, agencies_file, Path(parts_module).with_name("parts.yml"))
    if key in _CACHE:
        return _CACHE[key]
    entries = load_folder(seeds_dir, settings, agencies_file, **({"prepare": prepare} if prepare else {}))
    findings = check_entries(entries, settings)
    timing = {e.file: timeliness(e.report, e.deadline) for e in entries if e.report is not None}
    result = FolderChecks(findings, timing, sum(1 for e in entries if e.report is not None or e.problems))
    _CACHE.clear()  # one folder per process: keep the latest only
    _CACHE[key] = result
    return result


def build(
    index: SiteIndex,
    folder: FolderChecks,
    labels: Callable[[str], str],
    url_of: UrlOf,
    per_page: int = 100,
    rate_of: Callable[[ReportInfo], float | None] = lambda info: None,
) -> Compliance:
    """The rows (one per published report) and every page of the 合规概览."""
    grouped = findings_by_file(folder.findings)
    rows = []
    for info in index.reports:
        found = tuple(grouped.get(info.source, ()))
        rows.append(ReportCheck(info, index.report_uri(info), found, scorecard(found),
                                folder.timing.get(info.source), rate_of(info)))
    result = Compliance(rows, folder.findings, folder.checked)
    result.pages = overview_pages(result, index, labels, url_of, max(1, per_page))
    return result


# ---------------------------------------------------------------------------------------------
# Words


def timing_text(t: Timeliness | None) -> str:
    """The verdict in a few words: 按时（提前 89 天）, 逾期 12 天, 按时（提前 3 天，按成文日期判断）, 未注明日期."""
    if t is None:
        return "未能检查"
    if t.date is None:
        return "未注明日期"
    if t.deadline is None or t.days_late is None:
        return "年度不详，无法判断"
    basis = "，按成文日期判断" if t.basis == "written" else ""
    if t.days_late > 0:
        return f"逾期 {t.days_late} 天" + (f"（{basis[1:]}）" if basis else "")
    return f"按时（提前 {-t.days_late} 天{basis}）" if t.days_late < 0 else f"按时（截止日当天{basis}）"


def timing_detail(t: Timeliness | None) -> str:
    """The dates behind the verdict, for the scorecard."""
    if t is None:
        return "原始文件未能重新读取"
    deadline = f"截止日期 {t.deadline.isoformat()}" if t.deadline else "截止日期未知"
    if t.date is None:
        return f"没有发布日期和成文日期，{deadline}"
    if t.basis == "published":
        return f"发布日期 {t.date.isoformat()}，{deadline}"
    return f"未注明发布日期；成文日期 {t.date.isoformat()}，{deadline}"


def timing_class(t: Timeliness | None) -> str:
    if t is None or t.days_late is None:
        return "timing-unknown"
    return "timing-late" if t.days_late > 0 else "timing-ok"


def _e(value: object) -> str:
    """Escape for HTML text and attributes; line breaks become spaces (a blank line would end the HTML block)."""
    return html.escape(" ".join(str(value).split()), quote=True)


def href(from_url: str, to_url: str, fragment: str | None = None) -> str:
    """A relative link between two site URLs (``compliance/`` → ``reports/2023/x/``: ``../reports/2023/x/``)."""
    target = md.relative_url(_clean(from_url), _clean(to_url))
    return quote(target, safe="/-._~") + (f"#{quote(fragment, safe='-._~')}" if fragment else "")


def _clean(url: str) -> str:
    return url[2:] if url.startswith("./") else url


# ---------------------------------------------------------------------------------------------
# The scorecard on a report page


def scorecard_html(row: ReportCheck) -> str:
    """The scorecard: one HTML block (no blank line inside) of escaped text."""
    card = row.card
    counts = " ".join(
        f'<span class="sev sev-{s}">{SEVERITY_LABELS[s]} {card["by_severity"][s]}</span>' for s in SEVERITIES
    )
    facts = [
        f'<span class="scorecard-timing {timing_class(row.timing)}">公开时限：{_e(timing_text(row.timing))}</span>'
        f'<span class="scorecard-note">（{_e(timing_detail(row.timing))}）</span>'
    ]
    # the 具体数据 indicator stands just above, under the metadata block (render.py): not repeated here
    lines = [
        f'<section class="report-scorecard scorecard-{card["status"]}" id="scorecard" aria-labelledby="scorecard-title">',
        f'<p class="scorecard-head"><strong id="scorecard-title">检查结果</strong> {counts}</p>',
        f'<p class="scorecard-facts">{"；".join(facts)}</p>',
    ]
    if row.findings:
        lines.append('<ol class="scorecard-findings">')
        for d in row.findings:
            where = f"第 {d.line} 行" if d.line else "全文"
            lines.append(
                f'<li class="finding finding-{_e(d.severity)}" data-line="{_e(d.line or "")}" data-code="{_e(d.code)}">'
                f'<span class="sev sev-{_e(d.severity)}">{_e(SEVERITY_LABELS.get(d.severity, d.severity))}</span> '
                f'<span class="finding-line">{where}</span>：{_e(d.message)} <code>{_e(d.code)}</code></li>'
            )
        lines.append("</ol>")
    else:
        lines.append('<p class="scorecard-none">未发现问题。</p>')
    lines.append("</section>")
    return "\n".join(lines)


def with_scorecard(markdown: str, row: ReportCheck) -> str:
    """Insert the scorecard after the 下载 line (or the metadata block), with a link to the overview."""
    more = (
        f"行号为原始文件中的行号；各报告的对照见{md.link('合规概览', row.uri, INDEX)}。\n{{: .scorecard-more }}"
    )
    block = scorecard_html(row) + "\n\n" + more
    marker = "{: .report-downloads }"
    at = markdown.find(marker)
    if at >= 0:
        end = at + len(marker)
    else:
        start = markdown.find('<table class="report-meta"')
        end = markdown.find("\n\n", start) if start >= 0 else -1
    if end < 0:
        return markdown.rstrip("\n") + "\n\n" + block + "\n"
    return markdown[:end] + "\n\n" + block + markdown[end:]


# ---------------------------------------------------------------------------------------------
# The overview


def agency_name(index: SiteIndex, info: ReportInfo) -> str:
    """The agency as the agency table names it: on a page of many agencies the short form is ambiguous."""
    return info.agency_key or info.agency or index.agency(info).name


def by_agency_order(index: SiteIndex, rows: Sequence[ReportCheck]) -> list[ReportCheck]:
    return sorted(rows, key=lambda r: (pinyin_key(agency_name(index, r.info)), -(r.info.year or 0),
                                       r.info.year is None, r.uri))


def _part_cell(row: ReportCheck, key: str, page_url: str, url_of: UrlOf, labels: Callable[[str], str]) -> str:
    state = row.part_state(key)
    symbol, words, cls = PART_STATES[state]
    tip = _e(f"{labels(key)}：{words}")
    inner = f'<span aria-hidden="true">{symbol}</span><span class="compliance-sr">{_e(words)}</span>'
    if state in ("present", "within"):
        anchor = row.info.parts.get(key) or row.info.parts_within.get(key)
        link = href(page_url, url_of(row.uri), anchor)
        return f'<td class="cp {cls}"><a href="{_e(link)}" title="{tip}">{inner}</a></td>'
    return f'<td class="cp {cls}" title="{tip}">{inner}</td>'


def _findings_cell(row: ReportCheck, page_url: str, url_of: UrlOf) -> str:
    n = row.card["by_severity"]
    if not row.card["total"]:
        return '<td class="findings">无</td>'
    words = "、".join(f"{SEVERITY_LABELS[s]} {n[s]}" for s in SEVERITIES if n[s])
    link = href(page_url, url_of(row.uri), "scorecard")
    return f'<td class="findings findings-{row.card["status"]}"><a href="{_e(link)}">{_e(words)}</a></td>'


def overview_table(
    index: SiteIndex, rows: Sequence[ReportCheck], page_uri: str, sort: str, url_of: UrlOf, labels: Callable[[str], str]
) -> str:
    """The HTML table: 单位 · 年度 · the five parts · 公开时限 · 检查结果. ``sort``: ``year`` | ``agency``."""
    page_url = url_of(page_uri)

    def sortable(name: str, key: str, target: str, order: str) -> str:
        if sort == key:
            arrow = "↓" if order == "descending" else "↑"
            words = "降序" if order == "descending" else "升序"
            return (f'<th scope="col" aria-sort="{order}">{name}<span aria-hidden="true"> {arrow}</span>'
                    f'<span class="compliance-sr">（{words}）</span></th>')
        return (f'<th scope="col"><a href="{_e(href(page_url, url_of(target)))}" title="按{name}排序">{name}'
                f'<span class="compliance-sr">（点击按{name}排序）</span></a></th>')

    head = [
        sortable("单位", "agency", BY_AGENCY, "ascending"),
        sortable("年度", "year", INDEX, "descending"),
        *(f'<th scope="col" title="{_e(labels(k))}">{_e(PART_BADGES[k])}</th>' for k in PART_KEYS),
        '<th scope="col">公开时限</th>',
        '<th scope="col">检查结果</th>',
    ]
    body = []
    for row in rows:
        info = row.info
        report = href(page_url, url_of(row.uri))
        cells = [
            f'<th scope="row"><a href="{_e(report)}" title="{_e(info.display_title)}">{_e(agency_name(index, info))}</a></th>',
            f"<td>{_e(year_label(info.year))}</td>",
            *(_part_cell(row, k, page_url, url_of, labels) for k in PART_KEYS),
            f'<td class="{timing_class(row.timing)}">{_e(timing_text(row.timing))}</td>',
            _findings_cell(row, page_url, url_of),
        ]
        body.append("<tr>" + "".join(cells) + "</tr>")
    caption = "各报告的组成部分、公开时限和检查结果（" + ("按单位名称拼音排序" if sort == "agency" else "按年度从新到旧、再按单位名称拼音排序") + "）"
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
    rows = c.rows
    complete = sum(1 for r in rows if r.complete)
    within = sum(1 for r in rows if not r.complete and all(r.part_state(k) != "missing" for k in REQUIRED_PARTS))
    missing = sum(1 for r in rows if any(r.part_state(k) == "missing" for k in REQUIRED_PARTS))
    timed = [r.timing for r in rows]
    late = sum(1 for t in timed if t and t.days_late is not None and t.days_late > 0)
    on_time = sum(1 for t in timed if t and t.days_late is not None and t.days_late <= 0)
    written = sum(1 for t in timed if t and t.days_late is not None and t.basis == "written")
    undated = sum(1 for t in timed if t is None or t.days_late is None)
    sev = {s: sum(1 for d in c.findings if d.severity == s) for s in SEVERITIES}
    lines = [
        f"- 报告 **{len(rows)}** 份；四个必备部分齐全的 **{complete}** 份，"
        f"有部分只在其他部分的小标题下的 {within} 份，缺少必备部分的 {missing} 份。",
        f"- 公开时限：按时 **{on_time}** 份（其中 {written} 份未注明发布日期，按成文日期判断），"
        f"逾期 **{late}** 份，无法判断（未注明日期或年度不详）{undated} 份。",
        f"- 检查结果（共检查 {c.checked} 个原始文件）：错误 **{sev['error']}** 条，警告 **{sev['warning']}** 条，"
        f"提示 **{sev['info']}** 条。",
    ]
    unpublished = len({d.file for d in c.findings} - {r.info.source for r in c.rows})
    if unpublished:
        lines.append(f"- 另有 {unpublished} 个文件未能发布，其检查结果只计入上面的条数。")
    return "\n".join(lines) + "\n"


LEGEND = (
    "图例：<span aria-hidden=\"true\">✓</span> 有此部分（链接到该部分）；"
    "<span aria-hidden=\"true\">◐</span> 只在其他部分的小标题下；"
    "<span aria-hidden=\"true\">✗</span> 缺少；"
    "<span aria-hidden=\"true\">–</span> 没有“其他需要报告的情况”（非必需）。"
    "公开时限按发布日期判断，未注明发布日期的按成文日期判断。\n{: .compliance-legend }\n"
)


def overview_pages(c: Compliance, index: SiteIndex, labels: Callable[[str], str], url_of: UrlOf, per_page: int) -> list[Generated]:
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
                "以及发布前检查（`python build_site.py check`）的结果。"
                f"单击单位名称查看报告，单击“检查结果”查看该报告的各条问题。\n\n"
            )
            text += "## 概况 {#counts}\n\n" + counts + "\n"
            if sort == "year" and k == 1:
                text += "见下方" + md.link("图表", uri, uri, "charts") + "。\n\n"
            text += "## 报告一览 {#reports}\n\n"
            text += f"{order}\n{{: .compliance-sort }}\n\n" + LEGEND + "\n"
            pager = _pager(uris, k, len(rows))
            if pager:
                text += pager + "\n"
            # 100 rows of HTML: passed through, not re-parsed by Markdown's HTML block parser (rawhtml)
            text += rawhtml.block(overview_table(index, chunk, uri, sort, url_of, labels)) + "\n"
            if pager:
                text += pager + "\n"
            if sort == "year" and k == 1:
                text += charts_markdown(svgs, uri)
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
        present = sum(1 for r in rs for k in REQUIRED_PARTS if r.part_state(k) == "present")
        share = present / (len(REQUIRED_PARTS) * len(rs))
        shares.append((share, pinyin_key(name), name, present, len(rs)))
    shares.sort()
    bars = [
        charts.Bar(name, share, f"{share:.0%}", f"{name}：{n} 份报告，必备部分具备 {present}/{len(REQUIRED_PARTS) * n}（{share:.0%}）",
                   "good" if share >= 1 else "bar")
        for share, _, name, present, n in shares[:CHART_ROWS]
    ]
    desc = "；".join(f"{b.label} {b.text}" for b in bars) or "暂无报告"
    note = f"按完整程度从低到高列出前 {CHART_ROWS} 个单位，共 {len(shares)} 个。" if len(shares) > CHART_ROWS else ""
    out["completeness-by-agency"] = (
        "各单位报告的完整程度（四个必备部分单列的比例）",
        charts.bar_chart("chart-completeness", "各单位报告的完整程度", desc, bars), note,
    )

    timed = [r for r in c.rows if r.timing is not None and r.timing.days_late is not None]
    timed.sort(key=lambda r: (-r.timing.days_late, pinyin_key(agency_name(index, r.info)), r.uri))
    bars = []
    for r in timed[:CHART_ROWS]:
        days = r.timing.days_late
        label = f"{agency_name(index, r.info)} {year_label(r.info.year)}"
        text = f"逾期 {days} 天" if days > 0 else f"提前 {-days} 天" if days < 0 else "当天"
        basis = "按成文日期" if r.timing.basis == "written" else "按发布日期"
        bars.append(charts.Bar(label, days, text, f"{label}：{text}（{basis}，截止 {r.timing.deadline.isoformat()}）",
                               "late" if days > 0 else "good"))
    desc = "；".join(f"{b.label} {b.text}" for b in bars) or "暂无注明日期的报告"
    undated = len(c.rows) - len(timed)
    note = (f"逾期最多的 {CHART_ROWS} 份（共 {len(timed)} 份）。" if len(timed) > CHART_ROWS else "") + (
        f"另有 {undated} 份未注明日期或年度不详，无法判断。" if undated else "")
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
        parts.append(rawhtml.block(f'<figure class="compliance-chart">\n{svg}\n</figure>'))
        parts.append((md.text(note) + " " if note else "") + f"下载：{download}\n{{: .compliance-chart-note }}\n")
    return "\n".join(parts)
