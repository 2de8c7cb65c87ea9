"""Keywords of each report: TF-IDF over jieba's words, across the reports of the site.

What a report is about is what it says more often than the others do. A word's score in a report is

    tf × idf_corpus × idf_reference

* ``tf``: its count over the report's countable words;
* ``idf_corpus = log((N + 1) / (df + 0.5))`` over the N reports of the site: a word every report
  uses (依法行政, 法治宣传) scores almost nothing, whatever its count;
* ``idf_reference``: jieba's own IDF table (a general Chinese corpus, shipped with jieba): words of
  any text (工作, 开展, 情况) weigh little even while the site holds few reports.

Countable words have two or more Chinese characters, occur at least :data:`MIN_COUNT` times, are
not in the stop list (``keywords.yml``: boilerplate phrases cut out before splitting, stop words,
and field terms kept whole), are no numeral with a measure word (三项, 第三批) and no part of the
report's own agency name or region (南开区, 司法局 in 南开区司法局's report).

Deterministic: ties sort by the word; scores are rounded before sorting. Splitting is the slow
step, so it is done by rjieba (jieba's algorithm and dictionary in Rust: the same words as jieba
0.42.1 on the seeds and 300 synthetic reports, 24× faster — ~0.7 ms a report instead of ~16 ms)
and the counts are cached by a hash of the text and of everything the splitting depends on (the
splitter's version, the stop list); the cache is a JSON file the site keeps in ``.cache/``. The
field terms go into a splitter of our own, never into a global dictionary.

No MkDocs here; ``site/insight`` makes the tag pages.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from .model import Heading, Paragraph, Report

KEYWORDS_FILE = Path(__file__).with_name("keywords.yml")
#: Keywords kept per report.
TOP = 8
#: A word must occur this often in a report to be one of its keywords.
MIN_COUNT = 2
#: Two or more Chinese characters and nothing else.
WORD = re.compile(r"^[\u4e00-\u9fff]{2,}$")
#: A numeral with a measure word, or an ordinal: 三项, 一是, 第三批, 两个.
NUMERAL = re.compile(r"^(第.*|[一二三四五六七八九十百千万两]+[是项批次件条名类个届期年月日方面点]?)$")
#: Rounding of scores before sorting, so that ties are ties on every machine.
DIGITS = 12


@dataclass(frozen=True)
class StopList:
    """``keywords.yml``: phrases cut out before splitting, words never counted, terms kept whole."""

    phrases: tuple[str, ...]
    words: frozenset[str]
    terms: tuple[str, ...]
    sha256: str  #: of the file: part of the cache key


@dataclass(frozen=True)
class Document:
    """One report as the keyword step sees it."""

    key: str  #: any id unique among the documents (the raw file's name)
    text: str  #: headings and paragraphs, one a line
    own_names: tuple[str, ...] = ()  #: agency name, region: words inside them are not its keywords


@dataclass(frozen=True)
class Keyword:
    word: str
    score: float
    count: int  #: occurrences in the report


def load_stoplist(path: Path = KEYWORDS_FILE) -> StopList:
    data = path.read_bytes()
    values = yaml.safe_load(data.decode("utf-8")) or {}
    phrases = tuple(sorted({str(p) for p in values.get("phrases") or ()}, key=lambda p: (-len(p), p)))
    return StopList(
        phrases=phrases,
        words=frozenset(str(w) for w in values.get("words") or ()),
        terms=tuple(sorted({str(t) for t in values.get("terms") or ()})),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def report_text(report: Report) -> str:
    """The words of a report that count: its headings and paragraphs (not title, signature)."""
    return "\n".join(b.title if isinstance(b, Heading) else b.text for b in report.body if isinstance(b, (Heading, Paragraph)))


# -- splitting -------------------------------------------------------------------------------------


#: The splitter's add_word frequency for field terms: high enough that they are always kept whole.
TERM_FREQUENCY = 100000


@cache
def _tokenizer(terms: tuple[str, ...]):
    """An rjieba splitter of our own, with the field terms."""
    import rjieba

    tokenizer = rjieba.Jieba()
    for term in terms:
        tokenizer.add_word(term, TERM_FREQUENCY, None)
    return tokenizer


def _splitter_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"rjieba {version('rjieba')}"
    except PackageNotFoundError:
        return "rjieba ?"


def fingerprint(stop: StopList) -> str:
    """What the counts depend on besides the text."""
    return f"{_splitter_version()}; stoplist {stop.sha256[:16]}; min {MIN_COUNT}"


def count_words(text: str, stop: StopList) -> dict[str, int]:
    """Countable words of one text and their counts (before the per-report name filter)."""
    for phrase in stop.phrases:
        text = text.replace(phrase, "\n")
    counts = Counter(
        w for w in _tokenizer(stop.terms).cut(text, False)  # no HMM: only dictionary words
        if WORD.match(w) and w not in stop.words and not NUMERAL.match(w)
    )
    return {w: counts[w] for w in sorted(counts) if counts[w] >= MIN_COUNT}


class TokenCache:
    """Word counts by text hash, and the reference IDF of their words, in a JSON file (so that a
    build whose texts are all cached loads neither jieba's dictionary nor its IDF table); entries
    not used by the last run are dropped on save."""

    def __init__(self, path: Path | None, stamp: str) -> None:
        self.path, self.stamp = path, stamp
        self.entries: dict[str, dict[str, int]] = {}
        self.idf: dict[str, float] = {}
        self.used: set[str] = set()
        self.hits = self.misses = 0
        self._idf_size = 0
        if path and path.is_file():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                if data.get("stamp") == stamp and isinstance(data.get("entries"), dict):
                    self.entries = data["entries"]
                    self.idf = dict(data.get("idf") or {})
                    self._idf_size = len(self.idf)
            except (OSError, ValueError, AttributeError):
                self.entries, self.idf = {}, {}  # a broken cache only costs time

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def counts(self, text: str, stop: StopList) -> dict[str, int]:
        key = self.key(text)
        self.used.add(key)
        found = self.entries.get(key)
        if found is not None:
            self.hits += 1
            return found
        self.misses += 1
        found = self.entries[key] = count_words(text, stop)
        return found

    def reference(self, words: Iterable[str]) -> dict[str, float]:
        """The reference IDF of ``words`` (jieba's table is loaded only when one is not cached)."""
        missing = [w for w in words if w not in self.idf]
        if missing:
            table, median = reference_idf()
            for w in missing:
                self.idf[w] = table.get(w, median)
        return self.idf

    def save(self) -> None:
        if not self.path or (not self.misses and set(self.entries) == self.used and len(self.idf) == self._idf_size):
            return
        entries = {k: self.entries[k] for k in sorted(self.used) if k in self.entries}
        words = {w for counts in entries.values() for w in counts}
        idf = {w: self.idf[w] for w in sorted(words) if w in self.idf}
        data = json.dumps({"stamp": self.stamp, "entries": entries, "idf": idf}, ensure_ascii=False,
                          sort_keys=True, separators=(",", ":"))
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
            temporary.write_text(data, encoding="utf-8")
            os.replace(temporary, self.path)
        except OSError:
            pass  # only costs time next build


# -- scoring ---------------------------------------------------------------------------------------


@cache
def reference_idf() -> tuple[Mapping[str, float], float]:
    """jieba's IDF table and its median (the weight of a word the table lacks)."""
    from importlib.util import find_spec

    spec = find_spec("jieba")  # the table ships with jieba; finding it does not import jieba
    assert spec is not None and spec.origin, "jieba is a dependency (requirements.txt)"
    path = Path(spec.origin).parent / "analyse" / "idf.txt"
    table: dict[str, float] = {}
    with path.open(encoding="utf-8") as f:
        for line in f:
            word, _, value = line.rstrip("\n").partition(" ")
            try:
                table[word] = float(value)
            except ValueError:
                continue
    values = sorted(table.values())
    return table, (values[len(values) // 2] if values else 10.0)


def warm_cache(texts: Iterable[str], cache_file: Path, stop: StopList | None = None) -> int:
    """Count the words of every text the cache file lacks (and look up their reference IDF), and
    save the file: :func:`extract` then splits nothing. A forked copy of the site build does this
    on another core while the build makes its comparison pages. Returns how many were counted."""
    stop = stop or load_stoplist()
    tokens = TokenCache(cache_file, fingerprint(stop))
    words: set[str] = set()
    for text in texts:
        words.update(tokens.counts(text, stop))
    tokens.reference(sorted(words))
    tokens.save()
    return tokens.misses


def _own_words(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(n for n in names if n)


def extract(
    documents: Sequence[Document],
    stop: StopList | None = None,
    cache_file: Path | None = None,
    top: int = TOP,
) -> dict[str, tuple[Keyword, ...]]:
    """Keywords of every document (by ``Document.key``), best first."""
    stop = stop or load_stoplist()
    tokens = TokenCache(cache_file, fingerprint(stop))
    counts = {d.key: tokens.counts(d.text, stop) for d in documents}
    n = len(documents)
    df: Counter[str] = Counter()
    for words in counts.values():
        df.update(words.keys())
    reference = tokens.reference(sorted(df))
    tokens.save()
    out: dict[str, tuple[Keyword, ...]] = {}
    for d in documents:
        words = counts[d.key]
        own = _own_words(d.own_names)
        total = sum(words.values())
        scored = []
        for word, count in words.items():
            if any(word in name for name in own):
                continue
            idf = math.log((n + 1) / (df[word] + 0.5)) * reference[word]
            scored.append(Keyword(word, round(count / total * idf, DIGITS), count))
        scored.sort(key=lambda k: (-k.score, k.word))
        out[d.key] = tuple(k for k in scored[:top] if k.score > 0)
    return out
