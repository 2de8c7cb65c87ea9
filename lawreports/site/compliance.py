"""合规概览 (issue #7, on the site): what the public may know of the checks, in plain Chinese.

- every report page gets a short summary under its metadata block (:func:`with_summary`): whether
  the parts the rules require are there, and whether it was published on time — in words, without
  the checks' codes, severities or line numbers (those are an officer's to-do list: they stay in
  ``build_site.py check`` and its JSON);
- ``compliance/index.md``: every report × the five parts and timeliness, with counts, three static
  SVG charts (``charts.py``) and the 未公开名单; ``compliance/by-agency.md`` the same table sorted by
  agency (the pages: ``compliance_pages.py``).

A pure function (:func:`rows`) of the records and of every finding of the seeds folder (the
collect stage's: each report's own, the clashes, the text reused from the year before, the files
that did not convert); each report's timeliness from its parsed report and deadline.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..checks import Timeliness, findings_by_file, timeliness
from ..model import Diagnostic
from ..parts import load_parts
from ..record import ReportRecord
from . import markup as md
from .generated import Generated
from .listings import SiteIndex

if TYPE_CHECKING:
    from ..parts import PartTable

INDEX = "compliance/index.md"
BY_AGENCY = "compliance/by-agency.md"
CHARTS_DIR = "compliance/charts"
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
    findings: tuple[Diagnostic, ...]  #: for the officer (``check``); never shown on a public page
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
        checked.append(ReportCheck(record, index.report_uri(record), found,
                                timeliness(record.report, record.deadline), rate_of(record), required))
    published = {r.source for r in index.reports}
    failed = {d.file for d in findings if not d.file.endswith(NOT_RAW_FILES)} - published
    return Compliance(checked, list(findings), len(published) + len(failed), required)


# ---------------------------------------------------------------------------------------------
# Words


def timing_text(t: Timeliness | None) -> str:
    """The verdict in a few words: 按时（提前 89 天）, 逾期 12 天, 发布日期未注明. 按时 only from a 发布日期."""
    if t is None:
        return "未能判断"
    if t.basis == "published" and t.days_late is not None:
        if t.days_late > 0:
            return f"逾期 {t.days_late} 天"
        return f"按时（提前 {-t.days_late} 天）" if t.days_late < 0 else "按时（截止日当天）"
    if t.status == "late":  # written after the deadline: published later still
        return "逾期"
    if t.basis == "published":  # no deadline: the year is unknown
        return "报告年度不详，无法判断是否按时公开"
    return "发布日期未注明，无法判断是否按时公开"


def timing_detail(t: Timeliness | None) -> str:
    """The dates behind the verdict (:func:`timing_text`), in a sentence for the report page."""
    if t is None or t.deadline is None:
        return ""
    deadline = f"公开截止日期为 {t.deadline.isoformat()}"
    if t.basis == "published" and t.date is not None:
        return f"发布日期 {t.date.isoformat()}，{deadline}。"
    if t.status == "late" and t.date is not None:
        return f"报告未注明发布日期，但成文日期 {t.date.isoformat()} 已晚于截止日期，不可能按时公开；{deadline}。"
    return f"{deadline}。"


def timing_class(t: Timeliness | None) -> str:
    if t is None or t.status == "unknown":
        return "timing-unknown"
    return "timing-late" if t.status == "late" else "timing-ok"


def parts_text(row: ReportCheck, label: Callable[[str], str]) -> str:
    """The required parts in a sentence: 齐全, or which are missing or only inside another part."""
    missing = [k for k in row.required if row.part_state(k) == "missing"]
    within = [k for k in row.required if row.part_state(k) == "within"]
    if not missing and not within:
        return f"规定的 {len(row.required)} 个部分齐全。"
    out = []
    if missing:
        out.append("缺少" + "、".join(f"“{label(k)}”" for k in missing))
    if within:
        out.append("、".join(f"“{label(k)}”" for k in within) + "没有单独成章，只写在其他部分的小标题下")
    return "；".join(out) + "。"


def _e(value: object) -> str:
    """Escape for HTML text and attributes; line breaks become spaces (a blank line would end the HTML block)."""
    return html.escape(" ".join(str(value).split()), quote=True)


# ---------------------------------------------------------------------------------------------
# The summary on a report page

#: The summary's id on a report page (合规概览 links to it).
SUMMARY_ID = "disclosure"


def summary_html(row: ReportCheck, label: Callable[[str], str]) -> str:
    """The summary: one HTML block (no blank line inside) of escaped text."""
    timing = row.timing
    # the box reuses the stylesheet's scorecard look (border colour: ok, warning)
    state = "ok" if row.complete and timing is not None and timing.status == "on-time" else (
        "warning" if not row.complete or (timing is not None and timing.status == "late") else "info")
    return "\n".join([
        f'<section class="report-scorecard report-summary scorecard-{state}" id="{SUMMARY_ID}"'
        f' aria-labelledby="{SUMMARY_ID}-title">',
        f'<p class="scorecard-head"><strong id="{SUMMARY_ID}-title">报告内容与公开时限</strong></p>',
        f'<p class="summary-parts">报告内容：{_e(parts_text(row, label))}</p>',
        f'<p class="summary-timing">公开时限：<span class="{timing_class(timing)}">{_e(timing_text(timing))}</span>。'
        f'{_e(timing_detail(timing))}</p>',
        "</section>",
    ])


def with_summary(markdown: str, row: ReportCheck) -> str:
    """Insert the summary after the 下载 line (or the metadata block), with a link to the overview."""
    more = f"各报告的对照见{md.link('合规概览', row.uri, INDEX)}。\n{{: .scorecard-more }}"
    block = summary_html(row, load_parts().label) + "\n\n" + more
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
