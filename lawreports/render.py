"""Stage 4: Report → Markdown page with YAML front matter.

The report is data, never code: every character that Markdown or HTML could read as markup is written
as a numeric character reference, so ``#``, ``*``, ``<script>`` or ``&amp;`` in a report show as typed.
Headings carry explicit ASCII anchors (``## 一、… {#measures}``); Python-Markdown's own slugs would
turn Chinese headings into ``_1``, ``_2``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import re

import yaml

from . import __version__
from . import figures as key_figures
from .model import PART_KEYS, REQUIRED_PARTS, Heading, Paragraph, Report
from .parts import load_parts
from .record import ReportRecord
from .site import htmlblock, markup
from .text import one_space

# libyaml's dumper when present: the same output, several times faster than the pure-Python one
SafeDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

GENERATOR = f"lawreports {__version__}"
#: Characters Markdown (and the enabled extensions) may read as markup anywhere in a line.
MARKUP = re.compile(r"[\\`*_{}\[\]<>&#|~^=+!$]")
#: Line openings Markdown reads as blocks: lists, quotes, rules, setext underlines, ordered lists.
BLOCK_START = re.compile(r"^(\d+)([.)])|^([-+>=:])")
CONTENT_HASH_LINE = re.compile(r"^content_sha256: .*\n", re.MULTILINE)
GENERATOR_LINE = re.compile(r"^generator: ", re.MULTILINE)


def escape_text(text: str) -> str:
    """Report text → Markdown that renders as exactly these characters."""
    text = MARKUP.sub(lambda m: f"&#{ord(m.group())};", text)
    return BLOCK_START.sub(
        lambda m: f"{m.group(1)}&#{ord(m.group(2))};" if m.group(1) else f"&#{ord(m.group(3))};", text, count=1
    )


def escape_html(text: str) -> str:
    return html.escape(text, quote=True)


def display_title(report: Report, agency_key: str | None = None) -> str:
    """信息名称: the report's own title verbatim; without one, the unit's full name (``agency_key``,
    else the name as the text writes it) and the year."""
    if report.title:
        return report.title
    year = f"{report.year}年度" if report.year else ""
    return f"{agency_key or report.agency or ''}{year}法治政府建设情况报告"


#: Labels of the page-metadata lines that give a 文号 (document number).
DOC_NUMBER_LABELS = ("文号", "发文字号")


def doc_numbers(report: Report) -> str | None:
    """The 文号 the text gives (each distinct one, in order), or None: never made up."""
    found = dict.fromkeys(m.value.strip() for m in report.meta_lines if m.label in DOC_NUMBER_LABELS)
    return "；".join(v for v in found if v) or None


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def front_matter(record: ReportRecord, url: str) -> dict:
    """What the page and the engine need (the rest of the record stays in the catalog): the page's
    identity, the disclosure facts, its headings and where each part starts."""
    report = record.report
    return {
        "source": record.source,
        "source_sha256": record.source_sha256,
        "title": report.title,
        "display_title": record.display_title,
        "agency": report.agency,
        "agency_key": record.agency_key,
        "region": report.region,
        "year": report.year,
        "written": _date(report.written),
        "published": _date(report.published),
        "index_no": report.index_no,
        "source_url": record.source_url,
        "url": url,
        "sections": [{"level": h.level, "title": h.title, "anchor": h.anchor} for h in report.headings],
        "parts": {key: report.parts.get(key) for key in PART_KEYS},
        "generator": GENERATOR,
    }


def meta_block(record: ReportRecord, address: str | None = None) -> str:
    """The disclosure metadata block Chinese government pages carry (索引号, 发布机构, 成文日期 …).

    What the text or a sidecar does not give is 未注明, never made up. 发布机构 is the unit's full name
    (``agency_key``: the text may say just 区政府办公室). ``address``: the page's own permanent address
    (本页地址), absolute when the site's address is configured, else below the site root."""
    report = record.report
    rows = [
        ("索引号", record.index_no or "未注明"),
        ("信息名称", record.display_title),
        ("文号", doc_numbers(report) or "未注明"),
        ("发布机构", record.agency_key or report.agency or "未注明"),
        ("所属地区", report.region or "未注明"),
        ("报告年度", f"{report.year}年" if report.year else "未注明"),
        ("成文日期", _date(report.written) or "未注明"),
        ("发布日期", _date(report.published) or "未注明"),
        ("字数", str(record.characters)),
        ("来源文件", report.source.name),
    ]
    cells = "\n".join(
        f'<tr><th scope="row">{escape_html(label)}</th><td>{escape_html(value)}</td></tr>' for label, value in rows
    )
    if address:
        shown = escape_html(address)
        where = (f'<a href="{shown}">{shown}</a>' if address.startswith(("https://", "http://"))
                 else f"{shown}（相对于本站首页）")
        cells += f'\n<tr><th scope="row">本页地址</th><td class="report-address">{where}</td></tr>'

    badges = "".join(_badge(report, key) for key in PART_KEYS)
    original = ""
    if record.source_url:
        original = f'\n<p class="report-original"><a href="{escape_html(record.source_url)}">查看官方原文</a></p>'
    return (
        '<table class="report-meta">\n<caption>公开信息</caption>\n<tbody>\n'
        f"{cells}\n</tbody>\n</table>\n"
        f'<p class="report-parts" aria-label="报告组成部分">{badges}</p>{original}'
    )


def _badge(report: Report, key: str) -> str:
    """✓ present, ✗ missing (a required part), – absent (the optional ``other``), ◐ only inside another part."""
    if report.parts.get(key):
        state, mark = "present", "✓"
    elif key in report.parts_within:
        state, mark = "within", "◐"
    elif key in REQUIRED_PARTS:
        state, mark = "missing", "✗"
    else:
        state, mark = "optional", "–"
    return f'<span class="part-badge {state}">{mark} {load_parts().name(key)}</span>'


def html_block(html: str) -> str:
    """HTML this module built (report text escaped) as a block Markdown passes through untouched
    (:func:`lawreports.site.htmlblock.block`; a bare Markdown reads the markers as comments)."""
    return htmlblock.block(html).strip("\n")


def render_body(record: ReportRecord, address: str | None = None) -> str:
    """The page's body; ``address``: its own permanent address (:func:`meta_block`)."""
    report, found = record.report, list(record.figures)
    out: list[str] = [f"# {escape_text(record.display_title)} {{#title}}", html_block(meta_block(record, address)),
                      html_block(indicators(record, found))]
    if report.meta_lines:  # every line as written, a repeated one too: nothing of the text is dropped
        lines = "".join(f"<li>{escape_html(item.text)}</li>" for item in report.meta_lines)
        out.append(html_block(f'<ul class="report-source-meta" aria-label="原页面信息">{lines}</ul>'))
    if report.addressee:
        out.append(html_block(f'<p class="report-addressee">{escape_html(report.addressee)}</p>'))
    for block in report.body:
        if isinstance(block, Heading):
            hashes = "#" * min(block.level + 1, 6)
            out.append(f"{hashes} {escape_text(block.title)} {{#{block.anchor}}}")
        elif isinstance(block, Paragraph):
            out.append(escape_text(one_space(block.text)))
    if report.signature:
        lines = "".join(f"<p>{escape_html(one_space(text))}</p>" for text in report.signature.lines)
        out.append(html_block(f'<div class="report-signature">{lines}</div>'))
    out.extend(figures_table(report, found))
    return "\n\n".join(out) + "\n"


#: Id of the key-figures section at the end of a report page (no report heading is given it).
FIGURES_ANCHOR = "key-figures"


def indicators(record: ReportRecord, found: list[key_figures.Figure]) -> str:
    """The “具体数据” indicator under the metadata block: figures per 1,000 characters."""
    rate = key_figures.per_thousand(len(found), record.characters)
    return (
        f'<p class="report-indicators" aria-label="指标"><span class="indicator indicator-figures" data-value="{rate}" '
        f'title="正文中以阿拉伯数字表述的数量（次数、件数、比例等），每千字的处数">'
        f'具体数据：每千字 {rate} 处</span>'
        f'（共 {len(found)} 处，<a href="#{FIGURES_ANCHOR}">见“关键数据”</a>）</p>'
    )


def figures_table(report: Report, found: list[key_figures.Figure]) -> list[str]:
    """The key figures, one row per sentence: its figures, a link to its section (one cell spanning
    the section's rows), the whole sentence with every figure in it marked, and its raw line(s).
    The front matter keeps one entry per figure."""
    out = [f"## 关键数据 {{#{FIGURES_ANCHOR} .report-figures-heading}}"]
    if not found:
        out.append(html_block('<p class="report-figures-none">正文中未识别出以阿拉伯数字表述的数量。</p>'))
        return out
    titles = {h.anchor: h.title for h in report.headings}
    sentences = key_figures.by_sentence(found)
    rows = []
    for i, group in enumerate(sentences):
        anchor = group[0].anchor
        section = ""
        if i == 0 or sentences[i - 1][0].anchor != anchor:  # the first sentence of its section
            span = 1
            while i + span < len(sentences) and sentences[i + span][0].anchor == anchor:
                span += 1
            rowspan = f' rowspan="{span}"' if span > 1 else ""
            label = escape_html(titles.get(anchor, "开头"))
            section = f'<td{rowspan}><a href="#{escape_html(anchor)}">{label}</a></td>'
        first, last = group[0].line, group[-1].line
        line = str(first) if first == last else f"{first}–{last}"
        rows.append(f"<tr><td>{'、'.join(escape_html(f.figure) for f in group)}</td>{section}"
                    f"<td>{marked_sentence(group)}</td><td>{line}</td></tr>")
    out.append(html_block(
        '<table class="report-figures">\n<thead><tr><th scope="col">数据</th><th scope="col">所在章节</th>'
        '<th scope="col">原句</th><th scope="col">行</th></tr></thead>\n<tbody>\n'
        + "\n".join(rows)
        + "\n</tbody>\n</table>"
    ))
    return out


def marked_sentence(group: list[key_figures.Figure]) -> str:
    """The sentence of these figures (one sentence, figures in order), escaped, each figure in <mark>."""
    text, pieces, at = group[0].text, [], 0
    for f in group:
        end = f.start + len(f.figure)
        pieces.append(f"{escape_html(text[at: f.start])}<mark>{escape_html(text[f.start: end])}</mark>")
        at = end
    pieces.append(escape_html(text[at:]))
    return "".join(pieces)


def render_page(record: ReportRecord, url: str, body: str | None = None) -> str:
    """The whole page: front matter (with the hash that detects hand edits) and the body (by default
    :func:`render_body`; the site passes it with its additions: downloads, the checks' summary,
    links to the agency's other years, keywords)."""
    text = render_body(record) if body is None else body
    return with_content_hash(markup.front_matter(front_matter(record, url)) + text)


def with_content_hash(page: str) -> str:
    digest = content_hash(page)
    return GENERATOR_LINE.sub(lambda m: f"content_sha256: \"{digest}\"\n{m.group()}", page, count=1)


def content_hash(page: str) -> str:
    """SHA-256 of a page without its own ``content_sha256`` line."""
    return hashlib.sha256(CONTENT_HASH_LINE.sub("", page, count=1).encode("utf-8")).hexdigest()
