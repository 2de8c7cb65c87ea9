"""保密审查 before publishing: personal numbers and security markings in the text → error.

Every raw line is read (title, metadata and signature included), in its NFKC form so that full-width
digits count. Numbers are shown masked in the message: the output itself must not spread them.
A number meant to be public (a hotline) is acknowledged in the sidecar, ``public: ["13812345678"]``:
the message names the sidecar file, the key and the value to write (masked; the officer copies the
hidden digits from the named line).

- ``privacy-id``: an 18-digit 居民身份证号码 (17 digits + digit or X) standing alone, whose birth
  date is a real date and whose GB 11643 check digit is right. Other long numbers (统一社会信用代码,
  case numbers, amounts) fail the check digit or the date and are not reported.
- ``privacy-mobile``: a mainland mobile number ``1[3-9]`` + 9 digits (optionally ``+86``, ``-`` or
  spaces between the groups), not part of a longer run of digits nor an amount (``13500000000元``).
- ``privacy-marking``: a security or circulation marking, as it is written on a document, not the
  words used in a sentence:
    * 绝密/机密/秘密 followed by ★ (``秘密★1年``) or after 密级 (``密级：机密``);
    * a line that is only a marking (``内部``, ``机密``, ``【内部资料】``, ``内部资料 注意保存``);
    * a bracketed marking in text (``（内部资料）``, ``【秘密】``), ``内部资料，注意保存``, ``仅供内部使用``.
  Ordinary words are not markings: 内部控制, 内部审计, 内部管理, 机关内部, 保守秘密, 国家秘密,
  商业秘密, 机密文件管理, 编印内部资料 3 期.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from ..model import Diagnostic, Report
from ..sidecar import sidecar_path
from .base import Context, finding

ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx])(?![0-9A-Za-z])")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"

#: Not followed by a unit: ``13500000000元`` is an amount, not a phone.
MOBILE = re.compile(
    r"(?<![\d])(?:\+?86[- ]?)?(1[3-9]\d(?:[- ]?\d{4}){2})(?![\d])"
    r"(?!\s*(?:元|万|亿|余|多|人|次|件|个|户|平方|吨|千|%|％))"
)

# Markings are matched on the raw line (both bracket and colon widths spelled out), so the message
# quotes them exactly as written.
LEVEL = r"(?:绝密|机密|秘密)"
CIRCULATION = r"内部(?:资料|文件|材料|使用|刊物|参考|传阅|事项)?"
KEEP = r"(?:注意保存|注意保密|不得外传|严禁外传|请勿外传|不得公开)"
OPEN, CLOSE, SEP = r"[\[【(（〔［]", r"[\]】)）〕］]", r"\s*[,，、]?\s*"
MARKINGS = (
    re.compile(rf"{LEVEL}\s*[★☆*＊]"),
    re.compile(rf"密级\s*[:：]?\s*(?:{LEVEL}|内部)"),
    re.compile(rf"^{OPEN}?\s*(?:{LEVEL}|{CIRCULATION})\s*{CLOSE}?(?:{SEP}{KEEP})?$"),
    re.compile(rf"{OPEN}\s*(?:{LEVEL}|内部(?:资料|文件|材料|使用|刊物|参考|传阅)?)\s*{CLOSE}"),
    re.compile(rf"内部(?:资料|文件|材料){SEP}{KEEP}"),
    re.compile(r"仅(?:供|限)内部(?:使用|参考|传阅|掌握)"),
)

def valid_id(number: str) -> bool:
    """GB 11643-1999: a real birth date (1900–2099) and the ISO 7064 MOD 11-2 check digit."""
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    if not 1900 <= born.year <= 2099:
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], ID_WEIGHTS, strict=False))
    return ID_CHECK[total % 11] == number[17].upper()


def mask(number: str, head: int, tail: int) -> str:
    return number[:head] + "*" * (len(number) - head - tail) + number[-tail:]


def acknowledge(report: Report, line: int, shown: str, form: str) -> str:
    """How to tell the check a number is meant to be public: the sidecar, its key and the exact value.

    The value is shown masked, as everywhere in the output; the officer fills in the masked digits
    from the named line (``public:`` takes the digits only, or the number exactly as written)."""
    sidecar = sidecar_path(Path(report.source.name)).name
    return (f"在旁注文件 {sidecar} 中写 public: [\"{shown}\"]，其中的 * 换成第 {line} 行原文中的数字"
            f"（{form}），此号码便不再报告")


def check_privacy(report: Report, ctx: Context) -> Iterator[Diagnostic]:
    for line in report.source.lines:
        text = unicodedata.normalize("NFKC", line.text)
        for found in ID_NUMBER.finditer(text):
            if found.group(1) in ctx.public:
                continue
            if valid_id(found.group(1)):
                shown = mask(found.group(1), 6, 4)
                yield finding(report, line.number, "error", "privacy-id",
                              f"含有疑似居民身份证号码 {shown}，公开前请删除或隐去；"
                              f"如确认不是身份证号码（如恰好符合校验规则的编号），"
                              f"{acknowledge(report, line.number, shown, '完整的 18 位号码，与原文一致')}")
        for found in MOBILE.finditer(text):
            digits = re.sub(r"\D", "", found.group(1))
            if digits in ctx.public or found.group(1) in ctx.public:
                continue
            shown = mask(digits, 3, 4)
            how = acknowledge(report, line.number, shown, "完整的 11 位号码，只写数字")
            yield finding(report, line.number, "error", "privacy-mobile",
                          f"含有疑似手机号码 {shown}，公开前请删除或改为单位办公电话；"
                          f"如这是应当公开的号码（如单位服务热线），{how}")
        stripped = line.text.strip()
        for pattern in MARKINGS:
            marking = pattern.search(stripped)
            if marking:
                yield finding(report, line.number, "error", "privacy-marking",
                              f"含有密级或内部资料标志“{marking.group(0).strip()}”，请确认已经保密审查、可以公开")
                break
