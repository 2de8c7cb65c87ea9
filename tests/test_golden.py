"""Golden pages: the converter's output on the five seeds, byte for byte.

When a change to the converter is intended, regenerate and review the diff:
    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest
import yaml

from lawreports.site import rawhtml

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, str]:
    seeds = tmp_path_factory.mktemp("seeds")
    out = tmp_path_factory.mktemp("out")
    for seed in SEEDS:
        shutil.copy(seed, seeds / seed.name)
    run = subprocess.run([sys.executable, "build_site.py", "convert", "--seeds", str(seeds), "--out", str(out)],
                         cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    result = {}
    for page in sorted(out.rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        source = yaml.safe_load(text.split("\n---\n", 1)[0][4:])["source"]
        result[source] = text
    return result


@pytest.mark.parametrize("seed", [s.name for s in SEEDS])
def test_seed_page_matches_golden(pages, seed):
    golden = GOLDEN / (Path(seed).stem + ".md")
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.mkdir(exist_ok=True)
        golden.write_text(pages[seed], encoding="utf-8")
    assert golden.exists(), f"no golden page for {seed}: run UPDATE_GOLDEN=1 pytest tests/test_golden.py"
    assert pages[seed] == golden.read_text(encoding="utf-8")


def test_every_golden_has_a_seed():
    assert sorted(p.stem for p in GOLDEN.glob("*.md")) == sorted(s.stem for s in SEEDS)


# ---------------------------------------------------------------------------------------------
# The key-figures table of the golden pages (issue #8, #10): one row per sentence


class _Table(HTMLParser):
    """Rows of the report-figures table: [(cells as HTML-less text, marks, attrs of each td)]."""

    def __init__(self, html: str):
        super().__init__()
        self.rows: list[dict] = []
        self.headers: list[tuple[str, str | None]] = []
        self._in_table = self._in_body = False
        self._cell: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table" and a.get("class") == "report-figures":
            self._in_table = True
        elif not self._in_table:
            return
        elif tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self.rows.append({"cells": [], "marks": [], "spans": [], "links": []})
        elif tag == "th":
            self._th_scope, self._cell = a.get("scope"), []
        elif tag == "td":
            self._cell = []
            self.rows[-1]["spans"].append(int(a.get("rowspan", 1)))
        elif tag == "mark":
            self._mark: list[str] = []
        elif tag == "a":
            self.rows[-1]["links"].append(a["href"])

    def handle_endtag(self, tag):
        if not self._in_table:
            return
        if tag == "table":
            self._in_table = self._in_body = False
        elif tag == "th":
            self.headers.append(("".join(self._cell), self._th_scope))
            self._cell = None
        elif tag == "td":
            self.rows[-1]["cells"].append("".join(self._cell))
            self._cell = None
        elif tag == "mark":
            self.rows[-1]["marks"].append("".join(self._mark))
            self._mark = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if getattr(self, "_mark", None) is not None:
            self._mark.append(data)


def page_parts(page: str) -> tuple[dict, str]:
    head, body = page[4:].split("\n---\n", 1)
    return yaml.safe_load(head), body


def sentences_of(figures: list[dict]) -> list[list[dict]]:
    """The front matter's figures, consecutive ones of one sentence (same text and section) together."""
    groups: list[list[dict]] = []
    for f in figures:
        if groups and (groups[-1][-1]["text"], groups[-1][-1]["anchor"]) == (f["text"], f["anchor"]):
            groups[-1].append(f)
        else:
            groups.append([f])
    return groups


@pytest.mark.parametrize("seed", [s.name for s in SEEDS])
def test_key_figures_table_has_one_row_per_sentence_with_every_figure_marked(pages, seed):
    matter, body = page_parts(pages[seed])
    table = _Table(body)
    groups = sentences_of(matter["figures"])  # the seeds write no sentence twice in a row
    if not groups:
        assert not table.rows and "report-figures-none" in body
        return
    assert table.headers == [("数据", "col"), ("所在章节", "col"), ("原句", "col"), ("行", "col")]
    assert len(table.rows) == len(groups)
    titles = {s["anchor"]: s["title"] for s in matter["sections"]}
    left = 0  # rows still covered by the last 所在章节 cell
    for row, group in zip(table.rows, groups):
        figures = [f["value"] + f["unit"] for f in group]
        if left:  # under a 所在章节 cell of an earlier row of the same section
            values, sentence, line = row["cells"]
            left -= 1
        else:
            values, section, sentence, line = row["cells"]
            assert section == titles.get(group[0]["anchor"], "开头")
            assert row["links"] == [f"#{group[0]['anchor']}"]
            left = row["spans"][1] - 1
        assert values == "、".join(figures)
        assert sentence == group[0]["text"]  # the whole sentence, once
        assert row["marks"] == figures  # every figure of it marked, in order
        lines = sorted({f["line"] for f in group})
        assert line == (str(lines[0]) if len(lines) == 1 else f"{lines[0]}–{lines[-1]}")
    assert left == 0
    # a section's sentences share one 所在章节 cell: as many section cells as runs of sections
    runs = sum(1 for i, g in enumerate(groups) if i == 0 or groups[i - 1][0]["anchor"] != g[0]["anchor"])
    assert sum(1 for row in table.rows if len(row["cells"]) == 4) == runs


def test_the_seeds_have_sentences_of_several_figures_and_sections_of_several_sentences(pages):
    """So that the test above sees grouping at work (a sentence with 3 figures used to fill 3 rows)."""
    groups = [g for page in pages.values() for g in sentences_of(page_parts(page)[0]["figures"])]
    assert sum(len(g) >= 3 for g in groups) >= 3
    bodies = "".join(page_parts(page)[1] for page in pages.values())
    assert '<td rowspan="' in bodies and bodies.count("<mark>") == sum(len(g) for g in groups)


@pytest.mark.parametrize("seed", [s.name for s in SEEDS])
def test_html_blocks_render_the_same_with_and_without_the_raw_html_extension(pages, seed):
    """The page's own HTML blocks are wrapped for lawreports.site.rawhtml; a bare Markdown (no
    extension) reads the markers as comments and gives the same page."""
    _, body = page_parts(pages[seed])
    assert body.count(rawhtml.OPEN) == body.count(rawhtml.CLOSE) >= 3  # metadata, indicator, figures table
    for html_class in ("report-meta", "report-indicators", "report-figures"):
        at = body.index(f'class="{html_class}"')
        assert body.rfind(rawhtml.OPEN, 0, at) > body.rfind(rawhtml.CLOSE, 0, at), html_class
    extensions = ["attr_list", "md_in_html", "tables", "toc"]
    config = {"toc": {"permalink": "¶"}}
    fast = markdown.markdown(body, extensions=[*extensions, rawhtml.RawHtmlExtension()], extension_configs=config)
    bare = markdown.markdown(body, extensions=extensions, extension_configs=config)
    assert rawhtml.OPEN not in fast and rawhtml.OPEN in bare

    def lines(html: str) -> list[str]:
        html = html.replace(rawhtml.OPEN, "").replace(rawhtml.CLOSE, "")
        return [line for line in html.split("\n") if line.strip()]

    assert lines(fast) == lines(bare)
    assert '<table class="report-figures">' in fast and "<mark>" in fast


# ---------------------------------------------------------------------------------------------
# The built report page: its table of contents (overrides/partials/toc-item.html)

TOC = re.compile(r'<ul class="md-nav__list" data-md-component="toc"[^>]*>(.*?)</ul>\s*</nav>', re.S)
HEADING = re.compile(r'<h([1-6])\b[^>]*\bid="([^"]+)"[^>]*>(.*?)</h\1>', re.S)


@pytest.mark.slow
def test_report_toc_lists_the_parts_and_every_heading_keeps_its_permalink(built_site):
    reports = sorted((built_site.site / "reports").rglob("index.html"))
    assert len(reports) == len(SEEDS)
    for path in reports:
        page = path.read_text(encoding="utf-8")
        # drawn once: report pages are not in the navigation, so not in the primary sidebar too
        assert page.count('data-md-component="toc"') == 1, path
        toc = TOC.search(page).group(1)
        headings = HEADING.findall(page)
        parts = [anchor for level, anchor, _ in headings if level == "2"]
        assert "key-figures" in parts and len(parts) >= 5
        assert re.findall(r'<a href="#([^"]+)" class="md-nav__link">', toc) == parts, path
        assert 'class="md-nav" aria-label' not in toc  # no nested list of subsections
        assert not any(re.search(r">\s+<", item) for item in re.findall(r"<li.*?</li>", toc))  # nor blanks
        # every section still has its permalink: the ¶ of each heading, subsections included
        assert sum(level == "3" for level, _, _ in headings) >= 2
        for level, anchor, inner in headings:
            assert f'<a class="headerlink" href="#{anchor}" title="本节链接">¶</a>' in inner, (path, anchor)
    # other pages keep their whole table of contents (合规概览: 图表 and its charts)
    compliance = (built_site.site / "compliance" / "index.html").read_text(encoding="utf-8")
    nested = TOC.search(compliance).group(1)
    assert '<nav class="md-nav" aria-label="图表">' in nested and 'href="#chart-days-late"' in nested
