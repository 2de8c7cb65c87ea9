"""The tokeniser: folding, query terms, and the tokens of a text and of a term.

Keep in step with ``docs/assets/javascripts/search.js``: tests/test_search.py runs both on the same
strings in Chromium and requires the same folds, terms, tokens and shards.
"""

from __future__ import annotations

import re
import unicodedata

#: Raise when tokens change: the manifest carries it and the browser refuses a different one.
TOKENIZER_VERSION = 2

#: Characters that form tokens (after folding). Everything else separates runs.
WORD_CLASS = "0-9a-z%\u2030\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U000323af"
WORD = re.compile(f"[{WORD_CLASS}]+")
#: Whitespace that separates query terms (spelled out: Python's and JavaScript's ``\\s`` differ).
SPACE_CLASS = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
SPACE = re.compile(f"[{SPACE_CLASS}]+")
DIGITS = re.compile("[0-9]+")
#: Numbers are indexed with their unit by their endings up to this many digits.
MAX_NUMBER_DIGITS = 8
#: Every pair of adjacent word characters, overlapping (the pair is captured inside a lookahead).
_PAIR = re.compile(f"(?=([{WORD_CLASS}][{WORD_CLASS}]))")
#: A whole number of two or more digits followed by its unit (a word character that is no digit).
_NUMBER_UNIT = re.compile(f"(?<![0-9])[0-9]{{2,}}(?=[{WORD_CLASS.replace('0-9', '', 1)}])")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


class _FoldTable(dict[int, int | str]):
    """code point → its folded text, filled on first use (``str.translate`` then runs in C).

    Module-level on purpose: it is a memo of a pure function of one code point, not of any report."""

    def __missing__(self, code: int) -> int | str:
        c = chr(code)
        folded = unicodedata.normalize("NFKC", c).translate(_ASCII_LOWER)
        value: int | str = code if folded == c else folded
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
    """The tokens of a text (``folded`` is folded), repeats kept (in no particular order across
    runs): every pair of adjacent word characters, and for a number followed by its unit every
    ending of the number with the unit, up to :data:`MAX_NUMBER_DIGITS` digits (``1274件`` →
    74件 274件 1274件; 4件 is a pair already).

    >>> index_tokens("受理1274件")
    ['受理', '理1', '12', '27', '74', '4件', '74件', '274件', '1274件']
    """
    # two regular expressions over the whole text rather than a loop over its runs: the index
    # spends most of its time here
    out: list[str] = _PAIR.findall(folded)
    for m in _NUMBER_UNIT.finditer(folded):
        i, j = m.span()
        unit = folded[j]
        out += [folded[k:j] + unit for k in range(j - 2, max(i, j - MAX_NUMBER_DIGITS) - 1, -1)]
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
