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

Two steps, because splitting is the slow one: :func:`count_words` splits one report's text when
its record is made (``build/prepare.py``; the catalog keeps the counts with the record, so an
unchanged report is never split again), and :func:`extract` scores the counts of all the site's
reports (the IDF over the corpus needs them all). Splitting is done by rjieba (jieba's algorithm
and dictionary in Rust: the same words as jieba 0.42.1 on the seeds and 300 synthetic reports,
24× faster — ~0.7 ms a report instead of ~16 ms). The field terms go into a splitter of our own,
never into a global dictionary.

Deterministic: ties sort by the word; scores are rounded before sorting.

No MkDocs here; ``site/insight`` makes the tag pages.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from .model import Heading, Paragraph, Report

if TYPE_CHECKING:
    import rjieba

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


@dataclass(frozen=True)
class Document:
    """One report as the scoring sees it: its word counts, already made by :func:`count_words`."""

    key: str  #: any id unique among the documents (the report page's path)
    words: Mapping[str, int]  #: countable words and their counts (``ReportRecord.words``)
    own_names: tuple[str, ...] = ()  #: agency name, region: words inside them are not its keywords


@dataclass(frozen=True)
class Keyword:
    word: str
    score: float
    count: int  #: occurrences in the report


def load_stoplist(path: Path = KEYWORDS_FILE) -> StopList:
    values = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    phrases = tuple(sorted({str(p) for p in values.get("phrases") or ()}, key=lambda p: (-len(p), p)))
    return StopList(
        phrases=phrases,
        words=frozenset(str(w) for w in values.get("words") or ()),
        terms=tuple(sorted({str(t) for t in values.get("terms") or ()})),
    )


def report_text(report: Report) -> str:
    """The words of a report that count: its headings and paragraphs (not title, signature)."""
    return "\n".join(b.title if isinstance(b, Heading) else b.text
                     for b in report.body if isinstance(b, (Heading, Paragraph)))


# -- splitting -------------------------------------------------------------------------------------


#: The splitter's add_word frequency for field terms: high enough that they are always kept whole.
TERM_FREQUENCY = 100000


@cache
def _tokenizer(terms: tuple[str, ...]) -> rjieba.Jieba:
    """An rjieba splitter of our own, with the field terms."""
    import rjieba

    tokenizer = rjieba.Jieba()
    for term in terms:
        tokenizer.add_word(term, TERM_FREQUENCY, None)
    return tokenizer


def splitter_version() -> str:
    """The splitter the counts were made with: counts made by another version may differ
    (what a kept record's counts depend on besides the text, this file and ``keywords.yml``)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"rjieba {version('rjieba')}"
    except PackageNotFoundError:
        return "rjieba ?"


def count_words(text: str, stop: StopList) -> dict[str, int]:
    """Countable words of one text and their counts (before the per-report name filter)."""
    for phrase in stop.phrases:
        text = text.replace(phrase, "\n")
    counts = Counter(
        w for w in _tokenizer(stop.terms).cut(text, False)  # no HMM: only dictionary words
        if WORD.match(w) and w not in stop.words and not NUMERAL.match(w)
    )
    return {w: counts[w] for w in sorted(counts) if counts[w] >= MIN_COUNT}


# -- scoring ---------------------------------------------------------------------------------------


@cache  # a file shipped with jieba: ~0.25 s to read its 270,000 words, once a process
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


def _own_words(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(n for n in names if n)


def extract(documents: Sequence[Document], top: int = TOP) -> dict[str, tuple[Keyword, ...]]:
    """Keywords of every document (by ``Document.key``), best first."""
    n = len(documents)
    df: Counter[str] = Counter()
    for d in documents:
        df.update(d.words.keys())
    table, median = reference_idf() if df else ({}, 0.0)
    out: dict[str, tuple[Keyword, ...]] = {}
    for d in documents:
        own = _own_words(d.own_names)
        total = sum(d.words.values())
        scored = []
        for word, count in d.words.items():
            if any(word in name for name in own):
                continue
            idf = math.log((n + 1) / (df[word] + 0.5)) * table.get(word, median)
            scored.append(Keyword(word, round(count / total * idf, DIGITS), count))
        scored.sort(key=lambda k: (-k.score, k.word))
        out[d.key] = tuple(k for k in scored[:top] if k.score > 0)
    return out
