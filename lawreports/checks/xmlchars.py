"""Characters no XML file can hold (C0 controls but tab, LF, CR — the readers let a form feed through —
U+FFFE, U+FFFF, lone surrogates) in a report's lines or the values its sidecar sets. The feed and the
charts leave them out (``lawreports.site.markup.xml_safe``, by :data:`lawreports.text.XML_UNSAFE`);
this finding says so."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..model import Diagnostic, Report
from ..sidecar import sidecar_path
from ..text import XML_UNSAFE
from .base import Context, finding

FIELDS = (("title", "标题"), ("agency", "单位名称"), ("region", "所属地区"), ("index_no", "索引号"))


def _codes(text: str) -> str:
    return "、".join(dict.fromkeys(f"U+{ord(c):04X}" for c in XML_UNSAFE.findall(text)))


def _message(where: str, codes: str) -> str:
    return (f"{where}含有控制字符或非字符 {codes}，订阅源（feed.xml）和图表（SVG）中已将其删去；"
            "请在原文或旁注文件中删除")


def check_control_characters(report: Report, ctx: Context) -> Iterator[Diagnostic]:
    del ctx
    in_text: set[str] = set()
    for line in report.source.lines:
        found = XML_UNSAFE.findall(line.text)
        if found:
            in_text.update(found)
            yield finding(report, line.number, "warning", "control-character",
                          _message(f"第 {line.number} 行", _codes(line.text)))
    sidecar = sidecar_path(Path(report.source.name)).name
    for field, label in FIELDS:
        value = getattr(report, field)
        if isinstance(value, str) and any(c not in in_text for c in XML_UNSAFE.findall(value)):
            source = f"旁注文件 {sidecar} 的 {field}" + ("或 agencies.yml" if field == "region" else "")
            yield finding(report, None, "warning", "control-character",
                          _message(f"{label}（{source}）", _codes(value)))
