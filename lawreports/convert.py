"""Convert a folder of raw reports into Markdown pages: the stage that owns files on disk.

For each raw file: read → parse → apply the sidecar → identity → render; then, for the whole
folder: refuse duplicates → write → remove stale pages. A bad file is reported (file, line,
reason) and skipped; the others are still written. No exception escapes for one file: an
unexpected one becomes an ``internal-error`` naming the file.

Pages in the output folder are of three kinds, and each is treated as such:

* **generated and intact** (front matter has ``generator`` and its ``content_sha256`` matches):
  rewritten only when its inputs changed, removed when its raw file is gone;
* **generated, then hand-edited** (the hash no longer matches): never overwritten without
  ``force``, never removed — the run names the page and fails;
* **not generated** (no ``generator``: a page someone wrote): never touched, never removed.

Conversion is incremental: a page records ``inputs_sha256``, the hash of everything it depends
on (raw bytes, sidecar, tool version, ``parts.yml``, ``agencies.yml``, default region). When that
matches, the raw file is not even parsed and the page is not rewritten. The output folder's stamp
file (``.lawreports-build``) names the code that wrote it; other code re-renders every page (and
rewrites only those whose bytes differ).

Scale (issue #10):

* **Page index.** ``.lawreports-pages.json`` in the output folder records, for every page, the
  SHA-256 of its bytes, its kind and the front matter the converter reads back. A page whose bytes
  still have that hash is not parsed again (a run over 10,000 unchanged pages reads and hashes
  them, ~0.5 s, instead of parsing 10,000 YAML blocks); any other page is classified from its text
  as before. The index names the code that classifies pages (:func:`page_index_code`), not the
  whole tool: other code changes re-render pages (the stamp) without re-reading them. The index is rewritten only when its content changes, so an unchanged run touches
  no file (``mkdocs serve`` would otherwise rebuild for ever).
* **Parallel conversion.** When at least :data:`PARALLEL_MIN` raw files need (re)converting and
  more than one job is allowed (``jobs``; default the CPUs this process may use, or
  ``LAWREPORTS_JOBS``), chunks of files are converted in worker processes. Results come back in
  file order, so the output is the same bytes and the same messages as a serial run.
* **Bounded memory.** A rendered page is compared with the page on disk and, when it differs,
  written at once to a staging folder (``.lawreports-staging-<pid>/`` in the output folder, a dot
  folder MkDocs does not publish) instead of being kept in memory; only after the whole folder is
  known (duplicates refused, guards passed) is it moved into place (``os.replace``: a reader never
  sees half a page). The staging folder is removed at the end of the run.
* **One front matter.** The front matter is built once per report (for the page and for the
  site's :class:`PageInfo`) and written by :mod:`lawreports.fastyaml` (the same bytes as PyYAML,
  ~10× faster).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import inspect
import json
import multiprocessing
import os
import pickle
import re
import shutil
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Callable, Iterable, Iterator

import yaml

from . import __version__, fastyaml
from .identity import AGENCIES_FILE, AgencyTable, AgencyTableError, Identity, identify, load_agencies
from .model import PART_KEYS, Diagnostic, Report
from .parse import ParseError, parse_report
from .parts import PartTable, load_parts
from .read import ReadError, source_from_bytes, unsupported
from .render import CONTENT_HASH_LINE, GENERATOR_LINE, PageFacts, content_hash, display_title, front_matter, render_body
from .settings import Settings
from .sidecar import SidecarError, apply_sidecar, differs, load_sidecar, sidecar_path

#: Files in the seeds folder that are not reports.
NOT_REPORTS = (".meta.yml", ".yml", ".yaml", ".json", ".md", ".gitkeep")
#: The agency table used when none is named: ``agencies.yml`` in the working directory.
DEFAULT_AGENCIES = Path(AGENCIES_FILE)
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
GENERATED_MARK = re.compile(r"^generator: lawreports\b", re.MULTILINE)
SOURCE_LINE = re.compile(r"^source: (.+)$", re.MULTILINE)
#: The output folder's stamp: the code that wrote its pages (a dot file: MkDocs does not publish it).
STAMP = ".lawreports-build"
#: The output folder's page index (see the module docstring; a dot file, not published).
PAGE_INDEX = ".lawreports-pages.json"
#: Raise when the page index's layout changes (what classifies a page is hashed in as well).
PAGE_INDEX_FORMAT = 1
#: Pages waiting to be moved into place, one folder per converting process.
STAGING_PREFIX = ".lawreports-staging-"
#: Raw files to (re)convert before worker processes pay for their start (~0.05 s forked, ~1 s spawned).
PARALLEL_MIN = 200
#: What the page index keeps of a page's front matter: what :func:`page_info` and the cache read.
INDEX_KEYS = (
    "source", "source_sha256", "title", "display_title", "agency", "agency_key", "agency_slug", "agency_type",
    "region", "year", "written", "published", "index_no", "parts", "parts_within", "characters", "source_url",
    "warnings", "sections", "inputs_sha256", "content_sha256", "generator",
)


@dataclass(frozen=True)
class PageInfo:
    """A converted report as the site needs it (the page's front matter, typed)."""

    source: str
    source_sha256: str
    path: str  #: page path relative to the output folder, e.g. ``2023/nan-kai-qu-si-fa-ju.md``
    title: str | None
    display_title: str
    agency: str | None
    agency_key: str
    agency_slug: str
    agency_type: str
    region: str | None
    year: int | None
    written: dt.date | None
    published: dt.date | None
    index_no: str | None
    parts: dict[str, str | None]
    parts_within: dict[str, str]
    characters: int
    source_url: str | None
    warnings: tuple[Diagnostic, ...]
    sections: tuple[dict, ...] = ()

    @property
    def url(self) -> str:
        return self.path[: -len(".md")] + "/"


@dataclass
class ConvertRun:
    """What one conversion did."""

    pages: list[PageInfo] = field(default_factory=list)  #: every report page of this run
    diagnostics: list[Diagnostic] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  #: raw files whose page was not (re)written
    written: list[str] = field(default_factory=list)  #: pages (re)written
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    total: int = 0  #: raw files in the folder
    workers: int = 0  #: worker processes that converted files (0: all in this process)

    @property
    def ok(self) -> bool:
        return not self.failed and not any(d.severity == "error" for d in self.diagnostics)

    def fail(self, source: str, diagnostic: Diagnostic) -> None:
        if source not in self.failed:
            self.failed.append(source)
        self.diagnostics.append(diagnostic)


@dataclass(frozen=True)
class Context:
    """What every file's conversion shares: tables, settings and what the cache key holds of them."""

    settings: Settings
    parts: PartTable
    agencies: AgencyTable
    tool: str  #: tool version

    @classmethod
    def load(cls, settings: Settings, agencies_file: Path | None = None) -> "Context":
        """The tables for a run; ``agencies_file`` None means ``agencies.yml`` in the working
        directory. Raises AgencyTableError when the agency table is invalid."""
        table = agencies_file if agencies_file is not None else DEFAULT_AGENCIES
        return cls(settings, load_parts(), load_agencies(table), tool_version())

    def inputs_hash(self, data: bytes, sidecar: bytes | None) -> str:
        """Everything a page depends on: raw bytes, sidecar, tool, part and agency tables, region."""
        items = [hashlib.sha256(data).hexdigest(), hashlib.sha256(sidecar).hexdigest() if sidecar is not None else "-",
                 self.tool, self.parts.sha256, self.agencies.sha256, self.settings.region or ""]
        return hashlib.sha256("\n".join(items).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Converted:
    """One raw file turned into a page, before it is written."""

    source: str
    #: the page text, or the staged file holding it; None when the page on disk is still right
    page: str | Path | None
    path: str  #: relative output path
    info: PageInfo
    diagnostics: tuple[Diagnostic, ...]  #: findings about the raw file (also in the page's ``warnings``)
    entry: dict | None = None  #: the page index entry of the page as rendered (None: from the cache)

    @property
    def key(self) -> tuple[str, int | None]:
        """(agency_key, year): at most one report each."""
        return self.info.agency_key, self.info.year


@dataclass
class OutputFolder:
    """The pages already in the output folder, by kind (see the module docstring)."""

    intact: dict[str, tuple[dict, str]] = field(default_factory=dict)  #: source → (front matter, path)
    edited: dict[str, str | None] = field(default_factory=dict)  #: path → source (None if unreadable)
    foreign: set[str] = field(default_factory=set)  #: paths of pages without ``generator``
    entries: dict[str, dict] = field(default_factory=dict)  #: path → page index entry (pages with known bytes)
    _owners: dict[str, str] | None = field(default=None, repr=False, compare=False)

    def owner(self, rel: str) -> str | None:
        if self._owners is None:  # path → source, built once: a lookup per page, not a scan
            self._owners = {}
            for source, (_, path) in self.intact.items():
                self._owners.setdefault(path, source)
        return self._owners.get(rel)


def tool_version() -> str:
    """The version every page's ``inputs_sha256`` depends on."""
    return __version__


@cache
def tool_fingerprint() -> str:
    """The tool version and a hash of the converter's code, kept in the output folder's stamp file:
    a changed parser re-renders every page even when the version number was not raised, and yet
    the pages themselves do not depend on the code's bytes (golden pages stay put)."""
    package = Path(__file__).parent
    digest = hashlib.sha256(__version__.encode())
    # site/rawhtml.py: its markers are written into the pages
    for path in sorted([*package.glob("*.py"), *package.glob("parse/*.py"), *package.glob("*.yml"),
                        package / "site" / "rawhtml.py"]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:16]}"


def input_files(seeds_dir: Path) -> list[Path]:
    """The raw files of a folder, in name order (sidecars and hidden files are not raw files)."""
    return sorted(
        p for p in seeds_dir.iterdir()
        if p.is_file() and not p.name.startswith((".", "_")) and not p.name.endswith(NOT_REPORTS)
    )


def split_front_matter(text: str) -> str | None:
    """The YAML between the opening ``---`` and the closing one, or None."""
    if not text.startswith("---\n"):
        return None
    end = text.find("\n---\n", 3)
    return text[4:end + 1] if end >= 0 else None


def read_front_matter(path: Path) -> tuple[dict | None, str]:
    """(front matter, whole text) of a page, or (None, text) when it has none."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None, ""
    block = split_front_matter(text)
    if block is None:
        return None, text
    try:
        data = yaml.load(block, Loader=SAFE_LOADER)
    except yaml.YAMLError:
        return None, text
    return (data if isinstance(data, dict) else None), text


def page_info(matter: dict, path: str) -> PageInfo:
    def date(value):
        return dt.date.fromisoformat(str(value)) if value else None

    return PageInfo(
        source=matter["source"],
        source_sha256=matter["source_sha256"],
        path=path,
        title=matter.get("title"),
        display_title=matter.get("display_title") or "",
        agency=matter.get("agency"),
        agency_key=matter.get("agency_key") or "",
        agency_slug=matter.get("agency_slug") or "",
        agency_type=matter.get("agency_type") or "department",
        region=matter.get("region"),
        year=matter.get("year"),
        written=date(matter.get("written")),
        published=date(matter.get("published")),
        index_no=matter.get("index_no"),
        parts={key: (matter.get("parts") or {}).get(key) for key in PART_KEYS},
        parts_within=dict(matter.get("parts_within") or {}),
        characters=int(matter.get("characters") or 0),
        source_url=matter.get("source_url"),
        warnings=tuple(
            Diagnostic(matter["source"], w.get("line"), w.get("severity"), w.get("code"), w.get("message"))
            for w in matter.get("warnings") or []
        ),
        sections=tuple(matter.get("sections") or ()),
    )


# -- one file -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Prepared:
    """A raw file read, parsed, corrected by its sidecar and identified: everything but the page.

    ``check`` uses this too, so both commands see the same report and the same agency."""

    report: Report  #: sidecar values applied, region completed from the agency table
    identity: Identity
    values: dict  #: the sidecar's values ({} without a sidecar)
    from_sidecar: tuple[str, ...]


#: Reports prepared in this process, by (file, inputs hash): the memo of :func:`prepare` (``check``;
#: under ``mkdocs serve`` the site's :class:`PreparedReports` uses it too, so a rebuild parses only
#: what changed — a one-off ``mkdocs build`` does not, and lets its reports go). The converter
#: neither reads nor fills it: converting 10,000 files keeps no report in memory. Entries are
#: immutable (frozen dataclasses); the oldest go first past the limit.
_PREPARED: dict[tuple[str, str], Prepared] = {}
PREPARED_KEEP = 20_000


def prepare(path: Path, context: Context, data: bytes | None = None, memo: bool = True) -> Prepared:
    """read → parse → sidecar → identity for one raw file. Raises ReadError, ParseError, SidecarError
    or OSError, each naming what is wrong. ``memo``: reuse (and keep) the result for the same file
    and inputs (raw bytes, sidecar, tool, tables, region) in this process."""
    error = unsupported(path)
    if error:
        raise error
    if data is None:
        data = path.read_bytes()
    sidecar_file = sidecar_path(path)
    has_sidecar, sidecar = sidecar_file.is_file(), None
    if has_sidecar and memo:
        try:
            sidecar = sidecar_file.read_bytes()
        except OSError:  # load_sidecar names the problem
            memo = False
    key = (os.path.abspath(path), context.inputs_hash(data, sidecar)) if memo else None
    if key is not None and key in _PREPARED:
        return _PREPARED[key]
    overrides = load_sidecar(sidecar_file) if has_sidecar else None
    values = overrides.values if overrides else {}
    source = source_from_bytes(path.name, data)
    report = parse_report(source, context.parts, default_region=values.get("region") or context.settings.region)
    report, from_sidecar = apply_sidecar(report, overrides)
    report, identity = _identify(report, values, overrides.path if overrides else None, context.agencies)
    prepared = Prepared(report, identity, values, from_sidecar)
    if key is not None:
        _remember(key, prepared)
    return prepared


def _remember(key: tuple[str, str], prepared: Prepared) -> None:
    while len(_PREPARED) >= PREPARED_KEEP:
        del _PREPARED[next(iter(_PREPARED))]
    _PREPARED[key] = prepared


#: Parsed reports kept on disk in the output folder, in a hidden folder MkDocs does not publish:
#: the site build (another process than ``python build_site.py``'s converter and its workers)
#: loads a report in ~0.3 ms instead of parsing it again (~5 ms). One file per raw file, named by
#: the raw file's name and by everything the parse depends on (inputs hash and converter code).
#: Only the project's own converter writes there; a file that does not load is parsed instead.
PREPARED_DIR = ".lawreports-prepared"


def _prepared_file(store: Path, name: str, key: str) -> Path:
    owner = hashlib.sha256(name.encode("utf-8")).hexdigest()[:16]
    inputs = hashlib.sha256(f"{tool_fingerprint()}\n{key}".encode()).hexdigest()[:32]
    return store / f"{owner}-{inputs}.pickle"


def store_prepared(store: Path, name: str, key: str, prepared: Prepared) -> None:
    """Keep ``prepared`` for the raw file ``name`` (:func:`prune_prepared` removes its older
    versions once a run, not here: a look through the folder per file is quadratic). Failing
    costs only time."""
    target = _prepared_file(store, name, key)
    try:
        store.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        temporary.write_bytes(pickle.dumps(prepared, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(temporary, target)
    except OSError:
        pass


def load_prepared(store: Path, name: str, key: str) -> Prepared | None:
    try:
        item = pickle.loads(_prepared_file(store, name, key).read_bytes())
    except Exception:  # noqa: BLE001 - missing, truncated or from another version: parse instead
        return None
    return item if isinstance(item, Prepared) else None


def prune_prepared(store: Path, names: Iterable[str]) -> None:
    """Forget the parsed reports of raw files no longer in the folder, and the older versions of
    the others (the newest file of each raw file stays): one look through the folder."""
    keep = {hashlib.sha256(n.encode("utf-8")).hexdigest()[:16] for n in names}
    newest: dict[str, tuple[float, Path]] = {}
    try:
        items = list(store.iterdir()) if store.is_dir() else []
        for item in items:
            owner = item.name.split("-")[0]
            if owner not in keep:
                item.unlink(missing_ok=True)
                continue
            stamp = (item.stat().st_mtime, item)
            older = min(stamp, newest.get(owner, stamp))
            newest[owner] = max(stamp, newest.get(owner, stamp))
            if older is not newest[owner]:
                older[1].unlink(missing_ok=True)
    except OSError:
        pass  # only costs disk space


class PreparedReports:
    """The reports of one site build, each raw file prepared (:func:`prepare`) at most once.

    Shared by everything in the MkDocs process that reads the raw reports: the converter hands
    over what it prepared itself (files converted in this process; worker processes keep theirs),
    then the insight pages, the checks (合规概览) and the open data ask for each report — the first
    asker parses it, the others get the same :class:`Prepared`. Keyed like the process memo (the
    file's absolute path and :meth:`Context.inputs_hash`), so a file or sidecar changed during the
    build is prepared again; an error is kept and raised again to the next asker. :meth:`clear`
    lets the reports go (the site does after ``on_files``). ``memo``: also use and fill the process
    memo of :func:`prepare` (``mkdocs serve``: the next rebuild parses only what changed).
    """

    def __init__(self, memo: bool = False, store: Path | None = None) -> None:
        self.memo = memo
        self.store = store  #: the converter's parsed reports on disk (:data:`PREPARED_DIR`), if any
        self.parsed = 0  #: files prepared through this object (not handed over, not from a memo or the store)
        self._items: dict[tuple[str, str], Prepared | Exception] = {}

    def __len__(self) -> int:
        return len(self._items)

    def key(self, path: Path, context: Context, data: bytes | None = None) -> tuple[str, str] | None:
        """(absolute path, inputs hash), or None when the file cannot be keyed (prepare says why)."""
        if unsupported(path):
            return None
        try:
            if data is None:
                data = path.read_bytes()
            sidecar_file = sidecar_path(path)
            sidecar = sidecar_file.read_bytes() if sidecar_file.is_file() else None
        except OSError:
            return None
        return os.path.abspath(path), context.inputs_hash(data, sidecar)

    def prepare(self, path: Path, context: Context, data: bytes | None = None) -> Prepared:
        """:func:`prepare`, once per file and inputs; raises what it raises."""
        key = self.key(path, context, data)
        if key is None:
            return prepare(path, context, data, memo=False)
        item = self._items.get(key)
        if item is None and self.store is not None and not (self.memo and key in _PREPARED):
            item = load_prepared(self.store, path.name, key[1])
            if item is not None and self.memo:
                _remember(key, item)
        if item is None:
            if not self.memo or key not in _PREPARED:
                self.parsed += 1
            try:
                item = prepare(path, context, data, memo=self.memo)
                if self.store is not None:
                    store_prepared(self.store, path.name, key[1], item)
            except Exception as err:  # noqa: BLE001 - raised again below and to every later asker
                item = err
        if item is not None:
            self._items[key] = item
        if isinstance(item, Exception):
            raise item.with_traceback(None)
        return item

    def put(self, key: tuple[str, str], prepared: Prepared) -> None:
        """A report prepared elsewhere (the converter), under :meth:`key`'s key."""
        self._items[key] = prepared
        if self.memo:
            _remember(key, prepared)

    def clear(self) -> None:
        self._items.clear()


def convert_one(path: Path, context: Context, cached: dict[str, tuple[dict, str]],
                keep: PreparedReports | None = None, store: Path | None = None) -> Converted:
    """Raw file → page text (or the page on disk, when its inputs are unchanged).
    Raises what ``prepare`` raises. ``keep`` receives the report when it was prepared here;
    ``store`` (a :data:`PREPARED_DIR`) keeps it on disk for the site build."""
    error = unsupported(path)
    if error:
        raise error
    data = path.read_bytes()
    key = _inputs_key(path, context, data)
    hit = _cache_hit(path.name, key, cached)
    return hit if hit is not None else _render(path, context, data, key, keep, store)


def _inputs_key(path: Path, context: Context, data: bytes) -> str:
    sidecar_file = sidecar_path(path)
    return context.inputs_hash(data, sidecar_file.read_bytes() if sidecar_file.is_file() else None)


def _cache_hit(name: str, key: str, cached: dict[str, tuple[dict, str]]) -> Converted | None:
    """The page on disk, when it was made from these very inputs."""
    previous = cached.get(name)
    if previous and previous[0].get("inputs_sha256") == key:
        matter, rel = previous
        info = page_info(matter, rel)
        return Converted(name, None, rel, info, info.warnings)
    return None


def _render(path: Path, context: Context, data: bytes, key: str, keep: PreparedReports | None = None,
            store: Path | None = None) -> Converted:
    """prepare → page text. The page is what ``render.render_page`` writes, with ``inputs_sha256``
    above the generator line and ``content_sha256`` taken over both; the front matter is built once
    (for the page and for :class:`PageInfo`) and written by :mod:`fastyaml` (tests/test_scale.py
    checks the bytes against ``render_page``)."""
    prepared = prepare(path, context, data, memo=False)
    if keep is not None:
        keep.put((os.path.abspath(path), key), prepared)
    if store is not None:
        store_prepared(store, path.name, key, prepared)
    report, identity, values = prepared.report, prepared.identity, prepared.values
    rel = f"{report.year or 'undated'}/{identity.slug}.md"
    facts = PageFacts(
        display_title=display_title(report),
        agency_key=identity.key,
        agency_slug=identity.slug,
        agency_type=identity.type,
        url=rel[:-3] + "/",
        index_no=report.index_no or f"{identity.slug}/{report.year or 'undated'}",
        source_url=values.get("source_url"),
        from_sidecar=prepared.from_sidecar,
        sidecar_note=values.get("note"),
    )
    matter = front_matter(report, facts)
    page = f"---\n{fastyaml.dump(matter)}---\n\n{render_body(report, facts)}"
    # the cache key goes just above the generator line, then the hash of the page with it
    at = GENERATOR_LINE.search(page).start()
    page = f"{page[:at]}inputs_sha256: {key}\n{page[at:]}"
    digest = content_hash(page)
    page = f"{page[:at]}content_sha256: {digest}\n{page[at:]}"
    info = page_info(matter, rel)
    entry = {key_: matter[key_] for key_ in INDEX_KEYS if key_ in matter}
    entry.update(inputs_sha256=key, content_sha256=digest)
    return Converted(path.name, page, rel, info, report.diagnostics, {"kind": "intact", "matter": entry})


def _identify(report: Report, values: dict, sidecar: str | None, agencies: AgencyTable) -> tuple[Report, Identity]:
    """The report's identity; the table may complete its region; a sidecar key or slug that differs
    from what the table and the text give is an info naming both."""
    file = report.source.name
    identity = identify(file, report.agency, report.region, agencies, key=values.get("agency_key"),
                        slug=values.get("slug"), region_fixed="region" in values)
    notes = list(identity.notes)
    if "agency_key" in values or "slug" in values:
        natural = identify(file, report.agency, report.region, agencies, region_fixed="region" in values)
        for name, given, found in (("agency_key", values.get("agency_key"), natural.key),
                                   ("slug", values.get("slug"), natural.slug)):
            if given is not None and given != found:
                notes.append(differs(file, sidecar, name, given, found))
    changes: dict = {"diagnostics": report.diagnostics + tuple(notes)}
    if identity.region != report.region:
        changes["region"] = identity.region
        changes["inferred"] = dict(report.inferred, region=f"{agencies.file}: {identity.agency.name}")
    return replace(report, **changes), identity


# -- the folder ----------------------------------------------------------------------------------------


def scan_output(out_dir: Path) -> OutputFolder:
    """Classify the pages already in ``out_dir``. A page whose bytes match its entry in the page
    index is not parsed again; any other page is read as text and classified from its front matter."""
    found = OutputFolder()
    if not out_dir.is_dir():
        return found
    known = _load_page_index(out_dir)
    for page in sorted(out_dir.rglob("*.md")):
        rel = page.relative_to(out_dir).as_posix()
        try:
            data = page.read_bytes()
        except OSError:
            data = None
        if data is None:
            entry = {"kind": "foreign"}  # unreadable: treated as a page someone wrote (never touched)
        else:
            digest = hashlib.sha256(data).hexdigest()
            entry = known.get(rel)
            if entry is None or entry.get("sha256") != digest:
                entry = dict(_classify(data), sha256=digest)
            found.entries[rel] = entry
        kind = entry["kind"]
        if kind == "foreign":
            found.foreign.add(rel)
        elif kind == "intact":
            found.intact[str(entry["matter"]["source"])] = (entry["matter"], rel)
        else:
            found.edited[rel] = entry.get("source")
    return found


def _classify(data: bytes) -> dict:
    """A page's bytes → its index entry without the hash: intact (with the front matter the
    converter reads back), edited (with the source it names) or foreign."""
    try:  # as Path.read_text: strict UTF-8, universal newlines
        text = data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError:
        return {"kind": "foreign"}
    block = split_front_matter(text)
    matter = None
    if block is not None:
        try:
            loaded = yaml.load(block, Loader=SAFE_LOADER)
        except yaml.YAMLError:
            loaded = None
        matter = loaded if isinstance(loaded, dict) else None
    generated = bool(matter.get("generator")) if matter else bool(GENERATED_MARK.search(block or ""))
    if not generated:
        return {"kind": "foreign"}
    if matter and matter.get("source") and matter.get("content_sha256") == content_hash(text):
        return {"kind": "intact", "matter": {key: matter[key] for key in INDEX_KEYS if key in matter}}
    named = (matter or {}).get("source") or next(iter(SOURCE_LINE.findall(block or "")), None)
    return {"kind": "edited", "source": str(named).strip() if named else None}


@cache
def page_index_code() -> str:
    """What a page index entry depends on: the code that classifies a page and what it keeps (not
    the whole tool: a change to the parser re-renders pages, but need not re-read every page)."""
    try:
        sources = [inspect.getsource(f) for f in (_classify, split_front_matter, content_hash)]
    except (OSError, TypeError):  # no source at hand (a frozen build): the whole tool, to be safe
        return tool_fingerprint()
    items = [str(PAGE_INDEX_FORMAT), CONTENT_HASH_LINE.pattern, GENERATED_MARK.pattern, SOURCE_LINE.pattern,
             repr(INDEX_KEYS), repr(SAFE_LOADER), yaml.__version__, *sources]
    return hashlib.sha256("\n".join(items).encode("utf-8")).hexdigest()[:16]


def _load_page_index(out_dir: Path) -> dict[str, dict]:
    """The page index written by this code, or {} (absent, unreadable, other code)."""
    try:
        data = json.loads((out_dir / PAGE_INDEX).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("code") != page_index_code() or not isinstance(data.get("pages"), dict):
        return {}
    return {rel: entry for rel, entry in data["pages"].items() if isinstance(entry, dict) and "kind" in entry}


def _save_page_index(out_dir: Path, entries: dict[str, dict]) -> None:
    """Write the page index when its content changed (an unchanged run touches no file)."""
    target = out_dir / PAGE_INDEX
    text = json.dumps({"code": page_index_code(), "pages": dict(sorted(entries.items()))},
                      ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str) + "\n"
    data = text.encode("utf-8")
    try:
        if target.is_file() and target.read_bytes() == data:
            return
        if not entries and not target.exists():
            return
        temporary = target.with_name(f"{PAGE_INDEX}.{os.getpid()}.tmp")
        temporary.write_bytes(data)
        os.replace(temporary, target)
    except OSError:
        pass  # only a cache: the next run classifies the pages from their text


def default_jobs() -> int:
    """Worker processes for conversion: ``LAWREPORTS_JOBS`` when set, else the CPUs this process
    may use (``os.cpu_count()`` narrowed by CPU affinity)."""
    value = os.environ.get("LAWREPORTS_JOBS", "").strip()
    if value.isdigit() and int(value) >= 1:
        return int(value)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def convert_all(
    seeds_dir: Path,
    out_dir: Path,
    settings: Settings,
    force: bool = False,
    agencies_file: Path | None = None,
    progress: Callable[[str], None] | None = None,
    jobs: int | None = None,
    keep: PreparedReports | None = None,
) -> ConvertRun:
    """Convert every raw report in ``seeds_dir`` into ``out_dir``; see the module docstring.

    ``agencies_file`` is the agency table (the CLI and the site pass the one beside mkdocs.yml);
    None means ``agencies.yml`` in the working directory. ``force`` re-renders every page and
    overwrites hand-edited ones. ``progress`` is called with each raw file's name once it is done.
    ``jobs``: worker processes (None: :func:`default_jobs`; 1: convert in this process).
    ``keep``: receives every report prepared in this process (the site reads them again after
    converting); None, the default, keeps no report in memory.
    """
    run = ConvertRun()
    files = input_files(seeds_dir)
    run.total = len(files)
    try:
        context = Context.load(settings, agencies_file)
    except AgencyTableError as err:  # no identity can be trusted: nothing is converted or touched
        run.diagnostics.extend(err.diagnostics)
        run.failed.extend(p.name for p in files)
        return run

    existed = out_dir.is_dir()
    output = scan_output(out_dir)
    stamp = out_dir / STAMP
    same_code = stamp.is_file() and stamp.read_text(encoding="utf-8", errors="replace").strip() == tool_fingerprint()
    cached = output.intact if same_code and not force else {}
    staging = out_dir / f"{STAGING_PREFIX}{os.getpid()}"
    try:
        converted: list[Converted] = []
        results = _convert_files(files, context, cached, out_dir, staging, jobs if jobs is not None else default_jobs(), run,
                                 keep)
        for path, (item, failure) in zip(files, results):
            if item is not None:
                converted.append(item)
            else:
                run.fail(path.name, failure[0])
                run.diagnostics.extend(failure[1:])
            if progress:
                progress(path.name)
        run.diagnostics.extend(sidecar_findings(seeds_dir, files))

        converted = _drop_conflicts(converted, run)
        _publish(converted, out_dir, output, force, run)
        _remove_stale(out_dir, output, {c.path for c in converted}, {p.name for p in files}, run)
        prune_prepared(out_dir / PREPARED_DIR, [p.name for p in files])
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if not same_code and converted and out_dir.is_dir():
        try:
            stamp.write_text(tool_fingerprint() + "\n", encoding="utf-8")
        except OSError:
            pass  # only costs a re-render next time
    if out_dir.is_dir():
        removed = set(run.removed)
        _save_page_index(out_dir, {rel: e for rel, e in output.entries.items() if rel not in removed})
        if not existed:
            try:
                if not any(p.suffix == ".md" for p in out_dir.rglob("*.md")):
                    shutil.rmtree(out_dir / PREPARED_DIR, ignore_errors=True)
                out_dir.rmdir()  # made only for staging, nothing published: leave no trace
            except OSError:
                pass
    run.pages.sort(key=lambda p: (-(p.year or 0), p.agency_slug, p.source))
    run.diagnostics = sorted(set(run.diagnostics), key=lambda d: (d.file, d.line or 0, d.code, d.message))
    return run


# -- converting many files: in this process or in workers, results in file order ---------------------------

Result = tuple["Converted | None", tuple[Diagnostic, ...]]  #: a page, or the reasons there is none


def _convert_files(files: list[Path], context: Context, cached: dict, out_dir: Path, staging: Path,
                   jobs: int, run: ConvertRun, keep: PreparedReports | None = None) -> Iterator[Result]:
    """One result per raw file, in file order. Worker processes convert when enough files need it."""
    if jobs <= 1 or len(files) < PARALLEL_MIN:
        for path in files:
            yield _convert_guarded(path, context, cached, out_dir, staging, keep)
        return
    ready: dict[int, Result] = {}  # files whose page on disk is still right: no need to parse
    todo: list[Path] = []
    for number, path in enumerate(files):
        item = _from_cache(path, context, cached)
        if item is not None:
            ready[number] = (item, ())
        else:
            todo.append(path)
    if len(todo) < PARALLEL_MIN:
        converted: Iterator[Result] = (_convert_guarded(p, context, {}, out_dir, staging, keep) for p in todo)
    else:
        converted = _in_workers(todo, context, out_dir, staging, jobs, run, keep)
    for number in range(len(files)):
        yield ready.pop(number) if number in ready else next(converted)


def _from_cache(path: Path, context: Context, cached: dict) -> Converted | None:
    """The page on disk, when its inputs are unchanged; None otherwise (including any error: the
    conversion itself reports it)."""
    if path.name not in cached or unsupported(path):
        return None
    try:
        key = _inputs_key(path, context, path.read_bytes())
    except OSError:
        return None
    return _cache_hit(path.name, key, cached)


def _convert_guarded(path: Path, context: Context, cached: dict, out_dir: Path, staging: Path,
                     keep: PreparedReports | None = None) -> Result:
    """Convert one file and stage its page; every failure becomes diagnostics naming the file."""
    try:
        return _stage(convert_one(path, context, cached, keep, out_dir / PREPARED_DIR), out_dir, staging), ()
    except (ReadError, ParseError) as err:
        return None, (Diagnostic(path.name, err.line, "error", err.code, err.message),)
    except SidecarError as err:  # every bad key, each naming the sidecar file
        return None, tuple(err.diagnostics)
    except OSError as err:
        return None, (Diagnostic(path.name, None, "error", "unreadable", f"无法读取：{err.strerror or err}"),)
    except Exception as err:  # a bug must not cost the other reports, nor show a traceback
        return None, (internal_error(path.name, err),)


def _stage(item: Converted, out_dir: Path, staging: Path) -> Converted:
    """Keep no page text in memory: a page identical to the one on disk becomes None (nothing to
    write), any other is written to the staging folder and replaced by that file's path. When the
    staging write fails, the text stays (publishing writes it, or names the error)."""
    if not isinstance(item.page, str):
        return item
    data = item.page.encode("utf-8")
    entry = dict(item.entry or {}, sha256=hashlib.sha256(data).hexdigest())
    target = out_dir / item.path
    try:
        if target.is_file() and target.read_bytes() == data:
            return replace(item, page=None, entry=entry)
    except OSError:
        pass
    try:
        staging.mkdir(parents=True, exist_ok=True)
        staged = staging / f"{item.source}.tmp"
        staged.write_bytes(data)
    except OSError:
        return replace(item, entry=entry)
    return replace(item, page=staged, entry=entry)


_WORKER: tuple[Context, Path, Path] | None = None  #: a worker process's context, output and staging folder


def _start_worker(context: Context, out_dir: Path, staging: Path) -> None:
    global _WORKER
    _WORKER = (context, out_dir, staging)


def _convert_chunk(paths: list[Path]) -> tuple[int, list[Result]]:
    assert _WORKER is not None
    context, out_dir, staging = _WORKER
    return os.getpid(), [_convert_guarded(path, context, {}, out_dir, staging) for path in paths]


def _in_workers(todo: list[Path], context: Context, out_dir: Path, staging: Path, jobs: int,
                run: ConvertRun, keep: PreparedReports | None = None) -> Iterator[Result]:
    """Results for ``todo`` in order, from ``jobs`` worker processes converting chunks of files.
    If the workers cannot start or die, the files not yet done are converted here."""
    size = max(4, min(64, len(todo) // (jobs * 4)))
    chunks = [todo[i:i + size] for i in range(0, len(todo), size)]
    done = 0
    pids: set[int] = set()
    try:
        with ProcessPoolExecutor(max_workers=min(jobs, len(chunks)), mp_context=_process_context(),
                                 initializer=_start_worker, initargs=(context, out_dir, staging)) as pool:
            for pid, results in pool.map(_convert_chunk, chunks):
                pids.add(pid)
                run.workers = len(pids)
                for result in results:
                    done += 1
                    yield result
    except Exception:  # no processes here (sandbox, /dev/shm), a worker killed: finish in this process
        pass
    for path in todo[done:]:
        yield _convert_guarded(path, context, {}, out_dir, staging, keep)


def fork_is_safe() -> bool:
    """``fork`` exists and this process runs no other thread (``mkdocs serve`` watches files in
    threads: a forked process could wait for ever on a lock one of them held at the fork)."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def _process_context():
    """fork when :func:`fork_is_safe` (fast: workers share the imported code); otherwise
    forkserver, or spawn where there is none. Those two import the main script again in each
    worker, as multiprocessing always does: a script calling :func:`convert_all` keeps its work
    under ``if __name__ == "__main__":`` (as ``build_site.py`` and MkDocs do)."""
    if fork_is_safe():
        return multiprocessing.get_context("fork")
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def internal_error(name: str, err: BaseException) -> Diagnostic:
    return Diagnostic(name, None, "error", "internal-error",
                      f"转换 {name} 时程序出错（{type(err).__name__}: {err}），此文件未转换；"
                      "请把此文件和这条信息发给维护人员")


def sidecar_findings(seeds_dir: Path, files: list[Path]) -> list[Diagnostic]:
    """A sidecar without its raw file, or one named ``<name>.yml``: it would be silently ignored."""
    stems = {p.stem for p in files}
    out = []
    for path in sorted(seeds_dir.iterdir()):
        if path.name.endswith(".meta.yml") and path.name[: -len(".meta.yml")] not in stems:
            out.append(Diagnostic(path.name, None, "warning", "sidecar-orphan",
                                  "没有同名的报告原文，此更正文件未被使用"))
        elif path.suffix in (".yml", ".yaml") and not path.name.endswith(".meta.yml"):
            stem = path.name[: -len(".meta.yaml")] if path.name.endswith(".meta.yaml") else path.stem
            if stem in stems:
                out.append(Diagnostic(path.name, None, "warning", "sidecar-name",
                                      f"更正文件应命名为 {stem}.meta.yml，此文件未被使用"))
    return out


def _drop_conflicts(converted: list[Converted], run: ConvertRun) -> list[Converted]:
    """Two reports of one agency and year, two agencies with one slug, or one agency with two slugs:
    an error naming both files, and neither is written."""
    bad: dict[str, list[Diagnostic]] = {}
    by_key: dict[tuple[str, int | None], list[Converted]] = {}
    by_slug: dict[str, dict[str, list[Converted]]] = {}
    by_agency: dict[str, dict[str, list[Converted]]] = {}
    for item in converted:
        by_key.setdefault(item.key, []).append(item)
        by_slug.setdefault(item.info.agency_slug, {}).setdefault(item.info.agency_key, []).append(item)
        by_agency.setdefault(item.info.agency_key, {}).setdefault(item.info.agency_slug, []).append(item)

    def flag(items: list[Converted], code: str, message: str) -> None:
        for item in items:
            bad.setdefault(item.source, []).append(Diagnostic(item.source, None, "error", code, message))

    for (name, year), items in sorted(by_key.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0)):
        if len(items) > 1:
            names = "、".join(sorted(i.source for i in items))
            flag(items, "duplicate-report", f"{name} {year or '未注明'}年度有多份报告：{names}；均未发布，请删除或改正其中一份")
    for slug, agencies in sorted(by_slug.items()):
        if len(agencies) > 1:
            items = [i for group in agencies.values() for i in group]
            names = "、".join(f"{key}（{'、'.join(sorted(i.source for i in group))}）" for key, group in sorted(agencies.items()))
            flag(items, "slug-collision",
                 f"不同单位的网址名相同（{slug}）：{names}；均未发布，请在 agencies.yml 或 .meta.yml 中为其设置不同的 slug")
    for key, slugs in sorted(by_agency.items()):
        if len(slugs) > 1:
            items = [i for group in slugs.values() for i in group]
            names = "、".join(f"{slug}（{'、'.join(sorted(i.source for i in group))}）" for slug, group in sorted(slugs.items()))
            flag(items, "slug-mismatch", f"同一单位 {key} 的网址名不一致：{names}；均未发布，请统一 .meta.yml 中的 slug")
    for source, diagnostics in sorted(bad.items()):
        run.failed.append(source)
        run.diagnostics.extend(diagnostics)
    return [c for c in converted if c.source not in bad]


def _publish(converted: list[Converted], out_dir: Path, output: OutputFolder, force: bool, run: ConvertRun) -> None:
    """Write the pages whose text changed, guarding hand-edited and hand-written pages."""
    for item in converted:
        run.diagnostics.extend(item.diagnostics)
        try:
            _publish_one(item, out_dir, output, force, run)
        except Exception as err:  # a bug must not cost the other pages
            run.fail(item.source, internal_error(item.source, err))


def _publish_one(item: Converted, out_dir: Path, output: OutputFolder, force: bool, run: ConvertRun) -> None:
    """Write one page unless a guard says no (each refusal names the page and what to do)."""
    rel, target = item.path, out_dir / item.path
    if rel in output.foreign:
        run.fail(item.source, Diagnostic(item.source, None, "error", "page-not-generated",
                                         f"输出目录中的 {rel} 不是本工具生成的页面，未覆盖；请移走该文件，或在 .meta.yml 中为本报告设置其他 slug"))
        return
    if rel in output.edited and not force:
        run.fail(item.source, Diagnostic(item.source, None, "error", "hand-edited",
                                         f"页面 {rel} 已被手工修改，未覆盖；更正请写入 {Path(item.source).stem}.meta.yml，"
                                         "或确认后用 --force 覆盖"))
        matter, _ = read_front_matter(target)
        if matter and matter.get("source"):
            run.pages.append(page_info(matter, rel))  # the page stays published as edited
        return
    owner = output.owner(rel)
    if owner and owner != item.source and owner in run.failed:
        run.fail(item.source, Diagnostic(item.source, None, "error", "duplicate-report",
                                         f"页面 {rel} 属于 {owner}（本次未能转换），{item.source} 未覆盖它；"
                                         "两份报告可能是同一单位同一年度"))
        return
    if item.page is None:
        run.unchanged.append(rel)
    else:
        try:
            written = _write_if_changed(target, item.page, run, rel)
        except OSError as err:
            run.fail(item.source, Diagnostic(item.source, None, "error", "write-failed",
                                             f"无法写入 {rel}：{err.strerror or err}"))
            return
        if written and item.entry is not None:
            output.entries[rel] = item.entry
    run.pages.append(item.info)


def _write_if_changed(target: Path, page: str | Path, run: ConvertRun, rel: str) -> bool:
    """Put the page in place (its text, or the staged file already known to differ from the page
    on disk); True when the file was written."""
    if isinstance(page, Path):
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(page, target)  # a reader never sees half a page
        run.written.append(rel)
        return True
    data = page.encode("utf-8")
    if target.is_file() and target.read_bytes() == data:
        run.unchanged.append(rel)
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, target)  # a reader never sees half a page
    run.written.append(rel)
    return True


def _remove_stale(out_dir: Path, output: OutputFolder, keep: set[str], present: set[str], run: ConvertRun) -> None:
    """Remove generated, untouched pages whose raw file is gone (or which moved to a new path).

    A page whose raw file still exists but failed this time stays: a good page is never lost
    silently. Hand-edited pages stay (with a warning when their raw file is gone); pages that were
    not generated are never looked at again.
    """
    emptied: set[Path] = set()
    for source, (_, rel) in sorted(output.intact.items()):
        moved = source in present and source not in run.failed
        if rel not in keep and (source not in present or moved):
            try:
                (out_dir / rel).unlink()
            except OSError as err:
                run.diagnostics.append(Diagnostic(source, None, "warning", "remove-failed",
                                                  f"无法删除过时页面 {rel}：{err.strerror or err}"))
                continue
            run.removed.append(rel)
            emptied.add((out_dir / rel).parent)
    for rel, source in sorted(output.edited.items()):
        if rel not in keep and (source is None or source not in present):
            run.diagnostics.append(Diagnostic(source or rel, None, "warning", "stale-edited-page",
                                              f"原始文件已不存在或已改名，但页面 {rel} 有手工修改，未删除；如不再需要请手工删除"))
    for directory in sorted(emptied, key=lambda p: len(p.parts), reverse=True):
        while directory != out_dir and out_dir in directory.parents:
            try:
                directory.rmdir()  # only when empty
            except OSError:
                break
            directory = directory.parent
