"""Properties that hold for any text: no crash, nothing lost or reordered, anchors unique, no markup."""

from __future__ import annotations

import html
import re

import markdown
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from lawreports import figures as key_figures
from lawreports.model import Heading, SourceText
from lawreports.parse import ParseError, parse_report
from lawreports.read import ReadError, source_from_bytes
from lawreports.record import ReportRecord, SourceStat
from lawreports.render import display_title, figures_table, render_body
from lawreports.site import markup as md

# Pieces real reports are made of, so that generated texts reach deep into the grammar.
PIECES = [
    "一、", "二、", "十一、", "（一）", "(二)", "1.", "２．", "（3）", "①", "第一部分", "一是", "二是",
    "2023年", "二〇二三年", "2021—2025年", "《法治政府建设实施纲要（2021—2025年）》", "<天津市>",
    "南开区司法局", "区政府办公室", "关于", "法治政府建设", "情况报告", "的报告", "存在的不足和原因",
    "第一责任人", "主要安排", "举措和成效", "其他需要报告的情况", "。", "，", "：", "；", "、",
    "\n", "\n\n", "\r\n", "\r", " ", "\u3000", "\u00a0", "\t", "2024年1月3日", "索引号：", "发布日期：",
    "# ", "*", "_", "`", "[", "]", "{", "}", "|", ">", "<script>alert(1)</script>", "&amp;", "- ", "1. ",
    "{#x}", "\\", "~~", "==", "^^", "++", "$", "!", "区委、区政府：", "（此件公开发布）", "南司发〔2024〕5号",
]
MARKERS = ["一、", "二、", "三、", "（一）", "（二）", "(三)", "1.", "2、", "（1）", "一是", "第一部分", ""]
free_text = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Co")), min_size=1, max_size=8)
fragment = st.lists(st.one_of(st.sampled_from(PIECES), free_text), min_size=1, max_size=8).map("".join)
line = st.tuples(st.sampled_from(MARKERS), fragment, st.sampled_from(["", "。", "：", ""])).map("".join)
ending = st.sampled_from(["\n", "\n\n", "\r\n", "\r"])
report_text = st.lists(st.tuples(line, ending).map("".join), min_size=1, max_size=25).map("".join)


def source_of(text: str) -> SourceText:
    return source_from_bytes("p.txt", text.encode("utf-8"))  # the reader rejects control characters first


def visible(text: str) -> str:
    return "".join(text.split())


def published_text(report) -> str:
    """Everything of the source the page shows, in page order."""
    seen_meta_lines: set[int] = set()
    pieces = []
    for item in report.meta_lines:
        if item.line not in seen_meta_lines:
            seen_meta_lines.add(item.line)
            pieces.append(item.text)
    pieces.extend(report.title_lines)
    if report.addressee:
        pieces.append(report.addressee)
    for block in report.body:
        pieces.append(block.title if isinstance(block, Heading) else block.text)
    if report.signature:
        pieces.extend(report.signature.lines)
    return visible("".join(pieces))


def record_of(report) -> ReportRecord:
    """The report as the page renderer receives it (identity made up; figures extracted as the build does)."""
    return ReportRecord(
        report=report, path="1/k.md", display_title=display_title(report), agency_key="k", agency_slug="k",
        agency_type="department", index_no="k/1", source_url=None, sidecar_note=None, from_sidecar=(),
        deadline=None, findings=(), figures=tuple(key_figures.extract(report)), words={}, inputs_sha256="",
        sidecar_sha256=None, stat=SourceStat(0, 0, None, None),
    )


def parse_or_none(text: str):
    try:
        return parse_report(source_of(text))
    except (ParseError, ReadError):
        return None  # a title-only or signature-only text is rejected with a message, not a crash


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(report_text)
def test_every_character_reaches_the_page_in_order(text):
    report = parse_or_none(text)
    if report is None:
        return
    assert published_text(report) == visible(text)


@settings(max_examples=300, deadline=None)
@given(report_text)
def test_anchors_are_unique_ascii(text):
    report = parse_or_none(text)
    if report is None:
        return
    anchors = [h.anchor for h in report.headings]
    assert len(anchors) == len(set(anchors))
    assert all(re.fullmatch(r"[a-z][a-z0-9-]*", a) for a in anchors)
    for key, anchor in report.parts.items():
        assert anchor is None or anchor in anchors


@settings(max_examples=200, deadline=None)
@given(report_text)
@example("一是南司发〔2024〕5号\n一是南司发〔2024〕5号\n一、2023年\n")  # a repeated 文号 line was shown once
def test_rendered_html_shows_the_text_not_markup(text):
    report = parse_or_none(text)
    if report is None:
        return
    body = render_body(record_of(report))
    rendered = markdown.markdown(body, extensions=["attr_list", "md_in_html", "tables", "toc"])
    assert "<script>" not in rendered
    shown = visible(html.unescape(re.sub(r"<[^>]+>", "", rendered)))
    it = iter(shown)
    missing = [c for c in visible(text) if c not in it]  # subsequence test: in order, none lost
    assert not missing


# Texts stating figures, several to a sentence, sometimes the same sentence twice in a row.
FIGURE_PIECES = ["开展培训12次", "，办理274件", "，满意率100%", "、1.2万期", "60余篇", "。", "。", "；", "！", "\n",
                 "完成5件。完成5件。", "2023年2月", "第3次", "（一）", "一、"]
figure_text = st.lists(st.one_of(st.sampled_from(FIGURE_PIECES), st.sampled_from(PIECES), free_text),
                       min_size=1, max_size=40).map("".join)
ROW = re.compile(r'<tr><td>([^<]*)</td>(?:<td(?: rowspan="(\d+)")?><a href="#[^"]*">[^<]*</a></td>)?'
                 r"<td>(.*?)</td><td>(\d+(?:–\d+)?)</td></tr>")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(figure_text)
def test_key_figures_table_shows_each_sentence_once_with_all_its_figures_marked(text):
    report = parse_or_none("南开区测试局2023年度法治政府建设情况报告\n一、主要举措和成效\n" + text)
    if report is None:
        return
    found = key_figures.extract(report)
    groups = key_figures.by_sentence(found)
    assert [f for g in groups for f in g] == found  # every figure in exactly one group, in order
    for a, b in zip(groups, groups[1:]):  # groups are whole sentences: the next one is another sentence
        assert (a[0].text, a[0].anchor) != (b[0].text, b[0].anchor) or b[0].start <= a[-1].start
    assert all(x.start < y.start for g in groups for x, y in zip(g, g[1:]))
    table = "\n".join(figures_table(report, found))
    if not found:
        assert "<table" not in table and "未识别出" in table
        return
    rows = ROW.findall(table)
    assert len(rows) == len(groups) == table.count("<tr><td>")
    for (values, _, sentence, _), group in zip(rows, groups):
        assert len({(f.text, f.anchor) for f in group}) == 1
        assert html.unescape(re.sub(r"</?mark>", "", sentence)) == group[0].text  # the whole sentence
        assert [html.unescape(m) for m in re.findall(r"<mark>(.*?)</mark>", sentence)] == [f.figure for f in group]
        assert html.unescape(values) == "、".join(f.figure for f in group)
    # the 所在章节 cells, with their rowspans, cover every row once, and a section's rows are together
    cells = [(m.start(), int(m.group(2) or 1)) for m in ROW.finditer(table) if "<a href" in m.group(0)]
    assert sum(span for _, span in cells) == len(rows)
    runs = [g[0].anchor for i, g in enumerate(groups) if i == 0 or groups[i - 1][0].anchor != g[0].anchor]
    assert len(cells) == len(runs)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.text(min_size=1, max_size=12),
                       st.one_of(st.none(), st.booleans(), st.integers(), st.text(),
                                 st.lists(st.text(), max_size=4),
                                 st.dictionaries(st.text(max_size=8), st.one_of(st.none(), st.text()), max_size=4)),
                       max_size=6))
def test_front_matter_reads_back_as_written_whatever_the_characters(meta):
    """The one front-matter writer (a line per key, values as JSON) gives YAML that reads back to the
    same values, with PyYAML's pure-Python and libyaml loaders, whatever the keys and characters."""
    text = md.front_matter(meta)
    assert text.startswith("---\n") and text.endswith("---\n\n")
    body = text[len("---\n"):-len("---\n\n")]
    for loader in {yaml.SafeLoader, getattr(yaml, "CSafeLoader", yaml.SafeLoader)}:
        assert (yaml.load(body, Loader=loader) or {}) == meta
