"""One identity per agency across years and files: ``agency_key``, its slug, and its type.

``agency_key`` is the agency as the agency table (``agencies.yml``) names it after aliases are
resolved, qualified by its district when the name lacks one (``区政府办公室`` in 天津市东丽区 →
``东丽区政府办公室``). Agencies not in the table still get a key from name + region.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from pypinyin import lazy_pinyin

GOVERNMENT = re.compile(r"(人民政府|政府|街道办事处|办事处|街道|镇|乡|党委|管委会)$")
#: The smallest administrative unit of a region: 天津市东丽区 → 东丽区.
LAST_UNIT = re.compile(r"([^省市州盟区县旗镇乡]{1,7}?(?:自治区|省|市|自治州|州|盟|区|县|旗|镇|乡|街道))$")


@dataclass(frozen=True)
class Agency:
    name: str  #: canonical name
    aliases: tuple[str, ...]
    region: str | None
    type: str  #: government | department
    slug: str | None


@dataclass(frozen=True)
class AgencyTable:
    agencies: tuple[Agency, ...]
    sha256: str

    def find(self, name: str | None) -> Agency | None:
        if not name:
            return None
        squeezed = re.sub(r"\s+", "", name)
        for agency in self.agencies:
            if squeezed == agency.name or squeezed in agency.aliases:
                return agency
        return None


def load_agencies(path: Path) -> AgencyTable:
    """The agency table, or an empty one when the file does not exist."""
    if not path.exists():
        return AgencyTable((), hashlib.sha256(b"").hexdigest())
    raw = path.read_bytes()
    data = yaml.safe_load(raw) or {}
    agencies = []
    for entry in data.get("agencies") or []:
        agencies.append(Agency(
            name=entry["name"],
            aliases=tuple(entry.get("aliases") or ()),
            region=entry.get("region"),
            type=entry.get("type") or agency_type(entry["name"]),
            slug=entry.get("slug"),
        ))
    return AgencyTable(tuple(agencies), hashlib.sha256(raw).hexdigest())


def agency_type(name: str | None) -> str:
    """``…人民政府`` / ``…街道办事处`` govern an area; everything else is a department."""
    if name and GOVERNMENT.search(name.split("、")[-1]):
        return "government"
    return "department"


def agency_key(name: str | None, region: str | None) -> str:
    """The agency qualified by its district when the name lacks it."""
    if not name:
        return f"{region or ''}未署名单位"
    name = re.sub(r"\s+", "", name)
    unit_match = LAST_UNIT.search(region or "")
    unit = unit_match.group(1) if unit_match else None
    if not unit:
        return name
    stem = unit[:-1] if len(unit) > 2 else unit
    if stem in name:
        return name
    if name[0] in "区县市镇乡" and unit.endswith(name[0]):
        return unit + name[1:]  # 区政府办公室 → 东丽区政府办公室
    return name if region and region in name else unit + name


def slugify(text: str) -> str:
    """Toneless lowercase pinyin joined by ``-``: 南开区司法局 → nan-kai-qu-si-fa-ju."""
    words = lazy_pinyin(text, errors=lambda chars: [c for c in chars])
    slug = "-".join(w.lower() for w in words)
    slug = re.sub(r"[^a-z0-9]+", "-", slug).strip("-")
    return slug or "report"
