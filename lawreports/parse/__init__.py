"""Stage 3: decoded text → Report. Reads like the list of what a clerk does with a report:
strip page metadata, find the title, the addressee and the signature, split the body into headings
and paragraphs, give headings levels and anchors, map parts, and read the facts.

A text that is not a report at all (notes, a README, a password list) is refused (``not-a-report``):
it has no title, no heading that names a report's part, and not both headings and a year. A report
without a title line but with a year and numbered parts still converts. A title whose year is
mistyped (``20223年度``) is an error (``bad-year``), and the typo never becomes part of the agency.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..model import PART_KEYS, REQUIRED_PARTS, Diagnostic, Heading, Paragraph, Report, Signature, SourceText
from ..parts import PartTable, load_parts
from . import header, structure
from . import lines as line_rules


class ParseError(Exception):
    """The text cannot become a report page (e.g. a title and nothing else)."""

    def __init__(self, code: str, message: str, line: int | None = None):
        super().__init__(message)
        self.code, self.message, self.line = code, message, line


NOT_A_REPORT = ("看起来不是报告：没有标题（如“某局2023年度法治政府建设情况报告”），"
                "也没有年份和编号的各部分（如“一、2023年主要举措和成效”），未发布；"
                "如确是报告，请在第一行写上标题")


def parse_report(source: SourceText, table: PartTable | None = None, default_region: str | None = None) -> Report:
    table = table or load_parts()
    file = source.name
    diagnostics: list[Diagnostic] = []

    lines = line_rules.logical_lines(source.lines)
    meta, lines = header.take_meta(lines)
    title, lines = header.take_title(lines)
    addressee, lines = header.take_addressee(lines)
    signature, lines = header.take_signature(lines)
    if not lines:
        raise ParseError("no-body", "只有标题或落款，没有正文", title.line if title else None)

    lines = line_rules.split_glued_headings(lines)
    lines = line_rules.join_hard_wraps(lines)
    raw_blocks = structure.split_blocks(lines)
    leveled, numbering = structure.assign_levels(raw_blocks, file)
    diagnostics.extend(numbering)
    body, parts, parts_within = structure.finish_headings(leveled, table)

    headings = [b for b in body if isinstance(b, Heading)]
    if not headings:
        diagnostics.append(Diagnostic(file, None, "warning", "no-headings", "全文没有识别出任何标题，按一段正文发布"))
    opening = next((b.text for b in body if isinstance(b, Paragraph)), "")
    preamble = " ".join(b.text for b in _preamble(body))

    named_part = any(table.classify(h.title) for h in headings)  # not a topic heading counted as measures
    if title is None and not named_part and not (headings and _find_year(None, headings, preamble or opening, {})):
        raise ParseError("not-a-report", NOT_A_REPORT, lines[0].line if lines else None)
    if title is not None:
        diagnostics.extend(Diagnostic(file, title.line, "error", "bad-year", message)
                           for message in header.bad_years(title.text))

    inferred: dict[str, str] = {}
    year = _find_year(title, headings, preamble or opening, inferred)
    agency = _find_agency(title, preamble or opening, signature, inferred)
    region = _find_region(title, agency, default_region, source, inferred)

    written = signature.date if signature and signature.date else None
    published = None
    index_no = None
    for item in meta:
        field = header.patterns.META_FIELDS.get(item.label)
        if field == "index_no" and index_no is None:
            index_no = item.value or None
        elif field == "published" and published is None:
            published = header.parse_date(item.value)
        elif field == "written" and written is None:
            written = header.parse_date(item.value)

    for key in REQUIRED_PARTS:
        if parts[key] is None and headings:
            where = f"，只在小标题“{_title_of(body, parts_within[key])}”中出现" if key in parts_within else ""
            diagnostics.append(Diagnostic(file, None, "warning", "missing-part",
                                          f"缺少“{table.label(key)}”部分{where}"))
    return Report(
        source=source,
        title=title.text if title else None,
        title_lines=title.lines if title else (),
        title_line=title.line if title else None,
        agency=agency,
        region=region,
        year=year,
        written=written,
        published=published,
        index_no=index_no,
        addressee=addressee.text if addressee else None,
        addressee_line=addressee.line if addressee else None,
        meta_lines=meta,
        body=tuple(body),
        signature=signature,
        parts={key: parts[key] for key in PART_KEYS},
        parts_within=parts_within,
        inferred=inferred,
        diagnostics=tuple(diagnostics),
    )


def _title_of(body: Sequence[Heading | Paragraph], anchor: str) -> str:
    return next((b.title for b in body if isinstance(b, Heading) and b.anchor == anchor), anchor)


def _preamble(body: Sequence[Heading | Paragraph]) -> list[Paragraph]:
    out: list[Paragraph] = []
    for block in body:
        if isinstance(block, Heading):
            break
        out.append(block)
    return out


def _find_year(title: header.Title | None, headings: Sequence[Heading], opening: str,
               inferred: dict[str, str]) -> int | None:
    if title:
        years = header.years_in(title.text)
        if years:
            return years[0]
    for heading in headings:
        if heading.level == 1 and heading.part in ("measures", "shortcomings", "leadership"):
            years = header.years_in(heading.title)
            if years:
                inferred["year"] = f"heading: {heading.title}"
                return years[0]
    years = header.years_in(opening)
    if years:
        inferred["year"] = f"text: {opening[:40]}"
        return years[0]
    return None


def _find_agency(title: header.Title | None, opening: str, signature: Signature | None,
                 inferred: dict[str, str]) -> str | None:
    if title:
        name = header.agency_from_title(title)
        if name:
            return name
    name = header.agency_from_opening(opening)
    if name:
        inferred["agency"] = "text: opening sentence"
        return name
    if signature and signature.agency:
        inferred["agency"] = "signature"
        return signature.agency
    return None


#: ``“东丽发布”``: a district government's media brand names the district when nothing else does.
TEXT_BRAND = re.compile(r"“(?P<brand>[\u4e00-\u9fff]{2})发布”")


def _find_region(title: header.Title | None, agency: str | None, default_region: str | None, source: SourceText,
                 inferred: dict[str, str]) -> str | None:
    named = header.region_from_name(title.text if title else None) or header.region_from_name(agency)
    # a district named without its city: the configured region supplies the larger area
    if named and default_region and not named.startswith(default_region[:2]) and _is_within(default_region, named):
        named = _merge(default_region, named)
    if named:
        return named
    if default_region and _level(default_region) >= 3:
        inferred["region"] = "settings"
        return default_region
    text = "\n".join(line.text for line in source.lines)
    for found in TEXT_BRAND.finditer(text):
        district = found.group("brand") + "区"
        inferred["region"] = f"text: {found.group(0)}"
        return _merge(default_region, district) if default_region else district
    if default_region:
        inferred["region"] = "settings"
        return default_region
    return None


def _level(region: str) -> int:
    return len(re.findall(r"(省|自治区|市|州|盟|区|县|旗|镇|乡|街道)", region))


def _is_within(larger: str, smaller: str) -> bool:
    return not re.match(r".*(省|自治区)", smaller) and not smaller.startswith(larger)


def _merge(larger: str, smaller: str) -> str:
    """天津市 + 南开区 → 天津市南开区; 天津市南开区 + 南开区 → 天津市南开区."""
    if smaller in larger:
        return larger
    for cut in range(len(larger), 0, -1):
        if smaller.startswith(larger[cut:]) and larger[cut:]:
            return larger[:cut] + smaller
    stem = re.match(r".*?(省|自治区|市)", larger)
    if stem and smaller.endswith(("区", "县", "旗")):
        return larger[: stem.end()] + smaller
    return larger + smaller
