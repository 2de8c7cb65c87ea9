"""Stage 3: decoded text → Report. Reads like the list of what a clerk does with a report:
strip page metadata, find the title, the addressee and the signature, split the body into headings
and paragraphs, give headings levels and anchors, map parts, and read the facts.

A text that is not a report at all (notes, a README, a password list) is refused (``not-a-report``):
it has no title, no heading that names a report's part, and not both headings and a year. A report
without a title line but with a year and numbered parts still converts. A title whose year is
mistyped (``20223年度``) is an error (``bad-year``), and the typo never becomes part of the agency.

The issuer is read from the title, the opening, the signature or the opening's self-reference
(``区政府坚持…``, :mod:`.issuers`); when none names it, the report is an error (``no-agency``: refused
until its sidecar gives ``agency``), never a sentence fragment. The region is completed from the
gazetteer (:mod:`lawreports.places`); the year comes from the title, the headings, the opening, the
plans for the next year (N+1 → N) or the signature date.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .. import places
from ..model import PART_KEYS, REQUIRED_PARTS, Diagnostic, Heading, MetaLine, Paragraph, Report, Signature, SourceText
from ..parts import PartTable, load_parts
from . import header, issuers, structure
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
    year = _find_year(title, headings, preamble or opening, inferred, signature)
    agency = _find_agency(title, preamble or opening, signature, inferred) or _agency_of_meta(meta, inferred)
    if agency is None:
        diagnostics.append(Diagnostic(file, None, "error", "no-agency", no_agency_message(file)))
    region = _find_region(title, agency, signature, default_region, source, inferred)

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
               inferred: dict[str, str], signature: Signature | None = None) -> int | None:
    """Title, then a heading of the year's work, the opening, the plans for the next year, the signature."""
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
    for heading in headings:  # 二〇二〇年工作安排: the plans for N+1 close a report on N
        if heading.level == 1 and heading.part == "plans":
            years = header.years_in(heading.title)
            if years:
                inferred["year"] = f"plans heading: {heading.title}"
                return years[0] - 1
    signed = header.signed_month(signature)
    year = header.year_of_signature(signed)
    if year is not None:
        inferred["year"] = f"signature: {signature.date or f'{signed:%Y-%m}'}" if signature and signed else "signature"
    return year


def _find_agency(title: header.Title | None, opening: str, signature: Signature | None,
                 inferred: dict[str, str]) -> str | None:
    """The issuer as the text names it: title, the opening's subject, the signature, the opening's
    self-reference (``区政府坚持…``); a sentence fragment is never taken (None: nobody is named)."""
    if title:
        name = header.agency_from_title(title)
        if issuers.plausible(name):
            return name
    name = header.agency_from_opening(opening)
    if issuers.plausible(name):
        inferred["agency"] = "text: opening sentence"
        return name
    if signature and issuers.plausible(signature.agency):
        inferred["agency"] = "signature"
        return signature.agency
    name = header.subject_of_title(title)  # 关于仙居县林业局…的报告: the body reported on
    if issuers.plausible(name) and (issuers.is_body_name(name or "") or places.names_place(name)):
        inferred["agency"] = "title: 关于…"
        return name
    name = issuers.self_reference_in(opening, header.SUBJECT_END)
    if name:
        inferred["agency"] = "text: self-reference"
        return name
    return None


def _agency_of_meta(meta: Sequence[MetaLine], inferred: dict[str, str]) -> str | None:
    """``发布机构：桃源县人民政府`` pasted above a report whose text names nobody."""
    for item in meta:
        named = item.label in header.patterns.ISSUER_LABELS or (
            item.label in header.patterns.SOURCE_LABELS and issuers.is_body_name(item.value))
        if named and issuers.plausible(item.value):
            inferred["agency"] = f"page metadata: {item.label}"
            return item.value.strip()
    return None


def no_agency_message(file: str) -> str:
    sidecar = file.rsplit(".", 1)[0] + ".meta.yml"
    return (f"{file} 的标题、开头和落款都没有写明发布单位，未发布；"
            f"请在旁注文件 {sidecar} 中写明 agency（如 agency: 某某县人民政府）")


#: ``“东丽发布”``: a district government's media brand names the district when nothing else does.
TEXT_BRAND = re.compile(r"“(?P<brand>[\u4e00-\u9fff]{2})发布”")


def _find_region(title: header.Title | None, agency: str | None, signature: Signature | None,
                 default_region: str | None, source: SourceText, inferred: dict[str, str]) -> str | None:
    """The place the title, the agency or the signature names, completed from the gazetteer; the settings'
    region only when none of them names a place (see :mod:`lawreports.places`)."""
    text = "\n".join(line.text for line in source.lines)
    names = (title.text if title else None, agency, signature.agency if signature else None)
    for name in names:
        found = places.region_of(name, context=text, default=default_region)
        if found.region:
            if found.how != "unique":
                inferred["region"] = f"gazetteer: {found.how}"
            return found.region
    if default_region and _level(default_region) >= 3:
        inferred["region"] = "settings"
        return default_region
    for brand in TEXT_BRAND.finditer(text):
        found = places.region_of(brand.group("brand") + "区", context=text, default=default_region)
        if found.region and found.how != "ambiguous":
            inferred["region"] = f"text: {brand.group(0)}"
            return found.region
    if default_region:
        inferred["region"] = "settings"
        return default_region
    return None


def _level(region: str) -> int:
    return len(re.findall(r"(省|自治区|市|州|盟|区|县|旗|镇|乡|街道)", region))
