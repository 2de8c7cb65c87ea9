"""What every check receives besides the report, and small helpers shared by the checks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..model import Diagnostic, Heading, Paragraph, Report, Severity
from ..parts import PartTable
from ..settings import Settings
from ..text import cn_numeral, compact


@dataclass(frozen=True)
class Context:
    """The facts a check needs that are not in the report itself."""

    settings: Settings
    table: PartTable  #: part labels for messages
    agency_type: str  #: government | department (chooses the deadline)
    deadline: dt.date | None  #: disclosure deadline for this report, None when the year is unknown
    previous: Report | None = None  #: the same agency's report of the year before
    public: tuple[str, ...] = ()  #: values the sidecar says are meant to be public (``public:``)


def finding(report: Report, line: int | None, severity: Severity, code: str, message: str) -> Diagnostic:
    return Diagnostic(report.source.name, line, severity, code, message)


def block_text(block: Heading | Paragraph) -> str:
    return block.title if isinstance(block, Heading) else block.text


def quote(text: str, limit: int = 24) -> str:
    """A short quotation for a message: ``“坚持以习近平……”``."""
    text = compact(text) if len(text) > limit else text.strip()
    return f"“{text[:limit]}……”" if len(text) > limit else f"“{text}”"


def marker_text(kind: str, value: int, fullwidth: bool = True) -> str:
    """How a marker of ``kind`` with ``value`` is written: (paren-cn, 3) → ``（三）``."""
    open_, close = ("（", "）") if fullwidth else ("(", ")")
    if kind == "part":
        return f"第{cn_numeral(value)}部分"
    if kind == "cn":
        return f"{cn_numeral(value)}、"
    if kind == "paren-cn":
        return f"{open_}{cn_numeral(value)}{close}"
    if kind == "arabic":
        return f"{value}."
    if kind == "paren-arabic":
        return f"{open_}{value}{close}"
    if kind == "circled" and 1 <= value <= 20:
        return chr(0x245F + value)
    return str(value)
