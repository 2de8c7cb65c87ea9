"""Insight pages (issue #8): one part across agencies, one agency across years, figures, keywords.

Pure functions from the site index and the parsed reports to Markdown; no MkDocs here
(``plugin.py`` adds the results as virtual files, like the listings). The part texts come from
the reports themselves — each raw file read and parsed again, exactly as the converter does it
(:func:`lawreports.convert.prepare`, ~1 ms a report) — never from the generated Markdown. Report
text is data: paragraphs go through :func:`lawreports.render.escape_text`, inline pieces through
:func:`markup.text`, HTML through :func:`lawreports.render.escape_html`. Every link is a relative
Markdown link to a page's source file, so ``mkdocs build --strict`` checks it and its anchor.

Pages (paths relative to docs_dir)::

    compare/index.md                 分析比较: what there is to compare
    compare/2023/shortcomings.md     2023年各单位“存在的不足和原因”, ≤ 50 agencies a page
                                     (compare/2023/shortcomings/page-2.md …)
    compare/figures.md               具体数据: figures per 1,000 characters, report by report
    changes/<agency>/2024.md         one agency: 2023's plans beside 2024's measures; each part diffed
    tags/index.md                    关键词: each keyword and its reports (tags/page-2.md …)
    data/figures.csv                 every figure (UTF-8 with BOM, for Excel)
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pypinyin import lazy_pinyin

from .. import figures as key_figures
from .. import keywords as kw
from .. import textdiff
from ..model import PART_KEYS, Block, Heading, Paragraph, Report
from ..render import FIGURES_ANCHOR, PART_LABELS, escape_html, escape_text
from . import markup as md
from . import rawhtml
from .listings import Generated, ReportInfo, SiteIndex, _pager, _pages, pinyin_key, year_label, year_uri

#: Agencies on one comparison page (fewer when ``page_size`` is smaller).
COMPARE_PER_PAGE = 50
#: Pages that repeat report text stay out of the search index (the report page has it), and give
#: the cards the width of the navigation sidebar.
WIDE_NO_SEARCH = {"search": {"exclude": True}, "hide": ["navigation"]}
FIGURES_CSV = "data/figures.csv"
CSV_COLUMNS = ("source", "agency", "year", "page", "anchor", "line", "figure", "value", "unit", "number", "sentence")

Loader = Callable[[ReportInfo], Report]


@dataclass(frozen=True)
class Entry:
    """A published report with its parsed text."""

    info: ReportInfo
    uri: str  #: the report page's source path, e.g. ``reports/2023/nan-kai-qu-si-fa-ju.md``
    report: Report | None  #: the parsed text; None once the pages are made (see build)
    figures: tuple[key_figures.Figure, ...]
    rate: float  #: figures per 1,000 characters (the 具体数据 indicator)

    @classmethod
    def of(cls, info: ReportInfo, uri: str, report: Report) -> Entry:
        found = tuple(key_figures.extract(report))
        return cls(info, uri, report, found, key_figures.per_thousand(len(found), report.body_characters))


@dataclass
class Insight:
    """Everything the insight pages and the report pages' additions need, computed once a build."""

    index: SiteIndex
    entries: list[Entry]  #: in the index's order (year descending, agency pinyin)
    problems: list[str] = field(default_factory=list)  #: reports left out, and why
    keywords: dict[str, tuple[kw.Keyword, ...]] = field(default_factory=dict)  #: by report uri
    tag_targets: dict[str, tuple[str, str]] = field(default_factory=dict)  #: keyword → (page uri, anchor)
    card_targets: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)  #: (report uri, part) → (uri, anchor)
    changes: dict[str, tuple[str, Entry]] = field(default_factory=dict)  #: report uri → (changes page, previous entry)
    followed: dict[str, tuple[str, Entry]] = field(default_factory=dict)  #: report uri → (changes page, next entry)
    part_pages: dict[tuple[int, str], list[str]] = field(default_factory=dict)  #: (year, part) → page uris
    pages: list[Generated] = field(default_factory=list)

    def entry(self, info: ReportInfo) -> Entry | None:
        return self._by_uri.get(self.index.report_uri(info))

    def report_extra(self, info: ReportInfo) -> str:
        return report_extra(self, info)

    def __post_init__(self) -> None:
        self._by_uri = {e.uri: e for e in self.entries}


# ---------------------------------------------------------------------------------------------
# Reading the reports


def raw_loader(seeds_dir: Path, settings, agencies_file: Path | None) -> Loader:
    """Read and parse a report's raw file as the converter does (sidecar and agency table included),
    for building the insight outside a site build (the site passes its shared loader instead).

    Parsed reports are kept by :func:`lawreports.convert.prepare`'s own memo (by the file and
    everything the parse depends on); raises what ``prepare`` raises.
    """
    from ..convert import Context, prepare

    try:
        context = Context.load(settings, agencies_file)
    except Exception as err:  # noqa: BLE001 - the converter has reported the agency table already
        problem = err

        def refuse(info: ReportInfo) -> Report:
            raise problem

        return refuse

    def load(info: ReportInfo) -> Report:
        return prepare(seeds_dir / info.source, context).report

    return load


def load_entries(index: SiteIndex, load: Loader) -> tuple[list[Entry], list[str]]:
    entries, problems = [], []
    for info in index.reports:
        try:
            report = load(info)
        except Exception as err:  # noqa: BLE001 - one unreadable report must not cost the others
            problems.append(f"{info.source}: info insight-skipped: 未能重新读取原文，不列入比较和关键词（{type(err).__name__}: {err}）")
            continue
        sha = getattr(info, "source_sha256", None)
        if sha and report.source.sha256 != sha:
            problems.append(f"{info.source}: info insight-skipped: 原文已改动而页面未更新，不列入比较和关键词")
            continue
        entries.append(Entry.of(info, index.report_uri(info), report))
    return entries, problems


# ---------------------------------------------------------------------------------------------
# Pieces


def part_blocks(report: Report, key: str) -> tuple[Heading | None, list[Block], bool]:
    """(heading, the blocks under it, only-within) of a part: its level-1 heading when it has one,
    else the sub-heading of another part that holds it (``parts_within``), else (None, [], False)."""
    anchor = report.parts.get(key)
    within = False
    if not anchor:
        anchor = report.parts_within.get(key)
        within = anchor is not None
    if not anchor:
        return None, [], False
    body = list(report.body)
    start = next((k for k, b in enumerate(body) if isinstance(b, Heading) and b.anchor == anchor), None)
    if start is None:
        return None, [], False
    head = body[start]
    assert isinstance(head, Heading)
    blocks: list[Block] = []
    for b in body[start + 1:]:
        if isinstance(b, Heading) and b.level <= head.level:
            break
        blocks.append(b)
    return head, blocks, within


def characters(blocks: Sequence[Block]) -> int:
    return sum(len("".join((b.title if isinstance(b, Heading) else b.text).split())) for b in blocks)


#: A part with a heading and no text under it.
EMPTY_PART = '<p class="compare-empty">（此部分只有标题，没有内容）</p>'

#: The section link Python-Markdown's toc extension gives a heading (mkdocs.yml: permalink "¶").
PERMALINK = '<a class="headerlink" href="#{id}" title="本节链接">¶</a>'


def part_html(blocks: Sequence[Block]) -> str:
    """A part's sub-headings (bold lines) and paragraphs as HTML, escaped.

    HTML, not Markdown: a comparison page holds the text of up to 50 reports, and Markdown would
    only turn these paragraphs into the same HTML, slowly (see ``rawhtml``)."""
    out = []
    for b in blocks:
        if isinstance(b, Heading):
            out.append(f'<p class="compare-subheading"><strong>{escape_html(" ".join(b.title.split()))}</strong></p>')
        else:
            out.append(f"<p>{escape_html(' '.join(b.text.split()))}</p>")
    return "\n".join(out) if out else EMPTY_PART


def _ascii_id(prefix: str, value: str, used: set[str]) -> str:
    base = prefix + re.sub(r"-+", "-", re.sub(r"[^a-z0-9-]", "", value.lower())).strip("-")
    base = base if base != prefix else f"{prefix}x"
    candidate, n = base, 1
    while candidate in used:
        n += 1
        candidate = f"{base}-{n}"
    used.add(candidate)
    return candidate


def _page(title: str, heading: str, anchor: str, intro: str, body: str, pager: str = "", cards: bool = False) -> str:
    meta: dict = {"title": title}
    if cards:
        meta.update(WIDE_NO_SEARCH)
    out = md.front_matter(meta) + f"# {heading} {{#{anchor}}}\n\n"
    if intro:
        out += intro + "\n\n"
    if pager:
        out += pager + "\n"
    out += body.rstrip("\n") + "\n"
    if pager:
        out += "\n" + pager
    return out


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else repr(value)


# ---------------------------------------------------------------------------------------------
# One part across agencies


def compare_uri(year: int, key: str) -> str:
    return f"compare/{year}/{key}.md"


def _compare_pages(insight: Insight, labels: Callable[[str], str], per_page: int) -> list[Generated]:
    out: list[Generated] = []
    years: dict[int, list[Entry]] = {}
    for e in insight.entries:
        if e.info.year is not None:
            years.setdefault(e.info.year, []).append(e)
    for year, entries in years.items():
        for key in PART_KEYS:
            having = [(e, *part_blocks(e.report, key)) for e in entries]
            cards = [(e, head, blocks, within) for e, head, blocks, within in having if head is not None]
            if not cards:
                continue
            lacking = [e for e, head, _, _ in having if head is None]
            base = compare_uri(year, key)[: -len(".md")]
            pages = _pages(base, cards, per_page)
            uris = [u for u, _ in pages]
            insight.part_pages[(year, key)] = uris
            for k, (uri, chunk) in enumerate(pages, start=1):
                used: set[str] = {"compare", "missing"}
                rendered = []
                for e, head, blocks, within in chunk:
                    anchor = _ascii_id("a-", insight.index.agency(e.info).slug, used)
                    insight.card_targets[(e.uri, key)] = (uri, anchor)
                    rendered.append(_card(e, head, blocks, within, uri, anchor, insight))
                suffix = f"（第{k}页）" if k > 1 else ""
                name = PART_LABELS[key]
                title = f"{year}年各单位“{name}”"
                within_count = sum(1 for c in cards if c[3])
                intro = (
                    f"{year}年度共 {len(entries)} 份报告，{len(cards)} 份有“{md.text(labels(key))}”部分"
                    + (f"（其中 {within_count} 份只在其他部分的小标题下）" if within_count else "")
                    + "，按单位名称的拼音排列，每个单位链接到报告原文中的这一部分。"
                    + f"{md.link('全部比较', uri, 'compare/index.md')} · {md.link(year_label(year) + '的报告', uri, year_uri(year))}"
                )
                # The cards are one HTML block (see ``rawhtml``): 50 cards of report text cost
                # Markdown ~1 ms each for nothing. Their headings carry their own ¶ link; the
                # page's table of contents does not list them.
                body = rawhtml.block('<div class="compare-grid">\n' + "\n".join(rendered) + "\n</div>")
                if lacking and k == len(pages):
                    names = "、".join(md.a(escape_html(agency_name(insight, e)), uri, e.uri) for e in lacking)
                    body += f"\n## 没有此部分的报告 {{#missing}}\n{rawhtml.block(f'<p>{names}。</p>')}"
                out.append(Generated(uri, _page(title + suffix, md.text(title) + suffix, "compare", intro, body,
                                                _pager(uris, k, len(cards)), cards=True)))
    return out


def _card(e: Entry, head: Heading, blocks: Sequence[Block], within: bool, uri: str, anchor: str, insight: Insight) -> str:
    facts = [md.a(escape_html(" ".join(head.title.split())), uri, e.uri, head.anchor, "compare-source")]
    facts.append(f"{characters(blocks)} 字")
    figures = sum(1 for f in e.figures if _under(e.report, f.anchor, head))
    if figures:
        facts.append(f"具体数据 {figures} 处")
    if within:
        facts.append("（见于其他部分的小标题下）")
    return (
        f'<section class="compare-card">\n'
        f'<h2 id="{anchor}">{escape_html(agency_name(insight, e))}{PERMALINK.format(id=anchor)}</h2>\n'
        f'<p class="compare-meta">{" · ".join(facts)}</p>\n{part_html(blocks)}\n</section>'
    )


def agency_name(insight: Insight, e: Entry) -> str:
    """The agency as the agency table names it (东丽区人民政府办公室, not the report's 区政府办公室):
    on a page of many agencies the short form would be ambiguous."""
    return e.info.agency_key or e.info.agency or insight.index.agency(e.info).name


def _under(report: Report, anchor: str, head: Heading) -> bool:
    """Whether the section ``anchor`` is ``head`` or lies under it."""
    inside = False
    for b in report.body:
        if isinstance(b, Heading):
            if b.anchor == head.anchor:
                inside = True
            elif inside and b.level <= head.level:
                return False
            if inside and b.anchor == anchor:
                return True
    return False


# ---------------------------------------------------------------------------------------------
# One agency across years


def changes_uri(agency_slug: str, year: int) -> str:
    return f"changes/{agency_slug}/{year}.md"


def _changes_pages(insight: Insight) -> list[Generated]:
    out: list[Generated] = []
    by_agency: dict[str, list[Entry]] = {}
    for e in insight.entries:
        if e.info.year is not None:
            by_agency.setdefault(e.info.agency_key, []).append(e)
    for agency in insight.index.agencies:
        entries = sorted(by_agency.get(agency.key, []), key=lambda e: e.info.year)
        for prev, cur in zip(entries, entries[1:]):
            uri = changes_uri(agency.slug, cur.info.year)
            insight.changes[cur.uri] = (uri, prev)
            insight.followed[prev.uri] = (uri, cur)
            out.append(Generated(uri, _changes_page(insight, agency, prev, cur, uri)))
    textdiff.bigrams.cache_clear()  # the last few thousand paragraphs' bigrams: not needed again
    return out


def _diff_input(blocks: Sequence[Block]) -> list[textdiff.Block]:
    return [textdiff.Block(b.title, True) if isinstance(b, Heading) else textdiff.Block(b.text) for b in blocks]


def _changes_page(insight: Insight, agency, prev: Entry, cur: Entry, uri: str) -> str:
    py, cy = prev.info.year, cur.info.year
    name = md.text(cur.info.agency or agency.name)
    title = f"{cur.info.agency or agency.name}：{cy}年与{py}年报告对比"
    gap = "" if cy - py == 1 else f"（{py + 1}—{cy - 1}年没有报告，与最近的{py}年比较）"
    whole_prev = {"".join(b.text.split()) for b in prev.report.body if isinstance(b, Paragraph)}
    paragraphs = [b for b in cur.report.body if isinstance(b, Paragraph)]
    reused = sum(1 for b in paragraphs if "".join(b.text.split()) in whole_prev)
    intro = (
        f"{md.link(f'{cy}年报告', uri, cur.uri)}与{md.link(f'{py}年报告', uri, prev.uri)}{gap}。"
        f"{cy}年报告正文 {len(paragraphs)} 段中，有 **{reused}** 段与{py}年报告一字不差。"
        f"{md.link(name, uri, agency.uri)} · {md.link('全部比较', uri, 'compare/index.md')}"
    )
    body = ["## 上年安排与本年举措 {#plans-measures}\n",
            f"{py}年报告提出的下一年度安排，与{cy}年报告的主要举措和成效并列：\n"]
    cards = []
    for e, key, year, anchor in ((prev, "plans", py, "prev-plans"), (cur, "measures", cy, "this-measures")):
        head, blocks, _ = part_blocks(e.report, key)
        heading = f"{year}年：{PART_LABELS[key]}"
        if head is None:
            text = f'<p class="compare-empty">{year}年报告没有“{PART_LABELS[key]}”部分。</p>'
            link = md.a(f"{year}年报告", uri, e.uri)
        else:
            text = part_html(blocks)
            link = md.a(escape_html(" ".join(head.title.split())), uri, e.uri, head.anchor, "compare-source")
        cards.append(f'<section class="compare-card">\n<h3 id="{anchor}">{heading}{PERMALINK.format(id=anchor)}</h3>\n'
                     f'<p class="compare-meta">{link}</p>\n{text}\n</section>')
    body.append(rawhtml.block('<div class="compare-grid compare-pair">\n' + "\n".join(cards) + "\n</div>"))

    body.append("## 逐部分对比 {#parts}\n")
    body.append(
        f"同一部分两年的文字逐段对照：<ins>新增</ins>、<del>删除</del>的文字已标出；与上年一字不差的段落计为沿用"
        f"（位置变动的也算）。沿用率为{cy}年此部分文字中沿用段落所占的比例。\n"
    )
    rows, sections = [], []
    for key in PART_KEYS:
        ph, pblocks, _ = part_blocks(prev.report, key)
        ch, cblocks, _ = part_blocks(cur.report, key)
        label = PART_LABELS[key]
        if ph is None and ch is None:
            continue
        if ph is None or ch is None:
            only = cy if ph is None else py
            rows.append([escape_html(label), "—" if ph is None else "有", "—" if ch is None else "有",
                         f"仅{only}年有此部分", "", "", "", ""])
            continue
        stats = textdiff.diff_blocks(_diff_input(pblocks), _diff_input(cblocks))
        anchor = f"diff-{key}"
        rows.append([
            md.a(escape_html(label), uri, uri, anchor), str(stats.old_paragraphs), str(stats.new_paragraphs),
            str(stats.same), str(stats.changed), str(stats.added), str(stats.removed), f"{stats.reuse_rate:.0%}",
        ])
        links = f"{md.a(f'{py}年', uri, prev.uri, ph.anchor)} → {md.a(f'{cy}年', uri, cur.uri, ch.anchor)}"
        sections.append(f"### {md.text(label)} {{#{anchor}}}\n"
                        + rawhtml.block(f'<p class="compare-meta">{links}</p>\n{diff_html(stats)}'))
    body.append(md.html_table(["部分", f"{py}年段落", f"{cy}年段落", "沿用", "修改", "新增", "删除", "沿用率"], rows))
    body += sections
    return _page(title, md.text(title), "changes", intro, "\n".join(body), cards=True)


DIFF_TAGS = {"same": "", "moved": "沿用（位置变动）", "changed": "修改", "added": "新增", "removed": "删除"}


def diff_html(stats: textdiff.DiffStats) -> str:
    """The diff as one HTML block: a ``<p>`` per paragraph, classed by kind, ``<ins>``/``<del>`` inside."""
    lines = []
    for item in stats.items:
        block = item.new or item.old
        assert block is not None
        if item.kind == "changed":
            inner = "".join(_piece(p) for p in item.pieces)
        elif item.kind == "added":
            inner = f'<ins class="diff-ins">{escape_html(block.text)}</ins>'
        elif item.kind == "removed":
            inner = f'<del class="diff-del">{escape_html(block.text)}</del>'
        else:
            inner = escape_html(" ".join(block.text.split()))
        if item.heading:
            inner = f"<strong>{inner}</strong>"
        tag = DIFF_TAGS[item.kind]
        label = f'<span class="diff-tag">{tag}</span>' if tag else ""
        classes = f"diff-item diff-{item.kind}" + (" diff-heading" if item.heading else "")
        lines.append(f'<p class="{classes}">{label}{inner}</p>')
    return '<div class="diff">\n' + "\n".join(lines) + "\n</div>"


def _piece(p: textdiff.Piece) -> str:
    text = escape_html(p.text)
    if p.op == "insert":
        return f'<ins class="diff-ins">{text}</ins>'
    if p.op == "delete":
        return f'<del class="diff-del">{text}</del>'
    return text


# ---------------------------------------------------------------------------------------------
# Keywords


def _keywords(insight: Insight, cache_file: Path | None) -> None:
    documents = []
    for e in insight.entries:
        agency = insight.index.agency(e.info)
        names = (e.info.agency or "", e.info.region or "", agency.name, e.info.agency_key, e.report.agency or "")
        documents.append(kw.Document(e.uri, kw.report_text(e.report), tuple(n for n in names if n)))
    insight.keywords = kw.extract(documents, cache_file=cache_file) if documents else {}


#: Bytes of report list on one keyword page. A keyword page lists every report of each of its
#: words; with ~10 keywords a report the index grows with the corpus, so it is split by size
#: (about 150 KB of list makes a page of ~300 KB with the theme and the table of contents).
TAG_PAGE_BUDGET = 150_000


def _tag_chunks(words: list[str], sizes: dict[str, int], budget: int, per_page: int) -> list[list[str]]:
    """Words in order, cut into pages of at most ``per_page`` words and ``budget`` bytes (a word
    bigger than the budget gets a page of its own)."""
    chunks: list[list[str]] = [[]]
    used = 0
    for word in words:
        if chunks[-1] and (used + sizes[word] > budget or len(chunks[-1]) >= per_page):
            chunks.append([])
            used = 0
        chunks[-1].append(word)
        used += sizes[word]
    return chunks


def _tag_pages(insight: Insight, per_page: int) -> list[Generated]:
    reports: dict[str, list[Entry]] = {}
    for e in insight.entries:
        for k in insight.keywords.get(e.uri, ()):
            reports.setdefault(k.word, []).append(e)
    words = sorted(reports, key=pinyin_key)

    # One list item per report of a word, in HTML (see ``rawhtml``). tags/index.md is served at
    # tags/ and tags/page-N.md at tags/page-N/: an item is made once for each depth.
    items: dict[tuple[str, str], str] = {}

    def item(e: Entry, uri: str) -> str:
        base = "tags/index.md" if uri == "tags/index.md" else "tags/page-2.md"
        if (e.uri, base) not in items:
            agency = insight.index.agency(e.info)
            items[(e.uri, base)] = (
                f"<li>{md.a(escape_html(e.info.display_title), base, e.uri)}"
                f"（{md.a(escape_html(e.info.agency or agency.name), base, agency.uri)}，"
                f"{escape_html(year_label(e.info.year))}）</li>")
        return items[(e.uri, base)]

    def report_list(word: str, uri: str) -> str:
        return "<ul>\n" + "\n".join(item(e, uri) for e in reports[word]) + "\n</ul>"

    sizes = {w: len(report_list(w, "tags/page-2.md").encode()) + 400 for w in words}
    chunks = _tag_chunks(words, sizes, TAG_PAGE_BUDGET, per_page)
    uris = [uri for uri, _ in _pages("tags/index", chunks, 1)]  # a page per chunk
    used: set[str] = {"tags"}
    out = []
    for k, (uri, chunk) in enumerate(zip(uris, chunks), start=1):
        anchors = {}
        for word in chunk:
            anchors[word] = _ascii_id("kw-", "-".join(lazy_pinyin(word)), used)
            insight.tag_targets[word] = (uri, anchors[word])
        cloud = " · ".join(f'<a href="#{anchors[w]}">{escape_html(w)}</a>（{len(reports[w])}）' for w in chunk)
        sections = [
            f"## {md.text(word)} {{#{anchors[word]}}}\n\n{len(reports[word])} 份报告：\n{rawhtml.block(report_list(word, uri))}"
            for word in chunk
        ]
        intro = (
            f"每份报告取 {kw.TOP} 个关键词：在本报告中出现较多、在其他报告中较少的词（TF-IDF，jieba 分词），"
            "套话（如“以习近平新时代中国特色社会主义思想为指导”）和各报告通用的词不计。"
            f"共 {len(words)} 个关键词，按拼音排列。{md.link('全部比较', uri, 'compare/index.md')}"
        )
        body = (rawhtml.block(f'<p class="keyword-cloud">{cloud}</p>') + "\n" if chunk else "暂无关键词。\n\n") + "\n".join(sections)
        suffix = f"（第{k}页）" if k > 1 else ""
        out.append(Generated(uri, _page("关键词" + suffix, "关键词" + suffix, "tags", intro, body,
                                        _pager(uris, k, len(words)))))
    return out


# ---------------------------------------------------------------------------------------------
# Figures


def _figures_pages(insight: Insight, per_page: int) -> list[Generated]:
    rows = sorted(insight.entries, key=lambda e: (-e.rate, -len(e.figures), _order(e)))
    pages = _pages("compare/figures", rows, per_page)
    uris = [u for u, _ in pages]
    out = []
    for k, (uri, chunk) in enumerate(pages, start=1):
        table = md.html_table(
            ["报告", "单位", "年度", "字数", "具体数据", "每千字"],
            [[md.a(escape_html(e.info.display_title), uri, e.uri, FIGURES_ANCHOR),
              md.a(escape_html(e.info.agency or insight.index.agency(e.info).name), uri, insight.index.agency(e.info).uri),
              md.a(year_label(e.info.year), uri, year_uri(e.info.year)),
              str(e.report.body_characters), f"{len(e.figures)} 处", f"{e.rate}"] for e in chunk],
        )
        intro = (
            "报告正文中以阿拉伯数字表述的数量（如“开展培训19次”“办理274件”“满意率100%”），"
            "按每千字的处数从高到低排列；年份、日期、文号和序号不计。每份报告页面末尾的“关键数据”列出原句和所在章节。"
            f"全部数据可下载：{md.link('figures.csv', uri, FIGURES_CSV)}（UTF-8，可用 Excel 打开）。"
            f"{md.link('全部比较', uri, 'compare/index.md')}"
        )
        suffix = f"（第{k}页）" if k > 1 else ""
        out.append(Generated(uri, _page("具体数据" + suffix, "具体数据" + suffix, "figures", intro, table,
                                        _pager(uris, k, len(rows)))))
    return out


def _order(e: Entry) -> tuple:
    return (pinyin_key(e.info.agency_key), e.info.year or 0, e.uri)


def figures_csv(insight: Insight, page_url: Callable[[Entry], str]) -> str:
    """Every figure of every report, one a row; UTF-8 with a BOM so that Excel reads the Chinese."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for e in insight.entries:
        url = page_url(e)
        for f in e.figures:
            writer.writerow([e.info.source, e.info.agency or "", e.info.year or "", url, f.anchor, f.line,
                             f.figure, f.value, f.unit, _number(f.number), f.text])
    return "\ufeff" + out.getvalue()


# ---------------------------------------------------------------------------------------------
# The index of it all, and what a report page gets


CHANGES_INDEX = "changes/index.md"


def _changes_index_pages(insight: Insight, per_page: int) -> list[Generated]:
    """逐年对比: every agency with two or more years and its comparisons, paginated (at 10,000
    reports the list has thousands of agencies: on the 分析比较 page it made an 880 KB page)."""
    pairs: dict[str, list[tuple[str, Entry, Entry]]] = {}
    by_uri = {e.uri: e for e in insight.entries}
    for cur_uri, (page, prev) in insight.changes.items():
        cur = by_uri[cur_uri]
        pairs.setdefault(cur.info.agency_key, []).append((page, prev, cur))
    agencies = [a for a in insight.index.agencies if a.key in pairs]
    pages = _pages(CHANGES_INDEX[: -len(".md")], agencies, per_page)
    uris = [u for u, _ in pages]
    out = []
    for k, (uri, chunk) in enumerate(pages, start=1):
        rows = []
        for agency in chunk:
            links = " · ".join(md.a(f"{prev.info.year}→{cur.info.year}年", uri, page)
                               for page, prev, cur in sorted(pairs[agency.key], key=lambda p: -p[2].info.year))
            rows.append([md.a(escape_html(agency.name), uri, agency.uri), links])
        intro = ("同一单位相邻两个年度的报告：上年的安排与本年的举措并列，各部分逐段对比，标出沿用、修改、新增和删除。"
                 f"共 {len(agencies)} 个单位。{md.link('全部比较', uri, 'compare/index.md')}")
        body = md.html_table(["单位", "对比"], rows) if rows else "暂无两个以上年度都有报告的单位。\n"
        suffix = f"（第{k}页）" if k > 1 else ""
        out.append(Generated(uri, _page("逐年对比" + suffix, "逐年对比" + suffix, "changes", intro, body,
                                        _pager(uris, k, len(agencies)))))
    return out


def _index_page(insight: Insight, labels: Callable[[str], str]) -> Generated:
    uri = "compare/index.md"
    lines = []
    years = sorted({y for y, _ in insight.part_pages}, reverse=True)
    lines.append("## 同一部分，各单位对照 {#by-part}\n")
    if years:
        lines.append("同一年度各单位报告的同一部分并列，便于对照各单位的举措、问题和安排。\n")
        having: dict[tuple[int | None, str], int] = {}  # one pass: (year, part) → reports with it
        for e in insight.entries:
            for key in PART_KEYS:
                if part_blocks(e.report, key)[0] is not None:
                    having[(e.info.year, key)] = having.get((e.info.year, key), 0) + 1
        rows = []
        for year in years:
            cells = [md.link(year_label(year), uri, year_uri(year))]
            for key in PART_KEYS:
                pages = insight.part_pages.get((year, key))
                cells.append(md.link(f"{having.get((year, key), 0)} 份", uri, pages[0]) if pages else "—")
            rows.append(cells)
        lines.append(md.table(["年度", *(PART_LABELS[k] for k in PART_KEYS)], rows) + "\n")
    else:
        lines.append("暂无可对照的报告。\n")

    lines.append("## 逐年对比 {#by-agency}\n")
    if insight.changes:
        agencies = len({e.info.agency_key for e in insight.entries if e.uri in insight.changes})
        lines.append("同一单位相邻两个年度的报告：上年的安排与本年的举措并列，各部分逐段对比，标出沿用、修改、新增和删除。"
                     f"{md.link(f'{agencies} 个单位的逐年对比', uri, CHANGES_INDEX)}。\n")
    else:
        lines.append("暂无两个以上年度都有报告的单位。\n")

    lines.append("## 具体数据与关键词 {#more}\n")
    lines.append(
        f"- {md.link('具体数据', uri, 'compare/figures.md')}：各报告以数字表述的数量，每千字的处数（"
        f"{md.link('figures.csv', uri, FIGURES_CSV)}）\n"
        f"- {md.link('关键词', uri, 'tags/index.md')}：每份报告的关键词和含有同一关键词的报告\n"
    )
    undated = sum(1 for e in insight.entries if e.info.year is None)
    if undated:
        lines.append(f"有 {undated} 份报告年度不详，未列入同一年度的对照和逐年对比。\n")
    if insight.problems:
        lines.append(f"有 {len(insight.problems)} 份报告未能重新读取原文，未列入比较。\n")
    intro = "对照各单位的同一部分、同一单位的不同年度，以及报告中的具体数据和关键词。"
    return Generated(uri, _page("分析比较", "分析比较", "compare", intro, "\n".join(lines)))


def build(
    index: SiteIndex,
    settings,
    labels: Callable[[str], str],
    load: Loader,
    cache_file: Path | None = None,
    page_url: Callable[[Entry], str] | None = None,
    before_keywords: Callable[[], None] | None = None,
) -> Insight:
    """Read the reports and make every insight page (and ``data/figures.csv``).

    ``before_keywords`` is called once the comparison pages are made, just before the keywords
    are scored (the site waits there for a copy of the build that fills ``cache_file``)."""
    entries, problems = load_entries(index, load)
    insight = Insight(index=index, entries=entries, problems=problems)
    per_page = max(1, getattr(settings, "page_size", 100) or 100)
    pages = _compare_pages(insight, labels, min(per_page, COMPARE_PER_PAGE))
    pages += _changes_pages(insight)
    if before_keywords is not None:
        before_keywords()
    _keywords(insight, cache_file)
    pages += _tag_pages(insight, per_page)
    pages += _figures_pages(insight, per_page)
    pages += _changes_index_pages(insight, per_page)
    pages.insert(0, _index_page(insight, labels))
    url = page_url or (lambda e: e.uri[: -len(".md")] + "/")
    pages.append(Generated(FIGURES_CSV, figures_csv(insight, url)))
    insight.pages = pages
    # What the rest of the build asks (report_extra, rates) needs no report text: at 10,000
    # reports the parsed reports would be a gigabyte kept until the build ends.
    insight.entries = [dataclasses.replace(e, report=None) for e in insight.entries]
    return insight


def report_extra(insight: Insight, info: ReportInfo) -> str:
    """HTML appended to a report page: its keywords, and links to where it is compared.

    HTML with page URLs (see ``rawhtml``), because the comparison cards are HTML too: MkDocs
    checks anchors only in Markdown (the site tests check these links in the built site)."""
    e = insight.entry(info)
    if e is None:
        return ""
    uri = e.uri
    lines = []
    words = insight.keywords.get(uri, ())
    if words:
        tags = " ".join(
            md.a(escape_html(k.word), uri, insight.tag_targets[k.word][0], insight.tag_targets[k.word][1], "report-tag")
            for k in words
            if k.word in insight.tag_targets
        )
        lines.append(f'<p class="report-keywords">关键词：{tags}</p>')
    compare = [
        md.a(escape_html(PART_LABELS[key]), uri, *insight.card_targets[(uri, key)])
        for key in PART_KEYS
        if (uri, key) in insight.card_targets
    ]
    parts = []
    if compare:
        parts.append(f"与{year_label(info.year)}其他单位对照：" + " · ".join(compare))
    if uri in insight.changes:
        page, prev = insight.changes[uri]
        parts.append(md.a(f"与本单位{year_label(prev.info.year)}报告对比", uri, page))
    if uri in insight.followed:
        page, nxt = insight.followed[uri]
        parts.append(md.a(f"与本单位{year_label(nxt.info.year)}报告对比", uri, page))
    if parts:
        lines.append(f'<p class="report-insight">{"；".join(parts)}。</p>')
    return ("\n" + rawhtml.block("\n".join(lines))) if lines else ""
