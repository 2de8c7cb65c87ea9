"""Stage 1 for text files: raw bytes → text lines, nothing lost.

Decoding is strict: UTF-8 (BOM stripped), else GB18030 (a superset of GBK and GB2312), UTF-16 only
when a BOM says so. No statistical charset detection and never ``errors="ignore"``: a government
text that loses a byte is a wrong publication, so undecodable input is an error naming the file. One
guard: bytes that read as common Big5 (繁体) text and as rare characters in GB18030 are refused as
Big5 (``big5``), with the advice to save as UTF-8, rather than published as 乱码.
The decoded text is vetted by :func:`.base.bad_character`.
"""

from __future__ import annotations

import codecs
import hashlib
from collections.abc import Callable
from itertools import islice

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
        text = data.decode("gb18030")
    except UnicodeDecodeError as err:
        if looks_like_big5(data):
            raise ReadError("big5", BIG5_MESSAGE) from err
        # the bad byte is where the encoding that read furthest stopped
        offset = max(utf8_error.start, err.start)
        raise ReadError(
            "undecodable",
            f"既不是 UTF-8 也不是 GB18030/GBK 编码（第 {offset} 字节无法解码），可能不是文本文件；请另存为 UTF-8 文本",
            _byte_line(data, offset),
        ) from err
    if looks_like_big5(data, text):
        raise ReadError("big5", BIG5_MESSAGE)
    return text, "gb18030"


BIG5_MESSAGE = ("看起来是 Big5（繁体中文）编码的文本，按 GBK/GB18030 读出来是乱码（并非造字）；"
                "请用记事本或 WPS 打开后“另存为”UTF-8 编码的文本")
#: Non-ASCII characters looked at to tell GB18030 from Big5 (enough for a sure answer, and cheap).
ENCODING_SAMPLE = 4000


def _common_gb(char: str) -> bool:
    """A character of GB2312's symbols (rows 1–3) or its 3,755 most common hanzi (level 1)."""
    try:
        lead = char.encode("gb2312")[0]
    except UnicodeEncodeError:
        return False
    return 0xA1 <= lead <= 0xA3 or 0xB0 <= lead <= 0xD7


def _common_big5(char: str) -> bool:
    """A character of Big5's symbols or its 5,401 common hanzi (常用字, lead bytes A4–C6)."""
    try:
        encoded = char.encode("cp950")
    except UnicodeEncodeError:
        return False
    return len(encoded) == 2 and 0xA1 <= encoded[0] <= 0xC6


#: Fewer non-ASCII characters than this say nothing sure about the encoding (read as GB18030, as before).
ENCODING_MIN = 20


def _share(text: str, common: Callable[[str], bool]) -> float | None:
    """The share of ``text``'s first non-ASCII characters that ``common`` accepts (None: too few)."""
    sample = list(islice((c for c in text if c > "\x7f"), ENCODING_SAMPLE))
    return sum(map(common, sample)) / len(sample) if len(sample) >= ENCODING_MIN else None


def looks_like_big5(data: bytes, gb_text: str | None = None) -> bool:
    """True when bytes that are not UTF-8 read as common Big5 text and, as GB18030, as rare characters.

    GB18030 decodes almost any double-byte text, so a Big5 file (from Taiwan, Hong Kong, or an old
    繁体 system) would otherwise come out as rare hanzi and private-use characters (reported as 造字).
    A GBK text is nearly all GB2312's common characters; the same bytes read as Big5 are not.
    """
    try:
        big5_text = data.decode("cp950")
    except UnicodeDecodeError:
        return False
    big5_share = _share(big5_text, _common_big5)
    if big5_share is None or big5_share <= 0.9:
        return False
    gb_share = _share(gb_text, _common_gb) if gb_text is not None else 0.0
    return gb_share is not None and gb_share < 0.8


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
