"""The typed data passed between stages: read → parse → render / check / site.

Every stage takes and returns these frozen dataclasses; no stage passes untyped dicts.
Line numbers are always 1-based lines of the raw file (a CR-only file counts CRs as line ends).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from .text import characters

Severity = Literal["error", "warning", "info"]

#: Canonical parts of a report, in the order the rules list them.
PART_KEYS: tuple[str, ...] = ("measures", "shortcomings", "leadership", "plans", "other")
#: Parts whose absence a supervisor reports (``other`` is optional).
REQUIRED_PARTS: tuple[str, ...] = ("measures", "shortcomings", "leadership", "plans")


@dataclass(frozen=True)
class Diagnostic:
    """A finding about one raw file, printed as ``file:line: severity code: message``."""

    file: str  #: the raw file's name, no folder
    line: int | None  #: 1-based line in the raw file, or None for the whole file
    severity: Severity
    code: str  #: stable machine code, e.g. ``missing-part``
    message: str  #: Chinese text for the officer

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.severity} {self.code}: {self.message}"

    def as_warning(self) -> dict:
        """The front-matter form (the file is implied by the page)."""
        return {"line": self.line, "severity": self.severity, "code": self.code, "message": self.message}


@dataclass(frozen=True)
class SourceLine:
    """One line of the decoded raw file."""

    number: int  #: 1-based line number in the raw file
    text: str  #: the line without its line ending, exactly as decoded


@dataclass(frozen=True)
class SourceText:
    """A raw file decoded to text, nothing lost."""

    name: str  #: file name with extension, no folder
    sha256: str  #: hex SHA-256 of the raw bytes
    encoding: str  #: the codec that decoded it (utf-8, gb18030, utf-16)
    lines: tuple[SourceLine, ...]
    size: int  #: number of raw bytes


@dataclass(frozen=True)
class Marker:
    """A heading's number marker, e.g. ``（三）`` → kind ``paren-cn``, value 3."""

    kind: str  #: part | cn | paren-cn | arabic | paren-arabic | circled
    value: int  #: the number the marker stands for
    text: str  #: the marker as written, e.g. ``(三)`` or ``１．``
    fullwidth: bool  #: written with full-width brackets/digits/dots


@dataclass(frozen=True)
class Heading:
    """A section heading of the report body."""

    level: int  #: depth in this report's tree (1 = outermost kind used), not the marker
    title: str  #: the heading as written, marker included, whitespace stripped
    anchor: str  #: ASCII id, unique in the page (``measures``, ``s3``, ``measures-2-1``)
    line: int
    marker: Marker | None  #: None for an unnumbered heading
    part: str | None  #: canonical part this heading belongs to (level 1 and its subtree)


@dataclass(frozen=True)
class Paragraph:
    """Body text: one paragraph (hard-wrapped lines already joined)."""

    text: str
    line: int  #: line of its first character


Block = Heading | Paragraph


@dataclass(frozen=True)
class MetaLine:
    """A line of page metadata pasted above the title (``索引号：…``)."""

    label: str  #: the label as written, e.g. 发布日期
    value: str
    line: int
    text: str  #: the whole line as written (stripped)


@dataclass(frozen=True)
class Signature:
    """The signing agency and date at the end of the report."""

    lines: tuple[str, ...]  #: the lines as written (agency line(s), then the date line)
    line: int  #: line of the first signature line
    agency: str | None
    date: dt.date | None


@dataclass(frozen=True)
class Report:
    """One parsed report: the header facts, the body in document order, the parts."""

    source: SourceText
    title: str | None  #: the report's own title, None when the text has none
    title_lines: tuple[str, ...]  #: the raw lines (or line prefix) the title was read from
    title_line: int | None  #: first line of the title
    agency: str | None
    region: str | None
    year: int | None
    written: dt.date | None  #: 成文日期
    published: dt.date | None  #: 发布日期
    index_no: str | None  #: 索引号
    addressee: str | None  #: 主送机关, e.g. ``县委、县政府：``
    addressee_line: int | None
    meta_lines: tuple[MetaLine, ...]
    body: tuple[Block, ...]  #: preamble paragraphs, then headings and paragraphs in order
    signature: Signature | None
    parts: dict[str, str | None]  #: part key → anchor of the level-1 heading starting it
    parts_within: dict[str, str]  #: part key → anchor of a sub-heading holding it
    inferred: dict[str, str]  #: field → where it was inferred from, e.g. ``region: "text: 东丽发布"``
    diagnostics: tuple[Diagnostic, ...]

    @property
    def headings(self) -> tuple[Heading, ...]:
        return tuple(b for b in self.body if isinstance(b, Heading))

    def heading(self, anchor: str) -> Heading | None:
        return next((h for h in self.headings if h.anchor == anchor), None)

    @property
    def body_characters(self) -> int:
        """字数: non-whitespace characters of the body (headings and paragraphs)."""
        return sum(characters(b.title if isinstance(b, Heading) else b.text) for b in self.body)

    def part_blocks(self, key: str) -> tuple[Block, ...]:
        """The headings and paragraphs of one canonical part, in order."""
        out: list[Block] = []
        inside = False
        for block in self.body:
            if isinstance(block, Heading) and block.level == 1:
                inside = block.part == key
            if inside:
                out.append(block)
        return tuple(out)


@dataclass(frozen=True)
class Overrides:
    """Corrections an officer gives in a sidecar ``<name>.meta.yml`` (issue #3)."""

    values: dict[str, object] = field(default_factory=dict)
    path: str | None = None
