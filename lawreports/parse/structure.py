"""Stage 3b: body lines → headings (with levels, anchors and parts) and paragraphs.

Levels are depths in this report's own tree, found with a stack of the marker kinds currently open:
the outermost kind the report uses is level 1, whatever it is. Anchors follow the contract of issue
#2: the first level-1 heading of each part is anchored with the part key, other level-1 headings
``s{n}``, children ``{parent}-{k}``, so they are unique by construction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .. import patterns
from ..model import PART_KEYS, Diagnostic, Heading, Marker, Paragraph
from ..parts import PartTable
from ..text import FULL_STOPS, SEMICOLONS
from .lines import TextLine, find_marker, fold, heading_end

HEADING_TITLE_MAX = 60  #: a numbered "heading" longer than this (without marker) is a numbered paragraph
UNNUMBERED_MAX = 40  #: an unnumbered heading is a short line


@dataclass(frozen=True)
class RawHeading:
    """A heading before levels and anchors are known."""

    title: str
    line: int
    marker: Marker | None


def split_blocks(lines: list[TextLine]) -> list[RawHeading | Paragraph]:
    """Classify each line as a heading (a run-in heading's body becomes a paragraph) or a paragraph."""
    out: list[RawHeading | Paragraph] = []
    seen_numbered = False
    for index, item in enumerate(lines):
        found = find_marker(item.text)
        if found:
            marker, length = found
            end = heading_end(item.text, length)
            title = item.text[:end] if end else item.text
            body = item.text[end:].strip() if end else ""
            if 1 <= len(title) - length <= HEADING_TITLE_MAX and not _is_date_only(title):
                out.append(RawHeading(title=title.strip(), line=item.line, marker=marker))
                if body:
                    out.append(Paragraph(text=body, line=item.line))
                seen_numbered = True
                continue
        if seen_numbered and _is_unnumbered_heading(lines, index):
            out.append(RawHeading(title=item.text, line=item.line, marker=None))
            continue
        out.append(Paragraph(text=item.text, line=item.line))
    return out


def _is_date_only(text: str) -> bool:
    return re.fullmatch(r"[\d\s.年月日、]+", fold(text)) is not None


def _is_unnumbered_heading(lines: list[TextLine], index: int) -> bool:
    """A short line without end punctuation, between paragraphs, where a numbered sibling would stand."""
    text = lines[index].text
    if (
        len(text) > UNNUMBERED_MAX
        or len(text) < 6
        or text.endswith(tuple(patterns.END_PUNCT))
        or re.search(r"[。；;：:]", text)
        or patterns.LEAD_IN.match(text)
        or index + 1 >= len(lines)
    ):
        return False
    previous = lines[index - 1].text if index else ""
    follows_sentence = (previous.endswith(tuple(FULL_STOPS + SEMICOLONS + "”）)"))
                        or find_marker(previous) is not None)
    return follows_sentence and find_marker(lines[index + 1].text) is None


def assign_levels(
    blocks: list[RawHeading | Paragraph], file: str
) -> tuple[list[tuple[RawHeading, int] | Paragraph], list[Diagnostic]]:
    """Give each heading its depth. Returns blocks with (heading, level) and numbering diagnostics."""
    diagnostics: list[Diagnostic] = []
    stack: list[RawHeading] = []  # the open headings, outermost first; unnumbered ones inherit a kind
    kinds: list[str] = []  # marker kind of each open level
    previous: RawHeading | None = None
    text_since_previous = False
    out: list[tuple[RawHeading, int] | Paragraph] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            out.append(block)
            text_since_previous = True
            continue
        heading = block
        marker = heading.marker
        if marker is None:
            level = len(kinds) or 1
            del stack[level - 1:], kinds[level:]
            if len(kinds) < level:
                kinds.append("none")
            stack.append(heading)
            out.append((heading, level))
            diagnostics.append(Diagnostic(file, heading.line, "warning", "unnumbered-heading",
                                          f"标题“{heading.title}”没有序号"))
            previous = heading
            text_since_previous = False
            continue
        if (  # a restart under the same kind
            previous is not None
            and previous.marker is not None
            and previous.marker.kind == marker.kind
            and marker.value == 1
            and stack
            and stack[-1] is previous
            and not text_since_previous
        ):
            diagnostics.append(Diagnostic(file, heading.line, "warning", "numbering-restart",
                                          f"“{heading.title}”紧接同级序号“{previous.title}”从一重新编号，按下级标题处理"))
            kinds.append(marker.kind)
            stack.append(heading)
        elif marker.kind in kinds:
            depth = len(kinds) - 1 - kinds[::-1].index(marker.kind)
            del kinds[depth + 1:], stack[depth:]
            stack.append(heading)
        else:
            rank = patterns.MARKER_RANK[marker.kind]
            while kinds and kinds[-1] != "none" and patterns.MARKER_RANK[kinds[-1]] > rank:
                kinds.pop()
                stack.pop()
            kinds.append(marker.kind)
            del stack[len(kinds) - 1:]
            stack.append(heading)
        out.append((heading, len(kinds)))
        previous = heading
        text_since_previous = False
    return out, diagnostics


def finish_headings(
    blocks: list[tuple[RawHeading, int] | Paragraph], table: PartTable
) -> tuple[list[Heading | Paragraph], dict[str, str | None], dict[str, str]]:
    """Anchors and parts: map level-1 headings to canonical parts, number the rest of the tree."""
    level1 = [b[0] for b in blocks if not isinstance(b, Paragraph) and b[1] == 1]
    named = [table.classify(h.title) for h in level1]
    part_of = [key or "measures" for key in named]
    parts: dict[str, str | None] = {key: None for key in PART_KEYS}
    anchors_level1: list[str] = []
    for position, key in enumerate(part_of, start=1):
        if parts[key] is None:
            parts[key] = key
            anchors_level1.append(key)
        else:
            anchors_level1.append(f"s{position}")

    out: list[Heading | Paragraph] = []
    path: list[str] = []  # anchors of the open headings
    child_count: list[int] = [0]  # children seen under each open heading (index 0: the root)
    level1_index = 0
    current_part: str | None = None
    for block in blocks:
        if isinstance(block, Paragraph):
            out.append(block)
            continue
        heading, level = block
        level = min(level, len(path) + 1)  # never skip a level in the anchor tree
        del path[level - 1:], child_count[level:]
        child_count[level - 1] += 1
        if level == 1:
            anchor = anchors_level1[level1_index]
            current_part = part_of[level1_index]
            level1_index += 1
        else:
            anchor = f"{path[-1]}-{child_count[level - 1]}"
        path.append(anchor)
        child_count.append(0)
        out.append(Heading(level=level, title=heading.title, anchor=anchor, line=heading.line,
                           marker=heading.marker, part=current_part))

    # a heading naming two parts (存在的问题和下一步打算) also starts the second when nothing else does
    for heading, anchor in zip(level1, anchors_level1, strict=True):
        for key in table.classify_all(heading.title)[1:]:
            if parts[key] is None and key != "measures":
                parts[key] = anchor

    parts_within: dict[str, str] = {}
    for done in out:
        if isinstance(done, Heading) and done.level > 1:
            part = table.classify(done.title)
            if (part in ("leadership", "shortcomings", "plans", "other") and parts[part] is None
                    and part not in parts_within):
                parts_within[part] = done.anchor
    return out, parts, parts_within


def renumber_anchor(heading: Heading, anchor: str) -> Heading:
    return replace(heading, anchor=anchor)
