"""The publication record in one build (issue #18): what the record changes about this run.

Read top to bottom, as :func:`lawreports.build.pipeline.generate` uses it:

1. :func:`open_record` reads ``history/``; a published report whose raw file is gone without a
   withdrawal is an error (its last good version stays online); a withdrawn report leaves the site.
2. :meth:`Recording.record` adds a version for each published report that changed (in memory).
3. :meth:`Recording.unrecorded` (``--frozen-record``): such a change stops the build.
4. :meth:`Recording.section` and :meth:`Recording.files` put the record on the site.
5. :meth:`Recording.save` writes the changed entries, once the site was built and swapped in.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..model import Diagnostic
from ..record import ReportRecord
from ..site import data
from ..site.generated import Generated
from ..site.history import history_section, record_files
from ..site.listings import SiteIndex
from .collect import Collected
from .history import (
    HISTORY_DIR,
    Addresses,
    Correction,
    History,
    HistoryError,
    Mode,
    committed_in_git,
    file_name,
    missing_sources,
    record_versions,
)


@dataclass
class Recording:
    history: History
    mode: Mode
    withdrawn: frozenset[str]
    diagnostics: list[Diagnostic] = field(default_factory=list)
    addresses: dict[str, Addresses] = field(default_factory=dict)

    def online(self, records: Iterable[ReportRecord]) -> list[ReportRecord]:
        """The records that stay on the site: all but the withdrawn."""
        return [r for r in records if r.source not in self.withdrawn]

    def record(self, records: list[ReportRecord], fresh: set[str], index: SiteIndex) -> None:
        self.addresses = {r.source: Addresses(index.report_uri(r), index.agency(r).uri, data.json_uri(r))
                          for r in records}
        corrections = {r.source: Correction(*r.correction) for r in records if r.correction}
        committed = committed_in_git(self.history.folder) if self.mode == "write" else (lambda source: None)
        self.diagnostics.extend(record_versions(self.history, records, fresh, self.addresses, corrections, committed))

    def unrecorded(self) -> list[Diagnostic]:
        """Under ``--frozen-record``: each report whose change has no committed entry, as an error."""
        if self.mode != "frozen":
            return []
        return [Diagnostic(source, None, "error", "unrecorded-change",
                           f"此报告与发布记录（{HISTORY_DIR}/{file_name(source)}）不符：改动尚未记录或记录未提交。"
                           "请在本地运行 python build_site.py，并把 history/ 与改动一起提交")
                for source in sorted(self.history.changed)]

    def section(self, record: ReportRecord, uri: str) -> str:
        return history_section(self.history.get(record.source), uri)

    def files(self, taken: set[str], site_url: str | None, docs_dir: Path, reports_prefix: str) -> Iterator[Generated]:
        """The record's files; an old data file's copy is read from the current one just written."""
        made = record_files(self.history, self.addresses, set(taken), site_url, reports_prefix)
        yield from made.files
        for old, new in sorted(made.copies.items()):
            current = docs_dir / new
            if current.is_file():
                yield Generated(old, current.read_bytes())

    def save(self) -> list[str]:
        """Write the changed entries (never under ``mkdocs serve`` or ``--frozen-record``)."""
        return self.history.save() if self.mode == "write" else []


def open_record(root: Path, collected: Collected, mode: Mode) -> Recording:
    """The record of the project at ``root``; raises HistoryError for a file that cannot be read.
    A published report whose raw file is gone joins ``collected.failed`` (its last good version stays)."""
    history = History.load(root / HISTORY_DIR)
    present = {r.source for r in collected.records} | set(collected.failed)
    withdrawn = frozenset(s for s, e in history.entries.items() if e.withdrawn)
    recording = Recording(history, mode, withdrawn)
    gone = missing_sources(history, present)
    recording.diagnostics.extend(gone)
    collected.failed.extend(d.file for d in gone)
    collected.total += len(gone)  # counted among the reports, as failed ones
    recording.diagnostics.extend(
        Diagnostic(source, None, "info", "withdrawn", f"此报告已于 {gone.date} 撤回"
                   f"（{HISTORY_DIR}/{file_name(source)}），不再发布；原文可以删除")
        for source, gone in sorted((s, e.withdrawn) for s, e in history.entries.items() if e.withdrawn)
        if source in present)
    return recording


__all__ = ["HistoryError", "Recording", "open_record"]
