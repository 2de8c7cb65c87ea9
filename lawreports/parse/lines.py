"""Stage 2: source lines → logical lines, and recognisers that say what a line is.

A logical line is what a reader sees as one line of the report: stripped of surrounding spaces, a
heading glued after ``。`` split off, hard-wrapped PDF lines joined back into one paragraph. Every
non-whitespace character of the source stays in exactly one logical line, in order.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from itertools import pairwise

from .. import patterns
from ..model import Marker, SourceLine
from ..text import cn_number

#: Brackets and quotes inside which a ``。`` or ``：`` does not close a heading.
OPENERS = {"《": "》", "“": "”", "（": "）", "(": ")", "‘": "’", "【": "】", "「": "」", "〈": "〉", "<": ">"}


END_PUNCT = tuple(patterns.END_PUNCT)


@dataclass(frozen=True)
class TextLine:
    """One logical line of the report."""

    line: int  #: raw line number of its first character
    text: str  #: stripped text
    after_blank: bool  #: a blank line (or the start of the file) comes before it


def fold(text: str) -> str:
    """NFKC, the form markers and dates are matched on (full-width → ASCII, ideographic space → space)."""
    return unicodedata.normalize("NFKC", text)


def find_marker(text: str) -> tuple[Marker, int] | None:
    """The number marker opening ``text`` and its length in ``text``, or None.

    ``（三）健全机制`` → (Marker(paren-cn, 3, "（三）", fullwidth=True), 3). ``一是…`` → None (a lead-in).
    """
    if patterns.LEAD_IN.match(text):
        return None
    head = text[:16]  # markers are short: fold only the opening of the line
    folded = fold(head)
    if len(folded) != len(head):
        return None  # NFKC changed the length (a ligature): positions would not map back; not a marker line
    for kind, regex in patterns.MARKERS:
        found = regex.match(folded)
        if not found:
            continue
        raw = found.group("num")
        value = ord(raw) - 0x245F if kind == "circled" else cn_number(raw)
        end = found.end()
        written = text[:end].rstrip()
        fullwidth = any(ord(c) > 0xFF00 or c in "（）、" for c in written if not c.isalnum() or ord(c) > 0xFF00)
        return Marker(kind=kind, value=value, text=written, fullwidth=fullwidth), end
    return None


def heading_end(text: str, start: int) -> int | None:
    """Index just past the first ``。``/``：`` outside brackets and quotes at or after ``start``, or None.

    ``（一）健全工作机制。成立由……`` → just past ``。``.
    """
    closing: list[str] = []
    for i in range(start, len(text)):
        char = text[i]
        if closing and char == closing[-1]:
            closing.pop()
        elif char in OPENERS:
            closing.append(OPENERS[char])
        elif not closing and char in "。：:":
            return i + 1
    return None


def is_blank(text: str) -> bool:
    return not text.strip()


def logical_lines(lines: tuple[SourceLine, ...]) -> list[TextLine]:
    """Stripped non-blank lines, each knowing whether a blank line came before it."""
    out: list[TextLine] = []
    after_blank = True
    for source in lines:
        text = source.text.strip()
        if not text:
            after_blank = True
            continue
        out.append(TextLine(line=source.number, text=text, after_blank=after_blank))
        after_blank = False
    return out


def split_glued_headings(lines: list[TextLine]) -> list[TextLine]:
    """``……法治保障。一、坚持党的领导……`` → two lines: a marker after 。/；/： starts a heading."""
    out: list[TextLine] = []
    for item in lines:
        pieces = _split_at_glued_markers(item.text)
        out.append(TextLine(item.line, pieces[0], item.after_blank))
        out.extend(TextLine(item.line, piece, False) for piece in pieces[1:])
    return out


def _split_at_glued_markers(text: str) -> list[str]:
    cuts = [m.start() for m in patterns.GLUED_MARKER.finditer(text) if _looks_like_glued_heading(text[m.end():])]
    if not cuts:
        return [text]
    pieces, start = [], 0
    for cut in cuts:
        pieces.append(text[start:cut].rstrip())
        start = cut
    pieces.append(text[start:].strip())
    return [p for p in pieces if p]


def _looks_like_glued_heading(rest: str) -> bool:
    """A glued marker opens a heading only if a short title follows (not an inline list of items)."""
    found = find_marker(rest)
    if not found:
        return False
    marker, length = found
    end = heading_end(rest, length)
    title = rest[length:end] if end else rest[length:]
    return 2 <= len(title) <= 40 and end is not None and marker.value >= 1


def join_hard_wraps(lines: list[TextLine]) -> list[TextLine]:
    """Join lines of a hard-wrapped copy (a PDF export) back into paragraphs.

    Only when the text shows a wrap width: three or more consecutive lines of (nearly) the same
    length, none ending a sentence. A line that long and not ending a sentence continues on the next
    line, unless the next line opens a heading.
    """
    width = _wrap_width(lines)
    if width is None:
        return lines
    out: list[TextLine] = []
    for item in lines:
        previous = out[-1] if out else None
        if (
            previous is not None
            and not item.after_blank
            and display_width(previous.text) >= width - 4
            and not previous.text.endswith(tuple("。！？；!?;：:"))
            and find_marker(previous.text) is None
            and find_marker(item.text) is None
            and not patterns.LEAD_IN.match(item.text)
        ):
            out[-1] = TextLine(previous.line, previous.text + item.text, previous.after_blank)
        else:
            out.append(item)
    return out


def display_width(text: str) -> int:
    """Width in half-width cells: a Chinese character is two, ``2023`` is four (as a PDF lays them out)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _wrap_width(lines: list[TextLine]) -> int | None:
    run = 1
    for before, after in pairwise(lines):
        same = (
            len(before.text) >= 15
            and not after.after_blank
            and not before.text.endswith(END_PUNCT)
            and abs(len(before.text) - len(after.text)) <= 4
            and abs(display_width(before.text) - display_width(after.text)) <= 2
            and find_marker(before.text) is None
            and find_marker(after.text) is None
        )
        run = run + 1 if same else 1
        if run >= 3:
            return display_width(before.text)
    return None
