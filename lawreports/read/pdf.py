"""Stage 1 for PDF files: a text PDF → the same :class:`SourceText` the text reader produces.

pdfplumber (on pdfminer.six, which ships the Adobe-GB1 CMaps, so Chinese comes out as Unicode)
gives the characters of each page with their positions. This module:

1. **Builds lines** from characters: clustered by vertical position, ordered left to right. A gap
   wider than a third of the font size becomes a space, except between two Chinese (wide)
   characters, where a gap is justification, not a space. (One column; multi-column pages are read
   row by row.)
2. **Removes page furniture**: among the first two and last two lines of each page, a page number
   (``3``, ``- 3 -``, ``— 3 —``, ``第 3 页``, ``第 3 页 共 9 页``, ``3/9``) standing apart from the text
   (a gap larger than the text's line spacing), and a header or footer repeated on at least half
   the pages (two or more) at the same height, digits aside.
3. **Re-joins lines into paragraphs.** The text's left edge is the most common line start and its
   right edge the 90th percentile of line ends. A line continues on the next unless
   - the next line opens with a heading marker (``一、`` ``（一）`` ``1.`` …);
   - the line is centred or right-aligned (starts more than a first-line indent from the left edge);
   - the line stops short of the right edge (by more than 1.5 characters);
   - the next line is indented (a first line, a centred or right-aligned line);
   - the line ends a sentence and the document does not indent its first lines (when it does, a
     sentence ending at the margin is followed by more of the same paragraph);
   - the line does not end a sentence and the next opens with ``一是``/``其二`` (a heading that filled
     its line, then its first paragraph);
   - the type size changes between the line's last character and the next line's first, or the
     font between two Chinese characters (黑体 heading, 仿宋 body; digits and Latin letters may
     have a font of their own inside a paragraph);
   - the step to the next line is over 1.4 times the usual line spacing (space between paragraphs).
   Page breaks are read through.

Each paragraph is one line after a blank line (so the parser never re-joins two of them);
``SourceLine.number`` is the paragraph's 1-based position in this output, shared by the blank line
before it, as in the Word reader (a message can say 第 N 段).

Errors are :class:`ReadError` with Chinese messages: not a PDF or broken (``broken-file``),
encrypted with a password (``encrypted``; one encrypted with an empty user password, which any
reader opens without asking, is read), more than :data:`MAX_PAGES` pages (``too-large``), no text
at all (``empty``), scanned pages without a text layer (``scanned-pdf``), glyphs without a Unicode
mapping (``unmapped-glyph``) and characters that cannot be published (``bad-character``, as for text).
"""

from __future__ import annotations

import io
import math
import re
import statistics
import unicodedata
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import NoReturn

from ..model import SourceLine, SourceText
from ..parse.lines import find_marker  # parse imports no reader: no cycle
from ..text import compact
from .base import ReadError, source_from_lines

SCANNED_MESSAGE = "扫描版 PDF 没有文字层，OCR 不在本工具范围内，请提供文字版 PDF 或 Word 文件"

#: A page number line, matched on the NFKC form with spaces removed.
PAGE_NUMBER = re.compile(
    r"[-—–~·•]*"
    r"(?:第?\d{1,4}页?(?:[,，]?共\d{1,4}页)?|\d{1,4}/\d{1,4}|page\d{1,4}(?:of\d{1,4})?)"
    r"[-—–~·•]*",
    re.IGNORECASE,
)
#: How a sentence ends (closing quotes and brackets may follow the mark).
SENTENCE_END = re.compile(r"[。！？!?；;：:…][”’」』）)》]*$")
#: The most pages read: a report has 5–50; a PDF of thousands of pages is not one report.
MAX_PAGES = 2000
SPACE_GAP = 0.33  #: a gap wider than this many font sizes between characters is a space
RIGHT_SLACK = 1.5  #: a line ending within this many font sizes of the right edge is full
INDENT_MIN = 0.5  #: a line starting this many font sizes right of the left edge is indented
PARAGRAPH_GAP = 1.4  #: a vertical step this many times the usual line spacing separates paragraphs
#: ``一是`` ``其二`` opening a line: a new sentence, so after a line without a sentence end (a heading
#: that filled its line) it starts a new paragraph.
LEAD_IN_START = re.compile(r"^(?:[一二三四五六七八九十]{1,3}是|其[一二三四五六七八九十])")


@dataclass
class PdfLine:
    """One line of text on a page, with the geometry paragraph joining needs."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float  #: median font size of its characters
    page: int  #: 1-based page number
    font_start: tuple[str, float, bool] = ("", 0.0, False)  #: (font, size, wide) of its first character
    font_end: tuple[str, float, bool] = ("", 0.0, False)  #: (font, size, wide) of its last character


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in "WF"


def _line_text(chars: list[dict]) -> str:
    out: list[str] = []
    previous = None
    for char in chars:
        text = char["text"]
        if previous is not None and text and out and not out[-1].endswith(" ") and not text.startswith(" "):
            gap = char["x0"] - previous["x1"]
            size = max(char.get("size") or 0, previous.get("size") or 0, 1)
            if gap > SPACE_GAP * size and not (_wide(out[-1][-1]) and _wide(text[0])):
                out.append(" ")
        out.append(text)
        previous = char
    return "".join(out)


def _font(char: dict) -> tuple[str, float, bool]:
    text = char["text"].strip() or " "
    return str(char.get("fontname") or ""), round(float(char.get("size") or 0), 1), _wide(text[0])


def _font_changes(end: tuple[str, float, bool], start: tuple[str, float, bool]) -> bool:
    """Another type size, or another font between two Chinese characters (黑体 heading → 仿宋 body).
    A Latin or digit character may be set in its own font (Times New Roman inside 仿宋 text)."""
    if abs(end[1] - start[1]) > 0.5:
        return True
    return end[0] != start[0] and end[2] and start[2]


def page_lines(chars: list[dict], page: int) -> list[PdfLine]:
    """Characters of a page → lines, top to bottom."""
    def middle(char: dict) -> float:
        return (char["top"] + char["bottom"]) / 2

    rows: list[list[dict]] = []
    for char in sorted(chars, key=lambda c: (middle(c), c["x0"])):
        size = char.get("size") or (char["bottom"] - char["top"]) or 1
        if rows and abs(middle(char) - statistics.fmean(middle(c) for c in rows[-1][:8])) <= 0.45 * size:
            rows[-1].append(char)
        else:
            rows.append([char])
    lines = []
    for row in rows:
        row.sort(key=lambda c: c["x0"])
        text = _line_text(row)
        if not text.strip():
            continue
        visible = [c for c in row if c["text"].strip()] or row
        lines.append(PdfLine(
            text=text,
            x0=min(c["x0"] for c in visible),
            x1=max(c["x1"] for c in visible),
            top=min(c["top"] for c in visible),
            bottom=max(c["bottom"] for c in visible),
            size=statistics.median(c.get("size") or (c["bottom"] - c["top"]) for c in visible),
            page=page,
            font_start=_font(visible[0]),
            font_end=_font(visible[-1]),
        ))
    return lines


# --- page furniture -----------------------------------------------------------------------------

def _squeeze(text: str) -> str:
    return compact(unicodedata.normalize("NFKC", text))


def _is_page_number(text: str) -> bool:
    return PAGE_NUMBER.fullmatch(_squeeze(text)) is not None


def _pitch(pages: list[list[PdfLine]]) -> float:
    """The usual distance between the tops of consecutive lines."""
    gaps = [b.top - a.top for lines in pages for a, b in pairwise(lines) if b.top > a.top]
    return statistics.median(gaps) if gaps else 0.0


def _edges(lines: list[PdfLine]) -> list[tuple[int, PdfLine]]:
    """The first two and last two lines of a page, with their index."""
    picked = sorted({*range(min(2, len(lines))), *range(max(0, len(lines) - 2), len(lines))})
    return [(i, lines[i]) for i in picked]


def remove_furniture(pages: list[list[PdfLine]]) -> list[list[PdfLine]]:
    """Drop page numbers and repeated headers/footers (see the module docstring)."""
    pitch = _pitch(pages)
    drop: set[tuple[int, int]] = set()  # (page index, line index)
    for p, lines in enumerate(pages):
        for i, line in _edges(lines):
            if not _is_page_number(line.text):
                continue
            neighbours = [lines[j] for j in (i - 1, i + 1) if 0 <= j < len(lines)]
            if not pitch or all(abs(n.top - line.top) > 1.3 * pitch for n in neighbours):
                drop.add((p, i))
    if len(pages) >= 2:
        seen: dict[str, list[tuple[int, int, float]]] = {}
        for p, lines in enumerate(pages):
            for i, line in _edges(lines):
                key = re.sub(r"\d+", "#", _squeeze(line.text))
                seen.setdefault(key, []).append((p, i, line.top))
        needed = max(2, math.ceil(len(pages) / 2))
        for places in seen.values():
            tops = Counter(round(top / 4) for _, _, top in places)
            common, count = tops.most_common(1)[0]
            if len({p for p, _, _ in places}) < needed or count < needed:
                continue
            for p, i, top in places:
                if abs(round(top / 4) - common) <= 1:
                    drop.add((p, i))
    return [[line for i, line in enumerate(lines) if (p, i) not in drop] for p, lines in enumerate(pages)]


# --- paragraphs ---------------------------------------------------------------------------------

def _left_edge(lines: list[PdfLine]) -> float:
    starts = Counter(round(line.x0) for line in lines)
    return float(min(starts, key=lambda x: (-starts[x], x)))


def _right_edge(lines: list[PdfLine], left: float) -> float:
    ends = sorted(line.x1 for line in lines if line.x0 <= left + 3 * line.size)
    if not ends:
        return max(line.x1 for line in lines)
    return ends[min(len(ends) - 1, int(0.9 * len(ends)))]


def _join(before: str, after: str) -> str:
    """Two pieces of one paragraph: no space in Chinese or inside a number, a space between two Latin words."""
    if before and after and before[-1].isascii() and before[-1].isalpha() and after[0].isascii() and after[0].isalpha():
        return before + " " + after
    return before + after


def paragraphs(lines: list[PdfLine]) -> list[str]:
    """Body lines in reading order → one string per paragraph (see the module docstring)."""
    if not lines:
        return []
    left = _left_edge(lines)
    right = _right_edge(lines, left)
    uses_indent = sum(1 for line in lines if 1.5 * line.size <= line.x0 - left <= 2.6 * line.size) >= 2
    steps = [b.top - a.top for a, b in pairwise(lines) if a.page == b.page and b.top > a.top]
    pitch = statistics.median(steps) if steps else 0.0

    def continues(before: PdfLine, after: PdfLine) -> bool:
        ends_sentence = SENTENCE_END.search(before.text.rstrip()) is not None
        starts = after.text.strip()
        return not (
            find_marker(starts) is not None  # a heading marker starts a new line
            or before.x0 > left + 2.6 * before.size  # centred or right-aligned: a line of its own
            or before.x1 < right - RIGHT_SLACK * before.size  # the line did not run to the margin
            or after.x0 > left + INDENT_MIN * after.size  # the next line is indented: a new paragraph
            or (ends_sentence and not uses_indent)  # without indents, a sentence end at the margin ends it
            or (not ends_sentence and LEAD_IN_START.match(starts))  # 一是 after an unfinished line
            or _font_changes(before.font_end, after.font_start)  # heading type → body type
            or (pitch and before.page == after.page and after.top - before.top > PARAGRAPH_GAP * pitch)
        )

    out: list[str] = [lines[0].text.strip()]
    for before, after in pairwise(lines):
        if continues(before, after):
            out[-1] = _join(out[-1], after.text.strip())
        else:
            out.append(after.text.strip())
    return out


# --- reading ------------------------------------------------------------------------------------

def _cause(err: Exception) -> Exception:
    from pdfplumber.utils.exceptions import PdfminerException  # loaded only to read a PDF (slow to import)

    if isinstance(err, PdfminerException) and err.args and isinstance(err.args[0], Exception):
        return err.args[0]
    return err


def _raise_for(err: Exception) -> NoReturn:
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect  # as above

    cause = _cause(err)
    if isinstance(cause, (PDFPasswordIncorrect, PDFEncryptionError)):
        raise ReadError("encrypted", "PDF 文件已加密（需要密码才能打开），无法读取；请提供未加密的文件") from err
    raise ReadError("broken-file",
                    f"PDF 文件已损坏，无法读取（{type(cause).__name__}: {cause}）；"
                    "请重新导出 PDF 或提供 Word 文件") from err


def pdf_pages(data: bytes) -> list[list[PdfLine]]:
    """The lines of every page, or ReadError."""
    import pdfplumber  # a runtime dependency only for PDF input

    pages: list[list[PdfLine]] = []
    image_pages: list[int] = []
    unmapped: dict[int, int] = {}
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:  # an empty user password is tried (pdfminer)
            if len(pdf.pages) > MAX_PAGES:
                raise ReadError("too-large", f"PDF 有 {len(pdf.pages)} 页，超过上限 {MAX_PAGES} 页，未读取；"
                                             "一份年度报告通常不到 50 页，请检查是否放错了文件")
            for number, page in enumerate(pdf.pages, start=1):
                chars = [c for c in page.dedupe_chars().chars if c.get("text")]
                bad = [c for c in chars if c["text"].startswith("(cid:")]
                if bad:
                    unmapped[number] = len(bad)
                if not [c for c in chars if c["text"].strip()] and (page.images or page.curves):
                    image_pages.append(number)
                pages.append(page_lines(chars, number))
                page.close()
    except ReadError:
        raise
    except Exception as err:  # a malformed PDF makes pdfminer fail in many ways; each is a broken file
        _raise_for(err)
    if unmapped:
        where = "、".join(f"第 {page} 页 {count} 个" for page, count in sorted(unmapped.items()))
        raise ReadError("unmapped-glyph",
                        f"PDF 中有字无法识别（{where}）：字体没有 Unicode 映射，复制出来是乱码；"
                        "请提供 Word 文件，或导出时嵌入字体")
    has_text = any(pages)
    if image_pages:
        if not has_text:
            raise ReadError("scanned-pdf", SCANNED_MESSAGE)
        listed = "、".join(str(p) for p in image_pages)
        raise ReadError("scanned-pdf",
                        f"第 {listed} 页是扫描图片，没有文字层；OCR 不在本工具范围内，请提供文字版 PDF 或 Word 文件")
    if not has_text:
        raise ReadError("empty", "PDF 中没有文字")
    return pages


def pdf_lines(pages: list[list[PdfLine]]) -> list[SourceLine]:
    body = [line for lines in remove_furniture(pages) for line in lines]
    out: list[SourceLine] = []
    for number, text in enumerate(paragraphs(body), start=1):
        out.extend((SourceLine(number, ""), SourceLine(number, text)))
    return out


def source_from_pdf(name: str, data: bytes) -> SourceText:
    """Read the bytes of a PDF named ``name``. Raises ReadError."""
    if not data:
        raise ReadError("empty", "文件为空（0 字节）")
    if b"%PDF-" not in data[:1024]:
        raise ReadError("broken-file", "不是 PDF 文件（文件开头没有 %PDF 标记），可能已损坏或扩展名有误")
    lines = pdf_lines(pdf_pages(data))
    return source_from_lines(name, data, "pdf", lines, "PDF 中只有页码或页眉页脚，没有正文")


def read_pdf(path: Path) -> SourceText:
    """Read one PDF report. Raises ReadError for anything that cannot be published faithfully."""
    return source_from_pdf(path.name, path.read_bytes())
