"""Keywords (关键词): each report's keywords, and for each keyword its reports (``tags/index.md`` …)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from pypinyin import lazy_pinyin

from ... import keywords as kw
from ...render import escape_html
from .. import markup as md
from ..generated import Generated
from ..htmlblock import block
from ..listings import SiteIndex, _pager, _pages, pinyin_key, year_label
from .common import COMPARE_INDEX, Entry, ascii_id, page

#: Bytes of report list on one keyword page. A keyword page lists every report of each of its
#: words; with ~10 keywords a report the index grows with the corpus, so it is split by size
#: (about 150 KB of list makes a page of ~300 KB with the theme and the table of contents).
TAG_PAGE_BUDGET = 150_000


@dataclass(frozen=True)
class Tags:
    """The keyword pages, each report's keywords and where each keyword's section is."""

    pages: list[Generated] = field(default_factory=list)
    keywords: dict[str, tuple[kw.Keyword, ...]] = field(default_factory=dict)  #: by report uri
    targets: dict[str, tuple[str, str]] = field(default_factory=dict)  #: keyword → (page uri, anchor)


def report_keywords(index: SiteIndex, entries: Sequence[Entry]) -> dict[str, tuple[kw.Keyword, ...]]:
    """Each report's keywords (by report uri), scored over all the reports from the records' word counts."""
    documents = []
    for e in entries:
        r = e.record
        names = (r.agency or "", r.region or "", index.agency(r).name, r.agency_key, r.report.agency or "")
        documents.append(kw.Document(e.uri, r.words, tuple(n for n in names if n)))
    return kw.extract(documents)


def tag_chunks(words: list[str], sizes: dict[str, int], budget: int, per_page: int) -> list[list[str]]:
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


def tag_pages(index: SiteIndex, entries: Sequence[Entry], per_page: int) -> Tags:
    out = Tags(keywords=report_keywords(index, entries))
    reports: dict[str, list[Entry]] = {}
    for e in entries:
        for keyword in out.keywords.get(e.uri, ()):
            reports.setdefault(keyword.word, []).append(e)
    words = sorted(reports, key=pinyin_key)

    # One list item per report of a word, in HTML (see ``htmlblock``). tags/index.md is served at
    # tags/ and tags/page-N.md at tags/page-N/: an item is made once for each depth.
    items: dict[tuple[str, str], str] = {}

    def item(e: Entry, uri: str) -> str:
        base = "tags/index.md" if uri == "tags/index.md" else "tags/page-2.md"
        if (e.uri, base) not in items:
            r = e.record
            agency = index.agency(r)
            items[(e.uri, base)] = (
                f"<li>{md.a(escape_html(r.display_title), base, e.uri)}"
                f"（{md.a(escape_html(agency.name), base, agency.uri)}，"
                f"{escape_html(year_label(r.year))}）</li>")
        return items[(e.uri, base)]

    def report_list(word: str, uri: str) -> str:
        return "<ul>\n" + "\n".join(item(e, uri) for e in reports[word]) + "\n</ul>"

    sizes = {w: len(report_list(w, "tags/page-2.md").encode()) + 400 for w in words}
    chunks = tag_chunks(words, sizes, TAG_PAGE_BUDGET, per_page)
    uris = [uri for uri, _ in _pages("tags/index", chunks, 1)]  # a page per chunk
    used: set[str] = {"tags"}
    for k, (uri, chunk) in enumerate(zip(uris, chunks, strict=True), start=1):
        anchors = {}
        for word in chunk:
            anchors[word] = ascii_id("kw-", "-".join(lazy_pinyin(word)), used)
            out.targets[word] = (uri, anchors[word])
        cloud = " · ".join(f'<a href="#{anchors[w]}">{escape_html(w)}</a>（{len(reports[w])}）' for w in chunk)
        sections = [
            f"## {md.text(word)} {{#{anchors[word]}}}\n\n{len(reports[word])} 份报告：\n{block(report_list(word, uri))}"
            for word in chunk
        ]
        intro = (
            f"每份报告取 {kw.TOP} 个关键词：在本报告中出现较多、在其他报告中较少的词（TF-IDF，jieba 分词），"
            "套话（如“以习近平新时代中国特色社会主义思想为指导”）和各报告通用的词不计。"
            f"共 {len(words)} 个关键词，按拼音排列。{md.link('全部比较', uri, COMPARE_INDEX)}"
        )
        cloud_block = block(f'<p class="keyword-cloud">{cloud}</p>') + "\n" if chunk else "暂无关键词。\n\n"
        body = cloud_block + "\n".join(sections)
        suffix = f"（第{k}页）" if k > 1 else ""
        out.pages.append(Generated(uri, page("关键词" + suffix, "关键词" + suffix, "tags", intro, body,
                                             _pager(uris, k, len(words)))))
    return out
