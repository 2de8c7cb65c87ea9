"""Sidecars: ``seeds/<name>.meta.yml``, where an officer corrects what cannot be inferred from the text.

Validated by a schema; an unknown key, a bad value or invalid YAML is an error naming the sidecar
file, the key and its line. The page records which fields came from the sidecar (``from_sidecar``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from pathlib import Path

import jsonschema
import yaml

from .model import Diagnostic, Overrides, Report

DATE = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "title": {"type": "string", "minLength": 1},
        "agency": {"type": "string", "minLength": 1},
        "agency_key": {"type": "string", "minLength": 1},
        "region": {"type": "string", "minLength": 1},
        "year": {"type": "integer", "minimum": 1990, "maximum": 2100},
        "written": DATE,
        "published": DATE,
        "slug": {"type": "string", "pattern": r"^[a-z0-9]+(?:-[a-z0-9]+)*$"},
        "source_url": {"type": "string", "pattern": r"^https?://\S+$"},
        "index_no": {"type": "string", "minLength": 1},
        "deadline": DATE,
        "note": {"type": "string"},
    },
}
#: Fields that replace what the parser read from the text.
REPORT_FIELDS = ("title", "agency", "region", "year", "written", "published", "index_no")


class SidecarError(Exception):
    def __init__(self, file: str, line: int | None, code: str, message: str):
        super().__init__(message)
        self.file, self.line, self.code, self.message = file, line, code, message


def sidecar_path(raw: Path) -> Path:
    return raw.with_name(raw.stem + ".meta.yml")


def _key_line(text: str, key: str) -> int | None:
    found = re.search(rf"^{re.escape(key)}\s*:", text, re.MULTILINE)
    return text.count("\n", 0, found.start()) + 1 if found else None


def load_sidecar(path: Path) -> Overrides:
    text = path.read_bytes().decode("utf-8", errors="strict") if path.exists() else ""
    try:
        # dates stay strings: the schema checks their form, the parser below their calendar
        data = yaml.load(text, Loader=_StringDateLoader)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise SidecarError(path.name, mark.line + 1 if mark else None, "sidecar-yaml", f"YAML 格式错误：{err}") from err
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise SidecarError(path.name, 1, "sidecar-schema", "应为“键: 值”形式的映射")
    errors = sorted(jsonschema.Draft202012Validator(SCHEMA).iter_errors(data), key=lambda e: str(list(e.path)))
    if errors:
        error = errors[0]
        if error.validator == "additionalProperties":
            unknown = sorted(set(data) - set(SCHEMA["properties"]))
            raise SidecarError(path.name, _key_line(text, str(unknown[0])), "sidecar-unknown-key",
                               f"未知的键 {', '.join(map(str, unknown))}；可用的键：{', '.join(SCHEMA['properties'])}")
        key = str(error.path[0]) if error.path else "?"
        raise SidecarError(path.name, _key_line(text, key), "sidecar-bad-value", f"键 {key} 的值无效：{error.message}")
    for key in ("written", "published", "deadline"):
        if key in data:
            try:
                dt.date.fromisoformat(data[key])
            except ValueError as err:
                raise SidecarError(path.name, _key_line(text, key), "sidecar-bad-value",
                                   f"键 {key} 的日期不存在：{data[key]}") from err
    return Overrides(values=dict(data), path=path.name)


class _StringDateLoader(yaml.SafeLoader):
    pass


_StringDateLoader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))


def apply_sidecar(report: Report, overrides: Overrides | None) -> tuple[Report, tuple[str, ...]]:
    """The report with sidecar values in place, the fields they replaced, and an info per difference."""
    if not overrides:
        return report, ()
    changes: dict[str, object] = {}
    notes: list[Diagnostic] = []
    for key in REPORT_FIELDS:
        if key not in overrides.values:
            continue
        value = overrides.values[key]
        if key in ("written", "published"):
            value = dt.date.fromisoformat(str(value))
        current = getattr(report, key)
        if current is not None and current != value:
            notes.append(Diagnostic(report.source.name, None, "info", "sidecar-differs",
                                    f"{overrides.path} 的 {key} 为“{value}”，正文为“{current}”，采用前者"))
        changes[key] = value
    used = tuple(sorted(k for k in overrides.values if k != "note"))
    return replace(report, **changes, diagnostics=report.diagnostics + tuple(notes)), used
