"""Stage 1: raw bytes → text lines, nothing lost.

Decoding is strict: UTF-8 (BOM stripped), else GB18030 (a superset of GBK and GB2312), UTF-16 only
when a BOM says so. No statistical charset detection and never ``errors="ignore"``: a government
text that loses a byte is a wrong publication, so undecodable input is an error naming the file.

Decoded text is refused when it holds what cannot be published faithfully: control characters
other than tab, line feed, carriage return and form feed (a binary file, or a broken export),
U+FFFD (a text already damaged by an earlier lossy conversion) and private-use code points
(characters from a custom font, 造字, that readers' fonts show as boxes or as something else).
"""

from __future__ import annotations

import codecs
import hashlib
import re
from pathlib import Path

from .model import SourceLine, SourceText

# CRLF, lone CR and LF all end a line; a CR-only file counts CRs as line ends.
LINE_END = re.compile(r"\r\n|\r|\n")

#: Extensions of formats that are not read yet, with the advice an officer can act on (#9 reads more).
UNSUPPORTED = {
    ".doc": "请另存为 .docx（在 Word 或 WPS 中打开，“另存为”Word 文档）",
    ".wps": "请另存为 .docx（在 Word 或 WPS 中打开，“另存为”Word 文档）",
}
#: Formats read today: plain text here; Word and PDF by their own readers.
READABLE = (".txt", ".docx", ".pdf")

#: Characters a published text must not contain: C0 controls except tab, LF, CR and FF; DEL and
#: the C1 controls; U+FFFD; the private-use areas (exactly Unicode category Co).
BAD_CHARACTER = re.compile(
    "[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufffd\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd]"
)


class ReadError(Exception):
    """The file cannot be published as text; ``code`` is a stable diagnostic code."""

    def __init__(self, code: str, message: str, line: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.line = line


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


def describe(char: str) -> str:
    code = ord(char)
    if char == "\ufffd":
        return "替换字符 U+FFFD（原文件在转码时已损坏，原字无法恢复）"
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


def split_lines(text: str) -> tuple[SourceLine, ...]:
    """Split on CRLF, CR or LF, keeping every character of every line."""
    parts = LINE_END.split(text)
    if parts and parts[-1] == "":
        parts.pop()  # the final line ending does not start a new line
    return tuple(SourceLine(number=i, text=part) for i, part in enumerate(parts, start=1))


def unsupported(path: Path) -> ReadError | None:
    """The error for a file whose format is not read, or None for ``.txt``, ``.docx`` and ``.pdf``."""
    suffix = path.suffix.lower()
    if suffix in READABLE:
        return None
    advice = UNSUPPORTED.get(suffix, "目前支持 .txt、.docx 和 .pdf 文件")
    return ReadError("unsupported-format", f"暂不支持 {path.suffix or '无扩展名的'} 文件，{advice}")


def read_source(path: Path) -> SourceText:
    """Read one raw report. Raises ReadError for anything that cannot be published faithfully."""
    error = unsupported(path)
    if error:
        raise error
    return source_from_bytes(path.name, path.read_bytes())


def source_from_bytes(name: str, data: bytes) -> SourceText:
    """Decode and vet the bytes of a raw file named ``name``. Raises ReadError."""
    if not data:
        raise ReadError("empty", "文件为空（0 字节）")
    suffix = Path(name).suffix.lower()
    if suffix == ".docx":
        from .read_docx import source_from_docx  # imported here: text-only runs need neither library

        return source_from_docx(name, data)
    if suffix == ".pdf":
        from .read_pdf import source_from_pdf

        return source_from_pdf(name, data)
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

