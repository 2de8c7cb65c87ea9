"""Site settings: ``extra.reports`` in ``mkdocs.yml``, validated by a schema that names the key.

``mkdocs serve``/``mkdocs build`` (through the site hooks) and ``build_site.py`` read the same block.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from .read import BAD_CHARACTER, describe
from .sidecar import AliasExpansionError, BoundedAliases

SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "owner": {"type": "string", "minLength": 1},
        "scope": {"type": ["string", "null"], "minLength": 1},
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


#: What a valid value looks like, per key (the message for a bad value).
HINTS = {
    "owner": "非空文字（网站的主办单位）",
    "scope": "非空文字（本站收录哪些地方、单位的报告，如 天津市南开区、东丽区），或不写",
    "region": "文字（如 天津市），或不写",
    "site_notice": "文字",
    "contact": "文字",
    "deadline_government": "“月-日”形式的日期，两位数字，加引号（如 \"04-01\"）",
    "deadline_department": "“月-日”形式的日期，两位数字，加引号（如 \"04-01\"）",
    "min_characters": "不小于 0 的整数（如 1500）",
    "short_part_ratio": "0 到 1 之间的数（如 0.1）",
    "seeds_dir": "非空文字（报告原文所在的目录，如 seeds）",
    "reports_dir": "非空文字（生成页面的目录，如 docs/reports）",
    "page_size": "不小于 1 的整数（如 100）",
}
DEADLINE_KEYS = ("deadline_government", "deadline_department")


def _shown(value: object) -> str:
    """A value as a message may show it: short, and without characters that drive a terminal."""
    text = repr(value)
    text = text if len(text) <= 40 else text[:37] + "..."
    return BAD_CHARACTER.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _month_day(text: str) -> tuple[int, int] | None:
    """``"04-01"`` → (4, 1); None when it is no day of a (leap) year: ``"02-30"``, ``"13-01"``."""
    found = re.fullmatch(r"(\d{2})-(\d{2})", text)
    if not found:
        return None
    month, day = int(found.group(1)), int(found.group(2))
    try:
        dt.date(2000, month, day)  # a leap year: 02-29 is a day some years have
    except ValueError:
        return None
    return month, day


def settings_problems(values: object, source: str = "mkdocs.yml") -> list[str]:
    """Every problem of an ``extra.reports`` block, each ``file: extra.reports.key: what is wrong``
    in Chinese (no value is printed longer than 40 characters)."""
    if values is None:
        return []
    if not isinstance(values, dict):
        return [f"{source}: extra.reports: 应为“键: 值”形式的映射，现为 {_shown(values)}"]
    messages = []
    unknown = sorted(str(k) for k in values if k not in SCHEMA["properties"])
    if unknown:
        messages.append(f"{source}: extra.reports.{','.join(unknown)}: 未知的设置项；可用的设置项："
                        + ", ".join(SCHEMA["properties"]))
    validator = jsonschema.Draft202012Validator({**SCHEMA, "additionalProperties": True})
    bad = set()
    for error in sorted(validator.iter_errors(values), key=lambda e: list(map(str, e.path))):
        key = str(error.path[0]) if error.path else ""
        bad.add(key)
        messages.append(f"{source}: extra.reports.{key}: 值 {_shown(error.instance)} 无效：应为{HINTS.get(key, '')}")
    for key in DEADLINE_KEYS:
        value = values.get(key)
        if key not in bad and isinstance(value, str) and _month_day(value) is None:
            messages.append(f"{source}: extra.reports.{key}: 日期 {_shown(value)} 不存在：应为{HINTS[key]}")
    for key, value in values.items():
        found = BAD_CHARACTER.search(value) if key not in bad and isinstance(value, str) else None
        if found:
            messages.append(f"{source}: extra.reports.{key}: 值含有{describe(found.group())}")
    return messages


@dataclass(frozen=True)
class Settings:
    owner: str = "法治政府建设年度报告公开平台"  #: who runs the site (footer: 主办单位)
    scope: str | None = None  #: whose reports the site holds (home heading, footer), e.g. 天津市南开区、东丽区
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


def settings_from_dict(values: object, source: str = "mkdocs.yml") -> Settings:
    """The settings of an ``extra.reports`` block; SettingsError names the file and every bad key."""
    problems = settings_problems(values, source)
    if problems:
        raise SettingsError("\n".join(problems))
    known = {f.name for f in fields(Settings)}
    given = values if isinstance(values, dict) else {}
    return Settings(**{k: v for k, v in given.items() if k in known})


def extra_problem(config: object, source: str = "mkdocs.yml") -> str | None:
    """The message when a ``mkdocs.yml`` is not a mapping or its ``extra`` is not one (``extra: [1]``)."""
    if not isinstance(config, dict):
        return f"{source}: 应为“键: 值”形式的映射"
    extra = config.get("extra")
    if extra is not None and not isinstance(extra, dict):
        return f"{source}: extra: 应为“键: 值”形式的映射（如 extra: {{reports: {{...}}}}），现为 {_shown(extra)}"
    return None


class _TolerantLoader(BoundedAliases, yaml.SafeLoader):
    """Reads mkdocs.yml without importing what its ``!!python/name`` tags point to."""


_TolerantLoader.add_multi_constructor("", lambda loader, suffix, node: None)
_TolerantLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


def load_settings(config_file: Path) -> Settings:
    """Settings from ``extra.reports`` of a mkdocs.yml; defaults when the file or block is absent.
    SettingsError (never a traceback) names the file and the key for anything wrong."""
    if not config_file.exists():
        return Settings()
    try:
        config = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_TolerantLoader) or {}
    except OSError as err:
        raise SettingsError(f"{config_file.name}: 无法读取（{err.strerror or type(err).__name__}）") from err
    except UnicodeDecodeError as err:
        raise SettingsError(f"{config_file.name}: 不是 UTF-8 编码（第 {err.start} 字节）；请另存为 UTF-8") from None
    except AliasExpansionError as err:
        raise SettingsError(f"{config_file.name}: {err.message}") from None
    except RecursionError:
        raise SettingsError(f"{config_file.name}: YAML 嵌套层数过多") from None
    except yaml.YAMLError as err:
        raise SettingsError(f"{config_file.name}: YAML 格式错误：{err}") from err
    problem = extra_problem(config, config_file.name)
    if problem:
        raise SettingsError(problem)
    return settings_from_dict((config.get("extra") or {}).get("reports"), config_file.name)


def deadline_for(settings: Settings, agency_type: str, year: int) -> dt.date:
    """The disclosure deadline for a report covering ``year``."""
    text = settings.deadline_department if agency_type == "department" else settings.deadline_government
    month, day = _month_day(text) or (4, 1)  # validated when loaded; Settings() built by hand may hold anything
    if month == 2 and day == 29 and not calendar.isleap(year + 1):
        day = 28  # "02-29": the last day of February
    return dt.date(year + 1, month, day)
