"""Stage 1: raw bytes → text lines, nothing lost.

Decoding is strict: UTF-8 (BOM stripped), else GB18030 (a superset of GBK and GB2312), UTF-16 only
when a BOM says so. No statistical charset detection and never ``errors="ignore"``: a government
text that loses a byte is a wrong publication, so undecodable input is an error naming the file.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata
from pathlib import Path

from .model import SourceLine, SourceText

# CRLF, lone CR and LF all end a line; a CR-only file counts CRs as line ends.
LINE_END = re.compile(r"\r\n|\r|\n")

#: Extensions of formats that are not read yet, with the advice an officer can act on.
UNSUPPORTED = {".doc": "请另存为 .docx", ".wps": "请另存为 .docx"}


class ReadError(Exception):
    """The file cannot be published as text; ``code`` is a stable diagnostic code."""

    def __init__(self, code: str, message: str, line: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.line = line


def decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding) or raise ReadError. Tries the encodings in a fixed order."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8):].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as err:
            raise ReadError("undecodable", f"以 UTF-8 BOM 开头，但第 {err.start} 字节无法按 UTF-8 解码") from err
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as err:
            raise ReadError("undecodable", f"以 UTF-16 BOM 开头，但第 {err.start} 字节无法解码") from err
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as err:
        raise ReadError(
            "undecodable", f"既不是 UTF-8 也不是 GB18030 编码（第 {err.start} 字节无法解码），请另存为 UTF-8 文本"
        ) from err


def bad_character(text: str) -> tuple[int, str] | None:
    """The first character a published text must not contain, as (line, description)."""
    line = 1
    previous = ""
    for char in text:
        if char in "\r\n":
            if not (char == "\n" and previous == "\r"):
                line += 1
            previous = char
            continue
        previous = char
        code = ord(char)
        if (code < 0x20 and char not in "\t\f") or code == 0x7F:
            return line, f"控制字符 U+{code:04X}（可能是二进制文件）"
        if char == "\ufffd":
            return line, "替换字符 U+FFFD（原文件在转码时已损坏）"
        if unicodedata.category(char) == "Co":
            return line, f"私用区字符 U+{code:04X}（字体造字，公众无法正确显示）"
    return None


def split_lines(text: str) -> tuple[SourceLine, ...]:
    """Split on CRLF, CR or LF, keeping every character of every line."""
    parts = LINE_END.split(text)
    if parts and parts[-1] == "":
        parts.pop()  # the final line ending does not start a new line
    return tuple(SourceLine(number=i, text=part) for i, part in enumerate(parts, start=1))


def read_source(path: Path) -> SourceText:
    """Read one raw report. Raises ReadError for anything that cannot be published faithfully."""
    advice = UNSUPPORTED.get(path.suffix.lower())
    if advice:
        raise ReadError("unsupported-format", f"暂不支持 {path.suffix} 文件，{advice}")
    data = path.read_bytes()
    return source_from_bytes(path.name, data)


def source_from_bytes(name: str, data: bytes) -> SourceText:
    text, encoding = decode(data)
    found = bad_character(text)
    if found:
        line, what = found
        raise ReadError("bad-character", f"含有{what}", line)
    if not text.strip():
        raise ReadError("empty", "文件为空或只有空白")
    return SourceText(
        name=name,
        sha256=hashlib.sha256(data).hexdigest(),
        encoding=encoding,
        lines=split_lines(text),
        size=len(data),
    )
