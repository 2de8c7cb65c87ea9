"""合规概览 (issue #7, on the site): what ``build_site.py check`` finds, shown on the site.

- every report page gets a small scorecard under its metadata block (:func:`with_scorecard`):
  counts by severity, the timeliness verdict and the findings with their raw line numbers,
  exactly as ``check`` prints them;
- ``compliance/index.md``: every report × the five parts and timeliness, with counts and three
  static SVG charts (``charts.py``); ``compliance/by-agency.md`` the same table sorted by agency
  (the pages: ``compliance_pages.py``).

A pure function (:func:`build`) of the records and of every finding of the seeds folder (the
collect stage's: each report's own, the clashes, the text reused from the year before, the files
that did not convert); each report's timeliness from its parsed report and deadline.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..checks import SEVERITIES, Timeliness, findings_by_file, scorecard, timeliness
from ..model import Diagnostic
from ..record import ReportRecord
from . import markup as md
from .generated import Generated
from .listings import SiteIndex

if TYPE_CHECKING:
    from ..parts import PartTable

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

@dataclass(frozen=True)
class ReportCheck:
    """One published report and what the checks say about it."""

    info: ReportRecord
    uri: str  #: the report page's path below docs_dir
    findings: tuple[Diagnostic, ...]
    card: dict  #: :func:`lawreports.checks.scorecard` of the findings
    timing: Timeliness | None  #: None when not known
    rate: float | None  #: figures per 1,000 characters (insight), None when unknown
    required: tuple[str, ...]  #: the parts the rules require (parts.yml)

    def part_state(self, key: str) -> str:
        if self.info.parts.get(key):
            return "present"
        if self.info.parts_within.get(key):
            return "within"
        return "missing" if key in self.required else "optional"

    @property
    def complete(self) -> bool:
        return all(self.part_state(k) == "present" for k in self.required)


@dataclass
class Compliance:
    """The checks of one build: a row per published report, and the pages."""

    rows: list[ReportCheck]  #: in the index's order (year descending, agency pinyin)
    findings: list[Diagnostic]  #: every finding of the folder (files that did not convert too)
    checked: int  #: raw files checked (published or not)
    required: tuple[str, ...]  #: the parts the rules require (parts.yml)
    pages: list[Generated] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._by_uri = {r.uri: r for r in self.rows}

    def row(self, uri: str) -> ReportCheck | None:
        return self._by_uri.get(uri)


# ---------------------------------------------------------------------------------------------
# The rows and the pages


#: Findings about files that are not raw reports (a sidecar without its raw file, one misnamed).
NOT_RAW_FILES = (".yml", ".yaml")


def rows(
    index: SiteIndex,
    findings: Sequence[Diagnostic],
    parts: PartTable,
    rate_of: Callable[[ReportRecord], float | None] = lambda record: None,
) -> Compliance:
    """The rows, one per published report (the pages: :func:`lawreports.site.compliance_pages.build`).
    ``findings``: every finding of the seeds folder (published reports, clashes, reuse, failed files)."""
    grouped = findings_by_file(findings)
    required = parts.required_keys
    checked = []
    for record in index.reports:
        found = tuple(grouped.get(record.source, ()))
        checked.append(ReportCheck(record, index.report_uri(record), found, scorecard(found),
                                timeliness(record.report, record.deadline), rate_of(record), required))
    published = {r.source for r in index.reports}
    failed = {d.file for d in findings if not d.file.endswith(NOT_RAW_FILES)} - published
    return Compliance(checked, list(findings), len(published) + len(failed), required)


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
        return "未能检查"
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
        f'<section class="report-scorecard scorecard-{card["status"]}" id="scorecard"'
        ' aria-labelledby="scorecard-title">',
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


