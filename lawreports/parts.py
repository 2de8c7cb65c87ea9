"""Canonical parts: which level-1 heading starts measures, shortcomings, leadership, plans, other.

The synonyms live in ``parts.yml`` beside this module (data, not code).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import yaml

from .model import PART_KEYS

PARTS_FILE = Path(__file__).with_name("parts.yml")


@dataclass(frozen=True)
class PartRule:
    key: str
    label: str  #: the wording of the rules, shown where a part is missing
    name: str  #: the everyday wording: page text, headings, a report page's part badges (第一责任人职责)
    short: str  #: a listing's badge (第一责任人)
    required: bool
    match: tuple[tuple[str, ...], ...]  #: any tuple whose words all occur matches


@dataclass(frozen=True)
class PartTable:
    rules: tuple[PartRule, ...]  #: in matching order
    sha256: str  #: hash of parts.yml, part of the conversion cache key
    keys: tuple[str, ...] = PART_KEYS  #: the order pages list the parts in (``parts`` in parts.yml)

    def classify(self, heading: str) -> str | None:
        """The part a heading names, or None. ``一、2023年…存在的不足和原因`` → ``shortcomings``."""
        keys = self.classify_all(heading)
        return keys[0] if keys else None

    def classify_all(self, heading: str) -> tuple[str, ...]:
        """Every part a heading names, in matching order (``存在的问题和下一步打算`` names two)."""
        text = unicodedata.normalize("NFKC", heading)
        if not self.any_word.search(text):
            return ()  # most sub-headings name no part: one regex says so
        return tuple(r.key for r in self.rules if any(all(w in text for w in words) for words in r.match))

    @cached_property
    def any_word(self) -> re.Pattern[str]:
        words = sorted({words[0] for rule in self.rules for words in rule.match}, key=len, reverse=True)
        return re.compile("|".join(map(re.escape, words)))

    def rule(self, key: str) -> PartRule:
        return next(rule for rule in self.rules if rule.key == key)

    def label(self, key: str) -> str:
        return self.rule(key).label

    def name(self, key: str) -> str:
        return self.rule(key).name

    def short(self, key: str) -> str:
        return self.rule(key).short

    @property
    def names(self) -> dict[str, str]:
        """key → everyday wording, in page order."""
        return {key: self.name(key) for key in self.keys}

    @property
    def required_keys(self) -> tuple[str, ...]:
        return tuple(key for key in self.keys if self.rule(key).required)


class PartTableError(ValueError):
    """``parts.yml`` cannot be read; the message names the file and what is wrong."""


@lru_cache(maxsize=4)
def load_parts(path: Path = PARTS_FILE) -> PartTable:
    """The part table; PartTableError (in Chinese, naming the file) when it is broken."""
    try:
        return _load_parts(path)
    except PartTableError:
        raise
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError, AttributeError) as err:
        raise PartTableError(f"{path.name} 有误，无法读取部分表（{type(err).__name__}: {err}）") from err


def _load_parts(path: Path) -> PartTable:
    raw = path.read_bytes()
    data = yaml.safe_load(raw)
    rules = []
    for key in data["order"]:
        if key not in PART_KEYS:
            raise PartTableError(f"{path.name}: 未知的部分 {key!r}")
        spec = data["parts"][key]
        match = tuple(tuple(m) if isinstance(m, list) else (m,) for m in spec["match"])
        rules.append(PartRule(key=key, label=spec["label"], name=spec["name"], short=spec["short"],
                              required=bool(spec["required"]), match=match))
    keys = tuple(data["parts"])
    if sorted(keys) != sorted(data["order"]):
        raise PartTableError(f"{path.name}: parts 与 order 列出的部分不一致")
    return PartTable(rules=tuple(rules), sha256=hashlib.sha256(raw).hexdigest(), keys=keys)
