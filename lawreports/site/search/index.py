"""The index: the searchable records of each report, their postings, and the files that hold them.

Everything here is a pure function of its arguments (plus the user dictionary file): the same
reports give byte-identical files.
"""

from __future__ import annotations

import hashlib
import json
import re
from array import array
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ...model import PART_KEYS
from .postings import ALPHABET, HEADING_BIT, PAYLOAD_BITS, encode, occurrence_bits
from .tokens import TOKENIZER_VERSION, fold, index_tokens, shard_of

#: Raise when the file layout changes.
FORMAT = 1
#: Reports per ``meta/{k}.json``.
META_BLOCK = 128
#: Shards are sized for about this many bytes each (a power of two, 8 … 4096 of them).
SHARD_TARGET_BYTES = 12_000
MIN_SHARDS, MAX_SHARDS = 8, 4096
#: Domain terms for splitting run-together queries (README names this path).
TERMS_FILE = Path(__file__).resolve().parents[1] / "search_terms.txt"
_PART_BIT = {key: 1 << i for i, key in enumerate(PART_KEYS)}


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


@dataclass(frozen=True)
class Agency:
    """One choice of the 单位 filter."""

    key: str
    name: str
    region: str | None
    reports: int


def records_of(display_title: str, addressee: str | None, preamble: str, sections: Iterable[Mapping],
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
    """The filters' values as tokens (``y:2023``, ``r:天津市``, ``a:<agency_key>``)."""
    out = [f"y:{doc.year if doc.year is not None else 'none'}"]
    out += [f"r:{level}" for level in region_levels(doc.region)]
    if doc.agency_key:
        out.append(f"a:{doc.agency_key}")
    return out


#: Payload occurrence bits by count below :data:`_MANY_AT` (then :data:`_MANY`), as :func:`occurrence_bits` gives them.
_MANY_AT = 8
_OCCURRENCES = tuple(occurrence_bits(n) for n in range(_MANY_AT))
_MANY = occurrence_bits(_MANY_AT)


def _merge_flags(flagged: dict[int, set[str]]) -> dict[str, int]:
    """token → the OR of the flags whose texts hold it (set operations in C; a Python loop only
    over the tokens found under more than one flag)."""
    flags: dict[str, int] = {}
    for flag, grams in flagged.items():
        for token in grams & flags.keys():
            flags[token] |= flag
        flags.update(dict.fromkeys(grams - flags.keys(), flag))
    return flags


class IndexBuilder:
    """Postings of every token, added one report at a time in report-number order."""

    def __init__(self) -> None:
        #: token → its postings' values (report number gaps and payloads, see :mod:`.postings`)
        self.postings: dict[str, array] = {}
        self.last: dict[str, int] = {}  #: token → the number of the last report holding it
        self.count = 0

    def values(self, token: str) -> array:
        return self.postings[token]

    def add(self, doc: Doc) -> int:
        """Add the next report; returns its number."""
        number = self.count
        self.count += 1
        counts: Counter[str] = Counter()
        flagged: dict[int, set[str]] = {}  #: flag → the tokens of the texts that carry it
        for record in doc.records:
            mask = _PART_BIT.get(record.part, 0) if record.part else 0
            for text, flag in ((record.heading, mask | HEADING_BIT), (record.text, mask)):
                if not text:
                    continue
                grams = index_tokens(fold(text))
                counts.update(grams)
                if flag:
                    flagged.setdefault(flag, set()).update(grams)
        for token in facet_tokens(doc):
            counts.setdefault(token, 1)
        flags = _merge_flags(flagged)
        postings, last, shift = self.postings, self.last, PAYLOAD_BITS
        for token, n in counts.items():
            payload = flags.get(token, 0) | (_OCCURRENCES[n] if n < _MANY_AT else _MANY)
            previous = last.get(token)
            if previous is None:
                postings[token] = array("I", (number << shift | payload,))
            else:
                postings[token].append((number - previous) << shift | payload)
            last[token] = number
        return number

    def shard_count(self) -> int:
        """A power of two giving shards of about :data:`SHARD_TARGET_BYTES` (2.3 bytes a posting)."""
        total = sum(map(len, self.postings.values())) * 2.3 + 8 * len(self.postings)
        shards = MIN_SHARDS
        while shards < MAX_SHARDS and total / shards > SHARD_TARGET_BYTES:
            shards *= 2
        return shards


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=False)


def index_files(docs: Sequence[Doc], agencies: Sequence[Agency], dictionary: Iterable[str],
                part_labels: Mapping[str, str]) -> dict[str, str]:
    """Every file of the index, by path below ``search/``, as text (deterministic).

    ``manifest.json`` carries ``build``, a hash of all the other files, which the browser adds as
    ``?v=`` to every fetch, so it never mixes the files of two builds."""
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
    manifest: dict[str, object] = {
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


def dictionary_of(agencies: Sequence[Agency], docs: Sequence[Doc], terms: Iterable[str] | None = None) -> list[str]:
    """The user dictionary: the domain terms (default :func:`load_dictionary`), the agencies'
    names and keys, the region names and each level's own name (南开区 of 天津市南开区)."""
    words = set(load_dictionary() if terms is None else terms)
    for a in agencies:
        words.update(w for w in (a.key, a.name) if w)
    for d in docs:
        levels = region_levels(d.region)
        words.update(levels)
        words.update(b[len(a):] for a, b in zip(["", *levels], levels, strict=False))
    return sorted(words)
