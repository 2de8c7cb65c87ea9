"""Invisible format characters (Unicode category Cf) in a report's text or its sidecar values.

A right-to-left override shows ``南开区司法局`` for a name that is stored otherwise; a zero-width
space makes two names that look the same differ (a new agency, a search that misses). Neither is
ever meant in a published report, so both are findings (``format-character``):

- **error**: the bidirectional embeddings and overrides U+202A–U+202E and the isolates
  U+2066–U+2069: they reorder what is shown and can disguise a name or a number;
- **warning**: every other format character: zero-width space, (non-)joiner and word joiner
  (U+200B–U+200D, U+2060), the direction marks U+200E, U+200F and U+061C, U+FEFF inside the
  text, the soft hyphen U+00AD …

Every raw line is read (title, metadata, headings, body and signature), one finding per line and
severity, naming each character by its code point; a byte-order mark at the very start of the file
is not a finding. The values the sidecar sets (title, agency, region, index number) are read too: a
character of such a value that no line of the text has came from the sidecar, and the finding names
the sidecar's key (the sidecar's ``note`` and ``source_url`` do not reach the checks). The message shows the
line with each character written as ``<U+202E>``, never the raw character, so a terminal or a page
showing the message is not reordered by it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from pathlib import Path

from ..model import Diagnostic, Report
from ..sidecar import sidecar_path
from .base import Context, finding

#: Bidirectional embeddings, overrides and isolates: they change the order in which text is shown.
BIDI_CONTROLS = frozenset(range(0x202A, 0x202F)) | frozenset(range(0x2066, 0x206A))

#: Chinese names of the format characters met in practice; others are named by Unicode.
NAMES = {
    0x00AD: "软连字符",
    0x061C: "阿拉伯字母方向标记",
    0x200B: "零宽空格",
    0x200C: "零宽不连字",
    0x200D: "零宽连字",
    0x200E: "从左至右标记",
    0x200F: "从右至左标记",
    0x202A: "从左至右嵌入",
    0x202B: "从右至左嵌入",
    0x202C: "方向格式结束",
    0x202D: "从左至右覆盖",
    0x202E: "从右至左覆盖",
    0x2060: "零宽不换行",
    0x2066: "从左至右隔离",
    0x2067: "从右至左隔离",
    0x2068: "首强字符隔离",
    0x2069: "方向隔离结束",
    0xFEFF: "零宽不换行空格（字节顺序标记）",
}

#: Report fields a sidecar can set, with their Chinese names.
FIELDS = (("title", "标题"), ("agency", "单位名称"), ("region", "所属地区"), ("index_no", "索引号"))

QUOTE_LIMIT = 40


def is_format(char: str) -> bool:
    return unicodedata.category(char) == "Cf"


def describe(code: int) -> str:
    """``0x202E`` → ``U+202E（从右至左覆盖，RIGHT-TO-LEFT OVERRIDE）``."""
    english = unicodedata.name(chr(code), "")
    chinese = NAMES.get(code)
    label = "，".join(x for x in (chinese, english) if x)
    return f"U+{code:04X}（{label}）" if label else f"U+{code:04X}"


def visible(text: str) -> str:
    """The text with every format character written as ``<U+XXXX>``, shortened for a message."""
    shown = "".join(f"<U+{ord(c):04X}>" if is_format(c) else c for c in text.strip())
    return shown if len(shown) <= QUOTE_LIMIT else shown[:QUOTE_LIMIT] + "……"


def _message(where: str, codes: list[int], text: str, error: bool) -> str:
    names = "、".join(describe(code) for code in codes)
    effect = ("会改变文字的显示顺序，可能使名称或数字看起来与实际不同"
              if error else "看不见，但会使看起来相同的名称、词语不同（检索不到、归为另一单位）")
    return f"{where}含有不可见的格式字符 {names}：“{visible(text)}”，{effect}，请删除"


def _split(text: str) -> tuple[list[int], list[int]]:
    """The distinct format characters of ``text`` in order of appearance: (bidi controls, others)."""
    bidi: list[int] = []
    other: list[int] = []
    for char in text:
        if is_format(char):
            code = ord(char)
            group = bidi if code in BIDI_CONTROLS else other
            if code not in group:
                group.append(code)
    return bidi, other


def check_format_characters(report: Report, ctx: Context) -> Iterator[Diagnostic]:
    del ctx  # nothing beyond the report
    title_lines: set[int] = set()
    if report.title_line is not None:
        title_lines = set(range(report.title_line, report.title_line + max(1, len(report.title_lines))))
    in_text: set[int] = set()
    for line in report.source.lines:
        text = line.text[1:] if line.number == 1 and line.text.startswith("\ufeff") else line.text
        bidi, other = _split(text)
        in_text.update(bidi + other)
        where = f"第 {line.number} 行" + ("（标题）" if line.number in title_lines else "")
        if bidi:
            yield finding(report, line.number, "error", "format-character", _message(where, bidi, text, True))
        if other:
            yield finding(report, line.number, "warning", "format-character", _message(where, other, text, False))
    # A value set by the sidecar (or, for the region, agencies.yml) is not on any line of the text:
    # its characters that no line has are named with the key.
    sidecar = sidecar_path(Path(report.source.name)).name
    for field, label in FIELDS:
        value = getattr(report, field)
        if not isinstance(value, str):
            continue
        bidi, other = ([c for c in group if c not in in_text] for group in _split(value))
        source = f"旁注文件 {sidecar} 的 {field}" + ("或 agencies.yml" if field == "region" else "")
        where = f"{label}（{source}）"
        if bidi:
            yield finding(report, None, "error", "format-character", _message(where, bidi, value, True))
        if other:
            yield finding(report, None, "warning", "format-character", _message(where, other, value, False))
