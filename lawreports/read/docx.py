"""Stage 1 for Word files: a ``.docx`` → the same :class:`SourceText` the text reader produces.

The rest of the pipeline (parse → render) does not know the report came from Word. What a line is:

* **A paragraph is a line**, in document order, after a blank line (so the parser never mistakes
  two Word paragraphs for a hard-wrapped one). A manual line break inside a paragraph (Shift+Enter,
  ``w:br``/``w:cr``) also ends a line, without a blank line. ``SourceLine.number`` is the paragraph's
  1-based position among all paragraphs of the document (table cells and text boxes included), so
  a message can say 第 N 段; the blank line before a paragraph and the pieces of a paragraph broken
  by manual line breaks share its number (numbers are not unique, the text is last).
* **Automatic list numbers** (``一、`` ``（一）`` from ``numbering.xml``) are rendered by
  :mod:`lawreports.read.numbering` and put in front of the paragraph text, as Word shows them.
* **A table row is a line** ``| 单元格 | 单元格 |`` (cells in order, a cell's paragraphs joined by a
  space, merged cells once): every character kept, readable as written, and a row never starts with
  a heading marker. The renderer escapes ``|``, so it shows as text; a real table can come later.
* Word heading styles (标题 1 / Heading 1) add nothing: a heading's number is its typed marker or its
  list number; a styled heading without either is a line like any other.
* Text boxes (``w:txbxContent``) become lines after the paragraph that anchors them; deleted text
  (tracked changes), field codes, hidden text (``w:vanish`` on a run, in its character style or in
  its paragraph's style) and footnote reference marks are not text a reader sees and are left out.
* The document's title property is used only when none of the first three lines names a report
  (contains 报告) and the property does: it becomes the first line.

Errors are :class:`ReadError` with Chinese messages: a broken or non-Word file (``broken-file``), an
encrypted file (``encrypted``), one that would unpack to more than :data:`MAX_UNPACKED` or holds more
than :data:`MAX_MEMBERS` parts (``too-large``), an old ``.doc`` renamed (``unsupported-format``), a file without
text (``empty``) and characters that cannot be published (``bad-character``, as for text).
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ..model import SourceLine, SourceText
from ..text import one_space
from .base import LINE_END, ReadError, size_text, source_from_lines
from .numbering import WordNumbering

if TYPE_CHECKING:  # for annotations only: python-docx and lxml are imported when a file is opened
    from docx.document import Document
    from lxml.etree import _Element

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
#: An OLE compound file: an old ``.doc`` or an encrypted Office file.
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")

#: Inline elements whose content a reader does not see.
SKIPPED = {"delText", "instrText", "delInstrText", "del", "moveFrom", "rPr", "pPr", "sdtPr", "sdtEndPr",
           "footnoteReference", "endnoteReference", "commentReference", "annotationRef", "rt",
           "footnoteRef", "endnoteRef", "separator", "continuationSeparator", "fldData", "bookmarkStart",
           "bookmarkEnd", "proofErr", "lastRenderedPageBreak", "softHyphen"}
#: Inline elements that hold drawings, whose text boxes become lines of their own.
DRAWINGS = {"drawing", "pict", "object"}
REPORT_WORD = re.compile(r"报告")
#: The most a ``.docx`` may unpack to (the sum of its members' sizes, read from the zip directory
#: before anything is unpacked): a report with pictures unpacks to a few MB; a zip bomb (a few KB
#: that unpack to GB) is refused without being unpacked.
MAX_UNPACKED = 100 * 2**20
#: The most members a ``.docx`` may hold (a Word file has 10–50).
MAX_MEMBERS = 10_000


def _local(element: _Element) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _ns(element: _Element) -> str:
    tag = element.tag
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else ""


class _Lines:
    """Collects the document's lines while walking the body in order."""

    def __init__(self, numbering: WordNumbering, hidden_styles: frozenset[str] = frozenset()):
        self.numbering = numbering
        self.hidden_styles = hidden_styles
        self.paragraphs = 0
        self.lines: list[SourceLine] = []

    def add(self, number: int, text: str) -> None:
        """One paragraph's text after a blank line; each manual line break ends a line."""
        self.lines.append(SourceLine(number, ""))
        for piece in LINE_END.split(text):
            self.lines.append(SourceLine(number, piece))

    # blocks

    def blocks(self, parent: Iterable[_Element]) -> None:
        for child in parent:
            name, ns = _local(child), _ns(child)
            if ns == MC and name == "AlternateContent":
                self.blocks(_choice(child))
            elif ns != W:
                continue
            elif name == "p":
                number, text, boxes = self.paragraph(child)
                self.add(number, text)
                for box in boxes:
                    self.blocks(box)
            elif name == "tbl":
                self.table(child)
            elif name in ("sdt", "customXml", "ins", "moveTo"):
                inner = child.find(f"{{{W}}}sdtContent") if name == "sdt" else child
                if inner is not None:
                    self.blocks(inner)
            elif name == "altChunk":
                raise ReadError("unsupported-content",
                                "Word 文件中嵌入了外部文档（altChunk），其中的文字无法读取；"
                                "请在 Word 中打开后重新保存为 .docx")

    def paragraph(self, p: _Element) -> tuple[int, str, list[_Element]]:
        """(number, text with its list number in front, text boxes anchored in it)."""
        self.paragraphs += 1
        number = self.paragraphs
        label = self.numbering.label(p)
        out: list[str] = []
        boxes: list[_Element] = []
        style = p.find(f"{{{W}}}pPr/{{{W}}}pStyle")
        hidden = style is not None and style.get(f"{{{W}}}val") in self.hidden_styles
        _inline(p, out, boxes, self.hidden_styles, hidden)
        text = "".join(out)
        if label is not None and label.text:
            text = label.prefix + text.lstrip()
        return number, text, boxes

    def table(self, tbl: _Element) -> None:
        for row in _children(tbl, "tr"):
            if row.find(f"{{{W}}}trPr/{{{W}}}del") is not None:
                continue  # a deleted row (tracked change)
            cells: list[str] = []
            first: int | None = None
            for cell in _children(row, "tc"):
                texts: list[str] = []
                for number, text in self.cell(cell):
                    first = first or number
                    if text.strip():
                        texts.append(one_space(text))
                cells.append(" ".join(texts))
            if any(cells):
                self.add(first or self.paragraphs, "| " + " | ".join(cells) + " |")

    def cell(self, container: _Element) -> Iterator[tuple[int, str]]:
        """(number, text) of each paragraph of a cell (or a text box in it), nested tables included."""
        for child in _block_children(container):
            if _local(child) == "p":
                number, text, boxes = self.paragraph(child)
                yield number, text
                for box in boxes:
                    yield from self.cell(box)
            else:
                for row in _children(child, "tr"):
                    for inner_cell in _children(row, "tc"):
                        yield from self.cell(inner_cell)


def _choice(alternate: _Element) -> Iterable[_Element]:
    """The first ``mc:Choice`` of an ``mc:AlternateContent`` (an ``mc:Fallback`` repeats the same
    content for older readers, so only one of them is read)."""
    for tag in (f"{{{MC}}}Choice", f"{{{MC}}}Fallback"):
        found = alternate.find(tag)
        if found is not None:
            return found
    return []


def _children(parent: Iterable[_Element], name: str) -> Iterator[_Element]:
    """Children named ``w:name``, looking through content controls and tracked insertions."""
    for child in parent:
        local = _local(child)
        if _ns(child) != W:
            continue
        if local == name:
            yield child
        elif local in ("sdt", "customXml", "ins", "moveTo"):
            inner = child.find(f"{{{W}}}sdtContent") if local == "sdt" else child
            if inner is not None:
                yield from _children(inner, name)


def _block_children(parent: Iterable[_Element]) -> Iterator[_Element]:
    """Paragraphs and tables of a cell or text box, in order."""
    for child in parent:
        local = _local(child)
        if _ns(child) == MC and local == "AlternateContent":
            yield from _block_children(_choice(child))
        elif _ns(child) != W:
            continue
        elif local in ("p", "tbl"):
            yield child
        elif local in ("sdt", "customXml", "ins", "moveTo"):
            inner = child.find(f"{{{W}}}sdtContent") if local == "sdt" else child
            if inner is not None:
                yield from _block_children(inner)


def _vanish(r_pr: _Element | None) -> bool | None:
    """What a run-properties element says of hidden text: True, False (``w:val="false"``) or None."""
    vanish = r_pr.find(f"{{{W}}}vanish") if r_pr is not None else None
    if vanish is None:
        return None
    return vanish.get(f"{{{W}}}val", "true") not in ("false", "0", "off")


def _hidden(run: _Element, hidden_styles: frozenset[str] = frozenset(), paragraph_hidden: bool = False) -> bool:
    """Hidden text: ``w:vanish`` on the run, else in its character style (``w:rStyle``), else in the
    paragraph's style."""
    r_pr = run.find(f"{{{W}}}rPr")
    direct = _vanish(r_pr)
    if direct is not None:
        return direct
    style = r_pr.find(f"{{{W}}}rStyle") if r_pr is not None else None
    if style is not None and style.get(f"{{{W}}}val") in hidden_styles:
        return True
    return paragraph_hidden


def hidden_styles(styles: _Element | None) -> frozenset[str]:
    """Ids of the styles whose text is hidden (``w:vanish`` in the style or in a style it is based on)."""
    if styles is None:
        return frozenset()
    own: dict[str, bool | None] = {}
    based: dict[str, str] = {}
    for style in styles.iter(f"{{{W}}}style"):
        style_id = style.get(f"{{{W}}}styleId")
        if not style_id:
            continue
        own[style_id] = _vanish(style.find(f"{{{W}}}rPr"))
        parent = style.find(f"{{{W}}}basedOn")
        if parent is not None and parent.get(f"{{{W}}}val"):
            based[style_id] = str(parent.get(f"{{{W}}}val"))
    hidden = set()
    for style_id in own:
        seen: set[str] = set()
        current: str | None = style_id
        while current is not None and current not in seen:  # a loop of basedOn ends here
            seen.add(current)
            value = own.get(current)
            if value is not None:
                if value:
                    hidden.add(style_id)
                break
            current = based.get(current)
    return frozenset(hidden)


def _inline(element: Iterable[_Element], out: list[str], boxes: list[_Element],
            hidden_styles: frozenset[str] = frozenset(), paragraph_hidden: bool = False) -> None:
    """The visible text of a paragraph's content, in order; text boxes are collected in ``boxes``."""
    for child in element:
        name, ns = _local(child), _ns(child)
        if ns == MC:
            if name == "AlternateContent":
                _inline(_choice(child), out, boxes, hidden_styles, paragraph_hidden)
            continue
        if name in SKIPPED:
            continue
        if name == "t":
            out.append(child.text or "")
        elif name in ("tab", "ptab"):
            out.append("\t")
        elif name in ("br", "cr"):
            out.append("\n")
        elif name == "noBreakHyphen":
            out.append("\u2011")
        elif name == "sym":
            code = child.get(f"{{{W}}}char")
            if code is None:
                continue
            try:
                out.append(chr(int(code, 16)))
            except ValueError:  # not hexadecimal, or not a code point
                continue
        elif name in DRAWINGS:
            boxes.extend(_text_boxes(child))
        elif name == "r" and _hidden(child, hidden_styles, paragraph_hidden):
            continue
        else:
            _inline(child, out, boxes, hidden_styles, paragraph_hidden)


def _text_boxes(drawing: _Element) -> list[_Element]:
    """``w:txbxContent`` elements of a drawing, not counting the VML fallback copies."""
    found: list[_Element] = []
    stack = [drawing]
    while stack:
        node = stack.pop()
        for child in reversed(list(node)):
            if _ns(child) == MC and _local(child) == "Fallback":
                continue
            if _ns(child) == W and _local(child) == "txbxContent":
                found.append(child)
                continue
            stack.append(child)
    return found


def _open(data: bytes) -> Document:
    """The python-docx Document, or ReadError for what is not a readable .docx."""
    if not data:
        raise ReadError("empty", "文件为空（0 字节）")
    if data.startswith(OLE_MAGIC):
        if ENCRYPTED_STREAM in data:
            raise ReadError("encrypted", "Word 文件已加密（设置了打开密码），无法读取；请取消密码后重新保存为 .docx")
        raise ReadError("unsupported-format",
                        "这是旧版 Word（.doc）或 WPS 文件，只是扩展名为 .docx；请在 Word 或 WPS 中打开后另存为 .docx")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ReadError("broken-file", "不是有效的 Word（.docx）文件，文件可能已损坏或不完整；"
                                       "请在 Word 中打开后重新保存为 .docx")
    _check_unpacked_size(data)
    import docx  # a runtime dependency only for Word input
    from docx.opc.exceptions import PackageNotFoundError
    from lxml import etree

    try:
        document = docx.Document(io.BytesIO(data))
        document.element.body  # noqa: B018 - parse the main part now, inside the try
    except (PackageNotFoundError, zipfile.BadZipFile, zlib.error, EOFError, KeyError, ValueError, AttributeError,
            NotImplementedError, etree.XMLSyntaxError) as err:
        raise ReadError("broken-file",
                        f"Word 文件已损坏或不是 Word 文档，无法读取（{type(err).__name__}: {err}）；"
                        "请在 Word 中打开后重新保存为 .docx") from err
    return document


def _check_unpacked_size(data: bytes) -> None:
    """Refuse a ``.docx`` whose members would unpack to more than :data:`MAX_UNPACKED` (read from the
    zip directory; Python's zipfile never unpacks more than a member's recorded size)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError) as err:
        raise ReadError("broken-file", f"Word 文件已损坏，无法读取（{type(err).__name__}）；"
                                       "请在 Word 中打开后重新保存为 .docx") from err
    if len(members) > MAX_MEMBERS:
        raise ReadError("too-large", f"Word 文件中有 {len(members)} 个部件，超过上限 {MAX_MEMBERS}，未读取；"
                                     "这不像正常的 Word 文件，请在 Word 中打开后重新保存为 .docx")
    total = sum(member.file_size for member in members)
    if total > MAX_UNPACKED:
        raise ReadError("too-large", f"Word 文件解压后有 {size_text(total)}，超过上限 {size_text(MAX_UNPACKED)}，"
                                     "未读取（可能是压缩炸弹，或插入了过多过大的图片）；请删除大图片后重新保存")


def _parts(document: Document) -> tuple[_Element | None, _Element | None]:
    """The ``w:numbering`` and ``w:styles`` elements, or None where the document has none (looked up
    by relationship: python-docx's own accessors would add default parts)."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT  # python-docx: loaded only to read Word

    found: list[_Element | None] = []
    for relationship in (RT.NUMBERING, RT.STYLES):
        try:
            part = document.part.part_related_by(relationship)
        except (KeyError, AttributeError):
            part = None
        # only an XML part has an element (python-docx loads a part of unknown content type as bytes)
        found.append(getattr(part, "element", None))
    return found[0], found[1]


def docx_lines(document: Document) -> list[SourceLine]:
    """The lines of an opened document (see the module docstring)."""
    numbering, styles = _parts(document)
    lines = _Lines(WordNumbering(numbering, styles), hidden_styles(styles))
    lines.blocks(document.element.body)
    title = (document.core_properties.title or "").strip()
    first = [line.text for line in lines.lines if line.text.strip()][:3]
    if title and REPORT_WORD.search(title) and first and not any(REPORT_WORD.search(text) for text in first):
        lines.lines[:0] = [SourceLine(1, ""), SourceLine(1, one_space(title))]
    return lines.lines


def source_from_docx(name: str, data: bytes) -> SourceText:
    """Read the bytes of a ``.docx`` named ``name``. Raises ReadError."""
    document = _open(data)
    lines = docx_lines(document)
    return source_from_lines(name, data, "docx", lines, "Word 文件中没有文字")


def read_docx(path: Path) -> SourceText:
    """Read one ``.docx`` report. Raises ReadError for anything that cannot be published faithfully."""
    return source_from_docx(path.name, path.read_bytes())
