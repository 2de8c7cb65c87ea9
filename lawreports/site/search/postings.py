"""How a token's postings are written: one varint of 5-bit digits per report that holds it.

For each report containing the token, in ascending report number, one integer
``(number − previous number) << 8 | payload``, written least significant digit first in
:data:`ALPHABET` (a digit ≥ 32 means "more digits follow"). Payload bits 0–4: the canonical parts
whose sections contain the token; 5–6: occurrences (1, 2–3, 4–7, 8+); 7: in a heading or the title.
"""

from __future__ import annotations

from collections.abc import Iterable

#: Digits of the posting varints: 0–31 last digit, 32–63 "more follow"; JSON-safe, no escaping.
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"
HEADING_BIT = 1 << 7
PAYLOAD_BITS = 8


def occurrence_bits(count: int) -> int:
    """Payload bits 5–6: 0 for one occurrence, 1 for 2–3, 2 for 4–7, 3 for 8 or more."""
    return ((count > 1) + (count > 3) + (count > 7)) << 5


class _Varints(dict[int, str]):
    """value → its digits (kept below 2¹⁶: the gaps of all but the rarest tokens).

    Module-level on purpose: a memo of a pure function of one integer."""

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
    """Varints of 5-bit digits, least significant first.

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
