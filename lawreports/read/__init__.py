"""Stage 1: raw bytes → text lines, nothing lost, whatever the file's format.

This package is the one place that picks a reader by the file's suffix (:data:`READERS`):

* :mod:`.text`  ``.txt`` (and any other suffix given to :func:`source_from_bytes`): strict decoding;
* :mod:`.docx`  Word, with automatic list numbers rendered by :mod:`.numbering`;
* :mod:`.pdf`   text PDFs;
* :mod:`.base`  what they share: :class:`ReadError`, :data:`LINE_END`, the vetting of characters.

Imports go one way: ``__init__`` → readers → ``base`` (and ``pdf`` → ``lawreports.parse.lines``,
which imports no reader). The readers are imported here at top level; python-docx, lxml and
pdfplumber are slow to import, so ``docx`` and ``pdf`` import them inside the functions that open
a file: a run that reads only text never loads them.

Every reader returns the same :class:`~lawreports.model.SourceText`, or raises :class:`ReadError`
with a stable code and a Chinese message an officer can act on.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..model import SourceText
from .base import (
    BAD_CHARACTER,
    LINE_END,
    MAX_INPUT_BYTES,
    ReadError,
    bad_character,
    describe,
    size_text,
    source_from_lines,
    too_large,
)
from .docx import read_docx, source_from_docx
from .pdf import read_pdf, source_from_pdf
from .text import decode, source_from_text, split_lines

__all__ = [
    "BAD_CHARACTER", "LINE_END", "MAX_INPUT_BYTES", "READABLE", "READERS", "UNSUPPORTED", "ReadError",
    "bad_character", "decode", "describe", "read_docx", "read_pdf", "read_source", "size_text",
    "source_from_bytes", "source_from_docx", "source_from_lines", "source_from_pdf", "source_from_text",
    "split_lines", "too_large", "unsupported",
]

#: The reader of each format read today, by lower-case suffix: (name, bytes) → SourceText.
READERS: dict[str, Callable[[str, bytes], SourceText]] = {
    ".txt": source_from_text,
    ".docx": source_from_docx,
    ".pdf": source_from_pdf,
}
#: Formats read today: plain text, Word and PDF.
READABLE = tuple(READERS)

#: Extensions of formats that are not read yet, with the advice an officer can act on (#9 reads more).
UNSUPPORTED = {
    ".doc": "请另存为 .docx（在 Word 或 WPS 中打开，“另存为”Word 文档）",
    ".wps": "请另存为 .docx（在 Word 或 WPS 中打开，“另存为”Word 文档）",
}


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
    size = path.stat().st_size
    if size > MAX_INPUT_BYTES:
        raise too_large(size)
    return source_from_bytes(path.name, path.read_bytes())


def source_from_bytes(name: str, data: bytes) -> SourceText:
    """Decode and vet the bytes of a raw file named ``name``. Raises ReadError.

    The reader is chosen by suffix; a suffix without a reader of its own is read as text (callers
    that must refuse other formats check :func:`unsupported` first).
    """
    if not data:
        raise ReadError("empty", "文件为空（0 字节）")
    if len(data) > MAX_INPUT_BYTES:
        raise too_large(len(data))
    reader = READERS.get(Path(name).suffix.lower(), source_from_text)
    return reader(name, data)
