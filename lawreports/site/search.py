"""The site's own full-text search: a static index of overlapping bigrams, searched in the browser.

Why not Material's search or Pagefind: both segment words and match word starts, so a reader who
types part of a compound (``复议`` for ``行政复议``), a number with its unit (``274件``) or a name
misses reports (94.2 % recall on the seeds, issue #6); Material's jieba index also costs ~13 s per
1,000 pages and one 19 MB file at 1,000 reports.

The tokeniser (mirrored in ``docs/assets/javascripts/search.js``, and tested to agree with it in
Chromium)::

    fold(s)     per code point: NFKC, then A–Z → a–z           全角 ２０２３ → 2023, ％ → %
    terms(q)    fold(q) split on whitespace (:data:`SPACE`)     "2023年 司法局" → [2023年, 司法局]
    tokens      every pair of adjacent characters inside a run of :data:`WORD` characters
                (CJK ideographs, a–z, 0–9, % and ‰), and a number followed by its unit whole:
                index_tokens(text)  all pairs, and every ending of 2–8 digits with the unit
                                    (受理1274件 → 受理 理1 12 27 74 4件 74件 274件 1274件)
                tokens(term)        a number with its unit by that one token, the rest by pairs
                                    (274件 → 274件; 行政复议 → 行政 政复 复议)

So any run of two or more characters a reader types (a word, part of a word, a number with its
unit, also inside a longer number: 274件 in 1274件) gives tokens that every text containing it also
has: the index can only miss what is not there. Numbers are common pairs of few digits, so a number
looked up by its pairs would match thousands of reports; by its ending with the unit it matches
almost exactly those that hold it. Pair false positives (``行政`` and ``复议`` both present,
``政复`` not) are removed in the browser, which checks each term as an exact substring of the folded
section text before showing a result. A single character has no pair: the search page says so
(indexing single characters would add about a third to the index for queries nobody can rank).

Files, below ``site/search/`` (``manifest.build`` is a hash of the rest, used as ``?v=`` so a browser
never mixes files of two builds)::

    manifest.json       format, tokeniser version, shard count, years, regions, part labels
    index/{h}.json      {token: postings}: a token lives in shard fnv1a32(utf-8) mod shards
    meta/{k}.json       report ids (data/reports/{id}.json) of reports k·128 … k·128+127
    agencies.json       [agency_key, name, region, reports] for the 单位 filter (fetched on demand)
    terms.json          dictionary for splitting a run-together query (fetched on demand)

Postings of a token: for each report containing it, ascending report number, one integer
``(number − previous number) << 8 | payload`` written as a varint of 5-bit digits in
:data:`ALPHABET` (a digit ≥ 32 means "more digits follow"). Payload bits 0–4: the canonical parts
(:data:`~lawreports.model.PART_KEYS`) whose sections contain the token; 5–6: occurrences (1, 2–3,
4–7, 8+); 7: the token occurs in a heading or the title. Facet values are tokens too (``y:2023``,
``r:天津市南开区``, ``a:<agency_key>``), so a filter is one more list to intersect.

The text comes from the open data (:mod:`lawreports.site.data`): the same sections the browser
fetches as ``data/reports/{year}/{slug}.json`` to check matches and cut snippets. Search records
are the title (with the addressee and preamble), each section, and the signature.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import unicodedata
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..model import PART_KEYS

#: Raise when tokens change: the manifest carries it and the browser refuses a different one.
TOKENIZER_VERSION = 2
#: Raise when the file layout changes.
FORMAT = 1

#: Characters that form tokens (after folding). Everything else separates runs.
WORD_CLASS = "0-9a-z%\u2030\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U000323af"
WORD = re.compile(f"[{WORD_CLASS}]+")
#: Whitespace that separates query terms (spelled out: Python's and JavaScript's ``\\s`` differ).
SPACE_CLASS = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
SPACE = re.compile(f"[{SPACE_CLASS}]+")
DIGITS = re.compile("[0-9]+")
#: Numbers are indexed with their unit by their endings up to this many digits.
MAX_NUMBER_DIGITS = 8
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_PART_BIT = {key: 1 << i for i, key in enumerate(PART_KEYS)}

#: Digits of the posting varints: 0–31 last digit, 32–63 "more follow"; JSON-safe, no escaping.
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"
HEADING_BIT = 1 << 7
PAYLOAD_BITS = 8
#: Reports per ``meta/{k}.json``.
META_BLOCK = 128
#: Shards are sized for about this many bytes each (a power of two, 8 … 4096 of them).
SHARD_TARGET_BYTES = 12_000
MIN_SHARDS, MAX_SHARDS = 8, 4096
SEARCH_DIR = "search"
TERMS_FILE = Path(__file__).with_name("search_terms.txt")


# ---------------------------------------------------------------------------------------------
# The tokeniser (keep in step with search.js: tests/test_search.py runs both)


class _FoldTable(dict):
    """code point → its folded text, filled on first use (``str.translate`` then runs in C)."""

    def __missing__(self, code: int) -> int | str:
        c = chr(code)
        folded = unicodedata.normalize("NFKC", c).translate(_ASCII_LOWER)
        value = code if folded == c else folded
        self[code] = value
        return value


_FOLD = _FoldTable()


def fold(text: str) -> str:
    """Per code point: NFKC, then ASCII letters lower-cased (per code point, not the whole string,
    so that the browser maps each folded character back to the text it highlights).

    >>> fold("２０２３年ＡＢＣ　１００％，")
    '2023年abc 100%,'
    """
    return text.translate(_FOLD)


def terms(query: str) -> list[str]:
    """The query's terms: folded, split on whitespace, duplicates dropped.

    >>> terms("2023年　司法局 2023年")
    ['2023年', '司法局']
    """
    out: list[str] = []
    for term in SPACE.split(fold(query)):
        if term and term not in out:
            out.append(term)
    return out


def _number_spans(run: str) -> list[tuple[int, int]]:
    """(start, end) of each run of two or more digits followed by another word character (its unit)."""
    return [m.span() for m in DIGITS.finditer(run) if m.end() < len(run) and m.end() - m.start() >= 2]


def index_tokens(folded: str) -> list[str]:
    """The tokens of a text (``folded`` is folded), repeats kept: every pair of adjacent word
    characters, and for a number followed by its unit every ending of the number with the unit,
    up to :data:`MAX_NUMBER_DIGITS` digits (``1274件`` → 74件 274件 1274件; 4件 is a pair already).

    >>> index_tokens("受理1274件")
    ['受理', '理1', '12', '27', '74', '4件', '74件', '274件', '1274件']
    """
    out = []
    for run in WORD.findall(folded):
        out += [run[i : i + 2] for i in range(len(run) - 1)]
        if any("0" <= c <= "9" for c in run):
            for i, j in _number_spans(run):
                out += [run[k:j] + run[j] for k in range(j - 2, max(i, j - MAX_NUMBER_DIGITS) - 1, -1)]
    return out


def tokens(term: str) -> list[str]:
    """The distinct tokens a term is looked up by: a number with its unit by one token (the
    longest ending the index holds), everything else by its pairs.

    >>> tokens("274件")
    ['274件']
    >>> tokens("共274件")
    ['274件', '共2']
    >>> tokens("行政复议")
    ['行政', '政复', '复议']
    >>> tokens("法")
    []
    """
    out: list[str] = []
    for run in WORD.findall(fold(term)):
        covered: set[int] = set()
        for i, j in _number_spans(run):
            k = max(i, j - MAX_NUMBER_DIGITS)
            out.append(run[k:j] + run[j])
            covered.update(range(k, j))
        out += [run[p : p + 2] for p in range(len(run) - 1) if p not in covered]
    return list(dict.fromkeys(out))


def shard_of(token: str, shards: int) -> int:
    """FNV-1a (32 bit) of the token's UTF-8 bytes, modulo the (power of two) shard count."""
    h = 0x811C9DC5
    for byte in token.encode("utf-8"):
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return h & (shards - 1)


# ---------------------------------------------------------------------------------------------
# Records: what is searched in a report


@dataclass(frozen=True)
class Record:
    """One searchable piece of a report: the title block, a section, or the signature."""

    anchor: str  #: id on the report page ("" for the signature: the page itself)
    part: str | None  #: canonical part (PART_KEYS) or None outside the parts
    heading: str
    text: str


@dataclass(frozen=True)
class Doc:
    """A report as the index sees it; ``rid`` is its open-data id (``2023/nan-kai-qu-si-fa-ju``)."""

    rid: str
    year: int | None
    region: str | None
    agency_key: str
    records: tuple[Record, ...]


def records_of(display_title: str, addressee: str | None, preamble: str, sections: Iterable[dict],
               signature_lines: Sequence[str] | None) -> tuple[Record, ...]:
    """The records of a report, from the fields of its open-data JSON (search.js reads the same)."""
    out = [Record("title", None, display_title, "\n".join(t for t in (addressee, preamble) if t))]
    for s in sections:
        part = s.get("part")
        out.append(Record(s["anchor"], part if part in PART_KEYS else None, s.get("title") or "", s.get("text") or ""))
    if signature_lines:
        out.append(Record("", None, "", "\n".join(signature_lines)))
    return tuple(out)


def region_levels(region: str | None) -> list[str]:
    """``浙江省杭州市西湖区`` → [浙江省, 浙江省杭州市, 浙江省杭州市西湖区] (the filter's choices)."""
    if not region:
        return []
    cuts = [m.end() for m in re.finditer(r".+?(?:特别行政区|自治区|自治州|自治县|地区|新区|省|市|盟|区|县|旗)", region)]
    levels = [region[:c] for c in cuts]
    if not levels or levels[-1] != region:
        levels.append(region)
    return levels


def facet_tokens(doc: Doc) -> list[str]:
    out = [f"y:{doc.year if doc.year is not None else 'none'}"]
    out += [f"r:{level}" for level in region_levels(doc.region)]
    if doc.agency_key:
        out.append(f"a:{doc.agency_key}")
    return out


# ---------------------------------------------------------------------------------------------
# The index


class IndexBuilder:
    """Postings of every token, added one report at a time in report-number order."""

    def __init__(self) -> None:
        self.postings: dict[str, list] = {}  #: token → [last report number, array of values]
        self.count = 0

    def values(self, token: str) -> array:
        return self.postings[token][1]

    def add(self, doc: Doc) -> int:
        """Add the next report; returns its number."""
        number = self.count
        self.count += 1
        flags: dict[str, int] = {}
        counts: Counter[str] = Counter()
        for record in doc.records:
            mask = _PART_BIT.get(record.part, 0)
            for text, flag in ((record.heading, mask | HEADING_BIT), (record.text, mask)):
                if not text:
                    continue
                grams = index_tokens(fold(text))
                counts.update(grams)
                if flag:
                    for g in set(grams):
                        flags[g] = flags.get(g, 0) | flag
        for token in facet_tokens(doc):
            counts.setdefault(token, 1)
        postings = self.postings
        shift = PAYLOAD_BITS
        for token, n in counts.items():
            payload = flags.get(token, 0) | ((n > 1) + (n > 3) + (n > 7)) << 5
            entry = postings.get(token)
            if entry is None:
                postings[token] = [number, array("I", (number << shift | payload,))]
            else:
                entry[1].append((number - entry[0]) << shift | payload)
                entry[0] = number
        return number

    def shard_count(self) -> int:
        """A power of two giving shards of about :data:`SHARD_TARGET_BYTES` (2.3 bytes a posting)."""
        total = sum(len(v[1]) for v in self.postings.values()) * 2.3 + 8 * len(self.postings)
        shards = MIN_SHARDS
        while shards < MAX_SHARDS and total / shards > SHARD_TARGET_BYTES:
            shards *= 2
        return shards


class _Varints(dict):
    """value → its digits (cached below 2¹⁶: the gaps of all but the rarest tokens)."""

    def __missing__(self, v: int) -> str:
        chars, x = [], v
        while x >= 32:
            chars.append(ALPHABET[32 | (x & 31)])
            x >>= 5
        chars.append(ALPHABET[x])
        s = "".join(chars)
        if v < 1 << 16:
            self[v] = s
        return s


_VARINTS = _Varints()


def encode(values: Iterable[int]) -> str:
    """Varints of 5-bit digits, least significant first (see the module docstring).

    >>> encode([5, 40, 1 << 8 | 3])
    '5e1Z8'
    """
    return "".join(map(_VARINTS.__getitem__, values))


def decode(text: str) -> list[int]:
    values, v, shift = [], 0, 0
    for c in text:
        d = ALPHABET.index(c)
        v |= (d & 31) << shift
        if d & 32:
            shift += 5
        else:
            values.append(v)
            v, shift = 0, 0
    return values


def postings(text: str) -> list[tuple[int, int]]:
    """Decoded postings: (report number, payload)."""
    out, number = [], 0
    for i, v in enumerate(decode(text)):
        number = (v >> PAYLOAD_BITS) if i == 0 else number + (v >> PAYLOAD_BITS)
        out.append((number, v & ((1 << PAYLOAD_BITS) - 1)))
    return out


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=False)


@dataclass(frozen=True)
class Agency:
    key: str
    name: str
    region: str | None
    reports: int


def index_files(docs: Sequence[Doc], agencies: Sequence[Agency], dictionary: Iterable[str],
                part_labels: dict[str, str]) -> dict[str, str]:
    """Every file of the index, by path below ``search/``, as text (deterministic)."""
    builder = IndexBuilder()
    for doc in docs:
        builder.add(doc)
    shards = builder.shard_count()
    width = len(f"{shards - 1:x}")
    grouped: dict[int, list[str]] = {}
    for token in builder.postings:
        grouped.setdefault(shard_of(token, shards), []).append(token)
    files: dict[str, str] = {}
    for h in range(shards):
        names = sorted(grouped.get(h, ()))
        body = ",".join(f"{_json(t)}:\"{encode(builder.values(t))}\"" for t in names)
        files[f"index/{h:0{width}x}.json"] = "{" + body + "}\n"
    for k in range(0, len(docs), META_BLOCK):
        files[f"meta/{k // META_BLOCK}.json"] = _json([d.rid for d in docs[k : k + META_BLOCK]]) + "\n"
    files["agencies.json"] = _json([[a.key, a.name, a.region, a.reports] for a in agencies]) + "\n"
    files["terms.json"] = _json(sorted({fold(t) for t in dictionary if len(t) >= 2})) + "\n"

    years = sorted({d.year for d in docs if d.year is not None}, reverse=True)
    regions = sorted({level for d in docs for level in region_levels(d.region)})
    manifest = {
        "format": FORMAT,
        "tokenizer": TOKENIZER_VERSION,
        "reports": len(docs),
        "shards": shards,
        "shard_width": width,
        "meta_block": META_BLOCK,
        "payload_bits": PAYLOAD_BITS,
        "alphabet": ALPHABET,
        "docs": "../data/reports/",
        "parts": [[key, part_labels.get(key, key)] for key in PART_KEYS],
        "years": years + (["none"] if any(d.year is None for d in docs) else []),
        "regions": regions,
        "agencies": len(agencies),
    }
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.encode() + b"\0" + files[path].encode("utf-8"))
    digest.update(_json(manifest).encode("utf-8"))
    manifest["build"] = digest.hexdigest()[:12]
    files["manifest.json"] = json.dumps(manifest, ensure_ascii=False, indent=1) + "\n"
    return files


def load_dictionary(path: Path = TERMS_FILE) -> list[str]:
    """Domain terms, one a line; ``#`` starts a comment."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        word = line.split("#", 1)[0].strip()
        if word:
            out.append(word)
    return out


def write_index(site_dir: Path, files: dict[str, str]) -> Path:
    """Replace ``site_dir/search/``'s index files (the search page itself, index.html, stays)."""
    out = site_dir / SEARCH_DIR
    for stale in ("index", "meta"):
        shutil.rmtree(out / stale, ignore_errors=True)
    (out / "index").mkdir(parents=True, exist_ok=True)
    (out / "meta").mkdir(parents=True, exist_ok=True)
    for path, text in files.items():
        (out / path).write_text(text, encoding="utf-8", newline="\n")
    return out


# ---------------------------------------------------------------------------------------------
# From the site's reports


def docs_of(reports: Sequence, bodies: dict) -> list[Doc]:
    """One :class:`Doc` per report that has a body (``bodies``: source name → data.Body), in the
    listings' order (newest year first), which makes report numbers an order by year."""
    out = []
    for info in reports:
        body = bodies.get(info.source)
        if body is None:
            continue
        signature = body.signature["lines"] if body.signature else None
        records = records_of(info.display_title, body.addressee, body.preamble, body.sections, signature)
        rid = info.path[: -len(".md")] if info.path.endswith(".md") else info.path
        out.append(Doc(rid, info.year, info.region, info.agency_key, records))
    return out


def dictionary_of(agencies: Sequence[Agency], docs: Sequence[Doc]) -> list[str]:
    """The user dictionary: search_terms.txt, the agencies' names and keys, the region names."""
    words = set(load_dictionary())
    for a in agencies:
        words.update(w for w in (a.key, a.name) if w)
    for d in docs:
        levels = region_levels(d.region)
        words.update(levels)
        words.update(b[len(a):] for a, b in zip([""] + levels, levels))
    return sorted(words)


def inputs_digest(docs: Sequence[Doc], agencies: Sequence[Agency], labels: dict[str, str]) -> str:
    """What the index depends on, so an unchanged site (``mkdocs serve``) is not re-indexed."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(TERMS_FILE.read_bytes())
    digest.update(_json([labels, [a.__dict__ for a in agencies]]).encode("utf-8"))
    for d in docs:
        digest.update(_json([d.rid, d.year, d.region, d.agency_key, [r.__dict__ for r in d.records]]).encode("utf-8"))
    return digest.hexdigest()[:16]


def build_site_index(site_dir: Path, reports: Sequence, agencies: Sequence[Agency], bodies: dict,
                     labels: dict[str, str]) -> dict | None:
    """Write ``site_dir/search/``; returns the manifest, or None when the index there is current."""
    docs = docs_of(reports, bodies)
    inputs = inputs_digest(docs, agencies, labels)
    manifest_path = site_dir / SEARCH_DIR / "manifest.json"
    try:
        if json.loads(manifest_path.read_text(encoding="utf-8")).get("inputs") == inputs:
            return None
    except (OSError, ValueError):
        pass
    files = index_files(docs, agencies, dictionary_of(agencies, docs), labels)
    manifest = json.loads(files["manifest.json"])
    manifest["inputs"] = inputs
    files["manifest.json"] = json.dumps(manifest, ensure_ascii=False, indent=1) + "\n"
    write_index(site_dir, files)
    manifest["bytes"] = sum(len(t.encode("utf-8")) for t in files.values())
    return manifest


def _inputs(site) -> tuple:
    """What the index is made of: the published reports, their bodies (the open data's, cached by
    ``on_files``), the agencies and the part labels."""
    from ..render import PART_LABELS
    from . import data

    bodies, _ = data.bodies(site.index.reports, site.seeds_dir, site.settings)
    agencies = [Agency(a.key, a.name, a.region, len(a.reports)) for a in site.index.agencies]
    labels = {key: PART_LABELS[key] for key in PART_KEYS}
    return site.index.reports, agencies, bodies, labels


def _timed_index(site_dir: Path, inputs: tuple) -> tuple[dict | None, float]:
    import time

    start = time.perf_counter()
    return build_site_index(site_dir, *inputs), time.perf_counter() - start


def index_in_background(site, config):
    """Start writing the index in a forked copy of the build (:mod:`forked`), at the end of
    ``on_files``: MkDocs has cleaned the site folder, and the pages need nothing from the index.
    None where no copy can be forked (``on_post_build`` then writes it)."""
    from . import forked

    if site.index is None:
        return None
    return forked.start("搜索索引", lambda: _timed_index(Path(config.site_dir), _inputs(site)))


def on_post_build(site, config) -> None:
    """The hook's ``on_post_build`` (``site`` is plugin.ReportsSite): the index of what was
    published — waited for when :func:`index_in_background` is writing it, else written here."""
    import logging
    import time

    log = logging.getLogger("mkdocs.plugins.lawreports")
    if site.index is None:
        return
    start = time.perf_counter()
    job, site.search_job = site.search_job, None
    if job is not None:
        from .forked import JobFailed

        try:
            manifest, seconds = job.result()
        except JobFailed as err:
            log.info(f"搜索索引：后台编制失败（{err}），改为直接编制")
            start = time.perf_counter()
        else:
            _log_manifest(log, manifest, f"用时 {seconds:.1f} 秒（与页面同时编制，构建等待 {time.perf_counter() - start:.1f} 秒）")
            return
    manifest = build_site_index(Path(config.site_dir), *_inputs(site))
    _log_manifest(log, manifest, f"用时 {time.perf_counter() - start:.1f} 秒")


def _log_manifest(log, manifest: dict | None, timing: str) -> None:
    if manifest is not None:
        log.info(f"搜索索引：{manifest['reports']} 份报告，{manifest['shards']} 个分片，"
                 f"{manifest['bytes'] / 1e6:.1f} MB，{timing}")
