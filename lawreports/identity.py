"""One identity per agency across years and files: ``agency_key``, its slug, its type and region.

The agency table ``agencies.yml`` (data, kept beside ``mkdocs.yml``) lists agencies with their
canonical name, aliases (abbreviations such as 市人社局, old names after 机构改革), region, type
(government / department) and slug. A report's agency is looked up by name or alias among the
agencies whose region fits the report's, so the alias 区政府办公室 can belong to one agency in
天津市东丽区 and another in 天津市南开区.

``agency_key`` is the agency's canonical name qualified by its district when the name lacks it
(``区政府办公室`` in 天津市东丽区 → ``东丽区政府办公室``). Agencies not in the table still get a
key from name + region. The URL, the duplicate check and the 按单位 pages use ``agency_key``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from pypinyin import lazy_pinyin

from .model import Diagnostic
from .sidecar import MAX_AGENCIES_BYTES, SLUG, DataFileError, dotted, key_line, read_data_file, schema_problems
from .text import compact

GOVERNMENT = re.compile(r"(人民政府|政府|街道办事处|办事处|街道|镇|乡|党委|管委会)$")
#: Administrative units of a region, largest first: 天津市东丽区 → 天津市, 东丽区. A one-character
#: suffix followed by another suffix belongs to the name (杭州市, 通州区).
REGION_UNITS = re.compile(
    r"^(?P<province>[\u4e00-\u9fff]{2,7}?(?:特别行政区|自治区|省))?"
    r"(?P<city>[\u4e00-\u9fff]{2,7}?(?:自治州|地区|盟|市(?![市区县])))?"
    r"(?P<county>[\u4e00-\u9fff]{1,7}?(?:自治县|自治旗|区|县|旗|市))?"
    r"(?P<town>[\u4e00-\u9fff]{1,9}?(?:街道|镇|乡))?$"
)
#: A name opening with a bare level word means "this level's": 区政府办公室, 市人社局, 县司法局
#: (but 市场监管局 and 乡村振兴局 open with a word, not a level).
LEVEL_WORD = re.compile(r"^(?:省|市(?!场)|区|县|旗|镇|乡(?!村))(?=.)")
AGENCIES_FILE = "agencies.yml"
#: The suffixes of a town-level unit (街道, 镇, 乡), whose names repeat from one district to the next.
TOWN_SUFFIXES = ("街道", "镇", "乡")

AGENCY_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "type"],
    "properties": {
        "name": {"type": "string", "minLength": 2},
        "aliases": {"type": "array", "items": {"type": "string", "minLength": 2}, "uniqueItems": True},
        "region": {"type": ["string", "null"], "minLength": 2},
        "type": {"enum": ["government", "department"]},
        "slug": SLUG,
        "note": {"type": "string"},
        "expected": {
            "type": "object",
            "additionalProperties": False,
            "required": ["from"],
            "properties": {
                "from": {"type": "integer", "minimum": 1990, "maximum": 2100},
                "until": {"type": ["integer", "null"], "minimum": 1990, "maximum": 2100},
            },
        },
    },
}
SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["agencies"],
    "properties": {"agencies": {"type": "array", "items": AGENCY_SCHEMA}},
}
HINTS = {
    "name": "单位的规范全称（至少两个字）",
    "aliases": "别名列表，如 [投促局]",
    "region": "所属地区，从大到小不加分隔，如 天津市南开区",
    "slug": "小写拼音字母、数字和 - 组成的网址名（如 nan-kai-qu-si-fa-ju）",
    "note": "文字",
    "expected": "应当公开报告的年度，如 {from: 2021}（2021 年度起每年），或 {from: 2021, until: 2023}",
    "from": "年份，如 2021",
    "until": "年份，如 2023，或不写",
}


class AgencyTableError(DataFileError):
    """``agencies.yml`` is invalid; ``diagnostics`` name the file, the line and the key."""


@dataclass(frozen=True)
class Agency:
    name: str  #: canonical name
    aliases: tuple[str, ...]
    region: str | None
    type: str  #: government | department
    slug: str | None  #: as given in the table; see ``url_slug``
    #: the report years this unit must publish a report for (``expected: {from, until}``); None: not listed
    expected: tuple[int, int | None] | None = None

    @property
    def key(self) -> str:
        """The ``agency_key`` of every report of this agency."""
        return agency_key(self.name, self.region)

    @property
    def url_slug(self) -> str:
        return self.slug or slugify(self.key)

    def expected_in(self, year: int) -> bool:
        """Whether this unit must publish a report on ``year`` (it existed then and the table says so)."""
        if self.expected is None:
            return False
        first, last = self.expected
        return first <= year and (last is None or year <= last)


@dataclass(frozen=True)
class AgencyTable:
    agencies: tuple[Agency, ...]
    sha256: str  #: hash of the file: part of the conversion cache key
    file: str = AGENCIES_FILE

    @cached_property
    def _by_name(self) -> dict[str, list[tuple[int, Agency]]]:
        """normalised name or alias → [(0 for a canonical name, 1 for an alias), agency], in table order."""
        index: dict[str, list[tuple[int, Agency]]] = {}
        for agency in self.agencies:
            index.setdefault(normal(agency.name), []).append((0, agency))
            for alias in agency.aliases:
                index.setdefault(normal(alias), []).append((1, agency))
        return index

    def candidates(self, name: str | None, region: str | None = None) -> list[Agency]:
        """Agencies with this name or alias whose region fits ``region`` (canonical names first)."""
        if not name:
            return []
        found = sorted(self._by_name.get(normal(name), ()), key=lambda pair: pair[0])
        out: list[Agency] = []
        for _, agency in found:
            if fits(agency.region, region) and agency not in out:
                out.append(agency)
        return out

    def find(self, name: str | None, region: str | None = None) -> Agency | None:
        """The one agency ``name`` stands for in ``region``, or None (unknown or ambiguous).

        A canonical name beats an alias; among several, the one whose region is the report's own.
        When the name itself is not listed, its key (name qualified by the region) is tried.
        """
        for probe in dict.fromkeys([name, agency_key(name, region) if name and region else None]):
            found = self._pick(self.candidates(probe, region), probe, region)
            if found:
                return found
        return None

    def _pick(self, found: list[Agency], name: str | None, region: str | None) -> Agency | None:
        if len(found) <= 1:
            return found[0] if found else None
        exact = [a for a in found if normal(a.name) == normal(name or "")]
        if len(exact) == 1:
            return exact[0]
        same = [a for a in found if region and a.region == region]
        return same[0] if len(same) == 1 else None


def normal(name: str) -> str:
    """Names compare width-folded and without spaces: ``南开区 司法局`` = ``南开区司法局``."""
    return compact(unicodedata.normalize("NFKC", name))


def region_units(region: str | None) -> list[str]:
    """天津市东丽区 → [天津市, 东丽区]; a region the pattern cannot split is one unit."""
    if not region:
        return []
    squeezed = compact(region)
    found = REGION_UNITS.match(squeezed)
    units = [u for u in found.groups() if u] if found else []
    return units or [squeezed]


def fits(agency_region: str | None, report_region: str | None) -> bool:
    """A table entry may be meant by a report when one region contains the other (or one is unknown)."""
    if not agency_region or not report_region:
        return True
    a, r = normal(agency_region), normal(report_region)
    return a in r or r in a


def load_agencies(path: Path) -> AgencyTable:
    """The agency table, or an empty one when the file does not exist. Raises AgencyTableError
    (every problem, each naming the file, the line and the key) when it is invalid."""
    if not path.exists():
        return AgencyTable((), hashlib.sha256(b"").hexdigest(), path.name)
    try:
        data, text = read_data_file(path, "agencies", MAX_AGENCIES_BYTES)
    except DataFileError as err:
        raise AgencyTableError(list(err.diagnostics)) from err
    if data is None:
        data = {"agencies": []}
    problems = [Diagnostic(path.name, key_line(text, where), "error", f"agencies-{code}", message)
                for where, code, message in schema_problems(data, SCHEMA, HINTS)]
    if problems:
        raise AgencyTableError(problems)
    agencies = tuple(
        Agency(
            name=compact(entry["name"]),
            aliases=tuple(entry.get("aliases") or ()),
            region=entry.get("region"),
            type=entry["type"],
            slug=entry.get("slug"),
            expected=_expected(entry.get("expected")),
        )
        for entry in data.get("agencies") or []
    )
    problems = _conflicts(agencies, path.name, text)
    if problems:
        raise AgencyTableError(problems)
    return AgencyTable(agencies, hashlib.sha256(path.read_bytes()).hexdigest(), path.name)


def _expected(value: dict | None) -> tuple[int, int | None] | None:
    return (value["from"], value.get("until")) if value else None


def _conflicts(agencies: tuple[Agency, ...], file: str, text: str) -> list[Diagnostic]:
    """Two entries with one key or one slug, or a name both could mean in one region: errors naming
    both (the later entry's line)."""
    problems = []

    def where(i: int, key: str | None = None) -> tuple[int | None, str]:
        path: list[str | int] = ["agencies", i, *([key] if key else [])]
        return key_line(text, path), dotted(path)

    def clash(j: int, i: int, code: str, key: str | None, message: str) -> None:
        line, here = where(j, key)
        _, there = where(i)
        problems.append(Diagnostic(file, line, "error", code, message.format(
            here=f"{here}（{agencies[j].name}）", there=f"{there}（{agencies[i].name}）")))

    first_key: dict[str, int] = {}
    first_slug: dict[str, int] = {}
    first_name: dict[tuple[str, str], int] = {}
    for j, agency in enumerate(agencies):
        key, slug = agency.key, agency.url_slug
        if agency.expected and agency.expected[1] is not None and agency.expected[1] < agency.expected[0]:
            line, here = where(j, "expected")
            problems.append(Diagnostic(file, line, "error", "agencies-expected-years",
                                       f"{here}（{agency.name}）的 expected.until 早于 expected.from"))
        if key in first_key:
            clash(j, first_key[key], "agencies-duplicate", None,
                  f"{{here}}与 {{there}}是同一单位 {key}；请合并为一项，旧名写入 aliases")
            continue
        first_key[key] = j
        if slug in first_slug:
            clash(j, first_slug[slug], "agencies-slug-collision", "slug" if agency.slug else None,
                  f"{{here}}与 {{there}}的网址名相同：{slug}；请为其中一个设置不同的 slug")
        else:
            first_slug[slug] = j
        region = normal(agency.region or "")
        for name in dict.fromkeys(normal(n) for n in (agency.name, *agency.aliases)):
            if (name, region) in first_name:
                clash(j, first_name[(name, region)], "agencies-ambiguous-alias", "aliases",
                      f"{{here}}与 {{there}}在同一地区共用名称 {name}，无法区分")
            else:
                first_name[(name, region)] = j
    return problems


@dataclass(frozen=True)
class Identity:
    """Who issued a report, as the site files it."""

    key: str  #: agency_key
    slug: str  #: the agency's URL name
    type: str  #: government | department
    region: str | None  #: the report's region, completed from the table when the table knows more
    agency: Agency | None  #: the table entry, or None for an agency not in the table
    notes: tuple[Diagnostic, ...] = ()


def identify(file: str, name: str | None, region: str | None, table: AgencyTable,
             key: str | None = None, slug: str | None = None, region_fixed: bool = False) -> Identity:
    """The identity of a report by ``name`` in ``region``; ``key``/``slug`` are a sidecar's.

    A sidecar's ``agency_key`` is looked up in the table too (an alias gives the canonical key).
    The table's region completes the report's (东丽区 → 天津市东丽区) unless ``region_fixed`` (the
    sidecar set it).
    """
    notes: list[Diagnostic] = []
    probe = key or name
    known = table.find(probe, region)
    if known is None and probe and len(table.candidates(probe, region)) > 1:
        names = "、".join(f"{a.name}（{a.region or '未注明地区'}）" for a in table.candidates(probe, region))
        notes.append(Diagnostic(file, None, "warning", "agency-ambiguous",
                                f"单位“{probe}”在 {table.file} 中可对应多个单位：{names}；"
                                "请在 .meta.yml 中写明 region 或 agency_key"))
    if known:
        akey, kind = known.key, known.type
        if not region_fixed and known.region and (not region or normal(region) in normal(known.region)):
            region = known.region
    else:
        akey, kind = (compact(key) if key else agency_key(name, region)), agency_type(name)
    return Identity(
        key=akey,
        slug=slug or (known.url_slug if known else slugify(akey)),
        type=kind,
        region=region,
        agency=known,
        notes=tuple(notes),
    )


def agency_type(name: str | None) -> str:
    """``…人民政府`` / ``…街道办事处`` govern an area; everything else is a department."""
    if name and GOVERNMENT.search(name.split("、")[-1]):
        return "government"
    return "department"


def agency_key(name: str | None, region: str | None) -> str:
    """The agency qualified by its district when the name lacks it.

    南开区司法局 in 天津市南开区 → 南开区司法局 (the name already names the district);
    区政府办公室 in 天津市东丽区 → 东丽区政府办公室; 市人社局 in 浙江省杭州市 → 杭州市人社局;
    司法局 in 天津市南开区 → 南开区司法局; 东城街道办事处 in 广东省清远市清城区东城街道 → 清城区东城街道办事处;
    区政府办公室 in 天津市 (no district known) and anything without a region → the name itself.
    """
    if not name:
        return f"{region or ''}未署名单位"
    name = compact(name)
    units = region_units(region)
    if not units:
        return name
    for k, unit in enumerate(units):
        stem = unit[:-1] if len(unit) > 2 else unit
        if stem in name:
            # a town names no larger place: two 东城街道 of two districts are two units
            return units[k - 1] + name if k and unit.endswith(TOWN_SUFFIXES) else name
    if _opens_with_end_of(name, compact(region or "")):
        return name  # 合肥高新技术产业开发区管委会 in …合肥高新技术产业开发区: a unit the pattern cannot split
    if LEVEL_WORD.match(name):
        level = [u for u in units if u.endswith(name[0])]
        # 区政府办公室 in 天津市: which district is unknown, and 天津市区政府办公室 would mislead
        return level[-1] + name[1:] if level else name
    return units[-1] + name


def _opens_with_end_of(name: str, region: str) -> bool:
    """Whether the name opens with the last three or more characters of the region (its own place)."""
    return any(name.startswith(region[start:]) for start in range(len(region) - 3, -1, -1))


def slugify(text: str) -> str:
    """Toneless lowercase pinyin joined by ``-``: 南开区司法局 → nan-kai-qu-si-fa-ju."""
    # characters without pinyin stay as written, a run of them one word: ABC, 5G
    words = lazy_pinyin(unicodedata.normalize("NFKC", text), errors="default")
    slug = "-".join(w.lower() for w in words)
    slug = re.sub(r"[^a-z0-9]+", "-", slug).strip("-")
    return slug or "report"
