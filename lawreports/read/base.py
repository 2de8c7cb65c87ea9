"""What the three readers (text, Word, PDF) share: the error, line ends and the final vetting.

Decoded text is refused when it holds what cannot be published faithfully: control characters
other than tab, line feed, carriage return and form feed (a binary file, or a broken export),
U+FFFD (a text already damaged by an earlier lossy conversion) and private-use code points
(characters from a custom font, 造字, that readers' fonts show as boxes or as something else).

This module imports no other reader, so :mod:`.text`, :mod:`.docx` and :mod:`.pdf` import it and
the package ``__init__`` imports them: no cycle.
"""

from __future__ import annotations

import hashlib
import re

from ..model import SourceLine, SourceText

# CRLF, lone CR and LF all end a line; a CR-only file counts CRs as line ends.
LINE_END = re.compile(r"\r\n|\r|\n")

#: Characters a published text must not contain: C0 controls except tab, LF, CR and FF; DEL and
#: the C1 controls; lone surrogates (a YAML ``"\ud800"`` escape: no valid UTF-8 can hold them);
#: U+FFFD; the private-use areas (exactly Unicode category Co).
BAD_CHARACTER = re.compile(
    "[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffd\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd]"
)


#: The largest raw file read (bytes). A year's report is 20 KB – 1 MB of text, a Word file with
#: pictures a few MB; 20 MB leaves room for a PDF with scanned seals and keeps a 5 MB text report
#: (tested) well inside, while a 50 MB file pasted by mistake is refused before it is read.
MAX_INPUT_BYTES = 20 * 2**20


def size_text(size: int) -> str:
    """A size as an officer reads it: ``20971520`` → ``20 MB``; ``5400000`` → ``5.1 MB``;
    ``65536`` → ``64 KB``."""
    if size < 2**20:
        return f"{size / 2**10:.0f} KB" if size >= 2**10 else f"{size} 字节"
    value = size / 2**20
    return f"{value:.0f} MB" if value >= 10 or value == int(value) else f"{value:.1f} MB"


def too_large(size: int, limit: int = MAX_INPUT_BYTES, what: str = "文件") -> ReadError:
    return ReadError("too-large", f"{what}大小 {size_text(size)}，超过上限 {size_text(limit)}，未读取；"
                                  "一份年度报告通常不到 1 MB，请检查是否放错了文件")


class ReadError(Exception):
    """The file cannot be published as text; ``code`` is a stable diagnostic code."""

    def __init__(self, code: str, message: str, line: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.line = line


def describe(char: str) -> str:
    code = ord(char)
    if char == "\ufffd":
        return "替换字符 U+FFFD（原文件在转码时已损坏，原字无法恢复）"
    if 0xD800 <= code <= 0xDFFF:
        return f"不成对的代理字符 U+{code:04X}（不是有效的 Unicode 字符，可能是转码出错）"
    if code < 0x20 or 0x7F <= code <= 0x9F:
        return f"控制字符 U+{code:04X}（可能是二进制文件或导出出错）"
    return f"私用区字符 U+{code:04X}（造字或特殊字体，公众无法正确显示，请换成标准汉字）"


def bad_character(text: str) -> tuple[int, str] | None:
    """The first character a published text must not contain, as (line, description)."""
    found = BAD_CHARACTER.search(text)
    if not found:
        return None
    line = len(LINE_END.findall(text, 0, found.start())) + 1
    return line, describe(found.group())


def source_from_lines(name: str, data: bytes, encoding: str, lines: list[SourceLine], empty: str) -> SourceText:
    """The SourceText of a document read line by line (Word, PDF), vetted like a text file.

    ``empty`` is the message when no line has text. Line numbers are the reader's (paragraphs).
    """
    if not any(line.text.strip() for line in lines):
        raise ReadError("empty", empty)
    found = bad_character("\n".join(line.text for line in lines))
    if found:
        index, what = found
        raise ReadError("bad-character", f"第 {lines[index - 1].number} 段含有{what}", lines[index - 1].number)
    return SourceText(name=name, sha256=hashlib.sha256(data).hexdigest(), encoding=encoding, lines=tuple(lines),
                      size=len(data))
