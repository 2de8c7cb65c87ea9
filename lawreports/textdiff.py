"""What changed in one part of a report from one year to the next: paragraphs, then sentences.

``diff_blocks(old, new)`` finds the paragraphs kept word for word (``same``; ``moved`` when they
changed place), pairs each other new paragraph with the old one it still resembles (``changed``:
diffed sentence by sentence with difflib, and character by character inside a sentence that was
only edited), and calls the rest ``added`` or ``removed``. Whitespace never counts.

Evaluators look for copied paragraphs (issue #7's ``reused-paragraph``): :class:`DiffStats` gives
the number of paragraphs and characters reused.

No MkDocs and no HTML here; ``site/insight`` renders the items with ``<ins>``/``<del>``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Literal

from .text import CLAUSE, compact, one_space, paragraph_key, split_sentences

Kind = Literal["same", "moved", "changed", "added", "removed"]
Op = Literal["equal", "insert", "delete"]

#: Two paragraphs of a replaced run are one edited paragraph when at least this similar.
PARAGRAPH_SIMILARITY = 0.5
#: Two sentences are one edited sentence (diffed by character) when at least this similar.
SENTENCE_SIMILARITY = 0.6


@dataclass(frozen=True)
class Block:
    """A paragraph or a sub-heading of a part, as the diff sees it."""

    text: str
    heading: bool = False

    @property
    def key(self) -> str:
        return ("#" if self.heading else "") + paragraph_key(self.text)


@dataclass(frozen=True)
class Piece:
    """A run of text in a changed paragraph: kept, inserted or deleted."""

    op: Op
    text: str


@dataclass(frozen=True)
class Item:
    """One line of the diff."""

    kind: Kind
    old: Block | None  #: None for ``added``
    new: Block | None  #: None for ``removed``
    pieces: tuple[Piece, ...] = ()  #: for ``changed``: the paragraph with insertions and deletions

    @property
    def heading(self) -> bool:
        block = self.new or self.old
        return bool(block and block.heading)


@dataclass
class DiffStats:
    """Counts over paragraphs (sub-headings are not counted)."""

    old_paragraphs: int = 0
    new_paragraphs: int = 0
    same: int = 0  #: word for word in the other version (in place or moved)
    changed: int = 0
    added: int = 0
    removed: int = 0
    new_characters: int = 0
    reused_characters: int = 0  #: characters of ``new`` in paragraphs found word for word in ``old``
    items: list[Item] = field(default_factory=list, repr=False)

    @property
    def reuse_rate(self) -> float:
        """Share of the new version's characters that were there word for word last time (0–1)."""
        return self.reused_characters / self.new_characters if self.new_characters else 0.0


def sentences(text: str) -> list[str]:
    """``一是……。二是……；`` → the units of the diff (:data:`text.CLAUSE`: sentences cut at
    semicolons too), punctuation kept, nothing lost.

    >>> sentences("一是学习。二是培训；三是考试")
    ['一是学习。', '二是培训；', '三是考试']
    """
    return split_sentences(text, CLAUSE) or [text]


def _similar(a: str, b: str, threshold: float) -> float:
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < threshold or matcher.quick_ratio() < threshold:
        return 0.0
    return matcher.ratio()


def inline_diff(old: str, new: str) -> tuple[Piece, ...]:
    """Sentence by sentence; a sentence only edited is diffed by character.

    >>> [(p.op, p.text) for p in inline_diff("开展培训12次。加强学习。", "开展培训19次。加强学习。新增考试。")]
    [('equal', '开展培训1'), ('delete', '2'), ('insert', '9'), ('equal', '次。加强学习。'), ('insert', '新增考试。')]
    """
    a, b = sentences(one_space(old)), sentences(one_space(new))
    pieces: list[Piece] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            pieces.append(Piece("equal", "".join(a[i1:i2])))
        elif tag == "delete":
            pieces.append(Piece("delete", "".join(a[i1:i2])))
        elif tag == "insert":
            pieces.append(Piece("insert", "".join(b[j1:j2])))
        else:
            olds, news = a[i1:i2], b[j1:j2]
            if len(olds) == len(news) and all(_similar(x, y, SENTENCE_SIMILARITY) >= SENTENCE_SIMILARITY
                                              for x, y in zip(olds, news, strict=True)):
                for x, y in zip(olds, news, strict=True):
                    pieces.extend(_char_diff(x, y))
            else:
                pieces.append(Piece("delete", "".join(olds)))
                pieces.append(Piece("insert", "".join(news)))
    return _merge(pieces)


def _char_diff(a: str, b: str) -> list[Piece]:
    out = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            out.append(Piece("equal", a[i1:i2]))
        if tag in ("delete", "replace"):
            out.append(Piece("delete", a[i1:i2]))
        if tag in ("insert", "replace"):
            out.append(Piece("insert", b[j1:j2]))
    return out


def _merge(pieces: list[Piece]) -> tuple[Piece, ...]:
    """Adjacent pieces of one kind as one; empty pieces dropped."""
    out: list[Piece] = []
    for p in pieces:
        if not p.text:
            continue
        if out and out[-1].op == p.op:
            out[-1] = Piece(p.op, out[-1].text + p.text)
        else:
            out.append(p)
    return tuple(out)


def bigrams(text: str) -> frozenset[str]:
    """A paragraph's character bigrams (whitespace removed). A caller diffing many reports may
    pass :func:`diff_blocks` a memo of this (a report is compared with the year before and after)."""
    t = compact(text)
    return frozenset({t[i: i + 2] for i in range(len(t) - 1)}) or frozenset([t])


def resemblance(a: frozenset[str], b: frozenset[str]) -> float:
    """Dice coefficient of two character-bigram sets (cheap enough for every pair of paragraphs)."""
    return 2 * len(a & b) / (len(a) + len(b)) if a or b else 1.0


def diff_blocks(old: Sequence[Block], new: Sequence[Block],
                grams_of: Callable[[str], frozenset[str]] = bigrams) -> DiffStats:
    """The items of the diff in the new version's order, each removed paragraph just after the
    item that followed it last year; and the counts. ``grams_of``: :func:`bigrams`, or a memo of it.

    1. A new block found word for word in the old version is ``same`` (in order) or ``moved``.
    2. Each remaining new block, in order, is paired with the remaining old block it resembles most
       (character bigrams, at least :data:`PARAGRAPH_SIMILARITY`): ``changed``.
    3. The other new blocks are ``added``, the other old ones ``removed``.
    """
    by_key: dict[str, list[int]] = {}
    for k, b in enumerate(old):
        by_key.setdefault(b.key, []).append(k)
    match: list[int | None] = [None] * len(new)
    used: set[int] = set()
    for j, b in enumerate(new):
        free = [k for k in by_key.get(b.key, ()) if k not in used]
        if free:
            match[j] = free[0]
            used.add(free[0])
    grams_old = {k: grams_of(b.text) for k, b in enumerate(old) if k not in used}
    identical = [m is not None for m in match]
    for j, b in enumerate(new):
        if match[j] is not None:
            continue
        grams = grams_of(b.text)
        best, best_score = None, PARAGRAPH_SIMILARITY
        for k, g in grams_old.items():
            if k in used or old[k].heading != b.heading:
                continue
            score = resemblance(grams, g)
            if score > best_score or (score == best_score and best is None):
                best, best_score = k, score
        if best is not None:
            match[j] = best
            used.add(best)

    items: list[Item] = []
    shown: set[int] = set()
    last = -1
    for j, b in enumerate(new):
        at = match[j]
        if at is not None:
            for r in range(at):  # what stood before it last year and is gone
                if r not in used and r not in shown:
                    items.append(Item("removed", old[r], None))
                    shown.add(r)
        if at is None:
            items.append(Item("added", None, b))
        elif identical[j]:
            items.append(Item("same" if at > last else "moved", old[at], b))
        else:
            items.append(Item("changed", old[at], b, inline_diff(old[at].text, b.text)))
        if at is not None:
            last = max(last, at)
    items.extend(Item("removed", old[r], None) for r in range(len(old)) if r not in used and r not in shown)

    old_keys = {b.key for b in old}
    stats = DiffStats(items=items)
    stats.old_paragraphs = sum(1 for b in old if not b.heading)
    stats.new_paragraphs = sum(1 for b in new if not b.heading)
    for item in items:
        if item.heading:
            continue
        if item.kind in ("same", "moved"):
            stats.same += 1
        elif item.kind == "changed":
            stats.changed += 1
        elif item.kind == "added":
            stats.added += 1
        elif item.kind == "removed":
            stats.removed += 1
    for b in new:
        if not b.heading:
            size = len(b.key)
            stats.new_characters += size
            if b.key in old_keys:
                stats.reused_characters += size
    return stats
