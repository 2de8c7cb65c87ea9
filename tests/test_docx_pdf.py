"""Word and PDF input (issue #9): a report as a .docx or a .pdf reads to the same report as its .txt.

Fixtures are made here from the seeds (no binary files in the repository): python-docx writes a
.docx with typed markers and one whose ``一、``/``（一）`` come from Word's automatic list numbering
(numbering.xml written with python-docx's low-level XML API); reportlab writes a PDF in its built-in
CID font STSong-Light with wrapped lines, a repeated header and page-number footers. Each is parsed
and compared with the .txt: title, agency, year, date, sections, parts and every non-whitespace
character of the body in order. Numbering rules are cases in tests/cases/numbering/cases.yml.

Run: .venv/bin/python -m pytest tests/test_docx_pdf.py -q
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
import yaml

docx = pytest.importorskip("docx")
pytest.importorskip("pdfplumber")
pytest.importorskip("reportlab")

from docx.enum.text import WD_ALIGN_PARAGRAPH  # noqa: E402
from docx.oxml import OxmlElement  # noqa: E402
from docx.oxml.ns import qn  # noqa: E402
from lxml import etree  # noqa: E402
from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.pdfbase import pdfmetrics  # noqa: E402
from reportlab.pdfbase.cidfonts import UnicodeCIDFont  # noqa: E402
from reportlab.pdfgen import canvas  # noqa: E402

from lawreports.model import Heading, SourceText  # noqa: E402
from lawreports.parse import parse_report  # noqa: E402
from lawreports.parse.lines import find_marker  # noqa: E402
from lawreports.read import ReadError, read_source  # noqa: E402
from lawreports.read.docx import read_docx  # noqa: E402
from lawreports.read.numbering import WordNumbering, format_number  # noqa: E402
from lawreports.read.pdf import read_pdf  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
CASES = yaml.safe_load((ROOT / "tests" / "cases" / "numbering" / "cases.yml").read_text(encoding="utf-8"))
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))


# --- the seeds as paragraphs ----------------------------------------------------------------------

@dataclass(frozen=True)
class Item:
    """One paragraph of a seed, as an officer's Word file or PDF would hold it."""

    kind: str  #: title | body | signature | heading
    text: str  #: the stripped line
    marker: str | None = None  #: the heading's marker kind (cn, paren-cn, …)
    marker_text: str = ""  #: the marker as written, e.g. （一）


#: Characters reportlab's built-in STSong-Light cannot write from their own code point (its
#: UniGB-UCS2-H CMap has no code for U+00B7, so the PDF would hold an empty glyph), with the code
#: point that reaches the same Adobe-GB1 glyph. pdfminer reads that glyph back as U+00B7, so the PDF
#: tests still compare with the unchanged .txt.
PDF_FONT_SUBSTITUTES = str.maketrans({"·": "・"})


def seed_source(seed: Path, pdf_font: bool = False) -> SourceText:
    source = read_source(seed)
    if not pdf_font:
        return source
    return replace(source, lines=tuple(replace(line, text=line.text.translate(PDF_FONT_SUBSTITUTES))
                                       for line in source.lines))


def seed_items(seed: Path, pdf_font: bool = False) -> list[Item]:
    source = seed_source(seed, pdf_font)
    report = parse_report(source)
    lines = [(line.number, line.text.strip()) for line in source.lines if line.text.strip()]
    title_count = len(report.title_lines) if report.title_line else 0
    signature_count = len(report.signature.lines) if report.signature else 0
    heading_lines = {h.line: h for h in report.headings if h.marker}
    items = []
    for index, (number, text) in enumerate(lines):
        if index < title_count:
            items.append(Item("title", text))
        elif index >= len(lines) - signature_count:
            items.append(Item("signature", text))
        elif number in heading_lines and text.startswith(heading_lines[number].marker.text):
            marker = heading_lines[number].marker
            items.append(Item("heading", text, marker.kind, marker.text))
        else:
            items.append(Item("body", text))
    return items


def body_text(report) -> str:
    return "".join("".join((b.title if isinstance(b, Heading) else b.text).split()) for b in report.body)


def facts(report) -> dict:
    return {
        "title": report.title,
        "agency": report.agency,
        "year": report.year,
        "written": report.written,
        "sections": [(h.level, h.title) for h in report.headings],
        "parts": report.parts,
        "body": body_text(report),
        "signature": report.signature.lines if report.signature else None,
    }


# --- writing .docx fixtures ---------------------------------------------------------------------

def w(tag: str, **attrs) -> OxmlElement:
    element = OxmlElement(tag)
    for key, value in attrs.items():
        element.set(qn(f"w:{key}"), str(value))
    return element


def level_xml(ilvl: int, fmt: str | None = None, text: str | None = None, start: int | None = None,
              restart: int | None = None, suff: str | None = None, legal: bool = False, style: str | None = None):
    lvl = w("w:lvl", ilvl=ilvl)
    if start is not None:
        lvl.append(w("w:start", val=start))
    if fmt is not None:
        lvl.append(w("w:numFmt", val=fmt))
    if restart is not None:
        lvl.append(w("w:lvlRestart", val=restart))
    if style is not None:
        lvl.append(w("w:pStyle", val=style))
    if legal:
        lvl.append(w("w:isLgl"))
    if suff is not None:
        lvl.append(w("w:suff", val=suff))
    if text is not None:
        lvl.append(w("w:lvlText", val=text))
    return lvl


def add_list(numbering, abstract_id: int, levels: list[dict], num_ids: list[int]) -> None:
    """An abstractNum with ``levels`` and ``w:num`` instances of it, in schema order."""
    abstract = w("w:abstractNum", abstractNumId=abstract_id)
    abstract.append(w("w:multiLevelType", val="hybridMultilevel"))
    for ilvl, level in enumerate(levels):
        abstract.append(level_xml(ilvl, **level))
    first_num = numbering.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)
    for num_id in num_ids:
        num = w("w:num", numId=num_id)
        num.append(w("w:abstractNumId", val=abstract_id))
        numbering.append(num)


def set_num(paragraph, num_id: int | None = None, ilvl: int | None = None) -> None:
    num_pr = w("w:numPr")
    if ilvl is not None:
        num_pr.append(w("w:ilvl", val=ilvl))
    if num_id is not None:
        num_pr.append(w("w:numId", val=num_id))
    paragraph._p.get_or_add_pPr().append(num_pr)


def write_docx(items: list[Item], path: Path, auto_numbering: bool = False) -> Path:
    """The seed as a Word file. With ``auto_numbering`` the 一、/（一） markers are not typed: level-1
    headings take them from their style (a numbered heading style), level-2 headings from their own
    numPr with another numId of the same abstractNum, as Word writes one outline list."""
    document = docx.Document()
    if auto_numbering:
        numbering = document.part.numbering_part.element
        add_list(numbering, 90, [dict(fmt="chineseCounting", text="%1、", start=1, suff="nothing"),
                                 dict(fmt="chineseCounting", text="（%2）", start=1, suff="nothing")], [91, 92])
        style = document.styles.add_style("报告一级标题", 1)  # WD_STYLE_TYPE.PARAGRAPH
        style.base_style = document.styles["Heading 1"]
        style_pr = style.element.get_or_add_pPr()
        num_pr = w("w:numPr")
        num_pr.append(w("w:numId", val=91))
        style_pr.append(num_pr)
    for item in items:
        if item.kind == "heading" and auto_numbering and item.marker in ("cn", "paren-cn"):
            text = item.text[len(item.marker_text):]
            if item.marker == "cn":
                paragraph = document.add_paragraph(text, style="报告一级标题")
            else:
                paragraph = document.add_paragraph(text, style="Heading 2")
                set_num(paragraph, 92, 1)
        elif item.kind == "heading":
            paragraph = document.add_paragraph(item.text, style="Heading 1" if item.marker == "cn" else "Heading 2")
        else:
            paragraph = document.add_paragraph(item.text)
        if item.kind == "title":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif item.kind == "signature":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    document.save(path)
    return path


# --- writing PDF fixtures -----------------------------------------------------------------------

def wrap(text: str, width: float, size: float, indent: float) -> list[str]:
    """Greedy line breaking by glyph widths, as a word processor lays out Chinese text."""
    lines, current = [], ""
    available = width - indent
    for char in text:
        if current and pdfmetrics.stringWidth(current + char, FONT, size) > available:
            lines.append(current)
            current, available = "", width
        current += char
    if current:
        lines.append(current)
    return lines


def write_pdf(items: list[Item], path: Path, footer=lambda n: f"- {n} -", header: str | None = "法治政府建设年度报告",
              size: float = 14, encrypt: str | None = None, indent: int = 2, heading_size: float | None = None,
              space_after: float = 0) -> Path:
    """The seed as a PDF: centred title, body in ``size`` points with first lines indented by ``indent``
    characters, headings in ``heading_size``, ``space_after`` points between paragraphs, a right-aligned
    signature, a header and a footer on every page."""
    page_width, page_height = A4
    margin = 72
    width = page_width - 2 * margin
    pdf = canvas.Canvas(str(path), pagesize=A4, encrypt=encrypt)
    state = {"page": 1, "y": page_height - margin}

    def furniture():
        if header:
            pdf.setFont(FONT, 9)
            pdf.drawCentredString(page_width / 2, page_height - 40, header)
        if footer:
            pdf.setFont(FONT, 10)
            pdf.drawCentredString(page_width / 2, 36, footer(state["page"]))

    def line(text: str, font_size: float, x: float | None = None, align: str = "left"):
        if state["y"] < margin:
            furniture()
            pdf.showPage()
            state["page"] += 1
            state["y"] = page_height - margin
        pdf.setFont(FONT, font_size)
        if align == "center":
            pdf.drawCentredString(page_width / 2, state["y"], text)
        elif align == "right":
            pdf.drawRightString(page_width - margin, state["y"], text)
        else:
            pdf.drawString(x, state["y"], text)
        state["y"] -= font_size * 1.6

    for item in items:
        if item.kind == "title":
            line(item.text, 18, align="center")
        elif item.kind == "signature":
            line(item.text, size, align="right")
        else:
            font_size = heading_size or size if item.kind == "heading" else size
            for index, piece in enumerate(wrap(item.text, width, font_size, indent * font_size)):
                line(piece, font_size, x=margin + (indent * font_size if index == 0 else 0))
            state["y"] -= space_after
    furniture()
    pdf.showPage()
    pdf.save()
    return path


# --- conversions match the text -----------------------------------------------------------------

@pytest.mark.parametrize("seed", SEEDS, ids=[s.stem for s in SEEDS])
@pytest.mark.parametrize("variant", ["typed", "auto-numbering"])
def test_docx_reads_like_the_text(seed, variant, tmp_path):
    expected = facts(parse_report(read_source(seed)))
    path = write_docx(seed_items(seed), tmp_path / f"{seed.stem}.docx", auto_numbering=variant == "auto-numbering")
    source = read_docx(path)
    assert source.encoding == "docx" and source.name == path.name and source.size == path.stat().st_size
    got = facts(parse_report(source))
    assert got == expected


def test_auto_numbering_fixture_has_no_typed_markers(tmp_path):
    """The auto-numbering fixture really moves the markers out of the text into numbering.xml."""
    seed = SEEDS[0]
    path = write_docx(seed_items(seed), tmp_path / "n.docx", auto_numbering=True)
    texts = [p.text for p in docx.Document(path).paragraphs]
    assert "2023年推进法治政府建设的主要举措和成效" in texts
    assert not any(text.startswith(("一、", "（一）")) for text in texts)
    numbered = [line.text for line in read_docx(path).lines if line.text.startswith(("一、", "（一）", "（三）", "四、"))]
    assert numbered[:2] == ["一、2023年推进法治政府建设的主要举措和成效", "（一）坚持思想引领，深入学习宣传贯彻习近平法治思想"]


@pytest.mark.parametrize("seed", SEEDS, ids=[s.stem for s in SEEDS])
def test_pdf_reads_like_the_text(seed, tmp_path):
    expected = facts(parse_report(read_source(seed)))
    path = write_pdf(seed_items(seed, pdf_font=True), tmp_path / f"{seed.stem}.pdf")
    source = read_pdf(path)
    assert source.encoding == "pdf" and source.name == path.name
    text = "\n".join(line.text for line in source.lines)
    assert "法治政府建设年度报告" not in text.replace("法治政府建设年度报告\n", "")  # header removed
    assert "- 2 -" not in text
    got = facts(parse_report(source))
    assert got == expected


LAYOUTS = {
    "block-12pt": dict(indent=0, size=12),
    "block-16pt": dict(indent=0, size=16),  # 三号: headings that fill their line, then 一是…
    "block-18pt": dict(indent=0, size=18),
    "indent-10.5pt": dict(size=10.5),
    "indent-16pt-spaced": dict(size=16, space_after=8),
    "block-15pt-bigger-headings": dict(indent=0, size=15, heading_size=16),
    "block-15pt-spaced": dict(indent=0, size=15, space_after=10),
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
@pytest.mark.parametrize("seed", SEEDS, ids=[s.stem for s in SEEDS])
def test_pdf_layouts(seed, layout, tmp_path):
    """Other layouts an office uses: block paragraphs, 三号 type, space between paragraphs, larger
    headings. Each signal that ends a paragraph is exercised (see read_pdf's docstring)."""
    path = write_pdf(seed_items(seed, pdf_font=True), tmp_path / "b.pdf", **LAYOUTS[layout])
    assert facts(parse_report(read_pdf(path))) == facts(parse_report(read_source(seed)))


#: Body lines of 29 characters (a full line at 14 pt) and a last line ending the sentence.
BODY = ("以法治政府示范创建为契机，全面推进我区法治政府建设实施纲要贯", "彻落实，督促全区各相关单位完成法治政府建设情况报告公示工作，",
        "并在区政府网站公开。")
HEADINGS = {"font-size": "（一）统筹推进法治政府建设全面推进依法行政工作体制机制", "space-before-body": "（一）统筹推进法治政府建设全面推进依法行政工作机制建设情况"}


@pytest.mark.parametrize("signal", sorted(HEADINGS))
def test_pdf_heading_filling_its_line(signal, tmp_path):
    """A heading that runs to the right margin, then body text not opening with 一是, in a layout
    without indents: only the change of type size, or the space between paragraphs, tells them apart."""
    heading = HEADINGS[signal]
    path = tmp_path / "h.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    y = 700
    pdf.setFont(FONT, 16 if signal == "font-size" else 14)
    pdf.drawString(72, y, heading)
    y -= 22.4 * (2 if signal == "space-before-body" else 1)
    pdf.setFont(FONT, 14)
    for text in BODY:
        pdf.drawString(72, y, text)
        y -= 22.4
    pdf.showPage()
    pdf.save()
    assert [line.text for line in read_pdf(path).lines if line.text] == [heading, "".join(BODY)]


@pytest.mark.parametrize("footer", [lambda n: f"第 {n} 页", lambda n: str(n), lambda n: f"— {n} —",
                                    lambda n: f"第{n}页 共9页", None], ids=["di-ye", "bare", "dash", "di-gong", "none"])
def test_pdf_page_numbers_removed(footer, tmp_path):
    seed = SEEDS[4]
    path = write_pdf(seed_items(seed, pdf_font=True), tmp_path / "f.pdf", footer=footer, header=None)
    source = read_pdf(path)
    assert facts(parse_report(source)) == facts(parse_report(read_source(seed)))


def test_fixture_font_writes_every_seed_character():
    """Guards the PDF fixtures: apart from PDF_FONT_SUBSTITUTES, every character of the seeds has a code
    in the fixture font's CMap, so a character missing from a read PDF is the reader's fault."""
    from pdfminer.cmapdb import CMapDB

    cmap = CMapDB.get_cmap("UniGB-UCS2-H")
    text = "".join(seed.read_text(encoding="utf-8") for seed in SEEDS).translate(PDF_FONT_SUBSTITUTES)
    missing = {c for c in set(text)
               if not c.isspace() and ord(c) <= 0xFFFF and not list(cmap.decode(ord(c).to_bytes(2, "big")))}
    assert not missing


def test_pdf_paragraphs_are_rejoined(tmp_path):
    seed = SEEDS[2]
    path = write_pdf(seed_items(seed, pdf_font=True), tmp_path / "p.pdf")
    lines = [line.text for line in read_pdf(path).lines if line.text]
    wanted = [item.text for item in seed_items(seed)]
    assert lines == wanted  # one line per paragraph, exactly the text's lines


# --- tables and Word heading styles -------------------------------------------------------------

def test_docx_table_rows_are_lines_in_place(tmp_path):
    document = docx.Document()
    document.add_paragraph("南开区司法局2023年度法治政府建设情况报告")
    document.add_paragraph("2023年，区司法局全面推进法治政府建设。主要数据如下：")
    table = document.add_table(rows=3, cols=3)
    for r, row in enumerate([["序号", "事项", "数量|件"], ["1", "行政复议", "12"], ["2", "合法性审核", "#35"]]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    table.cell(2, 2).add_paragraph("（含*备案*）")
    document.add_paragraph("一、2023年推进法治政府建设的主要举措和成效")
    document.add_paragraph("持续强化合法性审核质效。")
    path = tmp_path / "t.docx"
    document.save(path)
    lines = [line.text for line in read_docx(path).lines if line.text]
    assert lines == [
        "南开区司法局2023年度法治政府建设情况报告",
        "2023年，区司法局全面推进法治政府建设。主要数据如下：",
        "| 序号 | 事项 | 数量|件 |",
        "| 1 | 行政复议 | 12 |",
        "| 2 | 合法性审核 | #35 （含*备案*） |",
        "一、2023年推进法治政府建设的主要举措和成效",
        "持续强化合法性审核质效。",
    ]
    report = parse_report(read_docx(path))
    assert [h.title for h in report.headings] == ["一、2023年推进法治政府建设的主要举措和成效"]
    assert "|2|合法性审核|#35（含*备案*）|" in body_text(report)


def test_docx_heading_styles_without_markers_keep_their_text(tmp_path):
    """A Word heading style adds no number: the text stays as written, and the parser decides."""
    document = docx.Document()
    document.add_paragraph("区政府办公室2023年法治政府建设年度报告", style="Title")
    document.add_paragraph("2023年，区政府办坚持以习近平新时代中国特色社会主义思想为指导。")
    document.add_paragraph("一、推进法治政府建设的主要举措和成效", style="Heading 1")
    document.add_paragraph("深入学习贯彻习近平法治思想", style="Heading 2")
    document.add_paragraph("理论学习中心组开展集中学习4次。")
    document.add_paragraph("规范行政权力运行", style="Heading 2")
    document.add_paragraph("全面推动行政权力公开、透明、规范运行。")
    path = tmp_path / "h.docx"
    document.save(path)
    source = read_docx(path)
    assert [line.text for line in source.lines if line.text][3] == "深入学习贯彻习近平法治思想"
    report = parse_report(source)
    assert report.title == "区政府办公室2023年法治政府建设年度报告"
    assert [(h.level, h.title, h.marker is None) for h in report.headings] == [
        (1, "一、推进法治政府建设的主要举措和成效", False),
        (1, "深入学习贯彻习近平法治思想", True),
        (1, "规范行政权力运行", True),
    ]


def test_docx_title_property_used_only_without_a_title_in_the_body(tmp_path):
    document = docx.Document()
    document.core_properties.title = "南开区司法局2023年度法治政府建设情况报告"
    document.add_paragraph("2023年，区司法局全面推进法治政府建设。")
    document.add_paragraph("一、2023年推进法治政府建设的主要举措和成效")
    document.add_paragraph("持续强化合法性审核质效。")
    path = tmp_path / "p.docx"
    document.save(path)
    assert parse_report(read_docx(path)).title == "南开区司法局2023年度法治政府建设情况报告"
    document.paragraphs[0].insert_paragraph_before("南开区司法局2023年度法治政府建设工作报告")
    document.save(path)
    assert parse_report(read_docx(path)).title == "南开区司法局2023年度法治政府建设工作报告"


def test_docx_soft_breaks_hidden_and_deleted_text(tmp_path):
    document = docx.Document()
    title = document.add_paragraph("南开区司法局2023年度法治政府建设")
    title.add_run().add_break()
    title.add_run("情况报告")
    paragraph = document.add_paragraph("2023年，区司法局")
    hidden = paragraph.add_run("（隐藏批注）")
    hidden.font.hidden = True
    paragraph.add_run("全面推进法治政府建设。")
    deleted = w("w:del", id=1, author="a")
    run = w("w:r")
    deleted_text = w("w:delText")
    deleted_text.text = "已删除"
    run.append(deleted_text)
    deleted.append(run)
    paragraph._p.append(deleted)
    path = tmp_path / "b.docx"
    document.save(path)
    lines = [line for line in read_docx(path).lines if line.text]
    assert [(line.number, line.text) for line in lines] == [
        (1, "南开区司法局2023年度法治政府建设"), (1, "情况报告"), (2, "2023年，区司法局全面推进法治政府建设。")]


def test_docx_fields_hyperlinks_and_text_boxes(tmp_path):
    """Field results but not field codes; hyperlink text; a text box once (not its VML fallback copy)."""
    from docx.oxml import parse_xml

    document = docx.Document()
    document.add_paragraph("南开区司法局2023年度法治政府建设情况报告")
    paragraph = document.add_paragraph()
    ns = (f'xmlns:w="{W_NS}" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
          'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
          'xmlns:v="urn:schemas-microsoft-com:vml"')
    for xml in (
        '<w:r><w:t xml:space="preserve">详见第</w:t></w:r>',
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGEREF _Toc1 \\h </w:instrText></w:r>',
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>3</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>',
        '<w:r><w:t>页，</w:t></w:r>',
        '<w:hyperlink><w:r><w:t>区政府网站</w:t></w:r></w:hyperlink>',
        '<w:r><w:t>已公开。</w:t></w:r>',
        '<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:txbx><w:txbxContent>'
        '<w:p><w:r><w:t>文本框中的说明。</w:t></w:r></w:p></w:txbxContent></wps:txbx></w:drawing></mc:Choice>'
        '<mc:Fallback><w:pict><v:textbox><w:txbxContent><w:p><w:r><w:t>文本框中的说明。</w:t></w:r></w:p>'
        '</w:txbxContent></v:textbox></w:pict></mc:Fallback></mc:AlternateContent></w:r>',
    ):
        for element in parse_xml(f"<w:wrap {ns}>{xml}</w:wrap>"):
            paragraph._p.append(element)
    path = tmp_path / "f.docx"
    document.save(path)
    lines = [(line.number, line.text) for line in read_docx(path).lines if line.text]
    assert lines == [(1, "南开区司法局2023年度法治政府建设情况报告"), (2, "详见第3页，区政府网站已公开。"), (3, "文本框中的说明。")]


# --- errors ---------------------------------------------------------------------------------------

def test_broken_docx(tmp_path):
    path = tmp_path / "broken.docx"
    path.write_bytes(random.Random(9).randbytes(4096))
    with pytest.raises(ReadError) as err:
        read_docx(path)
    assert err.value.code == "broken-file" and "Word" in err.value.message


def test_truncated_docx(tmp_path):
    path = write_docx(seed_items(SEEDS[0]), tmp_path / "whole.docx")
    cut = tmp_path / "cut.docx"
    cut.write_bytes(path.read_bytes()[:3000])
    with pytest.raises(ReadError) as err:
        read_docx(cut)
    assert err.value.code == "broken-file"


def test_zip_that_is_not_word(tmp_path):
    import zipfile

    path = tmp_path / "other.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "不是 Word")
    with pytest.raises(ReadError) as err:
        read_docx(path)
    assert err.value.code == "broken-file"


def test_empty_docx(tmp_path):
    document = docx.Document()
    document.add_paragraph("   ")
    path = tmp_path / "empty.docx"
    document.save(path)
    with pytest.raises(ReadError) as err:
        read_docx(path)
    assert err.value.code == "empty" and "没有文字" in err.value.message


def test_zero_byte_files(tmp_path):
    for name, reader in (("a.docx", read_docx), ("a.pdf", read_pdf)):
        (tmp_path / name).write_bytes(b"")
        with pytest.raises(ReadError) as err:
            reader(tmp_path / name)
        assert err.value.code == "empty"


def test_encrypted_or_old_word_file(tmp_path):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    encrypted = tmp_path / "locked.docx"
    encrypted.write_bytes(ole + "EncryptedPackage".encode("utf-16-le") + bytes(512))
    with pytest.raises(ReadError) as err:
        read_docx(encrypted)
    assert err.value.code == "encrypted" and "加密" in err.value.message
    old = tmp_path / "old.docx"
    old.write_bytes(ole + "WordDocument".encode("utf-16-le") + bytes(512))
    with pytest.raises(ReadError) as err:
        read_docx(old)
    assert err.value.code == "unsupported-format" and ".doc" in err.value.message


def test_private_use_character_in_docx(tmp_path):
    document = docx.Document()
    document.add_paragraph("南开区司法局2023年度法治政府建设情况报告")
    document.add_paragraph("造字\ue001在此。")
    path = tmp_path / "pua.docx"
    document.save(path)
    with pytest.raises(ReadError) as err:
        read_docx(path)
    assert err.value.code == "bad-character" and err.value.line == 2 and "第 2 段" in err.value.message


def test_encrypted_pdf(tmp_path):
    path = write_pdf(seed_items(SEEDS[0])[:5], tmp_path / "locked.pdf", encrypt="pw")
    with pytest.raises(ReadError) as err:
        read_pdf(path)
    assert err.value.code == "encrypted" and "加密" in err.value.message


def test_scanned_pdf(tmp_path):
    from PIL import Image
    from reportlab.lib.utils import ImageReader

    image = Image.new("L", (200, 280), 255)
    for x in range(20, 180):
        image.putpixel((x, 40), 0)
    path = tmp_path / "scan.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.drawImage(ImageReader(image), 0, 0, width=A4[0], height=A4[1])
    pdf.showPage()
    pdf.save()
    with pytest.raises(ReadError) as err:
        read_pdf(path)
    assert err.value.code == "scanned-pdf"
    assert err.value.message == "扫描版 PDF 没有文字层，OCR 不在本工具范围内，请提供文字版 PDF 或 Word 文件"


def test_pdf_with_a_scanned_page_among_text_pages(tmp_path):
    from PIL import Image
    from reportlab.lib.utils import ImageReader

    path = tmp_path / "mixed.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setFont(FONT, 14)
    pdf.drawString(72, 700, "南开区司法局2023年度法治政府建设情况报告")
    pdf.showPage()
    pdf.drawImage(ImageReader(Image.new("L", (50, 50), 128)), 72, 72, width=400, height=600)
    pdf.showPage()
    pdf.save()
    with pytest.raises(ReadError) as err:
        read_pdf(path)
    assert err.value.code == "scanned-pdf" and "第 2 页" in err.value.message


def test_empty_and_broken_pdf(tmp_path):
    blank = tmp_path / "blank.pdf"
    pdf = canvas.Canvas(str(blank), pagesize=A4)
    pdf.showPage()
    pdf.save()
    with pytest.raises(ReadError) as err:
        read_pdf(blank)
    assert err.value.code == "empty"
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\n" + random.Random(3).randbytes(2048))
    with pytest.raises(ReadError) as err:
        read_pdf(broken)
    assert err.value.code == "broken-file" and "PDF" in err.value.message
    not_pdf = tmp_path / "word.pdf"
    not_pdf.write_bytes(write_docx(seed_items(SEEDS[1])[:3], tmp_path / "x.docx").read_bytes())
    with pytest.raises(ReadError) as err:
        read_pdf(not_pdf)
    assert err.value.code == "broken-file" and "%PDF" in err.value.message


# --- numbering cases ----------------------------------------------------------------------------

W_DECL = f'xmlns:w="{W_NS}"'


def case_numbering_xml(case: dict) -> str:
    parts = []
    for abstract_id, spec in case["abstract"].items():
        levels = spec if isinstance(spec, list) else spec.get("levels", [])
        inner = ""
        if isinstance(spec, dict) and spec.get("link"):
            inner += f'<w:numStyleLink w:val="{spec["link"]}"/>'
        if isinstance(spec, dict) and spec.get("style_link"):
            inner += f'<w:styleLink w:val="{spec["style_link"]}"/>'
        inner += "".join(case_level_xml(i, level) for i, level in enumerate(levels))
        parts.append(f'<w:abstractNum w:abstractNumId="{abstract_id}">{inner}</w:abstractNum>')
    for num_id, spec in case["nums"].items():
        inner = f'<w:abstractNumId w:val="{spec["abstract"]}"/>'
        overrides = {int(k): {"start": v} for k, v in (spec.get("start") or {}).items()}
        for k, level in (spec.get("levels") or {}).items():
            overrides.setdefault(int(k), {})["level"] = level
        for ilvl, override in sorted(overrides.items()):
            body = f'<w:startOverride w:val="{override["start"]}"/>' if "start" in override else ""
            if "level" in override:
                body += case_level_xml(ilvl, override["level"])
            inner += f'<w:lvlOverride w:ilvl="{ilvl}">{body}</w:lvlOverride>'
        parts.append(f'<w:num w:numId="{num_id}">{inner}</w:num>')
    return f"<w:numbering {W_DECL}>{''.join(parts)}</w:numbering>"


def case_level_xml(ilvl: int, level: dict) -> str:
    xml = f'<w:lvl w:ilvl="{ilvl}">'
    if "start" in level:
        xml += f'<w:start w:val="{level["start"]}"/>'
    if "fmt" in level:
        xml += f'<w:numFmt w:val="{level["fmt"]}"/>'
    if "restart" in level:
        xml += f'<w:lvlRestart w:val="{level["restart"]}"/>'
    if "style" in level:
        xml += f'<w:pStyle w:val="{level["style"]}"/>'
    if level.get("legal"):
        xml += "<w:isLgl/>"
    if "suff" in level:
        xml += f'<w:suff w:val="{level["suff"]}"/>'
    if "text" in level:
        xml += f'<w:lvlText w:val="{level["text"]}"/>'
    return xml + "</w:lvl>"


def case_styles_xml(case: dict) -> str:
    styles = []
    for style_id, spec in (case.get("styles") or {}).items():
        num = ""
        if "num" in spec or "ilvl" in spec:
            num = "<w:pPr><w:numPr>"
            num += f'<w:ilvl w:val="{spec["ilvl"]}"/>' if "ilvl" in spec else ""
            num += f'<w:numId w:val="{spec["num"]}"/>' if "num" in spec else ""
            num += "</w:numPr></w:pPr>"
        based = f'<w:basedOn w:val="{spec["based_on"]}"/>' if "based_on" in spec else ""
        kind = spec.get("type", "paragraph")
        styles.append(f'<w:style w:type="{kind}" w:styleId="{style_id}">{based}{num}</w:style>')
    return f"<w:styles {W_DECL}>{''.join(styles)}</w:styles>"


def case_paragraph(spec: str):
    p_pr = ""
    if spec.startswith("style:"):
        _, style, *ilvl = spec.split(":")
        p_pr = f'<w:pStyle w:val="{style}"/>'
        if ilvl:
            p_pr += f'<w:numPr><w:ilvl w:val="{ilvl[0]}"/></w:numPr>'
    elif spec != "-":
        num_id, ilvl = spec.split(":")
        p_pr = f'<w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'
    return etree.fromstring(f"<w:p {W_DECL}><w:pPr>{p_pr}</w:pPr><w:r><w:t>正文</w:t></w:r></w:p>")


@pytest.mark.parametrize("case", CASES["cases"], ids=[c["name"] for c in CASES["cases"]])
def test_numbering_case(case):
    numbering = WordNumbering(etree.fromstring(case_numbering_xml(case)), etree.fromstring(case_styles_xml(case)))
    labels = [numbering.label(case_paragraph(spec)) for spec in case["paragraphs"]]
    assert [label.text if label else None for label in labels] == case["expect"]


@pytest.mark.parametrize("fmt", sorted(CASES["formats"]))
def test_number_format(fmt):
    for value, text in CASES["formats"][fmt].items():
        assert format_number(int(value), fmt) == str(text), (fmt, value)


def test_numbered_paragraph_text_is_prefixed(tmp_path):
    """Labels go in front of the text; an ASCII label (1.) keeps a space so 1. 2023年 stays a marker."""
    document = docx.Document()
    numbering = document.part.numbering_part.element
    add_list(numbering, 80, [dict(fmt="decimal", text="%1.", start=1),
                             dict(fmt="chineseCounting", text="（%2）", start=1)], [81])
    document.add_paragraph("南开区司法局2023年度法治政府建设情况报告")
    for text, level in (("2023年推进法治政府建设的主要举措和成效", 0), ("统筹推进法治政府建设", 1),
                        ("以法治政府示范创建为契机。", None), ("2023年推进法治政府建设存在的不足和原因", 0)):
        paragraph = document.add_paragraph(text)
        if level is not None:
            set_num(paragraph, 81, level)
    path = tmp_path / "n.docx"
    document.save(path)
    lines = [line.text for line in read_docx(path).lines if line.text]
    assert lines[1:] == ["1. 2023年推进法治政府建设的主要举措和成效", "（一）统筹推进法治政府建设", "以法治政府示范创建为契机。",
                         "2. 2023年推进法治政府建设存在的不足和原因"]
    assert [h.title for h in parse_report(read_docx(path)).headings][::2] == [
        "1. 2023年推进法治政府建设的主要举措和成效", "2. 2023年推进法治政府建设存在的不足和原因"]


def test_find_marker_agrees_with_rendered_labels():
    """Every label this module renders for a Chinese outline is a marker the parser recognises."""
    for value in range(1, 40):
        for template, kind in (("%1、", "cn"), ("（%1）", "paren-cn")):
            label = template.replace("%1", format_number(value, "chineseCounting"))
            found = find_marker(label + "标题")
            assert found and found[0].kind == kind and found[0].value == value, label
