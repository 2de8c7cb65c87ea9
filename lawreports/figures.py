"""Key figures: the quantities a report states (``19次``, ``274件``, ``100%``, ``96.28分``, ``1.2万期``).

Evaluators read a report's numbers as its concrete content: a measures part full of ``开展培训12次``
says more than one full of ``不断加强``. Each figure keeps the sentence it stands in, the anchor of the
section it belongs to and its line in the raw file, so a reader can check it in context.

A figure is Arabic digits (full-width ones too, ``1,000`` thousands separators, a decimal part),
optionally a magnitude (``万``, ``亿``) and an approximation (``余``, ``多``), then a unit from
:data:`UNITS` — or ``%``. Not figures:

* years and dates: ``2023年``, ``2月``, ``1月3日``, ``2021—2025年`` (年, 月, 日 and 号 are no units);
* document numbers: ``津南政办发〔2023〕12号``, ``第5号令``;
* ordinals: ``第3次``, ``第十个`` (a number after 第), list markers ``1.``, ``（3）``;
* clock times: ``9时30分`` (分 after 时/点); anniversaries ``100周年``; digits glued to Latin letters or other digits
  (``5G``, ``A1``).

Chinese-numeral quantities (``三次``) are not read: 一 to 十 are as often ordinals and names
(``三重一大``, ``八五普法``) as counts.

No MkDocs here; ``render`` puts the figures into the front matter and a table on the report page,
``site/insight`` writes ``data/figures.csv``.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass

from .model import Heading, Paragraph, Report
from .text import compact, one_space, sentence_at

#: Units a count or measure is stated in, longest first where one is the start of another
#: (``人次`` before ``人``, ``个工作日`` before ``个``).
UNITS: tuple[str, ...] = (
    "个工作日", "个百分点", "个月", "工作日", "平方公里", "平方米", "公里", "千米", "小时", "分钟", "课时", "学时",
    "人次", "场次", "户次", "件次", "批次", "家次", "车次", "元",
    "次", "件", "条", "期", "人", "名", "场", "个", "项", "家", "篇", "份", "户", "所", "起", "批", "类", "部",
    "本", "册", "套", "台", "辆", "处", "组", "轮", "节", "例", "宗", "单", "封", "张", "支", "队", "座", "栋",
    "间", "亩", "吨", "米", "字", "门", "倍", "分", "天", "周", "%", "％", "‰",
)
_UNIT = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
#: Full-width digits and decimal point → ASCII (same length: offsets stay valid). Not the full-width
#: comma: ``，`` is punctuation, never a thousands separator.
_WIDTH = str.maketrans("０１２３４５６７８９．", "0123456789.")

FIGURE = re.compile(
    r"(?<![0-9A-Za-z.,〔第])"  # not inside another number or a code, not a document number or an ordinal
    r"(?P<value>(?P<digits>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<decimals>\d+))?"
    r"(?P<mag1>万亿|万|亿)?(?P<approx>余|多)?(?P<mag2>万亿|万|亿)?)"
    r"(?P<unit>" + _UNIT + r")"
)
#: A 分 after a clock hour is minutes: ``9时30分``, ``10点5分``.
CLOCK = re.compile(r"\d+\s*[时点]\s*$")
MAGNITUDE = {"万": 1e4, "亿": 1e8, "万亿": 1e12}
#: A unit followed by these is part of another word: ``100周年``, ``3分之1``.
NOT_AFTER = {"周": "年", "分": "之"}


@dataclass(frozen=True)
class Figure:
    """A quantity stated in a report."""

    value: str  #: the number as written, magnitude and approximation included: ``1.2万``, ``60余``
    unit: str  #: ``次``, ``件``, ``%`` …
    text: str  #: the sentence it stands in, whitespace runs as one space
    anchor: str  #: id of the section (heading) it belongs to; ``title`` before the first heading
    line: int  #: 1-based line of the raw file
    start: int  #: offset of the figure in ``text``
    number: float  #: the value as a number: ``1.2万`` → 12000.0

    @property
    def figure(self) -> str:
        """``12049条``: value and unit as one string."""
        return self.value + self.unit

    def as_matter(self) -> dict:
        """The front-matter form."""
        return {"value": self.value, "unit": self.unit, "text": self.text, "anchor": self.anchor, "line": self.line}


def find_in_text(text: str) -> list[tuple[int, re.Match]]:
    """(offset, match) of every figure in one piece of text, in order.

    >>> [m.group(0) for _, m in find_in_text("开展培训19次，办理274件，满意率100%，得分96.28分")]
    ['19次', '274件', '100%', '96.28分']
    >>> [m.group(0) for _, m in find_in_text("公开信息12049条、简报1.2万期、资金3.5亿元，发布60余篇")]
    ['12049条', '1.2万期', '3.5亿元', '60余篇']
    >>> [m.group(0) for _, m in find_in_text("2023年2月编发，第3次会议，〔2023〕5号，9时30分，5G基站")]
    []
    """
    half = text.translate(_WIDTH)
    out = []
    for m in FIGURE.finditer(half):
        unit = m.group("unit")
        if unit == "分" and CLOCK.search(half[: m.start()]):
            continue
        if unit in NOT_AFTER and half[m.end(): m.end() + 1] == NOT_AFTER[unit]:
            continue
        out.append((m.start(), m))
    return out


def number_of(m: re.Match) -> float:
    value = float(m.group("digits").replace(",", "") + ("." + m.group("decimals") if m.group("decimals") else ""))
    for key in ("mag1", "mag2"):
        if m.group(key):
            value *= MAGNITUDE[m.group(key)]
    return value


def extract(report: Report) -> list[Figure]:
    """Every figure of the report body (headings and paragraphs), in document order."""
    lines = {line.number: line.text for line in report.source.lines}
    out: list[Figure] = []
    anchor = "title"
    for block in report.body:
        if isinstance(block, Heading):
            anchor = block.anchor
            text, first_line = block.title, block.line
        elif isinstance(block, Paragraph):
            text, first_line = one_space(block.text), block.line
        else:  # pragma: no cover - the body holds nothing else
            continue
        found = find_in_text(text)
        if not found:
            continue
        locate = _line_finder(text, first_line, lines)
        for offset, m in found:
            sentence, start = sentence_at(text, offset)  # a figure is quoted with the sentence it stands in
            out.append(
                Figure(
                    value=text[m.start("value"): m.end("value")],
                    unit=text[m.start("unit"): m.end("unit")],
                    text=sentence,
                    anchor=anchor,
                    line=locate(offset),
                    start=start,
                    number=number_of(m),
                )
            )
    return out


def by_sentence(found: list[Figure]) -> list[list[Figure]]:
    """The figures grouped by the sentence they stand in, in document order: a sentence stating
    three figures is one group of three (the key-figures table shows it once, all three marked).

    Figures of one sentence follow each other in :func:`extract`'s order with the same ``text`` and
    ``anchor`` and growing ``start``; the same sentence written twice in a row stays two groups.

    >>> def f(text, start, anchor="a"):
    ...     return Figure("1", "次", text, anchor, 1, start, 1.0)
    >>> [[g.start for g in group] for group in by_sentence(
    ...     [f("x1次y2次。", 1), f("x1次y2次。", 4), f("x1次y2次。", 1), f("z3次。", 1), f("z3次。", 1, "b")])]
    [[1, 4], [1], [1], [1]]
    """
    groups: list[list[Figure]] = []
    for figure in found:
        last = groups[-1][-1] if groups else None
        if last is not None and (last.text, last.anchor) == (figure.text, figure.anchor) and last.start < figure.start:
            groups[-1].append(figure)
        else:
            groups.append([figure])
    return groups


def _line_finder(text: str, first_line: int, lines: dict[int, str]) -> Callable[[int], int]:
    """Offset in a block's text → raw line number.

    A paragraph joined from hard-wrapped lines starts at ``first_line`` and runs on over the next
    raw lines; its non-whitespace characters are those of the lines, in order (a heading glued to
    its paragraph on one line is skipped by finding where the paragraph begins). When the two do not
    line up, every figure of the block gets ``first_line``.
    """
    flat = [i for i, c in enumerate(text) if not c.isspace()]  # k-th non-space char → offset in text
    dense = "".join(text[i] for i in flat)
    owner: list[int] = []  # k-th non-space char → raw line
    number = first_line
    head = dense[:8]
    while len(owner) < len(dense) and number in lines:
        chars = compact(lines[number])
        if number == first_line and head:
            at = chars.find(head)
            chars = chars[at:] if at >= 0 else chars
        expected = dense[len(owner): len(owner) + len(chars)]
        if chars != expected:
            return lambda offset: first_line
        owner.extend([number] * len(chars))
        number += 1
    if len(owner) < len(dense):
        return lambda offset: first_line

    def locate(offset: int) -> int:
        return owner[min(bisect_left(flat, offset), len(owner) - 1)] if owner else first_line

    return locate


def per_thousand(count: int, characters: int) -> float:
    """Figures per 1,000 characters of body text, to one decimal (0.0 for an empty body)."""
    return round(count * 1000 / characters, 1) if characters else 0.0
