"""Insight (issue #8): key figures, keywords, one part across agencies, one agency across years.

Most tests run the page generators on the records of the seeds (``build.collect``) without MkDocs
and without the raw files; a real ``mkdocs build --strict`` of the seeds plus a synthetic second
year of seed 003's agency checks that every link and anchor holds; a browser test opens one
comparison page.

Figure cases live in ``tests/cases/figures.yml`` (add a case there, not here).
"""

from __future__ import annotations

import csv
import dataclasses
import doctest
import io
import json
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import markdown
import pytest
import yaml

from lawreports import figures, keywords, textdiff
from lawreports.build.collect import collect
from lawreports.build.prepare import Context, prepare
from lawreports.engine import rawhtml
from lawreports.parse import parse_report
from lawreports.parts import load_parts
from lawreports.read import read_source, source_from_bytes
from lawreports.render import FIGURES_ANCHOR, render_body, render_page
from lawreports.settings import load_settings
from lawreports.site import insight, listings
from lawreports.site.markup import url as site_url

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
CASES = yaml.safe_load((ROOT / "tests" / "cases" / "figures.yml").read_text(encoding="utf-8"))
LABELS = load_parts().label
SETTINGS = load_settings(ROOT / "mkdocs.yml")
AGENCIES = ROOT / "agencies.yml"
SEED = {name[:3]: SEEDS / name for name in (p.name for p in SEEDS.glob("*.txt"))}
EXTENSIONS = ["attr_list", "md_in_html", "tables", "toc", rawhtml.RawHtmlExtension()]


def parsed(seed: str):
    return parse_report(read_source(SEED[seed]), load_parts(), default_region=SETTINGS.region)


def record_of(tmp_path: Path, text: str, name: str = "t.txt"):
    """The record the build makes of a raw file with this text."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return prepare(path, Context.load(SETTINGS, AGENCIES))


def strip_front_matter(text: str) -> str:
    return text.split("---\n", 2)[2] if text.startswith("---\n") else text


def html_of(page: str) -> str:
    return markdown.markdown(strip_front_matter(page), extensions=EXTENSIONS)


# ---------------------------------------------------------------------------------------------
# Key figures


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_figure_cases(case):
    found = figures.find_in_text(case["text"])
    assert [case["text"][m.start():m.end()] for _, m in found] == case["figures"]
    if "numbers" in case:
        assert [figures.number_of(m) for _, m in found] == [float(n) for n in case["numbers"]]


@pytest.mark.parametrize("module", [figures, textdiff])
def test_docstring_examples(module):
    result = doctest.testmod(module)
    assert result.failed == 0 and result.attempted > 0


def test_seed_002_figures_with_sentence_anchor_and_line():
    report = parsed("002")
    found = {f.figure: f for f in figures.extract(report)}
    for figure, sentence_part in (("12049条", "公开各类信息12049条"), ("102件", "共收到102件政府信息公开申请")):
        f = found[figure]
        assert f.anchor == "measures-3"  # （三）高水平推进政务公开工作，规范行政权力运行
        assert report.heading(f.anchor).title.startswith("（三）高水平推进政务公开工作")
        assert sentence_part in f.text and f.text.endswith("。")
        assert f.text[f.start:].startswith(figure)
        assert figure in report.source.lines[f.line - 1].text  # the raw line that holds it
    assert found["12049条"].number == 12049 and found["102件"].unit == "件"
    # years, dates and the ordinal in 第十个国家宪法日 are not figures
    assert not any(f.value.startswith(("2023", "2021", "2025")) for f in found.values())


def test_every_seed_figure_points_at_its_raw_line_and_section():
    for seed in SEED:
        report = parsed(seed)
        anchors = {h.anchor for h in report.headings} | {"title"}
        for f in figures.extract(report):
            assert f.anchor in anchors, (seed, f)
            raw = "".join(report.source.lines[f.line - 1].text.split())
            assert f.figure.replace(" ", "") in raw or (raw and f.value[:1] in raw), (seed, f)
            assert f.text[f.start:f.start + len(f.figure)] == f.figure, (seed, f)


def test_figure_line_inside_a_hard_wrapped_paragraph():
    paragraph = ("一是开展培训，全年共组织专题学法活动19次，参训人员达到320人次，覆盖全体干部职工。"
                 "二是办理行政复议案件274件，纠错率为3.5%，办理质量进一步提升，群众满意度达到96.28分。")
    wrapped = "\n".join(paragraph[i:i + 20] for i in range(0, len(paragraph), 20))
    text = (f"南开区测试局2023年度法治政府建设情况报告\n2023年，区测试局推进法治政府建设。\n"
            f"一、主要举措和成效\n{wrapped}\n"
            "二、存在的不足和原因\n学习还不够深入。\n三、党政主要负责人履行推进法治建设第一责任人职责情况\n带头学法4次。\n"
            "四、2024年工作安排\n继续加强学习。\n")
    report = parse_report(source_from_bytes("t.txt", text.encode("utf-8")))
    lines = {f.figure: f.line for f in figures.extract(report)}
    # 19次 starts on line 4 and runs on to line 5: the line of its first character
    assert lines == {"19次": 4, "320人次": 5, "274件": 6, "3.5%": 7, "96.28分": 8, "4次": 12}


def test_figures_of_the_record_table_and_indicator(seeds_records):
    record = next(r for r in seeds_records if r.source.startswith("002"))
    assert list(record.figures) == figures.extract(parsed("002"))  # made from the raw lines, kept in the record
    f = next(f for f in record.figures if f.value == "12049")
    assert (f.unit, f.anchor, f.line) == ("条", "measures-3", 16)
    body = render_body(record)
    html = html_of(body)
    assert f'id="{FIGURES_ANCHOR}"' in html
    assert "<mark>12049条</mark>" in html and '<a href="#measures-3">' in html
    rate = figures.per_thousand(len(record.figures), record.report.body_characters)
    assert f'data-value="{rate}"' in html and f"每千字 {rate} 处" in html
    # the whole page holds the same table
    assert "<mark>12049条</mark>" in html_of(render_page(record, "reports/2023/x/"))


def test_figures_table_escapes_report_text(tmp_path):
    text = ("南开区测试局2023年度法治政府建设情况报告\n一、主要举措和成效\n"
            "开展<script>alert(1)</script>活动12次，*强调* [链接](http://evil.example) &amp; 满意率100%。\n"
            "二、存在的不足和原因\n不足。\n三、党政主要负责人履行推进法治建设第一责任人职责情况\n履职。\n四、2024年工作安排\n安排。\n")
    html = html_of(render_body(record_of(tmp_path, text)))
    assert "<script>" not in html and "evil.example\"" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;活动<mark>12次</mark>" in html
    assert "&amp;amp;" in html  # the report's own "&amp;" shows as typed


def test_a_report_without_figures_says_so(tmp_path):
    text = ("南开区测试局2023年度法治政府建设情况报告\n一、主要举措和成效\n加强学习。\n二、存在的不足和原因\n不足。\n"
            "三、党政主要负责人履行推进法治建设第一责任人职责情况\n履职。\n四、2024年工作安排\n安排。\n")
    html = html_of(render_body(record_of(tmp_path, text)))
    assert "每千字 0.0 处" in html and "未识别出" in html


# ---------------------------------------------------------------------------------------------
# Keywords


def seed_documents(stop: keywords.StopList | None = None) -> list[keywords.Document]:
    stop = stop or keywords.load_stoplist()
    out = []
    for seed in sorted(SEED):
        report = parsed(seed)
        counts = keywords.count_words(keywords.report_text(report), stop)
        out.append(keywords.Document(seed, counts, (report.agency or "", report.region or "")))
    return out


KEYWORDS_SCRIPT = """
import json, sys
from pathlib import Path
sys.path.insert(0, {root!r})
from lawreports import keywords
from lawreports.parse import parse_report
from lawreports.read import read_source
stop = keywords.load_stoplist()
docs = []
for path in sorted(Path({seeds!r}).glob("*.txt")):
    r = parse_report(read_source(path), default_region="天津市")
    counts = keywords.count_words(keywords.report_text(r), stop)
    docs.append(keywords.Document(path.name, counts, (r.agency or "", r.region or "")))
result = keywords.extract(docs)
print(json.dumps({{k: [[w.word, w.score] for w in v] for k, v in result.items()}}, ensure_ascii=False))
"""


def test_keywords_are_stable_across_runs(tmp_path):
    runs = []
    for seed in ("0", "12345"):  # a different hash seed: no dependence on set or dict order
        script = KEYWORDS_SCRIPT.format(root=str(ROOT), seeds=str(SEEDS))
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path,
                              env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"}, timeout=300)
        assert done.returncode == 0, done.stderr
        runs.append(json.loads(done.stdout))
    assert runs[0] == runs[1]
    assert all(runs[0].values()), runs[0]
    assert not list(tmp_path.rglob("*.json"))  # scoring keeps nothing on disk

    docs = seed_documents()
    first = keywords.extract(docs)
    assert first == keywords.extract(docs)
    assert {k: [w.word for w in v] for k, v in first.items()} == {
        k[:3]: [w for w, _ in v] for k, v in runs[0].items()}


def test_keywords_leave_out_boilerplate_and_own_names():
    stop = keywords.load_stoplist()
    result = keywords.extract(seed_documents())
    for words in result.values():
        assert 0 < len(words) <= keywords.TOP
        scores = [w.score for w in words]
        assert scores == sorted(scores, reverse=True)
        for w in words:
            assert w.word not in stop.words and not any(w.word in p for p in ("习近平法治思想", "法治政府建设"))
            assert keywords.WORD.match(w.word) and w.count >= keywords.MIN_COUNT
    assert "南开区" not in {w.word for words in result.values() for w in words}  # the region of four of them
    assert "政务公开" in {w.word for w in result["002"]}  # what 区政府办公室's report is about


def test_keyword_counts_follow_text_and_stoplist():
    text = "行政复议行政复议案件办理。行政复议。"
    stop = keywords.load_stoplist()
    counts = keywords.count_words(text, stop)
    assert counts["行政复议"] == 3
    first = keywords.extract([keywords.Document("a", counts)])
    assert "行政复议" in [w.word for w in first["a"]]
    # another stop list: other counts, other keywords
    other = dataclasses.replace(stop, words=stop.words | {"行政复议"})
    assert "行政复议" not in keywords.count_words(text, other)
    again = keywords.extract([keywords.Document("a", keywords.count_words(text, other))])
    assert [w.word for w in again["a"]] != [w.word for w in first["a"]]
    # a word inside the report's own names is never its keyword, whatever its count
    own = keywords.extract([keywords.Document("a", counts, ("区行政复议局",))])["a"]
    assert "行政复议" not in [w.word for w in own]
    assert keywords.extract([]) == {}


def test_record_word_counts_are_the_report_text_counts(seeds_records):
    """What the site scores (``record.words``) is :func:`keywords.count_words` of the report's text."""
    stop = keywords.load_stoplist()
    for r in seeds_records:
        assert r.words == keywords.count_words(keywords.report_text(r.report), stop), r.source
    docs = seed_documents()
    by_seed = {r.source[:3]: r for r in seeds_records}
    assert [d.words for d in docs] == [by_seed[d.key].words for d in docs]


# ---------------------------------------------------------------------------------------------
# Site pages without MkDocs


def previous_year(text: str) -> str:
    """A made-up 2024 report of seed 003's agency (南开区政府办公室): the same text one year back,
    with one figure changed, one paragraph missing and one paragraph that 2025 no longer has."""
    text = text.replace("2025", "2024").replace("2026年推进", "2025年推进")
    text = text.replace("专题学法14次", "专题学法9次")
    lines = text.splitlines()
    third = next(i for i, line in enumerate(lines) if line.startswith("三是法治工作压力传导待强化"))
    lines[third] = "三是部分干部对法治政府建设重视不够，工作推进不平衡，个别单位报送材料不及时、不完整。"
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def seeds_with_history(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("seeds")
    for path in SEEDS.glob("*.txt"):
        shutil.copy(path, folder / path.name)
    (folder / "900_synthetic_2024.txt").write_text(previous_year(SEED["003"].read_text(encoding="utf-8")),
                                                  encoding="utf-8")
    return folder


def records_of(seeds: Path, **settings) -> list:
    chosen = dataclasses.replace(SETTINGS, **settings)
    run = collect(seeds, Context.load(chosen, AGENCIES), jobs=1)
    assert not run.failed, run.diagnostics
    return run.records


def make_insight(seeds: Path, records: list | None = None, **settings) -> insight.Insight:
    chosen = dataclasses.replace(SETTINGS, **settings)
    records = records if records is not None else records_of(seeds, **settings)
    index = listings.index_reports(records, "reports")
    return insight.build(index, records, chosen, LABELS)


@pytest.fixture(scope="module")
def seeds_records() -> list:
    return records_of(SEEDS)


@pytest.fixture(scope="module")
def seeds_insight(seeds_records) -> insight.Insight:
    return make_insight(SEEDS, seeds_records)


@pytest.fixture(scope="module")
def history_insight(seeds_with_history) -> insight.Insight:
    return make_insight(seeds_with_history)


def pages_of(result: insight.Insight) -> dict[str, str]:
    out: dict[str, str] = {}
    for p in result.pages:
        assert isinstance(p.content, str) and p.source is None, p.uri
        out[p.uri] = p.content
    return out


def entry_of(result: insight.Insight, seed: str, year: int | None = None) -> insight.Entry:
    return next(e for e in result.entries if e.record.source.startswith(seed) and year in (None, e.record.year))


def test_2023_shortcomings_of_seeds_000_and_004_side_by_side(seeds_insight):
    pages = pages_of(seeds_insight)
    page = pages["compare/2023/shortcomings.md"]
    html = html_of(page)
    grid = html[html.index('<div class="compare-grid">'):]
    cards = re.findall(r'<section class="compare-card">(.*?)</section>', grid, re.S)
    assert len(cards) == 3  # 000, 002 and 004 are the 2023 reports
    links = {re.search(r'<a href="([^"]+)" class="compare-source"', c).group(1): c for c in cards}
    assert all(re.search(r'<h2 id="(a-[a-z-]+)">[^<]+<a class="headerlink" href="#\1"', c) for c in cards)  # ¶ links
    for seed, slug in (("000", "nan-kai-qu-zheng-fu-yan-jiu-shi"), ("004", "nan-kai-qu-si-fa-ju")):
        href = f"../../../reports/2023/{slug}/#shortcomings"  # cards are HTML: from compare/2023/shortcomings/
        assert href in links, sorted(links)
        report = parsed(seed)
        first = next(b for b in report.part_blocks("shortcomings")[1:])
        assert "".join(first.text.split())[:30] in "".join(re.sub(r"<[^>]+>", "", links[href]).split())
    # both on one page, in pinyin order of the agency, each with its own anchor for the report page's link
    assert page.index("南开区司法局") < page.index("南开区政府研究室")
    assert seeds_insight.parts.card_targets[("reports/2023/nan-kai-qu-si-fa-ju.md", "shortcomings")] == (
        "compare/2023/shortcomings.md", "a-nan-kai-qu-si-fa-ju")
    assert 'search: {"exclude": true}' in page  # the text is the reports'; search finds it there


def test_compare_pages_for_every_year_and_part_present(seeds_insight):
    pages = pages_of(seeds_insight)
    for e in seeds_insight.entries:
        for key in ("measures", "shortcomings", "leadership", "plans"):
            uri = insight.compare_uri(e.record.year, key)
            assert uri in pages
            anchor = parsed(e.record.source[:3]).parts[key]  # the part as the raw file gives it
            assert f'../../../{e.uri[: -len(".md")]}/#{anchor}"' in pages[uri]  # the card's link, a page URL
    assert "compare/2023/other.md" not in pages  # no seed has the optional part
    index = pages["compare/index.md"]
    assert "(2023/shortcomings.md)" in index and "暂无两个以上年度都有报告的单位" in index


def test_comparison_paginates_at_50_agencies(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    text = SEED["004"].read_text(encoding="utf-8")
    chars = "甲乙丙丁戊己庚辛壬癸春"  # distinct pinyin: distinct slugs
    names = [f"南开区{a}{b}局" for a in chars for b in chars][:120]
    for i, name in enumerate(names):
        renamed = text.replace("南开区司法局", name).replace("区司法局", name)
        (seeds / f"{i:03d}.txt").write_text(renamed, encoding="utf-8")
    records = records_of(seeds)
    result = make_insight(seeds, records)
    pages = pages_of(result)
    uris = result.parts.part_pages[(2023, "shortcomings")]
    assert uris == ["compare/2023/shortcomings.md", "compare/2023/shortcomings/page-2.md",
                    "compare/2023/shortcomings/page-3.md"]
    assert [pages[u].count('<section class="compare-card"') for u in uris] == [50, 50, 20]
    assert "[下一页](shortcomings/page-2.md)" in pages[uris[0]]
    assert "../../../reports/2023/" in pages[uris[1]]  # links stay relative from page 2's folder
    # a smaller page_size makes smaller pages
    small = make_insight(seeds, records, page_size=30)
    assert len(small.parts.part_pages[(2023, "shortcomings")]) == 4


def test_report_page_gets_keywords_and_links_to_its_cards(seeds_insight):
    e = entry_of(seeds_insight, "004")
    extra = insight.report_extra(seeds_insight, e.record)
    # HTML with page URLs (from reports/2023/nan-kai-qu-si-fa-ju/)
    assert '<a href="../../../compare/2023/shortcomings/#a-nan-kai-qu-si-fa-ju">存在的不足和原因</a>' in extra
    tags = [(f"{u.rstrip('/') or 'tags/index'}.md" if u != "tags/" else "tags/index.md", a)
            for u, a in re.findall(r'href="\.\./\.\./\.\./(tags/[^"#]*)#(kw-[a-z0-9-]+)"', extra)]
    assert len(tags) == len(seeds_insight.keywords[e.uri]) > 0
    pages = pages_of(seeds_insight)
    for uri, anchor in tags:
        assert f"{{#{anchor}}}" in pages[uri]
        section = pages[uri].split(f"{{#{anchor}}}", 1)[1].split("\n## ", 1)[0]
        # written as HTML (rawhtml), so the link is the page's URL: tags/ → reports/2023/<slug>/
        assert 'href="../reports/2023/nan-kai-qu-si-fa-ju/"' in section


def test_figures_csv_and_overview(seeds_insight):
    csv_text = pages_of(seeds_insight)[insight.FIGURES_CSV]
    assert csv_text.startswith(
        "\ufeffsource,agency,agency_key,year,page,anchor,line,figure,value,unit,number,sentence\r\n")
    rows = [line.split(",") for line in csv_text[1:].splitlines()[1:]]
    assert rows[[r[7] for r in rows].index("12049条")][:4] == [
        "002_3906ac3f1b536f46.txt", "区政府办公室", "东丽区人民政府办公室", "2023"]  # as written, and the full name
    assert sum(len(e.record.figures) for e in seeds_insight.entries) == len(rows)
    overview = pages_of(seeds_insight)["compare/figures.md"]
    rates = [float(r) for r in re.findall(r"<td>(\d+\.\d)</td></tr>$", overview, re.M)]
    assert rates == sorted(rates, reverse=True) and len(rates) == len(seeds_insight.entries)
    assert f'/#{FIGURES_ANCHOR}">' in overview


def test_year_over_year_page(history_insight):
    pages = pages_of(history_insight)
    uri = "changes/nan-kai-qu-zheng-fu-ban-gong-shi/2025.md"
    page = pages[uri]
    assert history_insight.changes.changes["reports/2025/nan-kai-qu-zheng-fu-ban-gong-shi.md"][0] == uri
    # 2024's plans beside 2025's measures, each linking to its part of its report
    pair = page.split("{#plans-measures}", 1)[1].split("{#parts}", 1)[0]
    assert 'href="../../../reports/2024/nan-kai-qu-zheng-fu-ban-gong-shi/#plans"' in pair  # HTML: page URLs
    assert 'href="../../../reports/2025/nan-kai-qu-zheng-fu-ban-gong-shi/#measures"' in pair
    assert pair.index("2024年：下一年度安排") < pair.index("2025年：主要举措和成效")
    html = html_of(page)
    measures = html.split('id="diff-measures"', 1)[1].split('id="diff-', 1)[0]
    assert '<del class="diff-del">' in measures and '<ins class="diff-ins">' in measures
    assert re.search(r"专题学法<del class=\"diff-del\">9</del><ins class=\"diff-ins\">14</ins>次", measures)
    shortcomings = html.split('id="diff-shortcomings"', 1)[1].split('id="diff-', 1)[0]
    assert shortcomings.count('class="diff-item diff-same"') == 2  # 一是, 二是: reused word for word
    assert '<span class="diff-tag">新增</span><ins class="diff-ins">三是法治工作压力传导待强化' in shortcomings
    assert '<span class="diff-tag">删除</span><del class="diff-del">三是部分干部' in shortcomings
    # the table counts reuse
    row = next(line for line in page.splitlines() if line.startswith("<tr><td>") and ">存在的不足和原因</a>" in line)
    assert re.findall(r"<td>([^<]*)</td>", row)[2:6] == ["2", "0", "1", "1"]
    # both reports link to it; the index lists it
    extra_2024 = insight.report_extra(history_insight, entry_of(history_insight, "900", 2024).record)
    assert 'href="../../../changes/nan-kai-qu-zheng-fu-ban-gong-shi/2025/"' in extra_2024
    assert "(../changes/index.md)" in pages["compare/index.md"]  # the list of agencies compared year over year
    assert 'href="nan-kai-qu-zheng-fu-ban-gong-shi/2025/"' in pages["changes/index.md"]  # from changes/


def test_diff_counts_identical_paragraphs_as_reuse():
    old = [textdiff.Block("（一）学习", True), textdiff.Block("开展培训12次，效果良好。加强学习。"),
           textdiff.Block("这是一段被删除的内容，完全不同。"), textdiff.Block("保持不变的段落。"),
           textdiff.Block("移动的段落在这里。")]
    new = [textdiff.Block("（一）学习", True), textdiff.Block("移动的段落在这里。"), textdiff.Block("保持不变的段落。"),
           textdiff.Block("开展培训19次，效果良好。加强学习。新增考试。"),
           textdiff.Block("全新的段落，与以前的文字无关。")]
    stats = textdiff.diff_blocks(old, new)
    kinds = [(i.kind, (i.new or i.old).text[:4]) for i in stats.items]
    assert ("changed", "开展培训") in kinds and ("added", "全新的段") in kinds and ("removed", "这是一段") in kinds
    assert (stats.same, stats.changed, stats.added, stats.removed) == (2, 1, 1, 1)
    assert stats.old_paragraphs == stats.new_paragraphs == 4
    assert 0 < stats.reuse_rate < 1
    assert textdiff.diff_blocks(new, new).reuse_rate == 1.0


def test_insight_pages_escape_report_text(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    hostile = "*粗体* <script>alert(1)</script> [链接](http://evil.example) &amp; {#x} | 1. #"
    text = ("南开区测试局2023年度法治政府建设情况报告\n一、主要举措和成效\n加强学习12次。\n二、存在的不足和原因\n"
            f"{hostile}\n三、党政主要负责人履行推进法治建设第一责任人职责情况\n履职4次。\n四、2024年工作安排\n安排。\n")
    (seeds / "a.txt").write_text(text, encoding="utf-8")
    result = make_insight(seeds)
    for uri, content in pages_of(result).items():
        if not uri.endswith(".md"):
            continue
        html = html_of(content)
        assert "<script>" not in html and 'href="http://evil.example"' not in html and "<strong>粗体" not in html, uri
    html = html_of(pages_of(result)["compare/2023/shortcomings.md"])
    # the card's text is HTML the project wrote (rawhtml): escaped by html.escape, shown as written
    assert "&lt;script&gt;alert(1)&lt;/script&gt; [链接](http://evil.example) &amp;amp; {#x} | 1. #" in html


def test_insight_needs_only_the_records(seeds_with_history, tmp_path):
    """The pages come from the records alone: with the raw files gone, the same pages, the same
    additions to the report pages; and the same again when built a second time."""
    seeds = tmp_path / "seeds"
    shutil.copytree(seeds_with_history, seeds)
    records = records_of(seeds)
    shutil.rmtree(seeds)
    first, second = make_insight(seeds, records), make_insight(seeds, records)
    assert first.pages == second.pages
    assert [p.uri for p in first.pages][:1] == ["compare/index.md"] and first.pages[-1].uri == insight.FIGURES_CSV
    assert {r.path: insight.report_extra(first, r) for r in records} == {
        r.path: insight.report_extra(second, r) for r in records}
    assert all(insight.report_extra(first, r) for r in records)  # every report is compared somewhere
    # a report the insight was not built with gets nothing
    assert insight.report_extra(make_insight(seeds, records[:1]), records[1]) == ""


def test_figures_csv_rows_are_the_records_figures(seeds_insight):
    rows = list(csv.reader(io.StringIO(pages_of(seeds_insight)[insight.FIGURES_CSV][1:])))
    assert tuple(rows[0]) == insight.CSV_COLUMNS
    expected = [[e.record.source, site_url(e.uri), f.anchor, str(f.line), f.figure, f.text]
                for e in seeds_insight.entries for f in e.record.figures]
    assert [[r[0], r[4], r[5], r[6], r[7], r[11]] for r in rows[1:]] == expected
    assert all(r[4].startswith("reports/") and r[4].endswith("/") for r in rows[1:])  # the page's URL
    for e in seeds_insight.entries:
        rate = figures.per_thousand(len(e.record.figures), e.record.characters)
        assert e.rate == insight.figures_rate(e.record) == rate


def test_diff_with_a_memo_of_bigrams_is_the_same_diff():
    old = [textdiff.Block("开展培训12次，效果良好。"), textdiff.Block("保持不变。"), textdiff.Block("被删除的段落。")]
    new = [textdiff.Block("保持不变。"), textdiff.Block("开展培训19次，效果良好。新增考试。")]
    seen: list[str] = []

    def memo(text: str) -> frozenset[str]:
        seen.append(text)
        return textdiff.bigrams(text)

    assert textdiff.diff_blocks(old, new, memo) == textdiff.diff_blocks(old, new)
    assert seen  # the given function computes the bigrams


# ---------------------------------------------------------------------------------------------
# A real strict build, and a browser


class Links(HTMLParser):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"])


def broken_links(site: Path, folders: tuple[str, ...]) -> list[str]:
    """Relative links (and their anchors) from the pages under ``folders`` that lead nowhere."""
    cache: dict[Path, Links] = {}

    def parsed_page(path: Path) -> Links:
        if path not in cache:
            cache[path] = Links(path.read_text(encoding="utf-8"))
        return cache[path]

    broken = []
    for folder in folders:
        for page in sorted((site / folder).rglob("index.html")):
            url = page.relative_to(site).parent.as_posix() + "/"
            for href in parsed_page(page).hrefs:
                if re.match(r"^[a-z]+:", href):
                    continue
                parts = urlsplit(urljoin("http://site/" + url, href))
                target = site / unquote(parts.path).lstrip("/")
                if target.is_dir():
                    target = target / "index.html"
                if not target.is_file():
                    broken.append(f"{url} → {href}")
                elif parts.fragment and target.suffix == ".html" and parts.fragment not in parsed_page(target).ids:
                    broken.append(f"{url} → {href} (no #{parts.fragment})")
    return broken


@pytest.mark.slow
def test_strict_build_with_a_second_year(tmp_path, seeds_with_history):
    from conftest import copy_project, mkdocs_build

    project = copy_project(tmp_path / "project")
    shutil.copy(seeds_with_history / "900_synthetic_2024.txt", project / "seeds")
    result = mkdocs_build(project, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    site = tmp_path / "site"
    for url in ("compare/", "compare/2023/shortcomings/", "compare/2024/plans/", "compare/figures/", "tags/",
                "changes/nan-kai-qu-zheng-fu-ban-gong-shi/2025/"):
        assert (site / url / "index.html").is_file(), url
    assert not broken_links(site, ("compare", "changes", "tags", "reports"))
    assert (site / "data" / "figures.csv").read_bytes().startswith(b"\xef\xbb\xbfsource,")
    report = (site / "reports/2025/nan-kai-qu-zheng-fu-ban-gong-shi/index.html").read_text(encoding="utf-8")
    assert 'href="../../../changes/nan-kai-qu-zheng-fu-ban-gong-shi/2025/"' in report
    assert 'class="report-tag"' in report and f'id="{FIGURES_ANCHOR}"' in report
    home = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="compare/"' in home and 'href="tags/"' in home
    # no keyword cache beside mkdocs.yml; a second build gives the same site
    assert not (project / ".cache" / "lawreports" / "keywords.json").exists()
    again = mkdocs_build(project, tmp_path / "site2")
    assert again.returncode == 0, again.stderr
    for name in ("tags/index.html", "compare/2023/shortcomings/index.html", "data/figures.csv",
                 "changes/nan-kai-qu-zheng-fu-ban-gong-shi/2025/index.html"):
        assert (site / name).read_bytes() == (tmp_path / "site2" / name).read_bytes(), name


@pytest.mark.slow
def test_site_build_links_and_anchors_hold(built_site):
    assert not broken_links(built_site.site, ("compare", "tags"))


@pytest.mark.browser
@pytest.mark.slow
def test_comparison_page_in_a_browser(served_site, chromium):
    context = chromium.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    try:
        page.goto(served_site.url("compare/2023/shortcomings/"))
        assert page.locator("h1").inner_text().startswith("2023年各单位“存在的不足和原因”")
        cards = page.locator("section.compare-card")
        assert cards.count() == 3
        names = [cards.nth(i).locator("h2").inner_text().strip(" ¶") for i in range(3)]
        assert names == ["东丽区人民政府办公室", "南开区司法局", "南开区政府研究室"]
        boxes = [cards.nth(i).bounding_box() for i in range(3)]
        # side by side: one row, left to right, none overlapping
        assert len({round(b["y"]) for b in boxes}) == 1, boxes
        assert boxes[0]["x"] + boxes[0]["width"] <= boxes[1]["x"] and boxes[1]["x"] + boxes[1]["width"] <= boxes[2]["x"]
        assert "公职律师和法律顾问作用方面仍有差距" in cards.nth(1).inner_text()
        from conftest import ARTIFACTS

        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "compare-2023-shortcomings.png"), full_page=True)

        # the card's link opens the report at its part
        cards.nth(1).locator("a.compare-source").click()
        page.wait_for_load_state()
        assert page.url.endswith("reports/2023/nan-kai-qu-si-fa-ju/#shortcomings"), page.url
        heading = page.locator("#shortcomings")
        assert heading.inner_text().startswith("二、2023年推进法治政府建设存在的不足和原因")
        assert heading.is_visible() and 0 <= heading.bounding_box()["y"] < 400  # scrolled to it
        # and from the report back to the same card
        page.locator(".report-insight a", has_text="存在的不足和原因").click()
        page.wait_for_load_state()
        assert page.url.endswith("compare/2023/shortcomings/#a-nan-kai-qu-si-fa-ju"), page.url
        # narrow screens: one card a row
        page.set_viewport_size({"width": 400, "height": 900})
        boxes = [cards.nth(i).bounding_box() for i in range(3)]
        assert boxes[0]["y"] + boxes[0]["height"] <= boxes[1]["y"]
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        context.close()
    foreign = [u for u in requested if not u.startswith(served_site.root)]
    assert not foreign, foreign


def test_figure_fixture_file_is_well_formed():
    for case in CASES:
        assert set(case) <= {"name", "text", "figures", "numbers"}, case
        assert isinstance(case["figures"], list) and case["text"].strip()
        if "numbers" in case:
            assert len(case["numbers"]) == len(case["figures"]), case["name"]
    assert len({c["name"] for c in CASES}) == len(CASES)


def test_rjieba_splits_like_jieba_on_the_seeds():
    """Keywords split with rjieba (fast); it must give jieba 0.42.1's words, field terms included."""
    import jieba

    stop = keywords.load_stoplist()
    reference = jieba.Tokenizer()
    for term in stop.terms:
        reference.add_word(term, freq=keywords.TERM_FREQUENCY)
    for path in sorted(SEEDS.glob("*.txt")):
        text = kw_text = path.read_text(encoding="utf-8")
        for phrase in stop.phrases:
            kw_text = kw_text.replace(phrase, "\n")
        assert keywords._tokenizer(stop.terms).cut(kw_text, False) == reference.lcut(kw_text, HMM=False), path.name
        assert text
