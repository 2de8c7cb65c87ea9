"""Front matter as YAML, byte for byte what libyaml writes, several times faster.

``dump(data)`` returns exactly ``yaml.dump(data, Dumper=CSafeDumper, allow_unicode=True,
sort_keys=False, width=100000)`` (the call in :func:`lawreports.render.render_page`). PyYAML builds
a node tree and resolves every scalar in Python before libyaml writes it: about 1 ms for a report's
front matter, a third of the converter's time per report. Front matter is a mapping of ASCII keys
to short strings, integers, nulls, lists of small mappings: this module writes that shape
directly and leaves everything else to PyYAML.

Each string is written plain when it certainly would be (it opens with a non-ASCII character or an
ASCII word that resolves to no other type, and holds no ``:``, ``#``, line break, character libyaml
escapes or trailing space); any other string is given to libyaml alone (cached), and when that is
not one line, or when the data holds anything else (floats, tuples, nested lists, long strings),
the whole document is dumped by PyYAML. ``tests/test_scale.py`` checks the equality on arbitrary
data (hypothesis) and on real pages.
"""

from __future__ import annotations

import re
from functools import lru_cache

import yaml

SafeDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

#: Strings libyaml writes plain in any block context: a first character that is no indicator and
#: starts no implicit type (non-ASCII, printable), then no ``:``/``#``, control, line break,
#: BOM, non-character, surrogate or astral character (libyaml escapes those).
_PLAIN = re.compile(
    "[\u0100-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]"
    "[^\x00-\x1f\x7f-\x9f:#\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff\U00010000-\U0010ffff]*"
)
#: ASCII words, slugs, file names and paths: plain unless they spell a boolean or null.
_PLAIN_ASCII = re.compile(r"[A-Za-z_][A-Za-z0-9_./-]*")
_RESERVED = frozenset({"yes", "no", "true", "false", "on", "off", "null"})
_KEY = re.compile(r"[a-z_][a-z0-9_]*")
#: Longer strings go to PyYAML: far from the 100,000-column width, so no scalar is ever folded.
LONGEST = 4096


class _Unsupported(Exception):
    """Not a shape this module writes: PyYAML dumps the whole document."""


def _full(data) -> str:
    return yaml.dump(data, Dumper=SafeDumper, allow_unicode=True, sort_keys=False, width=100000)


@lru_cache(maxsize=65536)
def _by_libyaml(text: str) -> str:
    """One string as libyaml writes it (quoted or plain), when that is one line."""
    out = yaml.dump(text, Dumper=SafeDumper, allow_unicode=True, width=100000)
    if out.endswith("\n...\n"):  # a plain scalar alone is an open-ended document
        out = out[:-5]
    elif out.endswith("\n"):
        out = out[:-1]
    if "\n" in out:
        raise _Unsupported
    return out


def scalar(value) -> str:
    """A scalar as it follows ``key: `` or ``- ``."""
    kind = type(value)
    if kind is str:
        if len(value) >= LONGEST or not value:
            if not value:
                return "''"
            raise _Unsupported
        if value[-1] != " ":
            if _PLAIN.fullmatch(value):
                return value
            if _PLAIN_ASCII.fullmatch(value) and value.lower() not in _RESERVED:
                return value
        return _by_libyaml(value)
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    raise _Unsupported


def _key(key) -> str:
    if type(key) is str and _KEY.fullmatch(key) and key not in _RESERVED:
        return key
    raise _Unsupported


def _mapping(data: dict, indent: int, out: list[str], first: str | None = None) -> None:
    pad = " " * indent
    for key, value in data.items():
        lead, first = (first if first is not None else pad), None
        name = _key(key)
        kind = type(value)
        if kind is dict:
            if value:
                out.append(f"{lead}{name}:\n")
                _mapping(value, indent + 2, out)
            else:
                out.append(f"{lead}{name}: {{}}\n")
        elif kind is list:
            if value:
                out.append(f"{lead}{name}:\n")
                _sequence(value, indent, out)  # PyYAML indents no sequence inside a mapping
            else:
                out.append(f"{lead}{name}: []\n")
        else:
            out.append(f"{lead}{name}: {scalar(value)}\n")


def _sequence(items: list, indent: int, out: list[str]) -> None:
    pad = " " * indent
    for value in items:
        kind = type(value)
        if kind is dict:
            if value:
                _mapping(value, indent + 2, out, first=f"{pad}- ")
            else:
                out.append(f"{pad}- {{}}\n")
        elif kind is list:
            raise _Unsupported
        else:
            out.append(f"{pad}- {scalar(value)}\n")


def dump(data) -> str:
    """``yaml.dump(data, Dumper=CSafeDumper, allow_unicode=True, sort_keys=False, width=100000)``."""
    if type(data) is dict and data:
        out: list[str] = []
        try:
            _mapping(data, 0, out)
        except _Unsupported:
            return _full(data)
        return "".join(out)
    return _full(data)
