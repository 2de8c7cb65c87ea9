"""Golden files: the converter's page of each seed, and a whole site built from three seeds.

**Report pages** (``tests/golden/<seed>.md``): ``build_site.py convert`` of the five seeds, the
report page alone (``pipeline.convert``: no site additions). Each page is compared byte for byte —
its front matter as a snapshot and its body — except the two lines that change with any byte or any
version (``content_sha256``, ``generator``), which are left out of the golden file; the hash is checked
to match the page instead. Regenerate, after reviewing the diff, with::

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py -k seed_page

**The whole site** (``tests/golden/site/``): three seeds (:data:`SITE_SEEDS`) built with a real
``python build_site.py`` in a copy of the project (``SITE_URL`` and ``SOURCE_DATE_EPOCH`` unset).
Every file of ``site/`` is compared: ``SHA256SUMS.json`` lists each file with the SHA-256 of its
bytes (HTML pages without their ``<meta name="generator"`` line, which names the engine's and the
theme's versions; ``.gz`` files by their uncompressed bytes), and the key pages of
:data:`KEY_PAGES` are kept in full beside it, so that a change shows as a readable diff. A new
version of the theme changes its assets: regenerate then, after checking that only those changed::

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py -k site
"""

from __future__ import annotations

import gzip
import hashlib
import json
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

from conftest import copy_project
from lawreports.build.collect import collect
from lawreports.build.outputs import page_kind
from lawreports.build.prepare import Context
from lawreports.engine import rawhtml
from lawreports.render import content_hash
from lawreports.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
UPDATE = bool(os.environ.get("UPDATE_GOLDEN"))
#: Lines of a page that are not part of its golden file (see the module docstring).
VOLATILE = re.compile(r"^(content_sha256|generator): .*\n", re.MULTILINE)


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


@pytest.fixture(scope="module")
def figures() -> dict[str, list[dict]]:
    """Each seed's key figures as the build found them (the page's front matter no longer lists them)."""
    context = Context.load(load_settings(ROOT / "mkdocs.yml"), ROOT / "agencies.yml")
    return {r.source: [{"value": f.value, "unit": f.unit, "text": f.text, "anchor": f.anchor, "line": f.line}
                       for f in r.figures] for r in collect(ROOT / "seeds", context).records}


def golden_text(page: str) -> str:
    """A page as its golden file keeps it: without the hash and generator lines."""
    return VOLATILE.sub("", page)


@pytest.mark.parametrize("seed", [s.name for s in SEEDS])
def test_seed_page_matches_golden(pages, seed):
    golden = GOLDEN / (Path(seed).stem + ".md")
    page = pages[seed]
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        golden.write_text(golden_text(page), encoding="utf-8")
    assert golden.exists(), f"no golden page for {seed}: run UPDATE_GOLDEN=1 pytest tests/test_golden.py"
    expected_head, expected_body = golden.read_text(encoding="utf-8")[4:].split("\n---\n", 1)
    head, body = golden_text(page)[4:].split("\n---\n", 1)
    assert body == expected_body  # the page's text, byte for byte
    assert head == expected_head  # the front matter's snapshot, key order and quoting included
    # the lines left out: the generator's mark and a hash that matches the page (hand edits are detected)
    assert re.search(r"^generator: \"lawreports \S+\"$", page, re.MULTILINE)
    assert re.search(rf"^content_sha256: \"{content_hash(page)}\"$", page, re.MULTILINE)
    assert page_kind(page.encode("utf-8")) == "intact"


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
    """A report's figures, consecutive ones of one sentence (same text and section) together."""
    groups: list[list[dict]] = []
    for f in figures:
        if groups and (groups[-1][-1]["text"], groups[-1][-1]["anchor"]) == (f["text"], f["anchor"]):
            groups[-1].append(f)
        else:
            groups.append([f])
    return groups


@pytest.mark.parametrize("seed", [s.name for s in SEEDS])
def test_key_figures_table_has_one_row_per_sentence_with_every_figure_marked(pages, figures, seed):
    matter, body = page_parts(pages[seed])
    table = _Table(body)
    groups = sentences_of(figures[seed])  # the seeds write no sentence twice in a row
    if not groups:
        assert not table.rows and "report-figures-none" in body
        return
    assert table.headers == [("数据", "col"), ("所在章节", "col"), ("原句", "col"), ("行", "col")]
    assert len(table.rows) == len(groups)
    titles = {s["anchor"]: s["title"] for s in matter["sections"]}
    left = 0  # rows still covered by the last 所在章节 cell
    for row, group in zip(table.rows, groups):
        shown = [f["value"] + f["unit"] for f in group]
        if left:  # under a 所在章节 cell of an earlier row of the same section
            values, sentence, line = row["cells"]
            left -= 1
        else:
            values, section, sentence, line = row["cells"]
            assert section == titles.get(group[0]["anchor"], "开头")
            assert row["links"] == [f"#{group[0]['anchor']}"]
            left = row["spans"][1] - 1
        assert values == "、".join(shown)
        assert sentence == group[0]["text"]  # the whole sentence, once
        assert row["marks"] == shown  # every figure of it marked, in order
        lines = sorted({f["line"] for f in group})
        assert line == (str(lines[0]) if len(lines) == 1 else f"{lines[0]}–{lines[-1]}")
    assert left == 0
    # a section's sentences share one 所在章节 cell: as many section cells as runs of sections
    runs = sum(1 for i, g in enumerate(groups) if i == 0 or groups[i - 1][0]["anchor"] != g[0]["anchor"])
    assert sum(1 for row in table.rows if len(row["cells"]) == 4) == runs


def test_the_seeds_have_sentences_of_several_figures_and_sections_of_several_sentences(pages, figures):
    """So that the test above sees grouping at work (a sentence with 3 figures used to fill 3 rows)."""
    groups = [g for found in figures.values() for g in sentences_of(found)]
    assert sum(len(g) >= 3 for g in groups) >= 3
    bodies = "".join(page_parts(page)[1] for page in pages.values())
    assert '<td rowspan="' in bodies and bodies.count("<mark>") == sum(len(g) for g in groups)


@pytest.mark.parametrize("seed", [s.name for s in SEEDS])
def test_html_blocks_render_the_same_with_and_without_the_raw_html_extension(pages, seed):
    """The page's own HTML blocks are wrapped for lawreports.engine.rawhtml; a bare Markdown (no
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


# ---------------------------------------------------------------------------------------------
# The whole site, built from three seeds (see the module docstring)

#: Three seeds: two years, three agencies.
SITE_SEEDS = ("000_af92be2414133f56.txt", "001_de61297b1667e9da.txt", "004_6794a1f585b17187.txt")
GOLDEN_SITE = GOLDEN / "site"
SUMS = GOLDEN_SITE / "SHA256SUMS.json"
#: Pages kept in full in the golden folder: home, a report, 合规概览, a listing, the data and the sitemap.
KEY_PAGES = (
    "index.html",
    "reports/2023/nan-kai-qu-si-fa-ju/index.html",
    "compliance/index.html",
    "years/2023/index.html",
    "data/reports.json",
    "sitemap.xml",
)
ENGINE_VERSION_LINE = re.compile(rb'^[ \t]*<meta name="generator"[^\n]*\n', re.MULTILINE)


def comparable(path: Path) -> bytes:
    """A site file's bytes as the golden set keeps them (see the module docstring)."""
    data = path.read_bytes()
    if path.suffix == ".html":
        return ENGINE_VERSION_LINE.sub(b"", data)
    if path.suffix == ".gz":
        return gzip.decompress(data)
    return data


@pytest.fixture(scope="module")
def three_report_site(tmp_path_factory) -> Path:
    project = copy_project(tmp_path_factory.mktemp("golden-site") / "project")
    for raw in (project / "seeds").iterdir():
        if raw.name not in SITE_SEEDS:
            raw.unlink()
            (project / "history" / f"{raw.name}.json").unlink(missing_ok=True)  # never published on this site
    env = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "SOURCE_DATE_EPOCH", "LAWREPORTS_GENERATED")}
    run = subprocess.run([sys.executable, "build_site.py"], cwd=project, capture_output=True, text=True, timeout=600,
                         env=dict(env, PYTHONHASHSEED="0", NO_MKDOCS_2_WARNING="1"))
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"网站已生成：site/（{len(SITE_SEEDS)} 份报告）" in run.stdout
    return project / "site"


@pytest.mark.slow
def test_site_matches_golden(three_report_site):
    site = three_report_site
    files = {p.relative_to(site).as_posix(): p for p in sorted(site.rglob("*")) if p.is_file()}
    sums = {rel: hashlib.sha256(comparable(path)).hexdigest() for rel, path in files.items()}
    if UPDATE:
        shutil.rmtree(GOLDEN_SITE, ignore_errors=True)
        GOLDEN_SITE.mkdir(parents=True)
        SUMS.write_text(json.dumps(sums, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        for rel in KEY_PAGES:
            (GOLDEN_SITE / rel).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN_SITE / rel).write_bytes(comparable(files[rel]))
    assert SUMS.exists(), "no golden site: run UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py -k site"
    expected = json.loads(SUMS.read_text(encoding="utf-8"))
    assert sorted(set(expected) - set(sums)) == [], "files missing from the site"
    assert sorted(set(sums) - set(expected)) == [], "files the golden site does not have"
    for rel in KEY_PAGES:  # the key pages first: their diff says what changed
        assert comparable(files[rel]).decode("utf-8") == (GOLDEN_SITE / rel).read_text(encoding="utf-8"), rel
    assert [rel for rel in sorted(sums) if sums[rel] != expected[rel]] == []


def test_golden_site_keeps_only_its_manifest_and_the_key_pages():
    """The golden folder stays small: no stray file from an older KEY_PAGES, every key page in the manifest."""
    if not SUMS.exists():
        pytest.skip("no golden site yet")
    kept = sorted(p.relative_to(GOLDEN_SITE).as_posix() for p in GOLDEN_SITE.rglob("*") if p.is_file())
    assert kept == sorted([SUMS.name, *KEY_PAGES])
    assert set(KEY_PAGES) <= set(json.loads(SUMS.read_text(encoding="utf-8")))
