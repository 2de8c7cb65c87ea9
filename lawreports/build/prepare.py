"""One raw file → one :class:`~lawreports.record.ReportRecord`: read, parse, enrich, check.

Pure but for reading the raw file and its sidecar: the same bytes, tables and settings give the
same record. Runs in the conversion's worker processes; everything a later stage needs of this
report alone (its findings, key figures and keyword counts) is computed here, while the raw lines
are at hand, so no later stage reads the raw file again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from .. import __version__, figures, keywords, places
from ..checks import check_report
from ..identity import AGENCIES_FILE, AgencyTable, Identity, identify, load_agencies
from ..model import Diagnostic, Report
from ..parse import issuers, parse_report
from ..parts import PartTable, load_parts
from ..read import source_from_bytes, unsupported
from ..record import ReportRecord, SourceStat
from ..render import display_title
from ..settings import Settings, deadline_for
from ..sidecar import apply_sidecar, differs, load_sidecar, sidecar_path

PACKAGE = Path(__file__).resolve().parents[1]


@cache
def tool_fingerprint() -> str:
    """The version and a hash of the package's code and data: a changed parser, check or table makes
    every record again, although the version number was not raised."""
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(p for p in PACKAGE.rglob("*") if p.suffix in (".py", ".yml", ".txt") and p.is_file()):
        digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0" + path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:16]}"


@dataclass(frozen=True)
class Context:
    """What every file's conversion shares: settings, tables, and the key they give the records."""

    settings: Settings
    parts: PartTable
    agencies: AgencyTable
    stoplist: keywords.StopList
    key: str  #: code, tables and settings: part of every record's inputs hash

    @classmethod
    def load(cls, settings: Settings, agencies_file: Path | None = None, tables: bool = True) -> Context:
        """The tables for a run; raises AgencyTableError when the agency table is invalid.
        ``tables=False``: no agency table (``check`` goes on without an invalid one)."""
        parts = load_parts()
        if tables:
            agencies = load_agencies(agencies_file if agencies_file is not None else Path(AGENCIES_FILE))
        else:
            agencies = AgencyTable((), "-")
        stoplist = keywords.load_stoplist()
        items = [tool_fingerprint(), keywords.splitter_version(), places.version(), parts.sha256, agencies.sha256,
                 json.dumps(dataclasses.asdict(settings), sort_keys=True, default=str)]
        return cls(settings, parts, agencies, stoplist, hashlib.sha256("\n".join(items).encode()).hexdigest())

    def inputs_hash(self, data: bytes, sidecar: bytes | None) -> str:
        """What a record depends on: the raw bytes, the sidecar's and :attr:`key`."""
        return self.inputs_hash_of(hashlib.sha256(data).hexdigest(), sha256(sidecar))

    def inputs_hash_of(self, raw_sha256: str, sidecar_sha256: str | None) -> str:
        return hashlib.sha256("\n".join([raw_sha256, sidecar_sha256 or "-", self.key]).encode()).hexdigest()


def sha256(data: bytes | None) -> str | None:
    return hashlib.sha256(data).hexdigest() if data is not None else None


def stat_of(path: Path) -> SourceStat:
    """The raw file's and its sidecar's size and modification time (OSError if the raw file is gone)."""
    st = path.stat()
    try:
        side = sidecar_path(path).stat()
        return SourceStat(st.st_size, st.st_mtime_ns, side.st_size, side.st_mtime_ns)
    except OSError:
        return SourceStat(st.st_size, st.st_mtime_ns, None, None)


def identify_report(report: Report, values: dict, sidecar: str | None,
                    agencies: AgencyTable) -> tuple[Report, Identity]:
    """The report's identity; the table may complete its region; a sidecar key or slug that differs
    from what the table and the text give is an info naming both. A report that names itself only
    as ``区政府`` / ``县委、县政府`` takes its full name from the text, the table or the sidecar; when
    none gives it, a warning asks the officer for ``agency_key`` (it is never made up)."""
    file = report.source.name
    key = values.get("agency_key")
    notes: list[Diagnostic] = []
    if key is None and issuers.is_self_reference(report.agency) and agencies.find(report.agency, report.region) is None:
        key = issuers.full_name(report)
        if key is None:
            notes.append(Diagnostic(file, None, "warning", "agency-key-unknown", _ask_full_name(report, sidecar)))
    identity = identify(file, report.agency, report.region, agencies, key=key,
                        slug=values.get("slug"), region_fixed="region" in values)
    notes.extend(identity.notes)
    if "agency_key" in values or "slug" in values:
        natural = identify(file, report.agency, report.region, agencies, region_fixed="region" in values)
        for name, given, found in (("agency_key", values.get("agency_key"), natural.key),
                                   ("slug", values.get("slug"), natural.slug)):
            if given is not None and given != found:
                notes.append(differs(file, sidecar, name, given, found))
    changes: dict = {"diagnostics": report.diagnostics + tuple(notes)}
    if identity.region != report.region:
        changes["region"] = identity.region
        table_name = identity.agency.name if identity.agency else identity.key
        changes["inferred"] = dict(report.inferred, region=f"{agencies.file}: {table_name}")
    return replace(report, **changes), identity


def _ask_full_name(report: Report, sidecar: str | None) -> str:
    where = sidecar or report.source.name.rsplit(".", 1)[0] + ".meta.yml"
    return (f"正文只以“{report.agency}”自称，没有写明单位全称（标题、落款中也没有）；"
            f"请在 {where} 中写明 agency_key（如 agency_key: 某某县人民政府），或在 {AGENCIES_FILE} 中登记")


def prepare(path: Path, context: Context, data: bytes | None = None) -> ReportRecord:
    """read → parse → sidecar → identity → checks, figures, words for one raw file.

    Raises ReadError, ParseError, SidecarError or OSError, each naming what is wrong."""
    error = unsupported(path)
    if error:
        raise error
    stat = stat_of(path)
    if data is None:
        data = path.read_bytes()
    sidecar_file = sidecar_path(path)
    sidecar_bytes = sidecar_file.read_bytes() if stat.sidecar_size is not None else None
    overrides = load_sidecar(sidecar_file) if sidecar_bytes is not None else None
    values = overrides.values if overrides else {}
    source = source_from_bytes(path.name, data)
    region = values.get("region")
    report = parse_report(source, context.parts, default_region=str(region) if region else context.settings.region)
    report, from_sidecar = apply_sidecar(report, overrides)
    report, identity = identify_report(report, values, overrides.path if overrides else None, context.agencies)
    if "deadline" in values:
        deadline: dt.date | None = dt.date.fromisoformat(str(values["deadline"]))
    else:
        deadline = deadline_for(context.settings, identity.type, report.year) if report.year else None
    public = tuple(str(v) for v in values.get("public") or ())  # type: ignore[attr-defined]  # a list (schema)
    findings = check_report(report, context.settings, agency_type=identity.type, deadline=deadline, public=public)
    found = figures.extract(report)
    words = keywords.count_words(keywords.report_text(report), context.stoplist)
    return ReportRecord(
        report=replace(report, source=replace(report.source, lines=())),
        path=f"{report.year or 'undated'}/{identity.slug}.md",
        display_title=display_title(report, identity.key),
        agency_key=identity.key,
        agency_slug=identity.slug,
        agency_type=identity.type,
        index_no=report.index_no,  # an official identifier: never made up
        source_url=_text(values.get("source_url")),
        sidecar_note=_text(values.get("note")),
        from_sidecar=from_sidecar,
        deadline=deadline,
        findings=tuple(findings),
        figures=tuple(found),
        words=words,
        inputs_sha256=context.inputs_hash(data, sidecar_bytes),
        sidecar_sha256=sha256(sidecar_bytes),
        stat=stat,
        correction=_correction(values.get("correction")),
    )


def _correction(value: object) -> tuple[str | None, str] | None:
    """A sidecar's ``correction: {date, reason}`` (the schema checked its shape)."""
    if not isinstance(value, dict):
        return None
    return _text(value.get("date")), str(value["reason"])


def _text(value: object) -> str | None:
    """A sidecar's text value (the schema admits only text for these keys), or None."""
    return None if value is None else str(value)
