"""Every regular expression of the grammar, compiled once, each with examples.

Markers are matched on the NFKC form of a line (``（一）`` and ``(一)``, ``１．`` and ``1.`` alike);
the positions found there map back to the raw text because NFKC keeps these characters one-to-one.
"""

from __future__ import annotations

import re

from .text import CN_NUMERAL_CHARS

#: A marker's Chinese numeral: ``三``, ``十二``, ``二十``, ``一百零一`` (read by ``text.cn_number``).
CN_NUM = f"[{CN_NUMERAL_CHARS}]{{1,4}}"

#: ``第一部分`` ``第二部分：`` — the outermost marker when a report uses it.
PART_MARKER = re.compile(rf"^第(?P<num>{CN_NUM})部分[、，,:：.\s]*")

#: ``一、`` ``十二、`` ``三．`` — but not ``一是`` (a lead-in) and not ``一、二、三``-style lists of numbers.
CN_MARKER = re.compile(rf"^(?P<num>{CN_NUM})\s*[、.](?![、.])\s*")

#: ``（一）`` ``(二)`` — brackets already NFKC-folded to ASCII.
PAREN_CN_MARKER = re.compile(rf"^\((?P<num>{CN_NUM})\)\s*")

#: ``1.`` ``2、`` ``３．`` — not a decimal (``1.5``) nor a date (``2023.1``).
ARABIC_MARKER = re.compile(r"^(?P<num>\d{1,2})\s*(?:[、]|\.(?!\d))\s*")

#: ``(1)`` ``（２）``.
PAREN_ARABIC_MARKER = re.compile(r"^\((?P<num>\d{1,2})\)\s*")

#: ``①`` … ``⑳``.
CIRCLED_MARKER = re.compile(r"^(?P<num>[\u2460-\u2473])\s*")

#: Marker kinds, outermost first by convention (issue #2), with their recognisers.
MARKERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("part", PART_MARKER),
    ("cn", CN_MARKER),
    ("paren-cn", PAREN_CN_MARKER),
    ("arabic", ARABIC_MARKER),
    ("paren-arabic", PAREN_ARABIC_MARKER),
    ("circled", CIRCLED_MARKER),
)
MARKER_RANK = {kind: rank for rank, (kind, _) in enumerate(MARKERS)}

#: ``一是`` ``二要`` ``其三`` lead-ins: paragraph text, never sections.
LEAD_IN = re.compile(rf"^(?:{CN_NUM}(?:是|要|抓|在)|其[一二三四五六七八九十])")

#: A heading run into the preceding sentence: ``……法治保障。一、坚持党的领导……``.
GLUED_MARKER = re.compile(rf"(?<=[。；;：:])\s*(?=(?:{CN_NUM}、|[（(]{CN_NUM}[）)])\S)")

#: Sentence-final punctuation: a line ending with one of these is not a heading or a title.
END_PUNCT = "。！？；;!?，,、：:…”\"’）)"

#: A year as written: ``2023`` or ``二〇二三`` / ``二零二三`` (the spellings YEAR, DATE and the header share).
YEAR_WORD = r"(?:19|20)\d{2}|[二][〇零○O][一二三四五六七八九〇零○O]{2}"

#: A year the report may cover: ``2023年``, ``二〇二三年``, ``二零二三年``; not ``2021—2025年``.
YEAR = re.compile(rf"(?<![\d—\-－~～至到])(?P<year>{YEAR_WORD})(?=\s*年)(?!\s*年?\s*[—\-－~～至到])")

#: Digits before 年 that cannot be a year in a title: ``20223年度``, ``223年``, ``2203年`` (a year is 19xx/20xx).
BAD_YEAR = re.compile(r"(?<![\d.])(?P<digits>\d{3}|\d{5,8}|(?!19|20)\d{4})(?=\s*年)")

#: A range of years, whose years are never the report's: ``2021—2025年``, ``2021-2025``.
YEAR_RANGE = re.compile(r"(?:19|20)\d{2}\s*年?\s*[—\-－~～至到]+\s*(?:19|20)\d{2}\s*年?")

#: A full date: ``2024年1月3日``, ``2024年01月03日``, ``二〇二四年一月三日``, ``2024-01-03``, ``2024.1.3``.
DATE = re.compile(
    rf"(?P<y>{YEAR_WORD})\s*年\s*"
    r"(?P<m>\d{1,2}|[一二三四五六七八九十]{1,2})\s*月\s*"
    r"(?P<d>\d{1,2}|[一二三四五六七八九十]{1,3})\s*日"
    r"|(?P<y2>(?:19|20)\d{2})[-./](?P<m2>\d{1,2})[-./](?P<d2>\d{1,2})"
)

#: Page metadata pasted above the title: ``索引号：`` ``发布日期：`` …
META_LABEL = re.compile(
    r"(?P<label>索引号|信息索引号|主题分类|分类|发布机构|发文机关|发布单位|来源|公开方式|公开范围|文号|发文字号|"
    r"成文日期|发文日期|生成日期|发布日期|发布时间|公开日期|公开时间|有效性|名称|信息名称|时效|"
    # what a government web page prints around an article: 字号：【大 中 小】 浏览次数：123
    r"信息来源|作者|责任编辑|字号|字体|浏览次数|浏览量|阅读次数|阅读量|点击数|点击次数|点击量|访问量|访问次数)\s*[:：]\s*"
)

#: A document number line: ``南司发〔2024〕5号``, ``津政办报[2024]3号``.
DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,12}\s*[〔\[(（【]\s*(?:19|20)\d{2}\s*[〕\])）】]\s*\d{1,4}\s*号")

#: What a government web page prints around an article, copied with its text: a breadcrumb
#: (``首页 > 政务公开``, ``当前位置：首页>…``), bracketed buttons (``【字体：大 中 小】``,
#: ``【打印本页】【关闭窗口】``), ``扫一扫在手机打开当前页``, ``打印本页 关闭窗口``.
WEB_CHROME = re.compile(
    r"(?:(?:当前|您的|您现在的|所在)?位置\s*[:：]?\s*)?首页\s*(?:[>»›/|]\s*[^>»›/|]{1,20}\s*)*[>»›/|]?"
    r"|(?:[【\[]\s*[^】\]]{1,16}\s*[】\]]\s*)+"
    r"|扫一扫在手机(?:上)?(?:打开|查看)当前页(?:面)?"
    r"|(?:(?:打印本页|打印|关闭窗口|关闭|返回顶部|收藏|分享到?)\s*[|｜]?\s*){2,}"
)

#: A month without a day closing a report: ``2024年1月``, ``二〇二四年一月`` (a signature date, day unknown).
MONTH_DATE = re.compile(rf"(?P<y>{YEAR_WORD})\s*年\s*(?P<m>\d{{1,2}}|[一二三四五六七八九十]{{1,2}})\s*月")

#: A publication note under the signature: ``（此件公开发布）``, ``(此件主动公开)``.
PUBLICATION_NOTE = re.compile(r"[(（]\s*此件[^)）]{0,12}[)）]")

#: Labels whose value fills a front-matter field.
META_FIELDS = {
    "索引号": "index_no",
    "信息索引号": "index_no",
    "发布日期": "published",
    "发布时间": "published",
    "公开日期": "published",
    "公开时间": "published",
    "成文日期": "written",
    "发文日期": "written",
    "生成日期": "written",
}

#: Labels whose value names the issuer: ``发布机构：桃源县人民政府`` (used when the text itself names nobody);
#: ``文头`` is a letterhead (``三门县人民政府文件``) kept as a metadata line.
ISSUER_LABELS = ("发布机构", "发文机关", "发布单位", "文头")
#: Labels whose value names the issuer only when it is a body's name (``来源：中国政府网`` is a website).
SOURCE_LABELS = ("来源", "信息来源")

#: Name endings of bodies that issue reports (longest first is not needed: the regex finds the last one).
ORG_SUFFIX = (
    "人民政府办公室|人民政府|政府办公室|政府办公厅|办公室|办公厅|委员会|管理委员会|街道办事处|办事处|街道|"
    "研究室|司法局|局|厅|委|办|部|署|院|中心|镇|乡|政府|党委|党工委|总队|支队|大队|所|站|公司"
)
#: A letterhead printed above a document: ``三门县人民政府文件``, ``中共三门县委员会 三门县人民政府文件``.
LETTERHEAD = re.compile(rf"[\u4e00-\u9fff()、\s]{{2,40}}?(?:{ORG_SUFFIX})\s*文件")
#: ``现将市人社局2021年法治政府建设情况报告予以公开`` — a sentence presenting the report names its agency.
PRESENTING = re.compile(
    rf"现将(?P<agency>[^，。,；;、]{{2,30}}?(?:{ORG_SUFFIX}))(?:(?:19|20)\d{{2}}年度?|关于)?"
    rf"[^，。,；;]{{0,12}}?(?:法治政府建设|法治建设)"
)

#: An issuing body at the start of a sentence's subject: ``东城街道深入学习`` → 东城街道.
SUBJECT_AGENCY = re.compile(
    rf"^(?P<agency>[\u4e00-\u9fff（）()]{{2,30}}?(?:{ORG_SUFFIX}))(?:党组|党委)?(?=[\u4e00-\u9fff])"
)

#: A whole string that is a body's name: ``区政府研究室``, ``中共南开区委``.
SUBJECT_AGENCY_WHOLE = re.compile(rf"(?P<agency>[\u4e00-\u9fff（）()]{{2,30}}(?:{ORG_SUFFIX}))")

#: A body naming itself by its level only: ``区政府``, ``县委``, ``县人民政府``, ``镇党委``, ``中共县委``.
SELF_BODY = r"(?:中共)?[省市区县州旗盟镇乡]?(?:委|党委|党工委|政府|人民政府)"
#: A report's self-reference, one body or a joint one: ``区政府``, ``县委、县政府``, ``省委 省政府``, ``县委县政府``.
SELF_REFERENCE = re.compile(rf"{SELF_BODY}(?:[、\s]*{SELF_BODY})*")

#: Words a body's name never holds but a sentence does: ``自觉对标对表中央关于依法治国的决策部`` is not an issuer.
NOT_A_NAME = re.compile(r"的|关于|对标|贯彻|落实|推进|加强|坚持|深入|认真|围绕|按照|根据|自觉|[，,。；;：:！？]")
