"""Synthetic 法治政府建设年度报告 corpus for benchmarks.

    python bench/synth.py N OUT [--seed S] [--seeds DIR]

writes ``OUT/syn_00000.txt`` … and ``OUT/_manifest.json``. The same arguments always give
byte-identical files: all randomness comes from ``random.Random`` seeded by ``--seed``.

Reports are stitched from the real reports in ``seeds/``: their sentences are compiled once into
templates whose years, counts, agency and place names are slots, so rendering one report is a few
list joins (10,000 reports take a few seconds). Each report also carries a few made-up
"rare terms" (``“星河数据港”专项``) with exact, known hit counts; the manifest lists them so a search
benchmark can check its results.

As a module: ``from bench.synth import generate; generate(n, out_dir, seed=0)``.
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import random
import re
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SEEDS_DIR = REPO_ROOT / "seeds"
MANIFEST_NAME = "_manifest.json"  # not .txt: the converter reads every *.txt in the folder
FILE_PATTERN = "syn_{index:05d}.txt"
YEARS = tuple(range(2016, 2026))

# --------------------------------------------------------------------------------------------
# Who reports: districts × departments × years

# province | city (empty for municipalities) | districts and counties
_DISTRICT_TABLE = """
天津市||和平区 河东区 河西区 南开区 河北区 红桥区 东丽区 西青区 津南区 北辰区 武清区 宝坻区 滨海新区 宁河区 静海区 蓟州区
重庆市||渝中区 江北区 沙坪坝区 九龙坡区 南岸区 北碚区 渝北区 巴南区 长寿区 江津区
北京市||东城区 西城区 朝阳区 海淀区 丰台区 石景山区 通州区 顺义区
上海市||黄浦区 徐汇区 长宁区 静安区 杨浦区 闵行区
浙江省|杭州市|西湖区 上城区 拱墅区 滨江区 余杭区 桐庐县 淳安县
浙江省|湖州市|安吉县 德清县 长兴县
浙江省|宁波市|海曙区 鄞州区 象山县 宁海县
湖南省|长沙市|岳麓区 芙蓉区 天心区 开福区
湖南省|常德市|武陵区 鼎城区 桃源县 汉寿县 石门县
湖南省|岳阳市|平江县
江苏省|南京市|玄武区 秦淮区 建邺区 鼓楼区 栖霞区 江宁区
江苏省|苏州市|姑苏区 吴中区 相城区
四川省|成都市|锦江区 青羊区 金牛区 武侯区 成华区
广东省|广州市|越秀区 海珠区 天河区 白云区 番禺区
湖北省|武汉市|江岸区 江汉区 硚口区 汉阳区 武昌区 洪山区
陕西省|西安市|雁塔区 碑林区 莲湖区 未央区
江西省|上饶市|婺源县
"""

# Departments named "{district}{name}"; in running text they are "区{name}" / "县{name}".
_DEPARTMENTS = """
司法局 人力资源和社会保障局 政府办公室 教育局 财政局 生态环境局 市场监督管理局 民政局
住房和城乡建设委员会 交通运输局 水务局 农业农村局 商务局 文化和旅游局 卫生健康委员会 退役军人事务局
应急管理局 审计局 统计局 医疗保障局 城市管理委员会 科学技术局 工业和信息化局 发展和改革委员会
政务服务办公室 投资促进局 政府研究室 信访办公室 体育局 规划和自然资源局
"""
# Sub-district bodies: their running-text name has no 区/县 prefix.
_STREET_OFFICES = ("新华街道办事处", "向阳街道办事处")

_DISTRICT_SHORT_NAMES = {"滨海新区": "滨海"}


@dataclass(frozen=True)
class District:
    name: str  #: e.g. 南开区
    province: str  #: e.g. 天津市, 浙江省
    city: str  #: prefecture city, empty for a municipality's district

    @property
    def region(self) -> str:
        return f"{self.province}{self.city}{self.name}"

    @property
    def short(self) -> str:
        """The name without 区/县, as in 法治南开."""
        return _DISTRICT_SHORT_NAMES.get(self.name, self.name[:-1])

    @property
    def level(self) -> str:
        """区 or 县: replaces 区 in 区委、全区、区政府 of the seed text."""
        return self.name[-1]


@dataclass(frozen=True)
class Department:
    name: str
    prefixed: bool  #: running text says 区{name}; street offices are named bare

    def agency(self, district: District) -> str:
        return f"{district.name}{self.name}"

    def short(self, district: District) -> str:
        return f"{district.level}{self.name}" if self.prefixed else self.name


def _parse_districts(table: str) -> tuple[District, ...]:
    districts = []
    for row in table.strip().splitlines():
        province, city, names = row.split("|")
        districts.extend(District(name, province, city) for name in names.split())
    return tuple(districts)


DISTRICTS = _parse_districts(_DISTRICT_TABLE)
DEPARTMENTS = tuple(Department(name, True) for name in _DEPARTMENTS.split()) + tuple(
    Department(name, False) for name in _STREET_OFFICES
)
assert len({d.name for d in DISTRICTS}) == len(DISTRICTS), "district names must be unique"
TRIPLE_COUNT = len(DISTRICTS) * len(DEPARTMENTS) * len(YEARS)


# --------------------------------------------------------------------------------------------
# Report structure

PART_KEYS = ("measures", "shortcomings", "leadership", "plans")

# Level-1 heading wordings; {year}, {next} (year + 1) and {short} (the agency in running text).
PART_TITLES: dict[str, tuple[str, ...]] = {
    "measures": (
        "{year}年推进法治政府建设的主要举措和成效",
        "推进法治政府建设的主要举措和成效",
        "{year}年法治政府建设工作开展情况",
        "{year}年推进法治政府建设的主要做法和成效",
        "法治政府建设主要做法和成效",
    ),
    "shortcomings": (
        "{year}年推进法治政府建设存在的不足和原因",
        "存在的不足和原因",
        "{year}年法治政府建设存在的问题和差距",
        "存在的问题和差距",
    ),
    "leadership": (
        "{year}年{short}主要负责人履行推进法治政府建设第一责任人职责、加强法治政府建设有关情况",
        "党政主要负责人履行推进法治建设第一责任人职责情况",
        "主要负责人履行推进法治建设第一责任人职责情况",
        "{short}主要负责人履行推进法治建设第一责任人职责情况",
    ),
    "plans": (
        "{next}年推进法治政府建设的主要安排",
        "下一年度推进法治政府建设的主要安排",
        "下一年度工作打算",
        "{next}年法治政府建设工作打算",
    ),
}

# Part order of a level-1 heading, by its words; leadership first because it also says 情况.
_PART_WORDS = (
    ("leadership", ("第一责任人",)),
    ("shortcomings", ("不足", "问题", "差距")),
    ("plans", ("安排", "打算", "下一")),
    ("measures", ("举措", "成效", "做法", "开展情况")),
)

# Extra sub-headings so that five seeds give enough distinct （一）… lines per part.
_EXTRA_SUBHEADINGS: dict[str, tuple[str, ...]] = {
    "measures": (
        "坚持党的领导，压实法治建设责任",
        "健全依法决策机制，提升决策科学化水平",
        "深化“放管服”改革，优化法治化营商环境",
        "规范行政执法行为，提升执法质效",
        "强化权力制约监督，推进政务公开",
        "加强行政复议应诉工作，化解行政争议",
        "深入开展普法宣传，营造尊法学法守法用法氛围",
        "加强规范性文件管理，维护法制统一",
    ),
    "shortcomings": (
        "法治宣传教育的针对性和实效性有待提升",
        "运用法治思维解决问题的能力还需加强",
        "行政执法规范化水平仍需提高",
        "合法性审查工作力量相对薄弱",
        "法治工作与业务工作融合不够紧密",
        "政务公开的深度和广度有待拓展",
    ),
    "leadership": (
        "带头尊法学法守法用法",
        "履行法治建设领导职责",
        "坚持依法科学民主决策",
        "强化督促检查，推动责任落实",
        "亲自部署重要工作，亲自过问重大问题",
        "带头推进依法行政",
    ),
    "plans": (
        "持续深化习近平法治思想学习宣传贯彻",
        "进一步健全依法决策机制",
        "持续提升行政执法规范化水平",
        "深入推进普法依法治理",
        "加强法治队伍建设",
        "强化法治督察和考核评价",
    ),
}

# How many （一）… per part (the brief: 2–5) and paragraph lengths in characters, tuned so that
# reports average about 6 KB like the seeds.
_SUBHEADING_COUNTS = {"measures": (2, 4), "shortcomings": (2, 3), "leadership": (2, 3), "plans": (2, 3)}
_PARAGRAPH_CHARS = (15, 90)

CN_NUMERALS = "一二三四五六七八九十"


def classify_part(heading: str) -> str | None:
    """The part a level-1 heading names (measures, shortcomings, leadership, plans), or None."""
    for part, words in _PART_WORDS:
        if any(word in heading for word in words):
            return part
    return None


# --------------------------------------------------------------------------------------------
# Rare terms: made-up project names with exact hit counts

_RARE_FIRST = (
    "星河 云帆 锦程 青禾 银杏 松涛 雁栖 蓝湾 金穗 晨曦 玉泉 沧浪 鹭洲 琥珀 翠微 长庚 枫林 海棠 鸿雁 苍梧 "
    "紫荆 丹霞 凌霄 汀兰 璞玉 墨池 疏影 澄江 岚山 苇渡 桐荫 杏坛 梧冈 芷汀 蘅芜 箐溪 芸窗 棠棣 柘林 萤灯"
).split()
_RARE_MIDDLE = (
    "数据 智链 云梯 民声 法韵 惠企 安澜 共治 善治 清风 和畅 睿政 通衢 融媒 暖心 护苗 晴川 明镜 同心 枢纽 "
    "知行 弘毅 守正 启航 筑基 聚力 连心 畅行 协同 润泽 固本 拓新 明理 向善 致远 笃行 织网 点灯 铸魂 汇智"
).split()
# No suffix may start another one, or 星河数据港 would hide inside 星河数据港湾.
_RARE_SUFFIX = (
    "港 工坊 驿站 矩阵 学堂 图谱 方舱 中枢 云台 书院 走廊 客厅 营地 课堂 灯塔 码头 花园 引擎 罗盘 绿洲 "
    "雷达 苗圃 工场 星图"
).split()
RARE_NAME_COUNT = len(_RARE_FIRST) * len(_RARE_MIDDLE) * len(_RARE_SUFFIX)

#: Each report gets one term from each tier; a term of tier f is in exactly f reports (the last
#: term of a tier in fewer when N is not a multiple of f).
RARE_TIERS = (1, 10, 50, 200)

# Sentences that carry a rare term {t}; {n} is a count, {prov} the province-level name.
_RARE_SENTENCES = (
    "组织实施“{t}”专项，全年开展相关活动{n}场次。",
    "依托“{t}”平台，累计受理群众诉求{n}件。",
    "认真贯彻《{prov}{t}管理办法》，推动相关制度落地见效。",
    "打造“{t}”品牌，覆盖社区{n}个。",
    "启动“{t}”试点工作，形成可复制经验{n}项。",
    "对照《{t}建设指引》开展自查，整改问题{n}个。",
)


def rare_name(number: int) -> str:
    """The number-th made-up name (0 ≤ number < RARE_NAME_COUNT), e.g. 星河数据港."""
    number, first = divmod(number, len(_RARE_FIRST))
    suffix, middle = divmod(number, len(_RARE_MIDDLE))
    return _RARE_FIRST[first] + _RARE_MIDDLE[middle] + _RARE_SUFFIX[suffix]


def assign_rare_terms(n: int, rng: random.Random) -> list[list[str]]:
    """For each of n reports, one term per tier; term names never repeat across tiers."""
    tier_sizes = [math.ceil(n / frequency) for frequency in RARE_TIERS]
    if sum(tier_sizes) > RARE_NAME_COUNT:
        raise ValueError(f"{n} reports need {sum(tier_sizes)} rare names, only {RARE_NAME_COUNT} exist")
    names = [rare_name(number) for number in rng.sample(range(RARE_NAME_COUNT), sum(tier_sizes))]
    terms: list[list[str]] = [[] for _ in range(n)]
    offset = 0
    for frequency, size in zip(RARE_TIERS, tier_sizes):
        order = list(range(n))
        rng.shuffle(order)
        for rank, report in enumerate(order):
            terms[report].append(names[offset + rank // frequency])
        offset += size
    return terms


# --------------------------------------------------------------------------------------------
# Seed text → templates

# A template is a tuple of pieces: a str is literal text, a tuple is a slot filled per report:
#   ("year", offset)          the report year + offset
#   ("num", value, decimals)  a count like 274 or a score like 96.28, redrawn around value
#   ("pct", value, decimals)  a percentage (the % sign stays literal)
#   ("agency",)               the agency as running text says it (区司法局); full name in openings
#   ("agency_full",)          the full agency name (南开区司法局)
#   ("district",) ("dshort",) ("prov",) ("pshort",) ("level",)   南开区 南开 天津市 天津 区/县
Piece = str | tuple
Template = tuple[Piece, ...]

# Names the seeds use for their own agency, besides the title's full name and 区{dept} / {dept}.
_SEED_AGENCY_ALIASES = {
    "投资促进局": ("投促局",),
    "政府办公室": ("区政府办(?!公厅)", "政府办(?!公厅)"),
    "政府研究室": ("研究室",),
}
_SEED_DISTRICTS = ("南开", "东丽", "红桥")  # places named in the seeds, all become the report's own
_SEED_PROVINCE = "天津"

# 区 that means the district government level (区委、全区、区政府、市（区）), not 社区 or 地区.
_LEVEL_PATTERN = (
    r"区(?=委|政府|领导|级|长|人民|两级|关于|统一|司法局|城管委|住建委|卫健委|工商联|\d)"
    r"|(?<=[全我本])区|(?<=依法治)区|(?<=市（)区(?=）)|(?<=市、)区"
)
_YEAR_PATTERN = r"(?<![\d—－\-.])20\d\d(?![\d—－\-])"  # not inside （2021—2025年）
_NUMBER_PATTERN = r"(?<![\d.·])\d+(?:\.\d+)?(?=余?(?:件|次|项|个|篇|期|条|场次|场|家|人次|分|%|名|人|例|万字))"

_SENTENCE_END = re.compile(r"(?<=[。！？])(?![”’」』）])")
_ORDINAL_LEAD = re.compile(f"^[{CN_NUMERALS}]是")
_LEVEL1 = re.compile(f"^[{CN_NUMERALS}]、(.+)$")
_LEVEL2 = re.compile(f"^（[{CN_NUMERALS}]+）(.+)$")
_SIGNATURE_DATE = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$")
_OPENING = re.compile(r"^\d{4}年，")


class _TemplateCompiler:
    """Turns one seed's text into templates; knows that seed's year and agency names."""

    def __init__(self, seed_year: int, agency_full: str, department: str) -> None:
        self.seed_year = seed_year
        short_aliases = [f"区{re.escape(department)}", f"(?<![市省]){re.escape(department)}"]
        short_aliases += _SEED_AGENCY_ALIASES.get(department, ())
        places = [f"{name}区" for name in _SEED_DISTRICTS]
        alternatives = [
            ("agency_full", re.escape(agency_full)),
            ("agency", "|".join(short_aliases)),
            ("district", "|".join(places)),
            ("dshort", "|".join(_SEED_DISTRICTS)),
            ("prov", f"{_SEED_PROVINCE}市"),
            ("pshort", _SEED_PROVINCE),
            ("year", _YEAR_PATTERN),
            ("num", _NUMBER_PATTERN),
            ("level", _LEVEL_PATTERN),
        ]
        self.pattern = re.compile("|".join(f"(?P<{name}>{regex})" for name, regex in alternatives))

    def compile(self, text: str) -> Template:
        pieces: list[Piece] = []
        position = 0
        for match in self.pattern.finditer(text):
            if match.start() > position:
                pieces.append(text[position : match.start()])
            pieces.append(self._slot(match))
            position = match.end()
        if position < len(text):
            pieces.append(text[position:])
        return tuple(pieces)

    def _slot(self, match: re.Match[str]) -> Piece:
        kind = match.lastgroup
        value = match.group()
        if kind == "year":
            offset = int(value) - self.seed_year
            return ("year", offset) if abs(offset) <= 1 else value
        if kind == "num":
            decimals = len(value.partition(".")[2])
            is_percent = match.string.startswith("%", match.end())
            return ("pct" if is_percent else "num", float(value), decimals)
        return (kind,)


@dataclass(frozen=True)
class Paragraph:
    """A seed paragraph as templated sentences (ordinal lead-ins 一是… stripped)."""

    sentences: tuple[Template, ...]
    lengths: tuple[int, ...]  #: characters of each sentence in the seed


@dataclass(frozen=True)
class Corpus:
    """Everything the generator draws from, per part."""

    openings: tuple[Template, ...]
    subheadings: dict[str, tuple[Template, ...]]  #: （一）… titles and 一是… lead-ins
    paragraphs: dict[str, tuple[Paragraph, ...]]


def _parse_seed(text: str, corpus: dict) -> None:
    """Adds one seed report's opening, sub-headings and paragraphs to the corpus lists."""
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    opening_index = next(i for i, line in enumerate(lines) if _OPENING.match(line))
    title = "".join(lines[:opening_index])
    title_match = re.match(r"^(.*?)(\d{4})年", title)
    if not title_match:
        raise ValueError(f"seed title without a year: {title!r}")
    agency_full, seed_year = title_match.group(1), int(title_match.group(2))
    department = agency_full
    for name in _SEED_DISTRICTS:
        department = department.removeprefix(f"{name}区")
    department = department.removeprefix("区")
    compiler = _TemplateCompiler(seed_year, agency_full, department)

    # A trailing signature (agency line + date) is not body text.
    if _SIGNATURE_DATE.match(lines[-1]):
        lines.pop()
        if "。" not in lines[-1]:
            lines.pop()

    corpus["openings"].append(compiler.compile(lines[opening_index]))
    part: str | None = None
    for line in lines[opening_index + 1 :]:
        if level1 := _LEVEL1.match(line):
            part = classify_part(level1.group(1))
            continue
        if part is None:
            continue
        if level2 := _LEVEL2.match(line):
            corpus["subheadings"][part].append(compiler.compile(level2.group(1)))
            continue
        if "。" not in line and len(line) <= 30:  # an unnumbered sub-heading
            corpus["subheadings"][part].append(compiler.compile(line))
            continue
        sentences: list[Template] = []
        lengths: list[int] = []
        for sentence in _SENTENCE_END.split(line):
            if not sentence:
                continue
            if _ORDINAL_LEAD.match(sentence):
                sentence = sentence[2:]
                if len(sentence) <= 31:  # 一是领导带头学。 is a lead-in, reused as a sub-heading
                    corpus["subheadings"][part].append(compiler.compile(sentence.rstrip("。")))
                    continue
            sentences.append(compiler.compile(sentence))
            lengths.append(len(sentence))
        if sentences:
            corpus["paragraphs"][part].append(Paragraph(tuple(sentences), tuple(lengths)))


@functools.lru_cache(maxsize=4)
def load_corpus(seeds_dir: Path = DEFAULT_SEEDS_DIR) -> Corpus:
    """Parses every seeds_dir/*.txt (sorted, so the corpus does not depend on listing order)."""
    collected: dict = {
        "openings": [],
        "subheadings": {part: [] for part in PART_KEYS},
        "paragraphs": {part: [] for part in PART_KEYS},
    }
    seed_files = sorted(Path(seeds_dir).glob("*.txt"))
    if not seed_files:
        raise FileNotFoundError(f"no seed reports (*.txt) in {seeds_dir}")
    for path in seed_files:
        _parse_seed(path.read_text(encoding="utf-8"), collected)
    for part in PART_KEYS:
        collected["subheadings"][part].extend((title,) for title in _EXTRA_SUBHEADINGS[part])
        # The same lead-in can occur in two seeds; keep the first.
        collected["subheadings"][part] = list(dict.fromkeys(collected["subheadings"][part]))
        if not collected["paragraphs"][part]:
            raise ValueError(f"seed reports have no paragraphs for part {part}")
    return Corpus(
        openings=tuple(collected["openings"]),
        subheadings={part: tuple(items) for part, items in collected["subheadings"].items()},
        paragraphs={part: tuple(items) for part, items in collected["paragraphs"].items()},
    )


# --------------------------------------------------------------------------------------------
# Rendering one report


@dataclass(frozen=True)
class ReportSpec:
    """Who reports for which year, and the rare terms it must contain."""

    index: int
    district: District
    department: Department
    year: int
    rare_terms: tuple[str, ...]

    @property
    def file_name(self) -> str:
        return FILE_PATTERN.format(index=self.index)

    @property
    def agency(self) -> str:
        return self.department.agency(self.district)


@dataclass(frozen=True)
class ManifestEntry:
    file: str
    agency: str
    region: str
    year: int
    rare_terms: list[str]


class _Renderer:
    """Fills template slots for one report."""

    def __init__(self, spec: ReportSpec, rng: random.Random) -> None:
        self.rng = rng
        self.year = spec.year
        self.used_sentences: set[tuple[str, int, int]] = set()
        district = spec.district
        self.names = {
            "agency": spec.department.short(district),
            "agency_full": spec.agency,
            "district": district.name,
            "dshort": district.short,
            "prov": district.province,
            "pshort": district.province[:-1],
            "level": district.level,
        }

    def render(self, template: Template, full_agency: bool = False) -> str:
        out: list[str] = []
        for piece in template:
            if isinstance(piece, str):
                out.append(piece)
                continue
            kind = piece[0]
            if kind == "year":
                out.append(str(self.year + piece[1]))
            elif kind == "num":
                out.append(self._count(piece[1], piece[2]))
            elif kind == "pct":
                out.append(self._percent(piece[1], piece[2]))
            elif kind == "agency" and full_agency:
                out.append(self.names["agency_full"])
            else:
                out.append(self.names[kind])
        return "".join(out)

    def _count(self, value: float, decimals: int) -> str:
        if decimals:  # a score such as 96.28分
            low, high = max(60.0, value - 8), min(99.99, value + 3)
            return f"{self.rng.uniform(low, high):.{decimals}f}"
        return str(max(1, round(value * self.rng.uniform(0.5, 2.0))))

    def _percent(self, value: float, decimals: int) -> str:
        if value >= 100 and self.rng.random() < 0.7:
            return "100"
        return f"{self.rng.uniform(90, 99.9):.{max(decimals, 1)}f}"


def _paragraph_text(corpus: Corpus, part: str, renderer: _Renderer) -> str:
    """A run of consecutive seed sentences of about a random target length.

    Sentences already used in this report are skipped, so a report does not repeat itself
    (unless the part's pool runs dry).
    """
    rng = renderer.rng
    target = rng.randint(*_PARAGRAPH_CHARS)
    pool = corpus.paragraphs[part]
    chosen: list[str] = []
    length = 0
    for _hop in range(4):  # a short seed paragraph continues with another one (maybe another seed)
        paragraph_index = rng.randrange(len(pool))
        paragraph = pool[paragraph_index]
        start = rng.randrange(len(paragraph.sentences))
        for sentence_index in range(start, len(paragraph.sentences)):
            key = (part, paragraph_index, sentence_index)
            if key in renderer.used_sentences:
                continue
            renderer.used_sentences.add(key)
            chosen.append(renderer.render(paragraph.sentences[sentence_index]))
            length += paragraph.lengths[sentence_index]
            if length >= target:
                return "".join(chosen)
    if not chosen:  # every sentence tried was used already: repeat one
        paragraph = pool[rng.randrange(len(pool))]
        chosen.append(renderer.render(paragraph.sentences[0]))
    return "".join(chosen)


def _part_blocks(corpus: Corpus, part: str, renderer: _Renderer) -> list[tuple[str, str]]:
    """Sub-headings （一）… each followed by paragraphs, some written as 一是…/二是… lead-ins."""
    rng = renderer.rng
    titles = corpus.subheadings[part]
    unused = list(range(len(titles)))
    rng.shuffle(unused)  # headings and lead-ins are taken from here, so none repeats in a report
    count = min(rng.randint(*_SUBHEADING_COUNTS[part]), len(unused))
    blocks: list[tuple[str, str]] = []
    for number in range(count):
        blocks.append(("h2", f"（{CN_NUMERALS[number]}）{renderer.render(titles[unused.pop()])}"))
        lead_count = rng.randint(2, 3)
        if rng.random() < 0.15 and len(unused) >= lead_count + count - number:
            for ordinal in range(lead_count):
                lead = renderer.render(titles[unused.pop()])
                body = _paragraph_text(corpus, part, renderer)
                blocks.append(("p", f"{CN_NUMERALS[ordinal]}是{lead}。{body}"))
        else:
            for _ in range(rng.choice((1, 1, 1, 2))):
                blocks.append(("p", _paragraph_text(corpus, part, renderer)))
    return blocks


def render_report(spec: ReportSpec, corpus: Corpus, rng: random.Random) -> str:
    """The raw text of one report, laid out with the seeds' quirks (split titles, indents, gaps)."""
    renderer = _Renderer(spec, rng)
    year = spec.year
    short = renderer.names["agency"]
    blocks: list[tuple[str, str]] = []

    if rng.random() < 0.5:  # 南开区司法局2023年度法治政府建设 / 情况报告, like most seeds
        blocks.append(("title", f"{spec.agency}{year}年度法治政府建设"))
        blocks.append(("title", "情况报告"))
    else:
        blocks.append(("title", f"{spec.agency}{year}年度法治政府建设情况报告"))
    opening = corpus.openings[rng.randrange(len(corpus.openings))]
    blocks.append(("opening", renderer.render(opening, full_agency=True)))

    order = list(PART_KEYS)
    if rng.random() < 0.15:  # leadership before shortcomings, as one seed does
        order[1], order[2] = order[2], order[1]
    term_slots: list[int] = []  # paragraphs that may carry a rare term: measures and plans read as projects
    for number, part in enumerate(order):
        title = rng.choice(PART_TITLES[part]).format(year=year, next=year + 1, short=short)
        blocks.append(("h1", f"{CN_NUMERALS[number]}、{title}"))
        part_blocks = _part_blocks(corpus, part, renderer)
        if part in ("measures", "plans"):
            term_slots += [len(blocks) + i for i, (kind, _) in enumerate(part_blocks) if kind == "p"]
        blocks.extend(part_blocks)

    # One sentence per rare term, appended to a body paragraph (never a heading).
    for term in spec.rare_terms:
        sentence = rng.choice(_RARE_SENTENCES).format(t=term, n=rng.randint(2, 60), prov=spec.district.province)
        i = rng.choice(term_slots)
        blocks[i] = ("p", blocks[i][1] + sentence)

    if rng.random() < 0.25:
        month, day = rng.randint(1, 3), rng.randint(1, 28)
        blocks.append(("sig", spec.agency))
        blocks.append(("sig", f"{year + 1}年{month}月{day}日"))
    return _layout(blocks, rng)


def _layout(blocks: list[tuple[str, str]], rng: random.Random) -> str:
    """Joins blocks into lines; gaps and indents vary per report as they do in the seeds."""
    blank_probability = rng.choice((1.0, 1.0, 0.6, 0.3))
    indent_probability = rng.choice((0.0, 0.0, 0.0, 0.3))
    lines: list[str] = []
    for position, (kind, text) in enumerate(blocks):
        if position and rng.random() < blank_probability:
            lines.append("")
        if kind == "p" and rng.random() < indent_probability:
            text = "    " + text
        elif kind == "sig":
            text = " " * rng.randint(20, 32) + text
        lines.append(text)
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
# The corpus


def plan_reports(n: int, seed: int = 0) -> list[ReportSpec]:
    """n reports with distinct (region, agency, year) and their rare terms; depends only on n, seed."""
    if not 0 <= n <= TRIPLE_COUNT:
        raise ValueError(f"n must be between 0 and {TRIPLE_COUNT} (distinct region/agency/year triples)")
    rng = random.Random(seed)
    triples = rng.sample(range(TRIPLE_COUNT), n)
    rare_terms = assign_rare_terms(n, rng)
    specs = []
    for index, triple in enumerate(triples):
        rest, year_index = divmod(triple, len(YEARS))
        district_index, department_index = divmod(rest, len(DEPARTMENTS))
        specs.append(
            ReportSpec(
                index=index,
                district=DISTRICTS[district_index],
                department=DEPARTMENTS[department_index],
                year=YEARS[year_index],
                rare_terms=tuple(rare_terms[index]),
            )
        )
    return specs


def generate(n: int, out_dir: str | Path, seed: int = 0, seeds_dir: str | Path | None = None) -> list[ManifestEntry]:
    """Writes n reports and _manifest.json into out_dir; returns the manifest entries.

    Earlier syn_*.txt files in out_dir are removed first, so the folder holds exactly this corpus.
    """
    corpus = load_corpus(Path(seeds_dir) if seeds_dir else DEFAULT_SEEDS_DIR)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("syn_*.txt"):
        stale.unlink()
    entries = []
    for spec in plan_reports(n, seed):
        # One generator per report: a report's text depends on (seed, index), not on the others.
        text = render_report(spec, corpus, random.Random(f"{seed}:{spec.index}"))
        with open(out / spec.file_name, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        entries.append(
            ManifestEntry(
                file=spec.file_name,
                agency=spec.agency,
                region=spec.district.region,
                year=spec.year,
                rare_terms=list(spec.rare_terms),
            )
        )
    rows = ",\n".join(json.dumps(asdict(entry), ensure_ascii=False) for entry in entries)
    (out / MANIFEST_NAME).write_text(f"[\n{rows}\n]\n" if rows else "[]\n", encoding="utf-8")
    return entries


def read_manifest(out_dir: str | Path) -> list[ManifestEntry]:
    rows = json.loads((Path(out_dir) / MANIFEST_NAME).read_text(encoding="utf-8"))
    return [ManifestEntry(**row) for row in rows]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate N synthetic 法治政府建设年度报告 (.txt) into OUT.")
    parser.add_argument("n", type=int, metavar="N", help=f"number of reports (≤ {TRIPLE_COUNT})")
    parser.add_argument("out", type=Path, metavar="OUT", help="output folder (created; old syn_*.txt removed)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--seeds", type=Path, default=None, help="folder of real reports to draw text from")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        entries = generate(args.n, args.out, seed=args.seed, seeds_dir=args.seeds)
    except (ValueError, FileNotFoundError) as error:
        print(f"synth: {error}", file=sys.stderr)
        return 2
    elapsed = time.perf_counter() - started
    total = sum((args.out / entry.file).stat().st_size for entry in entries)
    average = total / len(entries) / 1024 if entries else 0.0
    print(f"wrote {len(entries)} reports ({total / 1e6:.1f} MB, {average:.1f} KB each) to {args.out} in {elapsed:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
