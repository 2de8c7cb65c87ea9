"""Static SVG bar charts for the 合规概览, made at build time: no JavaScript, no plotting library.

Three shapes are enough for the overview: :func:`column_chart` (reports per year),
:func:`bar_chart` (a share per agency, 0–100 %) and :func:`diverging_chart` (days early or late,
around the deadline). Each returns one line of SVG text that works inline in a page and as a
file of its own.

Why no plotting library (matplotlib, plotly …):

- **Deterministic bytes.** Every byte is written here from the data: no hash salts, generated
  ids, creation dates, or float formatting that changes between library versions; the same
  reports give the same SVG in every build (tests compare two builds byte for byte).
- **Text stays text.** Chinese labels are ``<text>`` elements in the reader's own CJK fonts —
  selectable, found by the browser's find-in-page, read by screen readers, sharp at any zoom —
  not glyph outlines, and no CJK font has to be configured at build time.
- **No dependency.** Three kinds of bar chart are a couple of hundred lines; matplotlib would add
  tens of megabytes (and numpy) to the build and the CI for them.

Accessibility: the ``<svg>`` has ``role="img"``, an ``aria-label`` (the title), a ``<title>`` and a
``<desc>`` that gives every value in words; each bar's group has its own ``<title>`` (a tooltip
naming the full label). ``viewBox`` with ``width="100%"`` scales the chart to the column, so it
stays readable on a 390 px phone (the CSS caps its width on wide screens).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.etree import ElementTree as ET

from . import markup as md

SVG_NS = "http://www.w3.org/2000/svg"
#: The reader's own CJK fonts, as in reports.css.
FONT = ("-apple-system, 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'Noto Sans CJK SC', "
        "'WenQuanYi Micro Hei', sans-serif")
FONT_SIZE = 14
#: Fill colours: each reaches at least 3:1 against white (WCAG 1.4.11, graphical objects).
COLOURS = {"bar": "#b71c1c", "good": "#2e7d32", "late": "#b71c1c", "muted": "#757575"}
WIDTH = 400
LABEL_WIDTH = 150  #: the label column of the horizontal charts
ROW = 28  #: height of one row of a horizontal chart
#: Characters of a label shown before it is cut short (the full label is in the bar's tooltip).
LABEL_CHARS = 10


@dataclass(frozen=True)
class Bar:
    """One bar: what it is called, how long it is, and what it says."""

    label: str
    value: float
    text: str  #: the value as shown next to the bar, e.g. ``3 份``, ``75%``, ``逾期 12 天``
    title: str = ""  #: tooltip (the full label and value); ``label：text`` when empty
    kind: str = "bar"  #: colour, a key of :data:`COLOURS`


def number(value: float) -> str:
    """Coordinates with at most one decimal, without a trailing ``.0``: the same text everywhere."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def short(label: str, limit: int = LABEL_CHARS) -> str:
    """``南开区人民政府办公室综合科`` → ``南开区人民政府办公…``."""
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _svg(chart_id: str, title: str, desc: str, height: float) -> ET.Element:
    root = ET.Element("svg", {
        "xmlns": SVG_NS,
        "viewBox": f"0 0 {WIDTH} {number(height)}",
        "width": "100%",
        "role": "img",
        "aria-label": title,
        "aria-describedby": f"{chart_id}-desc",
        "class": "chart",
        "id": chart_id,
        "font-family": FONT,
        "font-size": str(FONT_SIZE),
    })
    ET.SubElement(root, "title", {"id": f"{chart_id}-title"}).text = title
    ET.SubElement(root, "desc", {"id": f"{chart_id}-desc"}).text = desc
    return root


def _text(parent: ET.Element, x: float, y: float, value: str, anchor: str = "start", **extra: str) -> ET.Element:
    attrs = {"x": number(x), "y": number(y), "text-anchor": anchor, "fill": "currentColor"}
    attrs.update(extra)
    node = ET.SubElement(parent, "text", attrs)
    node.text = value
    return node


def _rect(parent: ET.Element, x: float, y: float, w: float, h: float, kind: str) -> None:
    ET.SubElement(parent, "rect", {"x": number(x), "y": number(y), "width": number(max(w, 0)), "height": number(h),
                                   "fill": COLOURS.get(kind, COLOURS["bar"])})


def _group(parent: ET.Element, bar: Bar) -> ET.Element:
    g = ET.SubElement(parent, "g", {"class": f"chart-bar chart-{bar.kind}"})
    ET.SubElement(g, "title").text = bar.title or f"{bar.label}：{bar.text}"
    return g


def _line(parent: ET.Element, x1: float, y1: float, x2: float, y2: float) -> None:
    ET.SubElement(parent, "line", {"x1": number(x1), "y1": number(y1), "x2": number(x2), "y2": number(y2),
                                   "stroke": COLOURS["muted"], "stroke-width": "1"})


def _empty(root: ET.Element, message: str, height: float) -> str:
    _text(root, WIDTH / 2, height / 2 + FONT_SIZE / 2 - 2, message, "middle")
    return serialise(root)


def serialise(root: ET.Element) -> str:
    """One line of SVG (no XML declaration: the same text inline and in a .svg file); characters XML 1.0
    does not allow (a control character in an agency's name from a sidecar) are left out, so it parses."""
    return ET.tostring(md.xml_safe_tree(root), encoding="unicode", short_empty_elements=True)


def column_chart(chart_id: str, title: str, desc: str, bars: Sequence[Bar]) -> str:
    """Vertical bars side by side (reports per year): the label under each bar, its text above."""
    height, top, bottom = 220.0, 24.0, 28.0
    root = _svg(chart_id, title, desc, height)
    if not bars:
        return _empty(root, "暂无数据", height)
    base = height - bottom
    slot = (WIDTH - 20) / len(bars)
    width = min(56.0, slot * 0.6)
    biggest = max((b.value for b in bars), default=0) or 1
    for k, bar in enumerate(bars):
        g = _group(root, bar)
        centre = 10 + slot * (k + 0.5)
        h = (base - top) * bar.value / biggest
        _rect(g, centre - width / 2, base - h, width, h, bar.kind)
        _text(g, centre, base - h - 6, bar.text, "middle")
        _text(g, centre, base + 18, short(bar.label, 6), "middle")
    _line(root, 10, base, WIDTH - 10, base)
    return serialise(root)


def bar_chart(chart_id: str, title: str, desc: str, bars: Sequence[Bar], maximum: float = 1.0) -> str:
    """Horizontal bars, one row each (a share by agency): the label left, the text after the bar."""
    top = 6.0
    height = top + ROW * max(len(bars), 1) + 6
    root = _svg(chart_id, title, desc, height)
    if not bars:
        return _empty(root, "暂无数据", height)
    area = WIDTH - LABEL_WIDTH - 56
    for k, bar in enumerate(bars):
        g = _group(root, bar)
        y = top + ROW * k
        _text(g, LABEL_WIDTH - 6, y + ROW / 2 + FONT_SIZE / 2 - 2, short(bar.label), "end")
        w = area * min(bar.value, maximum) / maximum if maximum else 0
        _rect(g, LABEL_WIDTH, y + 5, w, ROW - 10, bar.kind)
        _text(g, LABEL_WIDTH + w + 5, y + ROW / 2 + FONT_SIZE / 2 - 2, bar.text)
    _line(root, LABEL_WIDTH, top, LABEL_WIDTH, top + ROW * len(bars))
    return serialise(root)


def diverging_chart(chart_id: str, title: str, desc: str, bars: Sequence[Bar]) -> str:
    """Bars left (negative: days to spare) or right (positive: days late) of a zero line; the
    text always just right of the zero line, so a long bar never pushes it out of the chart."""
    top = 6.0
    height = top + ROW * max(len(bars), 1) + 6
    root = _svg(chart_id, title, desc, height)
    if not bars:
        return _empty(root, "暂无可判断的报告", height)
    half = (WIDTH - LABEL_WIDTH - 10) / 2
    zero = LABEL_WIDTH + half
    biggest = max(abs(b.value) for b in bars) or 1
    for k, bar in enumerate(bars):
        g = _group(root, bar)
        y = top + ROW * k
        baseline = y + ROW / 2 + FONT_SIZE / 2 - 2
        _text(g, LABEL_WIDTH - 6, baseline, short(bar.label), "end")
        w = (half - 4) * abs(bar.value) / biggest
        _rect(g, zero - w if bar.value < 0 else zero, y + 5, w, ROW - 10, bar.kind)
        if bar.value > 0:
            # late: the text after the bar when there is room, else inside it in white
            if zero + w + 5 + FONT_SIZE * len(bar.text) * 0.8 <= WIDTH:
                _text(g, zero + w + 5, baseline, bar.text)
            else:
                _text(g, zero + w - 5, baseline, bar.text, "end", fill="#ffffff")
        else:
            _text(g, zero + 5, baseline, bar.text)
    _line(root, zero, top, zero, top + ROW * len(bars))
    return serialise(root)
