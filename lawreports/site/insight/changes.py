"""One agency across years (逐年对比): last year's plans beside this year's measures, each part diffed.

``changes/<agency>/<year>.md`` for each two neighbouring years of an agency's reports, and the list
of them all, ``changes/index.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise

from ... import textdiff
from ...model import PART_KEYS, Block, Heading, Paragraph
from ...parts import load_parts
from ...render import escape_html
from ...text import one_space, paragraph_key
from .. import markup as md
from ..generated import Generated
from ..htmlblock import block
from ..listings import Agency, SiteIndex, _pager, _pages
from .common import CHANGES_INDEX, COMPARE_INDEX, PERMALINK, Entry, page, part_blocks, part_html


def changes_uri(agency_slug: str, year: int) -> str:
    return f"changes/{agency_slug}/{year}.md"


@dataclass(frozen=True)
class YearOverYear:
    """The comparison pages, and which reports they compare."""

    pages: list[Generated] = field(default_factory=list)
    pairs: list[tuple[str, Entry, Entry]] = field(default_factory=list)  #: (page uri, previous, current)
    changes: dict[str, tuple[str, Entry]] = field(default_factory=dict)  #: report uri → (page, previous entry)
    followed: dict[str, tuple[str, Entry]] = field(default_factory=dict)  #: report uri → (page, next entry)


def changes_pages(index: SiteIndex, entries: Sequence[Entry]) -> YearOverYear:
    out = YearOverYear()
    by_agency: dict[str, list[Entry]] = {}
    for e in entries:
        if e.record.year is not None:
            by_agency.setdefault(e.record.agency_key, []).append(e)
    # A paragraph is diffed against the year before and the year after: its bigrams once.
    grams_of = lru_cache(maxsize=4096)(textdiff.bigrams)
    for agency in index.agencies:
        years = sorted(by_agency.get(agency.key, []), key=lambda e: e.record.year or 0)
        for prev, cur in pairwise(years):
            uri = changes_uri(agency.slug, cur.record.year or 0)
            out.changes[cur.uri] = (uri, prev)
            out.followed[prev.uri] = (uri, cur)
            out.pairs.append((uri, prev, cur))
            out.pages.append(Generated(uri, _changes_page(agency, prev, cur, uri, grams_of)))
    return out


def _diff_input(blocks: Sequence[Block]) -> list[textdiff.Block]:
    return [textdiff.Block(b.title, True) if isinstance(b, Heading) else textdiff.Block(b.text) for b in blocks]


def _changes_page(agency: Agency, prev: Entry, cur: Entry, uri: str,
                  grams_of: Callable[[str], frozenset[str]]) -> str:
    py, cy = prev.record.year or 0, cur.record.year or 0
    name = md.text(agency.name)
    title = f"{agency.name}：{cy}年与{py}年报告对比"
    gap = "" if cy - py == 1 else f"（{py + 1}—{cy - 1}年没有报告，与最近的{py}年比较）"
    whole_prev = {paragraph_key(b.text) for b in prev.report.body if isinstance(b, Paragraph)}
    paragraphs = [b for b in cur.report.body if isinstance(b, Paragraph)]
    reused = sum(1 for b in paragraphs if paragraph_key(b.text) in whole_prev)
    intro = (
        f"{md.link(f'{cy}年报告', uri, cur.uri)}与{md.link(f'{py}年报告', uri, prev.uri)}{gap}。"
        f"{cy}年报告正文 {len(paragraphs)} 段中，有 **{reused}** 段与{py}年报告一字不差。"
        f"{md.link(name, uri, agency.uri)} · {md.link('全部比较', uri, COMPARE_INDEX)}"
    )
    body = ["## 上年安排与本年举措 {#plans-measures}\n",
            f"{py}年报告提出的下一年度安排，与{cy}年报告的主要举措和成效并列：\n"]
    cards = []
    for e, key, year, anchor in ((prev, "plans", py, "prev-plans"), (cur, "measures", cy, "this-measures")):
        head, blocks, _ = part_blocks(e.report, key)
        heading = f"{year}年：{load_parts().name(key)}"
        if head is None:
            text = f'<p class="compare-empty">{year}年报告没有“{load_parts().name(key)}”部分。</p>'
            link = md.a(f"{year}年报告", uri, e.uri)
        else:
            text = part_html(blocks)
            link = md.a(escape_html(one_space(head.title)), uri, e.uri, head.anchor, "compare-source")
        cards.append(f'<section class="compare-card">\n<h3 id="{anchor}">{heading}{PERMALINK.format(id=anchor)}</h3>\n'
                     f'<p class="compare-meta">{link}</p>\n{text}\n</section>')
    body.append(block('<div class="compare-grid compare-pair">\n' + "\n".join(cards) + "\n</div>"))

    body.append("## 逐部分对比 {#parts}\n")
    body.append(
        f"同一部分两年的文字逐段对照：<ins>新增</ins>、<del>删除</del>的文字已标出；与上年一字不差的段落计为沿用"
        f"（位置变动的也算）。沿用率为{cy}年此部分文字中沿用段落所占的比例。\n"
    )
    rows, sections = [], []
    for key in PART_KEYS:
        ph, pblocks, _ = part_blocks(prev.report, key)
        ch, cblocks, _ = part_blocks(cur.report, key)
        label = load_parts().name(key)
        if ph is None and ch is None:
            continue
        if ph is None or ch is None:
            only = cy if ph is None else py
            rows.append([escape_html(label), "—" if ph is None else "有", "—" if ch is None else "有",
                         f"仅{only}年有此部分", "", "", "", ""])
            continue
        stats = textdiff.diff_blocks(_diff_input(pblocks), _diff_input(cblocks), grams_of)
        anchor = f"diff-{key}"
        rows.append([
            md.a(escape_html(label), uri, uri, anchor), str(stats.old_paragraphs), str(stats.new_paragraphs),
            str(stats.same), str(stats.changed), str(stats.added), str(stats.removed), f"{stats.reuse_rate:.0%}",
        ])
        links = f"{md.a(f'{py}年', uri, prev.uri, ph.anchor)} → {md.a(f'{cy}年', uri, cur.uri, ch.anchor)}"
        sections.append(f"### {md.text(label)} {{#{anchor}}}\n"
                        + block(f'<p class="compare-meta">{links}</p>\n{diff_html(stats)}'))
    body.append(md.html_table(["部分", f"{py}年段落", f"{cy}年段落", "沿用", "修改", "新增", "删除", "沿用率"], rows))
    body += sections
    return page(title, md.text(title), "changes", intro, "\n".join(body), cards=True)


DIFF_TAGS = {"same": "", "moved": "沿用（位置变动）", "changed": "修改", "added": "新增", "removed": "删除"}


def diff_html(stats: textdiff.DiffStats) -> str:
    """The diff as one HTML block: a ``<p>`` per paragraph, classed by kind, ``<ins>``/``<del>`` inside."""
    lines = []
    for item in stats.items:
        shown = item.new or item.old
        assert shown is not None
        if item.kind == "changed":
            inner = "".join(_piece(p) for p in item.pieces)
        elif item.kind == "added":
            inner = f'<ins class="diff-ins">{escape_html(shown.text)}</ins>'
        elif item.kind == "removed":
            inner = f'<del class="diff-del">{escape_html(shown.text)}</del>'
        else:
            inner = escape_html(one_space(shown.text))
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


def changes_index_pages(index: SiteIndex, changes: YearOverYear, per_page: int) -> list[Generated]:
    """逐年对比: every agency with two or more years and its comparisons, paginated (at 10,000
    reports the list has thousands of agencies: on the 分析比较 page it made an 880 KB page)."""
    pairs: dict[str, list[tuple[str, Entry, Entry]]] = {}
    for uri, prev, cur in changes.pairs:
        pairs.setdefault(cur.record.agency_key, []).append((uri, prev, cur))
    agencies = [a for a in index.agencies if a.key in pairs]
    pages = _pages(CHANGES_INDEX[: -len(".md")], agencies, per_page)
    uris = [u for u, _ in pages]
    out = []
    for k, (uri, chunk) in enumerate(pages, start=1):
        rows = []
        for agency in chunk:
            newest_first = sorted(pairs[agency.key], key=lambda p: -(p[2].record.year or 0))
            links = " · ".join(md.a(f"{prev.record.year}→{cur.record.year}年", uri, target)
                               for target, prev, cur in newest_first)
            rows.append([md.a(escape_html(agency.name), uri, agency.uri), links])
        intro = ("同一单位相邻两个年度的报告：上年的安排与本年的举措并列，各部分逐段对比，标出沿用、修改、新增和删除。"
                 f"共 {len(agencies)} 个单位。{md.link('全部比较', uri, COMPARE_INDEX)}")
        body = md.html_table(["单位", "对比"], rows) if rows else "暂无两个以上年度都有报告的单位。\n"
        suffix = f"（第{k}页）" if k > 1 else ""
        out.append(Generated(uri, page("逐年对比" + suffix, "逐年对比" + suffix, "changes", intro, body,
                                       _pager(uris, k, len(agencies)))))
    return out
