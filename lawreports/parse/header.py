"""Stage 3a: the report's header and footer — page metadata, title, addressee, signature — and the
facts read from them and from the opening sentence: agency, year, dates.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .. import patterns
from ..model import MetaLine, Signature
from ..text import cn_number, cn_year, compact
from .issuers import opening_clauses
from .lines import TextLine, find_marker, fold

TITLE_MAX = 60  #: a title line is short; longer lines are body text
#: How a report title ends: ``…情况报告``, ``…的报告``, ``…工作报告``.
TITLE_END = re.compile(r"报告")
#: Openings of sentences that quote a report rather than title it.
QUOTING = ("现将", "根据", "按照", "依据", "为", "经", "本报告")


@dataclass(frozen=True)
class Title:
    text: str  #: the title, issuer lines joined with a space, other lines joined as they read
    lines: tuple[str, ...]  #: the raw pieces it was read from
    line: int
    issuers: tuple[str, ...]  #: issuer lines stacked above ``关于…报告``


def take_meta(lines: list[TextLine]) -> tuple[tuple[MetaLine, ...], list[TextLine]]:
    """Lines of page metadata (``索引号：…``, ``发布日期：…``) at the top of the text."""
    meta: list[MetaLine] = []
    index = 0
    while index < len(lines):
        item = lines[index]
        folded = fold(item.text)
        if patterns.DOC_NUMBER.fullmatch(folded.strip()):
            meta.append(MetaLine(label="文号", value=item.text, line=item.line, text=item.text))
            index += 1
            continue
        if patterns.WEB_CHROME.fullmatch(folded.strip()):  # 首页 > 政务公开, 【字体：大 中 小】: the web page's
            meta.append(MetaLine(label="网页", value=item.text, line=item.line, text=item.text))
            index += 1
            continue
        if patterns.LETTERHEAD.fullmatch(folded.strip()):  # 三门县人民政府文件: who issued it, not the title
            name = re.sub(r"\s*文件$", "", folded.strip())
            meta.append(MetaLine(label="文头", value=name, line=item.line, text=item.text))
            index += 1
            continue
        if not patterns.META_LABEL.match(folded):
            break
        labels = list(patterns.META_LABEL.finditer(folded))
        for this, following in zip(labels, [*labels[1:], None], strict=True):
            value = folded[this.end(): following.start() if following else len(folded)].strip()
            meta.append(MetaLine(label=this.group("label"), value=value, line=item.line, text=item.text))
        index += 1
    return tuple(meta), lines[index:]


def _title_like(text: str) -> bool:
    return (
        len(text) <= TITLE_MAX
        and not text.endswith(tuple("。；;，,：:"))
        and "。" not in text
        and find_marker(text) is None
        and not patterns.LEAD_IN.match(text)
        and not text.startswith(QUOTING)
        and not re.match(r"^(?:19|20)\d{2}\s*年\s*[，,]", fold(text))
    )


def _names_report(text: str) -> bool:
    return "法治" in text or "依法" in text or "年度" in text


def take_title(lines: list[TextLine]) -> tuple[Title | None, list[TextLine]]:
    """The title from the first one to three lines; a title run into the first sentence is split off.

    ``南开区政府研究室2023年度法治政府建设`` + ``情况报告`` → one title;
    ``湖北省人民政府关于2023年度法治政府建设情况的报告2023年,省政府…`` → title up to 报告, rest is body.
    """
    for count in (1, 2, 3):
        window = lines[:count]
        if len(window) < count:
            break
        head, last = window[:-1], window[-1]
        if not all(_title_like(item.text) for item in head):
            break
        if _title_like(last.text) and _ends_title(last.text) and _names_report("".join(i.text for i in window)):
            return _make_title(head, last.text, last.line), lines[count:]
        run_in = _run_in_title(last.text)
        if run_in is not None:
            title_part, rest = run_in
            title = _make_title(head, title_part, last.line)
            rest_line = TextLine(last.line, rest, False)
            return title, [rest_line, *lines[count:]]
        if not _title_like(last.text):
            break
    return None, lines


#: ``…工作总结和2024年工作思路``, ``…情况暨下一年度工作计划``: a summary followed by the next year's plans.
SUMMARY_AND_PLANS = re.compile(r"(?:总结|情况|报告)(?:和|及|暨|与|以及)[^，。；]{0,16}(?:计划|打算|思路|安排|要点)$")


#: What may trail a title's last word without being text: a dot typed after it, a version note.
TITLE_TAIL = re.compile(r"(?:\s*[-–—]+\s*[\u4e00-\u9fff]{1,4}版|\s*\.+)+$")


def _ends_title(text: str) -> bool:
    """``…情况报告`` / ``…的报告``; also ``…法治政府建设情况``, ``…工作总结`` and ``…工作总结和…工作思路``
    when they name the subject; an aside after it is the title's too (``…年度报告（2023年度）``)."""
    folded = re.sub(r"\s*\([^()]{1,16}\)$", "", fold(text))
    folded = TITLE_TAIL.sub("", folded)  # …情况报告. / …情况报告-修订版: a stray dot or a version note after it
    return folded.endswith("报告") or (
        (folded.endswith(("情况", "总结")) or SUMMARY_AND_PLANS.search(folded) is not None) and "法治" in folded)


def _run_in_title(text: str) -> tuple[str, str] | None:
    """``…情况的报告2023年,省政府…`` → (title, rest) when a title runs straight into the first sentence."""
    if text.startswith(QUOTING):
        return None
    for found in TITLE_END.finditer(text):
        title, rest = text[: found.end()], text[found.end():].strip()
        if re.fullmatch(r"[（(][^（()）]{1,16}[）)]", rest):
            return None  # …年度报告（2023年度）: the aside belongs to the title
        balanced = title.count("《") == title.count("》")
        if rest and balanced and len(title) <= TITLE_MAX and _title_like(title) and _names_report(title) \
                and not re.search(r"[，,；;！？]", title):
            return title, rest
    return None


def _make_title(head: list[TextLine], last: str, last_line: int) -> Title:
    pieces = [item.text for item in head] + [last]
    first_line = head[0].line if head else last_line
    # issuer lines stacked above 关于…报告 are separate bodies: keep them apart with a space
    if head and fold(last).startswith("关于"):
        issuers = tuple(item.text for item in head)
        text = " ".join(issuers) + last
    else:
        issuers = ()
        text = "".join(pieces)
    return Title(text=text, lines=tuple(pieces), line=first_line, issuers=issuers)


def take_addressee(lines: list[TextLine]) -> tuple[TextLine | None, list[TextLine]]:
    """``县委、县政府：`` or ``宣州区委、区政府`` right above the body: the body the report is sent to."""
    if len(lines) < 2:
        return None, lines
    text = fold(lines[0].text)
    short = len(text) <= 40 and find_marker(lines[0].text) is None and not patterns.LEAD_IN.match(text)
    names_body = re.search(r"(委|政府|人大|党委|党组|局|办|部|厅)", text) is not None
    if (short and names_body and not re.search(r"\d{4}|[。，,；;]", text)
            and (text.endswith((":", "：")) or "、" in text)):
        return lines[0], lines[1:]
    return None, lines


def parse_date(text: str) -> dt.date | None:
    """``2024年1月3日`` / ``二〇二四年一月三日`` / ``2024-01-03`` → date, or None when not a real date."""
    found = patterns.DATE.search(fold(text))
    if not found:
        return None
    if found.group("y"):
        year = cn_year(found.group("y"))
        month, day = cn_number(found.group("m")), cn_number(found.group("d"))
    else:
        year, month, day = int(found.group("y2")), int(found.group("m2")), int(found.group("d2"))
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _is_date_line(text: str) -> bool:
    folded = fold(text).strip()
    found = patterns.DATE.fullmatch(folded)
    return found is not None and parse_date(folded) is not None


def _is_month_line(text: str) -> bool:
    return patterns.MONTH_DATE.fullmatch(fold(text).strip()) is not None


def signed_month(signature: Signature | None) -> dt.date | None:
    """The signature's date, or the first day of its month when it gives no day (``2024年1月``): the year
    it means is known, the day is not (only the report year is read from it, never a 成文日期)."""
    if signature is None or signature.date is not None:
        return signature.date if signature else None
    for line in reversed(signature.lines):
        found = patterns.MONTH_DATE.fullmatch(fold(line).strip())
        if found:
            month = cn_number(found.group("m"))
            return dt.date(cn_year(found.group("y")), month, 1) if 1 <= month <= 12 else None
    return None


def _is_signature_name(text: str) -> bool:
    folded = fold(text)
    return (
        len(folded) <= 30
        and not folded.endswith(tuple(patterns.END_PUNCT))
        and re.search(r"[。，,；;：:]", folded) is None
        and find_marker(text) is None
        and re.search(rf"(?:{patterns.ORG_SUFFIX})$", folded.replace(" ", "")) is not None
    )


def take_signature(lines: list[TextLine]) -> tuple[Signature | None, list[TextLine]]:
    """The signing agency line(s) and date at the end: ``区政府办公室`` + ``2024年1月3日``."""
    if len(lines) < 2:
        return None, lines
    notes: list[TextLine] = []
    while len(lines) > 2 and (patterns.PUBLICATION_NOTE.fullmatch(fold(lines[-1].text))
                              or patterns.WEB_CHROME.fullmatch(fold(lines[-1].text).strip())):
        notes.insert(0, lines[-1])  # （此件公开发布）, 【打印本页】 after the date belong to the signature block
        lines = lines[:-1]
    last = lines[-1]
    date: dt.date | None = None
    dated = False  #: the last line is a date, with its day (2024年1月3日) or without (2024年1月: date unknown)
    names: list[TextLine] = []
    end = len(lines)
    if _is_date_line(last.text) or _is_month_line(last.text):
        date = parse_date(last.text)
        dated = True
        end -= 1
    else:
        combined = re.fullmatch(r"(?P<name>.+?)\s+(?P<date>\S.*日)", fold(last.text))
        if combined and _is_signature_name(combined.group("name")) and _is_date_line(combined.group("date")):
            return (
                Signature(lines=(last.text, *(i.text for i in notes)), line=last.line,
                          agency=combined.group("name").strip(),
                          date=parse_date(combined.group("date"))),
                lines[:-1],
            )
    while end > 1 and len(names) < 3 and _is_signature_name(lines[end - 1].text):
        names.insert(0, lines[end - 1])
        end -= 1
    if not dated and not names:
        if notes:
            return Signature(tuple(i.text for i in notes), notes[0].line, None, None), lines
        return None, lines
    if not dated and names and not lines[end - 1].text.endswith(tuple("。！？")):
        return None, lines  # a short line after an unfinished sentence is text, not a signature
    if dated and date is None and not names:
        return None, lines  # a bare 2024年1月 closing the text is not enough to be a signature
    signed = names + ([last] if dated else []) + notes
    agency = "、".join(item.text.replace(" ", "").replace("\u3000", "") for item in names) or None
    return Signature(lines=tuple(i.text for i in signed), line=signed[0].line, agency=agency, date=date), lines[:end]


# --- facts -------------------------------------------------------------------------------------

#: A report is signed at the end of its year or early in the next (due by 1 April): 2019-12-18 and
#: 2020-03-02 both close a report on 2019. A date in between says nothing certain.
SIGNED_LATE, SIGNED_EARLY = 11, 6


def year_of_signature(date: dt.date | None) -> int | None:
    """The report year a signature date means: November–December → that year, January–June → the year before."""
    if date is None:
        return None
    if date.month >= SIGNED_LATE:
        return date.year
    if date.month <= SIGNED_EARLY:
        return date.year - 1
    return None


def years_in(text: str) -> list[int]:
    """Years named in ``text``, ignoring those inside 《…》 and ranges like ``2021—2025年``."""
    folded = fold(text)
    folded = re.sub(r"《[^》]*》", lambda m: "※" * len(m.group()), folded)
    folded = patterns.YEAR_RANGE.sub(lambda m: "※" * len(m.group()), folded)
    return [cn_year(m.group("year")) for m in patterns.YEAR.finditer(folded)]


def bad_years(title: str) -> list[str]:
    """A message for each mistyped year in a title (outside 《…》): ``20223年度`` is not a year."""
    folded = re.sub(r"《[^》]*》", lambda m: "※" * len(m.group()), fold(title))
    return [f"标题中的“{found.group('digits')}年”不是有效的年份（应为四位数，如 2023年），"
            "无法从标题读出报告年度；请改正原文，或在 .meta.yml 中写明 year"
            for found in patterns.BAD_YEAR.finditer(folded)]


def agency_from_title(title: Title) -> str | None:
    """``南开区政府研究室2023年度法治政府建设情况报告`` → 南开区政府研究室; joint issuers joined with ``、``.

    ``2023年度南开区司法局法治政府建设情况报告`` → 南开区司法局 (a year in front is skipped).
    """
    if title.issuers:
        return "、".join(compact(name) for name in title.issuers)
    text = fold(title.text).strip()
    text = re.sub(rf"^(?:关于)?(?:{YEAR_WORD}|\d{{3,8}})\s*年(?:度)?(?:关于)?", "", text)
    cut = TITLE_SUBJECT_END.search(text)
    if not cut or cut.start() < 2:
        return None
    name = text[: cut.start()].strip()
    pieces = [p for p in re.split(r"\s+", name) if p]
    return "、".join(pieces) or None


#: Where the issuer's name ends in a title: 关于, a year, 法治… (not the 法治 of 依法治县: 县委依法治县办 is a body).
TITLE_SUBJECT_END = re.compile(
    rf"关于|(?:{patterns.YEAR_WORD})\s*年|\d{{3,8}}\s*年|(?<!依)法治|依法行政|年度|工作报告|情况报告")


def subject_of_title(title: Title | None) -> str | None:
    """``关于仙居县林业局2023年度…的报告`` → 仙居县林业局: the body a 关于-title reports on (read only when
    nothing else names the issuer; 关于报送… names no body, and the caller checks the name)."""
    if title is None:
        return None
    text = re.sub(rf"^(?:(?:{YEAR_WORD})\s*年度?)?关于", "", fold(title.text).strip(), count=1)
    if text == fold(title.text).strip():
        return None
    cut = TITLE_SUBJECT_END.search(text)
    return text[: cut.start()].strip() or None if cut else None


GENERIC_SUPERIOR = re.compile(r"[省市区县镇乡]?(?:委|政府|人民政府|党委|人大)")
YEAR_WORD = patterns.YEAR_WORD
#: Words that follow the subject of an opening sentence: ``区政府研究室|在区委…``, ``东城街道|深入学习…``.
SUBJECT_END = re.compile(
    r"(?=在|坚持|深入|认真|始终|紧紧|全面|围绕|以习|积极|不断|切实|牢固|持续|紧扣|聚焦|着力|严格|高度|按照|把|将|扎实|"
    r"党组|党委|领导班子|立足|贯彻|紧密|进一步|结合|主动|充分|大力|强化|统筹|继续|坚决|锚定|紧盯|对照|根据|依法|共|累计|全年)"
)


def agency_from_opening(text: str) -> str | None:
    """The issuing body named by the opening sentence.

    ``现将市人社局2021年法治政府建设情况报告予以公开`` → 市人社局;
    ``2022年,在区委、区政府的坚强领导下,东城街道深入学习…`` → 东城街道.
    """
    folded = fold(text)
    presenting = patterns.PRESENTING.search(folded)
    if presenting:
        return presenting.group("agency").strip()
    for clause in opening_clauses(folded):  # 在区委、区政府的领导下 / 根据…: passed over
        subject = _longest_subject(clause) or patterns.SUBJECT_AGENCY.match(clause)
        if subject:
            name = subject.group("agency")
            # 我局 / 全区各部门 / 区委 are not the issuer's name
            if not name.startswith(("我", "本", "全", "各")) and not GENERIC_SUPERIOR.fullmatch(name):
                return name
    return None


def _longest_subject(clause: str) -> re.Match[str] | None:
    """The longest body name at the start of a clause that a verb follows (``区政府研究室在…``)."""
    best = None
    for end in SUBJECT_END.finditer(clause[:32]):
        found = patterns.SUBJECT_AGENCY_WHOLE.fullmatch(clause[: end.start()])
        if found:
            best = found
    return best
