"""The catalog: every converted report written down once, as JSON, for every later stage.

One file per raw report, ``<reports_dir>/.lawreports-catalog/<raw file name>.json`` (a dot folder:
MkDocs does not publish it), holding a :class:`~lawreports.record.ReportRecord`. JSON, never
pickle: a crafted file can at worst fail to load. A file is checked field by field when it is
loaded; one that does not decode to a record (other format, other code, truncated, edited) is
treated as absent and the report is converted again.

The record keeps the parsed report without its raw lines (the text of the page is in the body
blocks; what needed the lines — checks, key figures — was done before the record was written).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from ..figures import Figure
from ..model import Block, Diagnostic, Heading, Marker, MetaLine, Paragraph, Report, Signature, SourceText
from ..record import ReportRecord, SourceStat

#: The folder in the reports folder that holds the catalog.
CATALOG_DIR = ".lawreports-catalog"
#: The versions online, one file per raw file, in the catalog folder.
PUBLISHED_DIR = "published"
#: Raise when the layout of a record file changes.
FORMAT = 3

T = TypeVar("T")


class CatalogError(ValueError):
    """A catalog file that does not hold a valid record."""


# -- encoding --------------------------------------------------------------------------------------------


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _diagnostic(d: Diagnostic) -> list[Any]:
    return [d.file, d.line, d.severity, d.code, d.message]


def _block(b: Block) -> dict[str, Any]:
    if isinstance(b, Heading):
        marker = None if b.marker is None else [b.marker.kind, b.marker.value, b.marker.text, b.marker.fullwidth]
        return {"h": b.title, "level": b.level, "anchor": b.anchor, "line": b.line, "marker": marker, "part": b.part}
    return {"p": b.text, "line": b.line}


def _report(r: Report) -> dict[str, Any]:
    s = r.source
    return {
        "source": {"name": s.name, "sha256": s.sha256, "encoding": s.encoding, "size": s.size},
        "title": r.title, "title_lines": list(r.title_lines), "title_line": r.title_line,
        "agency": r.agency, "region": r.region, "year": r.year,
        "written": _date(r.written), "published": _date(r.published), "index_no": r.index_no,
        "addressee": r.addressee, "addressee_line": r.addressee_line,
        "meta_lines": [[m.label, m.value, m.line, m.text] for m in r.meta_lines],
        "body": [_block(b) for b in r.body],
        "signature": None if r.signature is None else {
            "lines": list(r.signature.lines), "line": r.signature.line,
            "agency": r.signature.agency, "date": _date(r.signature.date)},
        "parts": r.parts, "parts_within": r.parts_within, "inferred": r.inferred,
        "diagnostics": [_diagnostic(d) for d in r.diagnostics],
    }


def _figure(f: Figure) -> list[Any]:
    return [f.value, f.unit, f.text, f.anchor, f.line, f.start, f.number]


def encode(record: ReportRecord) -> str:
    """A record as the JSON text of its catalog file (the same record, the same bytes)."""
    st = record.stat
    data = {
        "format": FORMAT,
        "inputs_sha256": record.inputs_sha256, "sidecar_sha256": record.sidecar_sha256,
        "stat": [st.size, st.mtime_ns, st.sidecar_size, st.sidecar_mtime_ns],
        "path": record.path, "display_title": record.display_title,
        "agency_key": record.agency_key, "agency_slug": record.agency_slug, "agency_type": record.agency_type,
        "index_no": record.index_no, "source_url": record.source_url, "sidecar_note": record.sidecar_note,
        "from_sidecar": list(record.from_sidecar), "deadline": _date(record.deadline),
        "findings": [_diagnostic(d) for d in record.findings],
        "figures": [_figure(f) for f in record.figures],
        "words": record.words,
        "correction": list(record.correction) if record.correction else None,
        "report": _report(record.report),
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


# -- decoding: every value checked, so a bad file is a CatalogError, never a wrong record -----------------


def _of(value: object, kind: type[T] | tuple[type, ...]) -> T:
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise CatalogError(f"expected {kind}, found {type(value).__name__}")
    return value  # type: ignore[return-value]  # checked just above


def _opt(value: object, kind: type[T]) -> T | None:
    return None if value is None else _of(value, kind)


def _opt_date(value: object) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(_of(value, str))


def _tuple(values: object, item: Callable[[Any], T]) -> tuple[T, ...]:
    return tuple(item(v) for v in _of(values, list))


def _strs(values: object) -> tuple[str, ...]:
    return _tuple(values, lambda v: _of(v, str))


def _str_map(values: object, optional: bool = False) -> dict[str, Any]:
    out = {}
    for key, value in _of(values, dict).items():
        out[key] = _opt(value, str) if optional else _of(value, str)
    return out


def _severity(value: object) -> Any:
    if value not in ("error", "warning", "info"):
        raise CatalogError(f"unknown severity {value!r}")
    return value


def _to_diagnostic(v: object) -> Diagnostic:
    file, line, severity, code, message = _of(v, list)
    return Diagnostic(_of(file, str), _opt(line, int), _severity(severity), _of(code, str), _of(message, str))


def _to_block(v: object) -> Block:
    d = _of(v, dict)
    if "p" in d:
        return Paragraph(_of(d["p"], str), _of(d["line"], int))
    m = d["marker"]
    marker = None
    if m is not None:
        kind, value, text, fullwidth = _of(m, list)
        marker = Marker(_of(kind, str), _of(value, int), _of(text, str), _of(fullwidth, bool))
    return Heading(_of(d["level"], int), _of(d["h"], str), _of(d["anchor"], str), _of(d["line"], int), marker,
                   _opt(d["part"], str))


def _to_report(v: object) -> Report:
    d = _of(v, dict)
    s = _of(d["source"], dict)
    source = SourceText(_of(s["name"], str), _of(s["sha256"], str), _of(s["encoding"], str), (), _of(s["size"], int))
    sig = d["signature"]
    signature = None
    if sig is not None:
        sig = _of(sig, dict)
        signature = Signature(_strs(sig["lines"]), _of(sig["line"], int), _opt(sig["agency"], str),
                              _opt_date(sig["date"]))

    def meta(m: object) -> MetaLine:
        label, value, line, text = _of(m, list)
        return MetaLine(_of(label, str), _of(value, str), _of(line, int), _of(text, str))

    return Report(
        source=source, title=_opt(d["title"], str), title_lines=_strs(d["title_lines"]),
        title_line=_opt(d["title_line"], int), agency=_opt(d["agency"], str), region=_opt(d["region"], str),
        year=_opt(d["year"], int), written=_opt_date(d["written"]), published=_opt_date(d["published"]),
        index_no=_opt(d["index_no"], str), addressee=_opt(d["addressee"], str),
        addressee_line=_opt(d["addressee_line"], int), meta_lines=_tuple(d["meta_lines"], meta),
        body=_tuple(d["body"], _to_block), signature=signature,
        parts=_str_map(d["parts"], optional=True), parts_within=_str_map(d["parts_within"]),
        inferred=_str_map(d["inferred"]), diagnostics=_tuple(d["diagnostics"], _to_diagnostic),
    )


def _to_figure(v: object) -> Figure:
    value, unit, text, anchor, line, start, number = _of(v, list)
    return Figure(_of(value, str), _of(unit, str), _of(text, str), _of(anchor, str), _of(line, int),
                  _of(start, int), float(_of(number, (int, float))))


def _correction(value: object) -> tuple[str | None, str] | None:
    if value is None:
        return None
    date, reason = _of(value, list)
    return _opt(date, str), _of(reason, str)


def decode(text: str) -> ReportRecord:
    """The record in a catalog file's text; CatalogError when it is not a valid record of this format."""
    try:
        d = _of(json.loads(text), dict)
        if d.get("format") != FORMAT:
            raise CatalogError("other format")
        size, mtime, sidecar_size, sidecar_mtime = _of(d["stat"], list)
        words = {_of(k, str): _of(n, int) for k, n in _of(d["words"], dict).items()}
        return ReportRecord(
            report=_to_report(d["report"]), path=_of(d["path"], str), display_title=_of(d["display_title"], str),
            agency_key=_of(d["agency_key"], str), agency_slug=_of(d["agency_slug"], str),
            agency_type=_of(d["agency_type"], str), index_no=_opt(d["index_no"], str),
            source_url=_opt(d["source_url"], str), sidecar_note=_opt(d["sidecar_note"], str),
            from_sidecar=_strs(d["from_sidecar"]), deadline=_opt_date(d["deadline"]),
            findings=_tuple(d["findings"], _to_diagnostic), figures=_tuple(d["figures"], _to_figure),
            words=words, inputs_sha256=_of(d["inputs_sha256"], str), sidecar_sha256=_opt(d["sidecar_sha256"], str),
            stat=SourceStat(_of(size, int), _of(mtime, int), _opt(sidecar_size, int), _opt(sidecar_mtime, int)),
            correction=_correction(d["correction"]),
        )
    except CatalogError:
        raise
    except (KeyError, TypeError, ValueError) as err:  # missing key, wrong shape, bad date
        raise CatalogError(str(err)) from err


# -- the store -------------------------------------------------------------------------------------------


class Catalog:
    """The catalog folder of one reports folder: load, save and prune records by raw file name."""

    def __init__(self, reports_dir: Path) -> None:
        self.folder = reports_dir / CATALOG_DIR

    def file(self, source: str) -> Path:
        return self.folder / f"{source}.json"

    def load(self, source: str) -> ReportRecord | None:
        """The record kept for a raw file, or None (none kept, or not a valid record)."""
        try:
            return decode(self.file(source).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, CatalogError):
            return None

    def save(self, record: ReportRecord) -> None:
        """Write a record when it differs from the kept one (an unchanged build touches no file)."""
        _write_if_changed(self.file(record.source), encode(record).encode("utf-8"))

    # -- what was published: the version of each report that is online, kept when a newer one fails --

    @property
    def published_folder(self) -> Path:
        return self.folder / PUBLISHED_DIR

    def published_sources(self) -> set[str]:
        """Raw files with a published version."""
        try:
            return {p.name[: -len(".json")] for p in self.published_folder.iterdir() if p.name.endswith(".json")}
        except OSError:
            return set()

    def published(self, source: str) -> ReportRecord | None:
        """The version of a raw file's report that is online, or None."""
        try:
            return decode((self.published_folder / f"{source}.json").read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, CatalogError):
            return None

    def publish(self, record: ReportRecord) -> None:
        """Remember ``record`` as the version online (written when it differs)."""
        _write_if_changed(self.published_folder / f"{record.source}.json", encode(record).encode("utf-8"))

    def unpublish(self, source: str) -> None:
        with contextlib.suppress(OSError):
            (self.published_folder / f"{source}.json").unlink()

    def prune(self, sources: Iterable[str]) -> None:
        """Forget the records of raw files no longer in the folder (the published versions stay: the
        publication stage decides about those)."""
        keep = {f"{name}.json" for name in sources}
        try:
            kept = [p for p in self.folder.iterdir() if p.is_file()]
        except OSError:
            return
        for path in kept:
            if path.name not in keep:
                with contextlib.suppress(OSError):  # a stale record is only never read
                    path.unlink()


def _write_if_changed(target: Path, data: bytes) -> None:
    try:
        if target.is_file() and target.read_bytes() == data:
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        temporary.write_bytes(data)
        os.replace(temporary, target)
    except OSError:
        pass  # the catalog only saves work: the next build converts this report again
