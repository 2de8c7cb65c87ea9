"""Site settings: ``extra.reports`` in ``mkdocs.yml``, validated by a schema that names the key.

``mkdocs serve``/``mkdocs build`` (through the site hooks) and ``build_site.py`` read the same block.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import jsonschema
import yaml

SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "owner": {"type": "string", "minLength": 1},
        "region": {"type": ["string", "null"]},
        "site_notice": {"type": "string"},
        "contact": {"type": "string"},
        "deadline_government": {"type": "string", "pattern": r"^\d{2}-\d{2}$"},
        "deadline_department": {"type": "string", "pattern": r"^\d{2}-\d{2}$"},
        "min_characters": {"type": "integer", "minimum": 0},
        "short_part_ratio": {"type": "number", "minimum": 0, "maximum": 1},
        "seeds_dir": {"type": "string", "minLength": 1},
        "reports_dir": {"type": "string", "minLength": 1},
        "page_size": {"type": "integer", "minimum": 1},
    },
}


class SettingsError(Exception):
    """A bad value in ``extra.reports``; the message names the file and the key."""


@dataclass(frozen=True)
class Settings:
    owner: str = "法治政府建设年度报告公开平台"
    region: str | None = None  #: default region for reports whose names carry none, e.g. 天津市
    site_notice: str = ""
    contact: str = ""
    deadline_government: str = "04-01"  #: MM-DD of the year after the covered year
    deadline_department: str = "04-01"
    min_characters: int = 1500
    short_part_ratio: float = 0.1
    seeds_dir: str = "seeds"
    reports_dir: str = "docs/reports"
    page_size: int = 100


def settings_from_dict(values: dict | None, source: str = "mkdocs.yml") -> Settings:
    values = values or {}
    validator = jsonschema.Draft202012Validator(SCHEMA)
    errors = sorted(validator.iter_errors(values), key=lambda e: list(map(str, e.path)))
    if errors:
        messages = []
        for error in errors:
            key = ".".join(["extra", "reports", *map(str, error.path)])
            if error.validator == "additionalProperties":
                unknown = sorted(set(values) - set(SCHEMA["properties"]))
                key = "extra.reports." + ",".join(unknown)
                messages.append(f"{source}: {key}: 未知的设置项")
            else:
                messages.append(f"{source}: {key}: {error.message}")
        raise SettingsError("\n".join(messages))
    known = {f.name for f in fields(Settings)}
    return Settings(**{k: v for k, v in values.items() if k in known})


class _TolerantLoader(yaml.SafeLoader):
    """Reads mkdocs.yml without importing what its ``!!python/name`` tags point to."""


_TolerantLoader.add_multi_constructor("", lambda loader, suffix, node: None)
_TolerantLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


def load_settings(config_file: Path) -> Settings:
    """Settings from ``extra.reports`` of a mkdocs.yml; defaults when the file or block is absent."""
    if not config_file.exists():
        return Settings()
    try:
        config = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_TolerantLoader) or {}
    except yaml.YAMLError as err:
        raise SettingsError(f"{config_file.name}: YAML 格式错误：{err}") from err
    extra = (config.get("extra") or {}) if isinstance(config, dict) else {}
    return settings_from_dict(extra.get("reports"), config_file.name)


def deadline_for(settings: Settings, agency_type: str, year: int) -> dt.date:
    """The disclosure deadline for a report covering ``year``."""
    text = settings.deadline_department if agency_type == "department" else settings.deadline_government
    month, day = (int(x) for x in re.findall(r"\d+", text))
    return dt.date(year + 1, month, day)
