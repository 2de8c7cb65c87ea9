"""Stage 1 for text files: raw bytes → text lines, nothing lost.

Decoding is strict: UTF-8 (BOM stripped), else GB18030 (a superset of GBK and GB2312), UTF-16 only
when a BOM says so. No statistical charset detection and never ``errors="ignore"``: a government
text that loses a byte is a wrong publication, so undecodable input is an error naming the file.
The decoded text is vetted by :func:`.base.bad_character`.
"""

from __future__ import annotations

import codecs
import hashlib

from ..model import SourceLine, SourceText
from .base import LINE_END, ReadError, bad_character


def _byte_line(data: bytes, offset: int) -> int:
    """1-based line of a byte offset in UTF-8 or GB18030 bytes (whose multi-byte sequences never
    contain CR or LF bytes); CRLF, CR and LF each end a line."""
    return len(LINE_END.findall(data[:offset].decode("latin-1"))) + 1


def decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding) or raise ReadError. Tries the encodings in a fixed order."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8):].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as err:
            offset = err.start + len(codecs.BOM_UTF8)
            raise ReadError("undecodable", f"以 UTF-8 BOM 开头，但第 {offset} 字节无法按 UTF-8 解码",
                            _byte_line(data, offset)) from err
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as err:
            raise ReadError("undecodable", f"以 UTF-16 BOM 开头，但第 {err.start} 字节无法按 UTF-16 解码") from err
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as err:
        utf8_error = err
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as err:
        # the bad byte is where the encoding that read furthest stopped
        offset = max(utf8_error.start, err.start)
        raise ReadError(
            "undecodable",
            f"既不是 UTF-8 也不是 GB18030/GBK 编码（第 {offset} 字节无法解码），可能不是文本文件；请另存为 UTF-8 文本",
            _byte_line(data, offset),
        ) from err


def split_lines(text: str) -> tuple[SourceLine, ...]:
    """Split on CRLF, CR or LF, keeping every character of every line."""
    parts = LINE_END.split(text)
    if parts and parts[-1] == "":
        parts.pop()  # the final line ending does not start a new line
    return tuple(SourceLine(number=i, text=part) for i, part in enumerate(parts, start=1))


def source_from_text(name: str, data: bytes) -> SourceText:
    """Decode and vet the bytes of a plain-text file named ``name``. Raises ReadError."""
    if not data:
        raise ReadError("empty", "文件为空（0 字节）")
    text, encoding = decode(data)
    found = bad_character(text)
    if found:
        line, what = found
        raise ReadError("bad-character", f"含有{what}", line)
    if not text.strip():
        raise ReadError("empty", "文件只有空白，没有文字")
    return SourceText(
        name=name,
        sha256=hashlib.sha256(data).hexdigest(),
        encoding=encoding,
        lines=split_lines(text),
        size=len(data),
    )
