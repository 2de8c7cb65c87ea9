"""The site's own search (issue #6): tokeniser, index files, the search stage, and the search box in Chromium.

Unit tests need nothing but Python (the stage's test collects the seeds into records). Browser
tests (marker ``browser``) use the shared fixtures of
``conftest.py``: the seeds built by a real ``mkdocs build --strict``, served on 127.0.0.1, and
Debian's Chromium. Expected results are computed here from the raw seeds by exact substring search
(lines stripped, folded as the search folds), never from the index.
"""

from __future__ import annotations

import json
import random
import re
import unicodedata
from array import array
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from lawreports.model import PART_KEYS
from lawreports.read import source_from_bytes
from lawreports.site import search
from lawreports.site.search import WORD, Agency, Doc, Record, fold, index_tokens, terms, tokens

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


def seed_text(path: Path) -> str:
    source = source_from_bytes(path.name, path.read_bytes())
    return "\n".join(line.text.strip() for line in source.lines)


# ---------------------------------------------------------------------------------------------
# The tokeniser


def test_fold_is_nfkc_per_code_point_and_ascii_lowercase():
    assert fold("２０２３年ＡＢＣ　１００％，（一）") == "2023年abc 100%,(一)"
    assert fold("Ⅻ①㎡") == "xii1m2"
    assert fold("南开区司法局") == "南开区司法局"
    # Greek and other non-ASCII letters keep their case (JavaScript's toLowerCase would not)
    assert fold("ΑΒΓ") == "ΑΒΓ"
    for c in "，。：；（）％＋":
        assert fold(c) == unicodedata.normalize("NFKC", c)


def test_terms_split_on_any_whitespace_and_drop_repeats():
    assert terms("2023年 司法局") == ["2023年", "司法局"]
    assert terms("  行政复议\u3000复议\t行政复议\n") == ["行政复议", "复议"]
    assert terms("") == [] and terms("\u3000 ") == []


def test_tokens_are_overlapping_pairs_inside_runs():
    assert tokens("行政复议") == ["行政", "政复", "复议"]
    assert tokens("ＰＰＰ模式") == ["pp", "p模", "模式"]
    assert tokens("“八五”普法") == ["八五", "普法"]
    assert tokens("法") == [] and tokens("a") == [] and tokens("，。") == []
    assert tokens("𠀀𠀁") == ["𠀀𠀁"]  # CJK extension B: code points, not UTF-16 halves


def test_a_number_with_its_unit_is_one_token():
    assert tokens("274件") == ["274件"]
    assert tokens("2023年") == ["2023年"]
    assert tokens("100%") == ["100%"]
    assert tokens("共274件") == ["274件", "共2"]
    assert tokens("96.28分") == ["96", "28分"]  # the dot separates runs, on both sides
    assert tokens("3年") == ["3年"] and tokens("2023") == ["20", "02", "23"]
    assert tokens("1234567890件") == ["34567890件", "12", "23"]  # endings of at most 8 digits
    # the index holds every ending, so 274件 is found in 1274件 (a substring, as typed)
    assert index_tokens("受理1274件") == ["受理", "理1", "12", "27", "74", "4件", "74件", "274件", "1274件"]
    assert set(tokens("274件")) <= set(index_tokens("1274件"))


def reference_index_tokens(folded: str) -> list[str]:
    """The tokens of a text by their definition, run by run (the index finds them with two regular
    expressions over the whole text instead)."""
    out: list[str] = []
    for run in WORD.findall(folded):
        out += [run[i : i + 2] for i in range(len(run) - 1)]
        for m in re.finditer("[0-9]+", run):
            i, j = m.span()
            if j < len(run) and j - i >= 2:
                out += [run[k:j] + run[j] for k in range(j - 2, max(i, j - search.MAX_NUMBER_DIGITS) - 1, -1)]
    return out


def test_index_tokens_are_those_of_each_run():
    samples = ["受理1274件，办结12件；2023年", "96.28分 100%ａＢ12", "１２３４５６７８９０件", "7件 12 34年", "",
               "𠀀𠀁1〇〇2件", "ab12cd345e", "——（一）", "2023年度12次3年"]
    for text in samples + [seed_text(path) for path in SEEDS]:
        folded = fold(text)
        assert sorted(index_tokens(folded)) == sorted(reference_index_tokens(folded)), text[:40]


def test_any_substring_of_a_text_has_a_subset_of_its_tokens():
    """The property the engine rests on: what a reader copies from a report is found."""
    rng = random.Random(6)
    for path in SEEDS:
        text = fold(seed_text(path))
        have = set(index_tokens(text))
        for _ in range(400):
            length = rng.randint(2, 12)
            start = rng.randrange(0, max(1, len(text) - length))
            piece = text[start : start + length]
            for term in terms(piece):
                assert set(tokens(term)) <= have, (path.name, term)


def test_shard_hash_is_fnv1a_32():
    # FNV-1a test vectors (32 bit): "" → 0x811c9dc5, "a" → 0xe40c292c, "foobar" → 0xbf9cf968
    assert search.shard_of("a", 1 << 31) == 0xE40C292C & ((1 << 31) - 1)
    assert search.shard_of("foobar", 1 << 31) == 0xBF9CF968 & ((1 << 31) - 1)
    assert 0 <= search.shard_of("行政", 1024) < 1024


def test_varints_round_trip():
    values = [0, 1, 31, 32, 255, 256, 1 << 16, (1 << 16) + 1, 10_000 << 8 | 255, 2**31]
    assert search.decode(search.encode(values)) == values
    assert set(search.encode(values)) <= set(search.ALPHABET)


def test_region_levels():
    assert search.region_levels("天津市南开区") == ["天津市", "天津市南开区"]
    assert search.region_levels("浙江省杭州市西湖区") == ["浙江省", "浙江省杭州市", "浙江省杭州市西湖区"]
    assert search.region_levels("天津市滨海新区") == ["天津市", "天津市滨海新区"]
    assert search.region_levels(None) == []


# ---------------------------------------------------------------------------------------------
# The index writer


def _doc(rid: str, year: int, region: str, key: str, records: list[tuple]) -> Doc:
    return Doc(rid, year, region, key, tuple(Record(*r) for r in records))


DOCS = [
    _doc("2024/a", 2024, "天津市南开区", "南开区司法局", [
        ("title", None, "南开区司法局2024年度法治政府建设情况报告", "2024年，区司法局…"),
        ("measures", "measures", "一、主要举措和成效", "办理行政复议案件274件。行政复议行政复议。"),
        ("shortcomings", "shortcomings", "二、存在的不足和原因", "执法规范化水平有待提升。"),
    ]),
    _doc("2023/b", 2023, "天津市东丽区", "东丽区财政局", [
        ("title", None, "东丽区财政局2023年度法治政府建设情况报告", ""),
        ("measures", "measures", "一、推进依法行政", "行政执法。复议机关。"),  # 行政 and 复议, never 行政复议
        ("", None, "", "东丽区财政局\n2024年1月3日"),
    ]),
]
AGENCIES = [
    Agency("东丽区财政局", "东丽区财政局", "天津市东丽区", 1),
    Agency("南开区司法局", "南开区司法局", "天津市南开区", 1),
]
LABELS = {key: key.upper() for key in PART_KEYS}


def _postings(files: dict[str, str], manifest: dict, token: str) -> list[tuple[int, int]]:
    width = manifest["shard_width"]
    shard = json.loads(files[f"index/{search.shard_of(token, manifest['shards']):0{width}x}.json"])
    return search.postings(shard[token]) if token in shard else []


def test_index_files_hold_postings_masks_and_facets():
    files = search.index_files(DOCS, AGENCIES, ["行政复议"], LABELS)
    manifest = json.loads(files["manifest.json"])
    assert manifest["reports"] == 2 and manifest["tokenizer"] == search.TOKENIZER_VERSION
    assert manifest["years"] == [2024, 2023]
    assert manifest["regions"] == ["天津市", "天津市东丽区", "天津市南开区"]
    assert len([f for f in files if f.startswith("index/")]) == manifest["shards"]
    measures, shortcomings = 1 << PART_KEYS.index("measures"), 1 << PART_KEYS.index("shortcomings")

    ((_, payload),) = _postings(files, manifest, "复议")[:1]
    assert [n for n, _ in _postings(files, manifest, "复议")] == [0, 1]
    assert payload & 31 == measures and not payload & search.HEADING_BIT
    assert (payload >> 5) & 3 == 1  # three times in report 0: bucket 2–3
    assert _postings(files, manifest, "政复") == [(0, measures | 1 << 5)]  # only in report 0
    assert [n for n, _ in _postings(files, manifest, "不足")] == [0]
    heading_in_shortcomings = shortcomings | search.HEADING_BIT
    assert _postings(files, manifest, "不足")[0][1] & heading_in_shortcomings == heading_in_shortcomings
    assert [n for n, _ in _postings(files, manifest, "4件")] == [0]
    assert [n for n, _ in _postings(files, manifest, "274件")] == [0]
    # the signature is searchable, outside every part
    assert _postings(files, manifest, "3日") == [(1, 0)]
    # facets
    assert [n for n, _ in _postings(files, manifest, "y:2023")] == [1]
    assert [n for n, _ in _postings(files, manifest, "r:天津市")] == [0, 1]
    assert [n for n, _ in _postings(files, manifest, "r:天津市南开区")] == [0]
    assert [n for n, _ in _postings(files, manifest, "a:东丽区财政局")] == [1]
    assert json.loads(files["meta/0.json"]) == ["2024/a", "2023/b"]
    assert json.loads(files["agencies.json"])[0] == ["东丽区财政局", "东丽区财政局", "天津市东丽区", 1]
    assert json.loads(files["terms.json"]) == ["行政复议"]


def test_index_files_are_deterministic_and_name_their_build():
    first = search.index_files(DOCS, AGENCIES, ["行政复议"], LABELS)
    second = search.index_files(list(DOCS), list(AGENCIES), ["行政复议"], dict(LABELS))
    assert first == second
    changed = search.index_files([DOCS[0]], AGENCIES, ["行政复议"], LABELS)
    assert json.loads(changed["manifest.json"])["build"] != json.loads(first["manifest.json"])["build"]


def test_shard_count_grows_with_the_postings():
    small = search.IndexBuilder()
    small.add(DOCS[0])
    assert small.shard_count() == search.MIN_SHARDS
    big = search.IndexBuilder()
    values = array("I", [0] * 200)
    for token in range(300_000):  # 60 million postings: more than 4,096 shards of 12 KB would hold
        big.postings[str(token)] = values
    assert big.shard_count() == search.MAX_SHARDS


def test_dictionary_has_terms_agencies_and_places():
    words = search.dictionary_of(AGENCIES, DOCS)
    assert {"行政复议", "营商环境", "南开区司法局", "天津市", "南开区", "东丽区"} <= set(words)
    assert all("#" not in w for w in search.load_dictionary())


def test_payloads_are_parts_heading_and_occurrences():
    """The builder's payloads (parts, heading bit, occurrence bucket) equal those of the obvious
    per-token loop over the records."""
    builder = search.IndexBuilder()
    for doc in DOCS:
        builder.add(doc)
    for number, doc in enumerate(DOCS):
        counts: dict[str, int] = {}
        flags: dict[str, int] = {}
        for record in doc.records:
            mask = 1 << PART_KEYS.index(record.part) if record.part else 0
            for text, flag in ((record.heading, mask | search.HEADING_BIT), (record.text, mask)):
                for token in index_tokens(fold(text)):
                    counts[token] = counts.get(token, 0) + 1
                    flags[token] = flags.get(token, 0) | flag
        for token, n in counts.items():
            payload = flags[token] | (0 if n == 1 else 1 if n < 4 else 2 if n < 8 else 3) << 5
            decoded = dict(search.postings(search.encode(builder.values(token))))
            assert decoded[number] == payload, (number, token)


@pytest.fixture(scope="module")
def seed_records():
    from lawreports.build.collect import collect
    from lawreports.build.prepare import Context
    from lawreports.settings import load_settings

    run = collect(ROOT / "seeds", Context.load(load_settings(ROOT / "mkdocs.yml"), ROOT / "agencies.yml"))
    assert run.records
    return run.records


def test_search_files_are_the_index_of_the_published_reports(seed_records):
    from lawreports.parts import load_parts
    from lawreports.site.data import body_of
    from lawreports.site.listings import index_reports

    labels = load_parts().names  # what the pipeline passes
    index = index_reports(seed_records, "reports")
    files = search.search_files(index, seed_records, labels)
    by_uri = {f.uri: f.content for f in files}
    assert len(by_uri) == len(files) and all(uri.startswith("search/") for uri in by_uri)
    assert all(isinstance(f.content, str) and f.source is None for f in files)
    manifest = json.loads(by_uri["search/manifest.json"])
    assert manifest["reports"] == len(seed_records) == len(SEEDS)
    assert manifest["parts"] == [[key, labels[key]] for key in PART_KEYS]
    assert "inputs" not in manifest  # the pipeline writes only what changed; no skip-if-unchanged here
    # report numbers follow the listings (newest year first); ids are the open-data files' names
    assert json.loads(by_uri["search/meta/0.json"]) == [r.path[: -len(".md")] for r in index.reports]
    agency_rows = [[a.key, a.name, a.region, len(a.reports)] for a in index.agencies]
    assert json.loads(by_uri["search/agencies.json"]) == agency_rows
    # the same bytes as index_files of the open data's bodies (what the browser checks matches against)
    docs = []
    for r in index.reports:
        body = body_of(r.report)
        signature = body.signature["lines"] if body.signature else None
        records = search.records_of(r.display_title, body.addressee, body.preamble, body.sections, signature)
        docs.append(Doc(r.path[: -len(".md")], r.year, r.region, r.agency_key, records))
    agencies = [Agency(a.key, a.name, a.region, len(a.reports)) for a in index.agencies]
    expected = search.index_files(docs, agencies, search.dictionary_of(agencies, docs), labels)
    assert by_uri == {f"search/{path}": text for path, text in expected.items()}
    # every text of the seeds is searchable by its tokens: a phrase of a section finds its report
    (report,) = [r for r in seed_records if r.path == "2023/nan-kai-qu-si-fa-ju.md"]
    phrase = next(s["text"] for s in body_of(report.report).sections if len(s["text"]) > 20)[:12]
    number = [r.path for r in index.reports].index(report.path)
    for token in tokens(phrase):
        assert number in [n for n, _ in _postings({p[len("search/"):]: t for p, t in by_uri.items()}, manifest, token)]
    # labels may be a function too; records are matched to the listing by path, in any order
    again = search.search_files(index, list(reversed(seed_records)), labels.__getitem__)
    assert [(f.uri, f.content) for f in again] == [(f.uri, f.content) for f in files]
    # a part without a label is named by its key
    unnamed = search.search_files(index, seed_records, {})
    assert json.loads(unnamed[-1].content)["parts"] == [[key, key] for key in PART_KEYS]


def test_mkdocs_config_has_no_material_search():
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_constructor("!ENV", lambda loader, node: None)
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)
    assert config["plugins"] == []  # absent would mean MkDocs' default search plugin
    assert "search.highlight" not in config["theme"].get("features", [])


# ---------------------------------------------------------------------------------------------
# The built site


@pytest.fixture(scope="module")
def seeds_by_url(built_site) -> dict[str, dict]:
    """Report URL (``reports/2023/x/``) → {text: folded raw text, row: data/reports.json row}."""
    rows = json.loads((built_site.site / "data" / "reports.json").read_text(encoding="utf-8"))
    out = {}
    for row in rows:
        path = ROOT / "seeds" / row["source"]
        out[row["url"]] = {"text": fold(seed_text(path)), "row": row}
    return out


def containing(seeds_by_url: dict, *words: str) -> set[str]:
    return {url for url, s in seeds_by_url.items() if all(fold(w) in s["text"] for w in words)}


@pytest.mark.slow
def test_site_has_the_index_and_no_material_search(built_site):
    site = built_site.site
    manifest = json.loads((site / "search" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["reports"] == len(SEEDS)
    assert (site / "search" / "index.html").is_file()
    assert not (site / "search" / "search_index.json").exists()
    assert (site / "assets" / "javascripts" / "search.js").is_file()
    for rid in json.loads((site / "search" / "meta" / "0.json").read_text(encoding="utf-8")):
        assert (site / "data" / "reports" / f"{rid}.json").is_file()


@pytest.mark.slow
def test_index_is_byte_identical_across_builds(built_site, tmp_path):
    from conftest import copy_project, mkdocs_build

    project = copy_project(tmp_path / "project")
    result = mkdocs_build(project, tmp_path / "site")
    assert result.returncode == 0, result.stderr

    def tree(root: Path) -> dict[str, bytes]:
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}

    assert tree(tmp_path / "site" / "search") == tree(built_site.site / "search")


# ---------------------------------------------------------------------------------------------
# In Chromium


STRINGS = [
    "行政复议", "274件", "2023年 司法局", "２０２３年　南开区", "１００％", "ＰＰＰ项目", "Word文档", "96.28分",
    "“八五”普法", "（一）统筹推进", "𠀀𠀁𠀂", "e\u0301t\u00e9", "ﬁle", "Ⅻ①㎡", "ΑΒΓ", "a b\u3000c\u00a0d\u2003e",
    "\ufeff开头", "1.5万元", "受理1274件", "第12345678901件", "2023年度12次", "3年", "2023", "——", "", "法",
    "😀😀", "\u3007\u3007", "丶乂", "ｱｲｳ", "⺀⺁", "\U0002a700\U0002a701",
]


def _strings() -> list[str]:
    out = list(STRINGS)
    for path in SEEDS:
        out += [line for line in seed_text(path).splitlines() if line][:40]
    return out


def open_search(chromium, served_site):
    context = chromium.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(served_site.url("search/"))
    page.wait_for_selector("#lr-search-form[data-ready=true]", state="attached")
    return context, page, errors


RUN = """async ([q, filters]) => {
  for (const [id, v] of Object.entries(filters)) document.getElementById(id).value = v;
  const box = document.getElementById('lr-q');
  const done = new Promise(r => document.addEventListener('lawsearch:done', e => r(e.detail), {once: true}));
  box.value = q;
  box.dispatchEvent(new Event('input', {bubbles: true}));
  box.dispatchEvent(new KeyboardEvent('keyup', {bubbles: true, key: 'Enter'}));
  return await done;
}"""

RESULTS = """() => [...document.querySelectorAll('#lr-results > li')].map(li => ({
  title: li.querySelector('.lr-result__title').href,
  meta: li.querySelector('.lr-result__meta').textContent,
  sections: [...li.querySelectorAll('.lr-result__section')].map(a => a.href),
  marks: [...li.querySelectorAll('mark')].map(m => m.textContent),
}))"""


def typed(page, q: str, **filters) -> list[dict]:
    """Type into the search page's box (set value, dispatch input and keyup) and read the results."""
    ids = {"year": "lr-year", "part": "lr-part", "region": "lr-region", "agency": "lr-agency"}
    detail = page.evaluate(RUN, [q, {ids[k]: filters.get(k, "") for k in ids}])
    assert "error" not in detail, detail
    # every candidate verified: the page lists all matches of these small queries at once
    assert page.evaluate("LawSearch.last.next >= LawSearch.last.candidates.length")
    return page.evaluate(RESULTS)


def report_url(href: str) -> str:
    return urlsplit(href).path.lstrip("/")


def anchor(href: str) -> str:
    return urlsplit(href).fragment


def section_text(site: Path, seeds_by_url: dict, url: str, anchor_id: str) -> str:
    row = seeds_by_url[url]["row"]
    data = json.loads((site / row["json_url"]).read_text(encoding="utf-8"))
    if anchor_id == "title":
        return fold("\n".join(t for t in (data["display_title"], data.get("addressee"), data.get("preamble")) if t))
    section = next(s for s in data["sections"] if s["anchor"] == anchor_id)
    return fold(section["title"] + "\n" + section["text"])


@pytest.mark.browser
@pytest.mark.slow
def test_js_tokeniser_agrees_with_python(chromium, served_site):
    context, page, errors = open_search(chromium, served_site)
    try:
        strings = _strings()
        got = page.evaluate(
            "ss => ss.map(s => [LawSearch.fold(s), LawSearch.terms(s), LawSearch.terms(s).map(LawSearch.tokenize),"
            " LawSearch.tokenize(s).map(t => LawSearch.shardOf(t, 4096))])",
            strings,
        )
        for s, (f, ts, toks, shards) in zip(strings, got, strict=True):
            assert f == fold(s), s
            assert ts == terms(s), s
            assert toks == [tokens(t) for t in terms(s)], s
            assert shards == [search.shard_of(t, 4096) for t in tokens(s)], s
        assert not errors
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.slow
def test_header_box_on_every_page_leads_to_results(chromium, served_site, seeds_by_url):
    context = chromium.new_context()
    page = context.new_page()
    try:
        for path in ("", "years/", "about/", next(iter(seeds_by_url))):
            page.goto(served_site.url(path))
            box = page.locator("header input[type=search]#lr-header-q")
            assert box.count() == 1, path
            assert page.locator("label[for=lr-header-q]").inner_text() == "搜索报告"
        page.goto(served_site.url(""))
        page.fill("#lr-header-q", "复议")
        page.press("#lr-header-q", "Enter")
        page.wait_for_url("**/search/?q=*")
        page.wait_for_selector("#lr-results[data-state=done] > li")
        found = {report_url(h) for h in page.eval_on_selector_all(".lr-result__title", "as => as.map(a => a.href)")}
        assert found == containing(seeds_by_url, "复议")
        assert page.input_value("#lr-q") == "复议" and page.input_value("#lr-header-q") == "复议"
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.slow
def test_search_box_finds_what_readers_type(chromium, served_site, seeds_by_url, built_site):
    context, page, errors = open_search(chromium, served_site)
    try:
        # a word inside a compound: every seed that mentions 行政复议 is found by 复议
        results = typed(page, "复议")
        found = {report_url(r["title"]) for r in results}
        assert containing(seeds_by_url, "行政复议") <= found
        assert found == containing(seeds_by_url, "复议")
        for r in results:
            assert r["sections"] and set(r["marks"]) == {"复议"}
            for href in r["sections"]:  # each linked section holds the word
                assert "复议" in section_text(built_site.site, seeds_by_url, report_url(href), anchor(href)), href
        # numbers with their unit, a year, a name, a combination
        for q, words in (("274件", ["274件"]), ("2023年", ["2023年"]), ("南开区司法局", ["南开区司法局"]),
                         ("2023年 司法局", ["2023年", "司法局"]), ("100%", ["100%"]), ("八五", ["八五"])):
            results = typed(page, q)
            assert {report_url(r["title"]) for r in results} == containing(seeds_by_url, *words), q
            assert results, q
            for r in results:
                assert set(r["marks"]) <= set(words) and r["marks"], (q, r)
        # 274件 is in one section of one report: the result links to it
        (hit,) = typed(page, "274件")
        (href,) = hit["sections"]
        assert "274件" in section_text(built_site.site, seeds_by_url, report_url(href), anchor(href))
        assert " · " in hit["meta"] and "年" in hit["meta"]
        # bigrams present but not adjacent never show; absent words find nothing
        assert typed(page, "复议行政法典") == []
        assert not errors
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.slow
def test_filters_narrow_to_year_part_and_agency(chromium, served_site, seeds_by_url, built_site):
    context, page, errors = open_search(chromium, served_site)
    try:
        everywhere = {report_url(r["title"]) for r in typed(page, "法治")}
        in_2023 = {report_url(r["title"]) for r in typed(page, "法治", year="2023")}
        assert in_2023 == {u for u in everywhere if seeds_by_url[u]["row"]["year"] == 2023} and in_2023 < everywhere

        # a part filter returns the sections inside that part, and only those
        results = typed(page, "问题", part="shortcomings")
        assert results
        for r in results:
            assert "存在的不足和原因" in r["meta"], r
            for href in r["sections"]:
                json_file = built_site.site / seeds_by_url[report_url(href)]["row"]["json_url"]
                data = json.loads(json_file.read_text(encoding="utf-8"))
                section = next(s for s in data["sections"] if s["anchor"] == anchor(href))
                assert section["part"] == "shortcomings" and "问题" in fold(section["title"] + section["text"])
        expected = set()
        for url, s in seeds_by_url.items():
            data = json.loads((built_site.site / s["row"]["json_url"]).read_text(encoding="utf-8"))
            sections = data["sections"]
            if any(x["part"] == "shortcomings" and "问题" in fold(x["title"] + "\n" + x["text"]) for x in sections):
                expected.add(url)
        assert {report_url(r["title"]) for r in results} == expected

        agency = typed(page, "法治", agency="南开区司法局")
        assert [report_url(r["title"]) for r in agency] == ["reports/2023/nan-kai-qu-si-fa-ju/"]
        region = {report_url(r["title"]) for r in typed(page, "法治", region="天津市东丽区")}
        assert region == {u for u in everywhere if seeds_by_url[u]["row"]["region"] == "天津市东丽区"}
        # the filters are in the address, so a result list can be shared
        assert "region=" in page.url and "q=" in page.url
        assert not errors
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.slow
def test_short_and_run_together_queries(chromium, served_site, seeds_by_url):
    context, page, errors = open_search(chromium, served_site)
    try:
        assert typed(page, "法") == []
        assert "至少输入两个字" in page.inner_text("#lr-status")
        # words typed together: split at the dictionary's words, said so above the results
        results = typed(page, "南开区司法局行政复议")
        assert {report_url(r["title"]) for r in results} == containing(seeds_by_url, "南开区司法局", "行政复议")
        assert "拆" in page.inner_text("#lr-notice") or "分别含有" in page.inner_text("#lr-notice")
        assert not errors
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.slow
def test_search_page_fits_a_phone(chromium, served_site):
    context = chromium.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        page.goto(served_site.url("search/?q=" + "行政复议"))
        page.wait_for_selector("#lr-results[data-state=done] > li")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, width
        assert page.locator("#lr-header-q").is_visible() and page.locator("#lr-q").is_visible()
    finally:
        context.close()
