"""Sidecars: ``seeds/<name>.meta.yml``, where an officer corrects what cannot be inferred from the text.

Validated by a schema; an unknown key, a bad value or invalid YAML is an error naming the sidecar
file, the key and its line. The page records which fields came from the sidecar (``from_sidecar``),
and a sidecar value that differs from what the text says is an ``info`` naming both values.

The helpers for reading a small YAML data file an officer edits (any encoding the reports may
use, duplicate keys refused, schema errors in Chinese with the key and its line) live here too;
the agency table (``identity``) uses them. They bound what such a file may cost: its size
(:data:`MAX_SIDECAR_BYTES`, :data:`MAX_AGENCIES_BYTES`), and the nodes its YAML aliases add when
expanded (:data:`MAX_ALIAS_EXPANSION`; a "billion laughs" file is refused before anything is
built from it, and its expansion is never printed); text values with control characters, lone
surrogates or private-use characters are refused naming the key.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from .model import Diagnostic, Overrides, Report
from .read import BAD_CHARACTER, ReadError, decode, describe, size_text

DATE = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
SLUG = {"type": "string", "pattern": r"^[a-z0-9]+(?:-[a-z0-9]+)*$"}
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
        "slug": SLUG,
        "source_url": {"type": "string", "pattern": r"^https?://\S+$"},
        "index_no": {"type": "string", "minLength": 1},
        "deadline": DATE,
        "note": {"type": "string"},
        "public": {"type": "array", "items": {"type": "string", "minLength": 1}},
        "correction": {
            "type": "object",
            "additionalProperties": False,
            "required": ["reason"],
            "properties": {"date": DATE, "reason": {"type": "string", "minLength": 1}},
        },
    },
}
#: What a valid value looks like, per key: the second half of every bad-value message.
HINTS = {
    "title": "非空文字",
    "agency": "非空文字（单位名称）",
    "agency_key": "非空文字（跨年度统一的单位名称）",
    "region": "非空文字（如 天津市南开区）",
    "year": "1990 至 2100 之间的整数年份（如 2023，不加引号）",
    "written": "YYYY-MM-DD 形式的日期（如 2024-01-03）",
    "published": "YYYY-MM-DD 形式的日期（如 2024-01-03）",
    "deadline": "YYYY-MM-DD 形式的日期（如 2024-04-01）",
    "slug": "小写拼音字母、数字和 - 组成的网址名（如 nan-kai-qu-si-fa-ju）",
    "source_url": "http:// 或 https:// 开头的网址",
    "index_no": "非空文字",
    "note": "文字",
    "public": "文字列表：报告中确需公开的号码原样写出（如单位热线 13800000000），隐私检查不再报它",
    "correction": "更正的日期和理由，如 {date: 2024-04-10, reason: 更正第一段的用词}",
    "reason": "非空文字（更正理由）",
    "date": "YYYY-MM-DD 形式的日期（如 2024-04-10）",
}
#: Fields that replace what the parser read from the text.
REPORT_FIELDS = ("title", "agency", "region", "year", "written", "published", "index_no")
DATE_FIELDS = ("written", "published", "deadline")


class SidecarError(Exception):
    """A sidecar that cannot be used. ``file``/``line``/``code``/``message`` describe the first
    problem; ``diagnostics`` holds every problem found (each naming the sidecar file and the key)."""

    def __init__(self, file: str, line: int | None, code: str, message: str,
                 diagnostics: tuple[Diagnostic, ...] = ()):
        super().__init__(message)
        self.file, self.line, self.code, self.message = file, line, code, message
        self.diagnostics = diagnostics or (Diagnostic(file, line, "error", code, message),)


class DataFileError(Exception):
    """A YAML data file that cannot be read; ``diagnostics`` name the file, the line and the key."""

    def __init__(self, diagnostics: list[Diagnostic]):
        super().__init__("\n".join(map(str, diagnostics)))
        self.diagnostics = tuple(diagnostics)


def sidecar_path(raw: Path) -> Path:
    return raw.with_name(raw.stem + ".meta.yml")


# -- reading a YAML data file ----------------------------------------------------------------------


#: The largest sidecar read: a sidecar holds a dozen short values (< 1 KB); 64 KB leaves room for a
#: long note and a long ``public`` list.
MAX_SIDECAR_BYTES = 64 * 2**10
#: The largest agency table read: ~200 bytes an agency, so 1 MB holds some 5,000 agencies.
MAX_AGENCIES_BYTES = 2**20
#: The most nodes YAML aliases (``*name``) may add to a data file when expanded. An officer's file
#: needs none; a few shared lists are fine; nine nested levels of ten aliases would add 10⁹.
MAX_ALIAS_EXPANSION = 10_000


class AliasExpansionError(yaml.YAMLError):
    """YAML aliases that would expand beyond :data:`MAX_ALIAS_EXPANSION` nodes (or refer to themselves)."""

    def __init__(self, mark: yaml.Mark | None, recursive: bool = False):
        super().__init__("YAML aliases expand too far")
        self.problem_mark = mark
        self.recursive = recursive

    @property
    def message(self) -> str:
        if self.recursive:
            return "YAML 别名（*引用）引用了它自身所在的内容，无法展开，未读取；请直接写出各值，不要用 & 和 *"
        return (f"YAML 别名（&锚点 / *引用）展开后超过 {MAX_ALIAS_EXPANSION} 个值，未读取；"
                "此文件不需要别名，请直接写出各值，不要用 & 和 *")


def expanded_size(root: yaml.Node) -> int:
    """How many nodes ``root`` stands for with every alias expanded, counted once per distinct node
    (linear in the file). Raises AliasExpansionError past :data:`MAX_ALIAS_EXPANSION` extra nodes,
    or for an alias inside what it names."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        children: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        if done:
            on_path.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in children)
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise AliasExpansionError(node.start_mark, recursive=True)
        on_path.add(key)
        stack.append((node, True))
        for child in children:
            if id(child) in on_path:
                raise AliasExpansionError(child.start_mark, recursive=True)
            if id(child) not in sizes:
                stack.append((child, False))
    total = sizes[id(root)]
    if total - len(sizes) > MAX_ALIAS_EXPANSION:
        raise AliasExpansionError(root.start_mark)
    return total


class BoundedAliases:
    """A YAML loader mix-in: the document's aliases are counted (:func:`expanded_size`) before any
    value is built from it. Put it before the loader: ``class L(BoundedAliases, yaml.SafeLoader)``."""

    def get_single_node(self) -> yaml.Node | None:
        node = super().get_single_node()  # type: ignore[misc]
        if node is not None:
            expanded_size(node)
        return node


class _DataLoader(BoundedAliases, yaml.SafeLoader):
    """Safe YAML where dates stay strings (the schema checks their form), a key given twice is an
    error (PyYAML would silently keep the last) and aliases are bounded."""


def _timestamp_as_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> str:
    return loader.construct_scalar(node)


_DataLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: set = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, (str, int, float, bool)) and key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"键 {key} 出现了两次", key_node.start_mark)
        seen.add(key if isinstance(key, (str, int, float, bool)) else id(key))
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_DataLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)


def read_data_file(path: Path, what: str, max_bytes: int = MAX_SIDECAR_BYTES) -> tuple[Any, str]:
    """(parsed YAML, text) of an officer-edited data file of at most ``max_bytes``; raises
    DataFileError naming the file (and the key of a value with characters that cannot be published)."""
    name = path.name
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
        if len(data) > max_bytes:
            size = path.stat().st_size
            raise DataFileError([Diagnostic(name, None, "error", f"{what}-too-large",
                                            f"文件大小 {size_text(size)}，超过上限 {size_text(max_bytes)}，未读取；"
                                            "请检查是否放错了文件")])
        text, _ = decode(data)
    except OSError as err:
        raise DataFileError([Diagnostic(name, None, "error", f"{what}-unreadable",
                                        f"无法读取（{err.strerror or type(err).__name__}）；请检查文件权限")]) from err
    except ReadError as err:
        raise DataFileError([Diagnostic(name, err.line, "error", f"{what}-encoding", err.message)]) from err
    try:
        loaded = yaml.load(text, Loader=_DataLoader)
    except AliasExpansionError as err:
        mark = err.problem_mark
        raise DataFileError([Diagnostic(name, mark.line + 1 if mark else None, "error", f"{what}-yaml-aliases",
                                        err.message)]) from None  # never the expansion
    except RecursionError:
        raise DataFileError([Diagnostic(name, None, "error", f"{what}-yaml",
                                        "YAML 嵌套层数过多，未读取；请直接写出各值")]) from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        problem = getattr(err, "problem", None) or str(err)
        raise DataFileError([Diagnostic(name, mark.line + 1 if mark else None, "error", f"{what}-yaml",
                                        f"YAML 格式错误：{problem}"
                                        "（常见原因：冒号后缺空格、缩进不齐、引号不配对）")]) from err
    problems = [Diagnostic(name, key_line(text, where), "error", f"{what}-bad-character",
                           f"键 {dotted(where) or '顶层'} 的值含有{describe(char)}；请删去或改为标准字符")
                for where, char in bad_characters(loaded)]
    if problems:
        raise DataFileError(problems)
    return loaded, text


def bad_characters(data: object) -> list[tuple[list, str]]:
    """(path, first bad character) of each text value or key holding what a page must not show
    (control characters but tab and line ends, lone surrogates, U+FFFD, private-use characters)."""
    found: list[tuple[list, str]] = []
    stack: list[tuple[list, object]] = [([], data)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, str):
            bad = BAD_CHARACTER.search(value)
            if bad:
                found.append((where, bad.group()))
        elif isinstance(value, dict):
            for key, item in reversed(list(value.items())):
                bad_key = BAD_CHARACTER.search(key) if isinstance(key, str) else None
                if bad_key:  # named by its parent: the key itself cannot be printed
                    found.append((where, bad_key.group()))
                else:
                    stack.append(([*where, key], item))
        elif isinstance(value, list):
            stack.extend(([*where, i], item) for i, item in reversed(list(enumerate(value))))
    return found


def key_line(text: str, path: list) -> int | None:
    """1-based line of the key (or list item) at ``path`` in a YAML text, or of its nearest parent."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    line = None
    for step in path:
        if isinstance(node, yaml.MappingNode):
            found = next(((k, v) for k, v in node.value
                          if isinstance(k, yaml.ScalarNode) and k.value == str(step)), None)
            if not found:
                break
            line, node = found[0].start_mark.line + 1, found[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
            line = node.start_mark.line + 1
        else:
            break
    return line


def dotted(path: Iterable[object]) -> str:
    """``['agencies', 2, 'slug']`` → ``agencies[2].slug``."""
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out


TYPE_NAMES = {"string": "文字", "integer": "整数", "number": "数字", "array": "列表", "object": "映射（键: 值）",
              "null": "空", "boolean": "是/否"}


def schema_problems(data: object, schema: dict, hints: dict[str, str]) -> list[tuple[list, str, str]]:
    """Every schema violation as (path to the key, code suffix, Chinese message), in document order."""
    problems = []
    validator = jsonschema.Draft202012Validator(schema)
    for error in sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path]):
        path = list(error.absolute_path)
        where = dotted(path)
        if error.validator == "additionalProperties":
            allowed = sorted(error.schema.get("properties", {}))
            for key in sorted(map(str, set(error.instance) - set(allowed))):
                problems.append(([*path, key], "unknown-key",
                                 f"未知的键 {dotted([*path, key])}；可用的键：{', '.join(allowed)}"))
        elif error.validator == "required":
            missing = [k for k in error.validator_value if k not in error.instance]
            problems.append((path, "missing-key", f"{where or '顶层'} 缺少键 {', '.join(missing)}"))
        else:
            last = next((str(p) for p in reversed(path) if not isinstance(p, int)), "")
            if last in hints:
                wanted = hints[last]
            elif error.validator == "type":
                names: list[str] = (error.validator_value if isinstance(error.validator_value, list)
                                    else [error.validator_value])  # JSON Schema type names
                wanted = "或".join(TYPE_NAMES.get(t, t) for t in names)
            elif error.validator == "enum":
                wanted = "、".join(map(str, error.validator_value)) + " 之一"
            elif error.validator == "uniqueItems":
                wanted = "没有重复项的列表"
            else:
                wanted = error.message
            problems.append((path, "bad-value", f"键 {where} 的值 {error.instance!r} 无效：应为{wanted}"))
    return problems


# -- sidecars ---------------------------------------------------------------------------------------


def load_sidecar(path: Path) -> Overrides:
    """The validated sidecar; raises SidecarError naming the file and every bad key."""
    name = path.name
    if path.is_symlink() and path.parent.resolve() not in path.resolve().parents:
        raise SidecarError(name, None, "sidecar-symlink-outside",
                           "更正文件是指向所在文件夹以外的符号链接，未读取；请把文件复制到 seeds 文件夹中")
    try:
        data, text = read_data_file(path, "sidecar", MAX_SIDECAR_BYTES)
    except DataFileError as err:
        first = err.diagnostics[0]
        raise SidecarError(first.file, first.line, first.code, first.message, err.diagnostics) from err
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise SidecarError(name, 1, "sidecar-schema", "应为“键: 值”形式的映射，例如 year: 2023")
    found = schema_problems(data, SCHEMA, HINTS)
    problems = [Diagnostic(name, key_line(text, where), "error", f"sidecar-{code}", message)
                for where, code, message in found]
    bad_keys = {str(where[0]) for where, _, _ in found if where}
    for key in DATE_FIELDS:
        if isinstance(data.get(key), str) and key not in bad_keys:
            try:
                dt.date.fromisoformat(data[key])
            except ValueError:
                problems.append(Diagnostic(name, key_line(text, [key]), "error", "sidecar-bad-value",
                                           f"键 {key} 的日期不存在：{data[key]}"))
    problems.extend(Diagnostic(name, key_line(text, where), "error", "sidecar-bad-character", message)
                    for where, message in _invisible(data) if str(where[0]) not in bad_keys)
    correction = data.get("correction")
    if isinstance(correction, dict) and isinstance(correction.get("date"), str) and "correction" not in bad_keys:
        try:
            dt.date.fromisoformat(correction["date"])
        except ValueError:
            problems.append(Diagnostic(name, key_line(text, ["correction", "date"]), "error", "sidecar-bad-value",
                                       f"键 correction.date 的日期不存在：{correction['date']}"))
    if problems:
        problems.sort(key=lambda d: (d.line or 0, d.message))
        first = problems[0]
        raise SidecarError(name, first.line, first.code, first.message, tuple(problems))
    return Overrides(values=dict(data), path=name)


#: Bidirectional embeddings, overrides and isolates: they reorder what is shown (see checks/characters.py,
#: which reads the values that reach a report's fields; these are the values it never sees).
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
#: Keys whose values the checks of the report never read.
UNCHECKED_KEYS = ("note", "source_url", "slug", "agency_key", "correction")


def _invisible(data: dict) -> list[tuple[list, str]]:
    """A bidi control in a value the report checks never read, or any invisible format character in a web
    address (a look-alike address): (path, message) each."""
    found = []
    for key in UNCHECKED_KEYS:
        values = data.get(key)
        items = values.items() if isinstance(values, dict) else [(None, values)]
        for sub, value in items:
            if not isinstance(value, str):
                continue
            where = [key, sub] if sub is not None else [key]
            shown = ".".join(str(w) for w in where)
            bidi = BIDI.search(value)
            if bidi:
                code = f"U+{ord(bidi.group()):04X}"
                found.append((where, f"键 {shown} 含有改变文字显示顺序的不可见字符（{code}），请删去"))
            elif key == "source_url" and any(unicodedata.category(c) == "Cf" for c in value):
                found.append((where, f"键 {shown} 的网址含有不可见字符，请重新输入"))
    return found


def apply_sidecar(report: Report, overrides: Overrides | None) -> tuple[Report, tuple[str, ...]]:
    """The report with sidecar values in place, the keys the sidecar gave, and an info per difference.

    ``from_sidecar`` lists every key the sidecar sets except ``note``; what was inferred for a field
    the sidecar sets is no longer recorded as inferred.
    """
    if not overrides:
        return report, ()
    changes: dict[str, Any] = {}  # Report fields: their types were checked by the schema
    notes: list[Diagnostic] = []
    for key in REPORT_FIELDS:
        if key not in overrides.values:
            continue
        value = overrides.values[key]
        if key in ("written", "published"):
            value = dt.date.fromisoformat(str(value))
        current = getattr(report, key)
        if current is not None and current != value:
            notes.append(differs(report.source.name, overrides.path, key, value, current))
        changes[key] = value
    used = tuple(sorted(k for k in overrides.values if k != "note"))
    inferred = {k: v for k, v in report.inferred.items() if k not in changes}
    # what the sidecar now supplies is no longer missing: ``no-agency`` asked for exactly this key
    kept = tuple(d for d in report.diagnostics if not (d.code == "no-agency" and "agency" in changes))
    return replace(report, **changes, inferred=inferred, diagnostics=kept + tuple(notes)), used


def differs(file: str, sidecar: str | None, key: str, value: object, current: object) -> Diagnostic:
    """The info that a sidecar value replaced a different value read from the text."""
    return Diagnostic(file, None, "info", "sidecar-differs",
                      f"{sidecar} 的 {key} 为“{value}”，正文为“{current}”，采用前者")
