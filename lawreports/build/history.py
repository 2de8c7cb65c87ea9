"""The publication record: every version of every published report, and its withdrawal (issue #18).

A published disclosure is a public record, so the site never edits one silently. The record lives in
the repository, one JSON file per raw report (``history/<raw file name>.json``, beside ``mkdocs.yml``),
and holds, per version: its number, the date and reason the officer gave, the hashes of its text and
raw file, the metadata the public saw, the addresses it was published at, and its text line by line
(so a clean clone can show, diff and offer every version). A file per report means two officers who
correct different reports never touch one file.

``python build_site.py`` appends a version when a published report's text or metadata changed (the
officer commits it with the change); ``mkdocs serve`` only previews; ``--frozen-record`` (the Pages
workflow) refuses to deploy a change that has no committed entry. Nothing here reads the clock: an
entry holds only what the report, its sidecar or the officer's command says.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import subprocess
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from ..model import Diagnostic, Heading, Paragraph, Report
from ..record import ReportRecord

HISTORY_DIR = "history"
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
FORMAT = 1
#: The metadata of a version the public saw; a change in any of them is a correction.
FIELDS = ("title", "agency", "agency_key", "region", "year", "written", "published", "index_no", "source_url")

Mode = Literal["write", "frozen", "preview"]
By = Literal["first", "officer", "converter"]


class HistoryError(ValueError):
    """A record file that cannot be read: named, with what is wrong."""


@dataclass(frozen=True)
class Addresses:
    """Where a version was published: files below docs_dir (``reports/2023/x.md``, ``agencies/x.md``,
    ``data/reports/2023/x.json``)."""

    page: str
    agency: str
    data: str


@dataclass(frozen=True)
class Version:
    number: int
    date: str | None  #: the officer's date (a correction's), or the 发布日期 of the first version
    reason: str | None  #: the officer's reason for a correction
    by: By  #: first publication, an officer's correction, or the converter reading the same file anew
    text_sha256: str
    source_sha256: str
    sidecar_sha256: str | None
    meta: dict[str, Any]  #: :data:`FIELDS`, as JSON values
    addresses: Addresses
    lines: tuple[str, ...]  #: the published text


@dataclass(frozen=True)
class Withdrawal:
    date: str
    reason: str


@dataclass(frozen=True)
class Entry:
    source: str
    versions: tuple[Version, ...] = ()
    withdrawn: Withdrawal | None = None
    #: addresses a version was moved away from (a unit's slug changed, its text and metadata did not)
    former: tuple[Addresses, ...] = ()

    @property
    def addresses(self) -> tuple[Addresses, ...]:
        """Every address any version was published at, oldest first."""
        return (*self.former, *(v.addresses for v in self.versions))

    @property
    def current(self) -> Version | None:
        return self.versions[-1] if self.versions else None


@dataclass(frozen=True)
class Correction:
    """What a sidecar's ``correction:`` says about the change it comes with."""

    date: str | None
    reason: str | None


def published_text(report: Report) -> tuple[str, ...]:
    """The text as the page publishes it, a line per title line, metadata line, heading, paragraph and
    signature line: what a version keeps and a correction diffs."""
    lines = [*report.title_lines, *(m.text for m in report.meta_lines)]
    if report.addressee:
        lines.append(report.addressee)
    for block in report.body:
        lines.append(block.title if isinstance(block, Heading) else block.text if isinstance(block, Paragraph) else "")
    if report.signature:
        lines.extend(report.signature.lines)
    return tuple(lines)


def meta_of(record: ReportRecord) -> dict[str, Any]:
    r = record.report
    values: dict[str, Any] = {
        "title": r.title, "agency": r.agency, "agency_key": record.agency_key, "region": r.region, "year": r.year,
        "written": _iso(r.written), "published": _iso(r.published), "index_no": record.index_no,
        "source_url": record.source_url,
    }
    return {key: values[key] for key in FIELDS}


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _sha(lines: Iterable[str]) -> str:
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


# ------------------------------------------------------------------------------------------------
# The files


def encode(entry: Entry) -> str:
    """Sorted keys, one value a line: the same entry is the same bytes, and a diff shows what changed."""
    data = {
        "format": FORMAT,
        "source": entry.source,
        "versions": [{
            "version": v.number, "date": v.date, "reason": v.reason, "by": v.by,
            "text_sha256": v.text_sha256, "source_sha256": v.source_sha256, "sidecar_sha256": v.sidecar_sha256,
            "meta": v.meta, **_addresses(v.addresses),
            "text": list(v.lines),
        } for v in entry.versions],
        "withdrawn": {"date": entry.withdrawn.date, "reason": entry.withdrawn.reason} if entry.withdrawn else None,
        "former": [_addresses(a) for a in entry.former],
    }
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def _addresses(a: Addresses) -> dict[str, str]:
    return {"page": a.page, "agency_page": a.agency, "data": a.data}


#: What the build ever publishes a report at: its page, its agency's page and its data file. A record file
#: is data from the repository; an address of any other shape (``../``, ``about.md``) is refused, so an
#: edited record can never put a file outside these folders or over a hand-written page.
ADDRESS = {
    "page": re.compile(r"[a-z0-9_-]+(?:/[a-z0-9_-]+)*/(?:\d{4}|undated)/[a-z0-9-]+\.md"),
    "agency_page": re.compile(r"agencies/[a-z0-9-]+\.md"),
    "data": re.compile(r"data/reports/(?:\d{4}|undated)/[a-z0-9-]+\.json"),
}


def _to_addresses(v: dict[str, Any]) -> Addresses:
    for key, shape in ADDRESS.items():
        if not isinstance(v[key], str) or not shape.fullmatch(v[key]):
            raise ValueError(f"{key} 不是本站生成的地址：{str(v[key])[:80]!r}")
    return Addresses(v["page"], v["agency_page"], v["data"])


def _text_or_none(value: object, what: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{what} 应为文字或 null")
    return value


def _day(value: object, what: str) -> str | None:
    day = _text_or_none(value, what)
    if day is not None and not DATE.fullmatch(day):
        raise ValueError(f"{what} 不是 YYYY-MM-DD 日期：{day[:40]!r}")
    return day


def _version(v: dict[str, Any]) -> Version:
    if v["by"] not in ("first", "officer", "converter"):
        raise ValueError(f"by 的值无效：{str(v['by'])[:40]!r}")
    lines = tuple(v["text"])
    if not all(isinstance(line, str) for line in lines):
        raise TypeError("text 应为文字行的列表")
    version = Version(
        number=int(v["version"]), date=_day(v["date"], "date"), reason=_text_or_none(v["reason"], "reason"),
        by=v["by"], text_sha256=str(v["text_sha256"]), source_sha256=str(v["source_sha256"]),
        sidecar_sha256=_text_or_none(v["sidecar_sha256"], "sidecar_sha256"),
        meta={k: v["meta"].get(k) for k in FIELDS}, addresses=_to_addresses(v), lines=lines,
    )
    if _sha(lines) != version.text_sha256:  # an edited text would show a version that was never published
        raise ValueError(f"第 {version.number} 版的正文与其 text_sha256 不符（记录被改动过）")
    return version


def decode(text: str, name: str) -> Entry:
    try:
        data = json.loads(text)
        versions = tuple(_version(v) for v in data["versions"])
        gone = data.get("withdrawn")
        withdrawn = None
        if gone:
            date, reason = _day(gone["date"], "withdrawn.date"), _text_or_none(gone["reason"], "withdrawn.reason")
            if not date or not reason:
                raise ValueError("withdrawn 须有 date 和 reason")
            withdrawn = Withdrawal(date, reason)
        entry = Entry(str(data["source"]), versions, withdrawn, tuple(_to_addresses(a) for a in data["former"]))
        if "/" in entry.source or "\\" in entry.source or entry.source.startswith("."):
            raise ValueError(f"source 不是文件名：{entry.source[:80]!r}")
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as err:
        raise HistoryError(f"{HISTORY_DIR}/{name}: 发布记录无法读取（{err}）；"
                           "请从版本库恢复此文件（git checkout -- 该文件）") from err
    if not versions:
        raise HistoryError(f"{HISTORY_DIR}/{name}: 没有任何版本；请从版本库恢复此文件")
    if [v.number for v in versions] != list(range(1, len(versions) + 1)):
        raise HistoryError(f"{HISTORY_DIR}/{name}: 版本号不连续；请从版本库恢复此文件")
    return entry


def file_name(source: str) -> str:
    return f"{source}.json"


@dataclass
class History:
    """Every report's entry, read from the record folder; :meth:`save` writes the changed ones."""

    folder: Path
    entries: dict[str, Entry] = field(default_factory=dict)
    changed: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, folder: Path) -> History:
        """Raises HistoryError naming a file that cannot be read (the build stops: a record is never
        rewritten from a guess)."""
        history = cls(folder)
        if not folder.is_dir():
            return history
        for path in sorted(folder.glob("*.json")):
            if path.is_symlink() or not path.is_file():
                raise HistoryError(f"{HISTORY_DIR}/{path.name}: 不是普通文件")
            try:
                text = path.read_text(encoding="utf-8")
            except UnicodeDecodeError as err:
                raise HistoryError(f"{HISTORY_DIR}/{path.name}: 不是 UTF-8 文本；请从版本库恢复此文件") from err
            entry = decode(text, path.name)
            if file_name(entry.source) != path.name:
                raise HistoryError(f"{HISTORY_DIR}/{path.name}: 记录的是 {entry.source}，文件名不符")
            history.entries[entry.source] = entry
        return history

    def get(self, source: str) -> Entry | None:
        return self.entries.get(source)

    def put(self, entry: Entry) -> None:
        self.entries[entry.source] = entry
        self.changed.add(entry.source)

    def save(self) -> list[str]:
        """Write the changed entries (each atomically: a short temporary name, then a rename); their
        file names. Raises HistoryError when one cannot be written (the caller then publishes nothing)."""
        written = []
        for source in sorted(self.changed):
            target = self.folder / file_name(source)
            temp = self.folder / f".record-{os.getpid()}.tmp"
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                temp.write_text(encode(self.entries[source]), encoding="utf-8")
                os.replace(temp, target)
            except OSError as err:
                temp.unlink(missing_ok=True)
                shown = target.name if len(target.name) <= 60 else target.name[:60] + "…"
                raise HistoryError(f"{HISTORY_DIR}/{shown}: 无法写入发布记录（{err.strerror or err}）") from err
            written.append(f"{HISTORY_DIR}/{target.name}")
        self.changed.clear()
        return written

    def withdraw(self, source: str, date: str, reason: str) -> Entry:
        entry = self.entries.get(source)
        if entry is None or not entry.versions:
            raise HistoryError(f"{source} 从未发布，无需撤回（删除原文即可）")
        if entry.withdrawn:
            raise HistoryError(f"{source} 已于 {entry.withdrawn.date} 撤回")
        withdrawn = replace(entry, withdrawn=Withdrawal(date, reason))
        self.put(withdrawn)
        return withdrawn


# ------------------------------------------------------------------------------------------------
# What a build adds


def committed_in_git(folder: Path) -> Callable[[str], int | None]:
    """How many versions of a report the last commit holds (None: not a git work tree, or no git).

    A version recorded by a local build but never committed was never deployed: a further change
    replaces it rather than adding one more (the public record holds what the public saw)."""
    inside: list[bool] = []  # asked once: is the project in a git work tree?

    def count(source: str) -> int | None:
        try:
            if not inside:
                tree = subprocess.run(["git", "-C", str(folder.parent), "rev-parse", "--is-inside-work-tree"],
                                      capture_output=True, timeout=30, check=False)
                inside.append(tree.returncode == 0)
            if not inside[0]:
                return None
            # "HEAD:./path" is relative to -C's folder, also when the project is a subfolder of the repository
            path = f"HEAD:./{folder.name}/{file_name(source)}"
            shown = subprocess.run(["git", "-C", str(folder.parent), "show", path],
                                   capture_output=True, timeout=30, check=False)
        except (OSError, subprocess.SubprocessError):
            return None
        if shown.returncode != 0:
            return 0  # the file is not in the last commit: none of its versions is
        try:
            return len(decode(shown.stdout.decode("utf-8"), file_name(source)).versions)
        except (HistoryError, UnicodeDecodeError):
            return None
    return count


def record_versions(history: History, records: Iterable[ReportRecord], fresh: set[str],
                    addresses: Mapping[str, Addresses], corrections: Mapping[str, Correction],
                    committed: Callable[[str], int | None] = lambda source: None) -> list[Diagnostic]:
    """A new version for each freshly published report whose text or metadata differs from its last
    recorded one (the first version for a report published for the first time). A kept last-good
    version is the recorded one already. ``committed``: versions of a report in the last commit
    (see :func:`committed_in_git`). Findings: a correction without a reason, what was recorded."""
    found: list[Diagnostic] = []
    for record in records:
        if record.source not in fresh:
            continue
        entry = history.get(record.source) or Entry(record.source)
        if entry.withdrawn:
            continue
        lines = published_text(record.report)
        meta = meta_of(record)
        where = addresses[record.source]
        if _same(entry.current, lines, meta):
            _move(history, entry, where)
            found.extend(_amend_reason(history, history.get(record.source) or entry, corrections.get(record.source)))
            continue
        kept_versions = committed(record.source) if entry.versions else None  # (a first version: nothing to ask)
        if kept_versions is not None and kept_versions < len(entry.versions):
            entry = replace(entry, versions=entry.versions[:-1])  # never deployed: replaced, not kept
            if _same(entry.current, lines, meta):  # the change was undone
                history.put(entry)
                _move(history, entry, where)
                continue
        last = entry.current
        correction = corrections.get(record.source)
        if last is None:
            by: By = "first"
            date, reason = meta["published"], None
        elif record.source_sha256 == last.source_sha256 and record.sidecar_sha256 == last.sidecar_sha256:
            by, date, reason = "converter", None, None  # the same files read anew by a newer converter
        else:
            by = "officer"
            repeated = correction is not None and any(
                (v.date, v.reason) == (correction.date, correction.reason) for v in entry.versions)
            date, reason = (None, None) if correction is None or repeated else (correction.date, correction.reason)
            if not reason:
                found.append(Diagnostic(record.source, None, "warning", "correction-no-reason",
                                        "已发布的报告有改动，但未说明更正理由：请在 .meta.yml 中写明 "
                                        "correction: {date: YYYY-MM-DD, reason: 更正理由}"))
        version = Version(len(entry.versions) + 1, date, reason, by, _sha(lines), record.source_sha256,
                          record.sidecar_sha256, meta, where, lines)
        history.put(replace(entry, versions=(*entry.versions, version)))
        if last is not None:
            found.append(Diagnostic(record.source, None, "info", "version-recorded",
                                    f"已记录第 {version.number} 版（{HISTORY_DIR}/{file_name(record.source)}），"
                                    "请与原文的改动一起提交"))
    return found


def _amend_reason(history: History, entry: Entry, correction: Correction | None) -> list[Diagnostic]:
    """The officer gives (or fixes) the date and reason of the latest correction after it was recorded:
    the latest version takes them, unless an earlier version has them already (a reason left over)."""
    last = entry.current
    if last is None or last.by != "officer" or correction is None:
        return []
    given = (correction.date, correction.reason)
    if given == (last.date, last.reason) or any((v.date, v.reason) == given for v in entry.versions[:-1]):
        return []
    amended = replace(last, date=given[0], reason=given[1])
    history.put(replace(entry, versions=(*entry.versions[:-1], amended)))
    return [Diagnostic(entry.source, None, "info", "version-recorded",
                       f"第 {last.number} 版的更正日期和理由已按 .meta.yml 更新"
                       f"（{HISTORY_DIR}/{file_name(entry.source)}），请提交")]


def _same(last: Version | None, lines: tuple[str, ...], meta: dict[str, Any]) -> bool:
    return last is not None and last.text_sha256 == _sha(lines) and last.meta == meta


def _move(history: History, entry: Entry, where: Addresses) -> None:
    """Only the address moved (a renamed unit): the same version, at its new home."""
    last = entry.current
    if last is not None and last.addresses != where:
        history.put(replace(entry, versions=(*entry.versions[:-1], replace(last, addresses=where)),
                            former=(*entry.former, last.addresses)))


def missing_sources(history: History, present: set[str]) -> list[Diagnostic]:
    """A published report whose raw file is gone, and that was not withdrawn: an error that names
    the way to withdraw it (a deleted file is never a withdrawal by accident)."""
    return [Diagnostic(source, None, "error", "published-file-missing",
                       f"此报告已发布（第 {len(entry.versions)} 版），但原文已不在原始报告目录中。"
                       f"如确需撤回，请运行 python build_site.py withdraw {source} --reason 撤回理由；"
                       "否则请恢复原文")
            for source, entry in sorted(history.entries.items())
            if entry.versions and entry.withdrawn is None and source not in present]
