"""Search benchmark: recall, precision, time and bytes of the site's search, through the real UI.

    python bench/search.py [--n 1000] [--site DIR] [--queries 240] [--seed 0] [--rebuild | --reindex]

1. Site: ``--site DIR`` uses a built site as it is; otherwise N synthetic reports (bench/synth.py)
   are built with ``python build_site.py`` in ``bench/out/search-N/project`` (reused when it already
   holds N reports, unless ``--rebuild``; ``--reindex`` rewrites only its ``search/`` and search.js
   with the current code, for trying a change to the search without a whole build).
2. Queries (≥ 200, deterministic for a seed), drawn from the texts: the manifest's rare terms
   (tiers of 1, 10, 50 and 200 reports), parts of them, agency names, numbers with units, words
   inside compounds, combinations (``2023年 司法局``), and the same with a year, part, region or
   agency filter. Expected reports: exact substring search, in Python, of the raw files
   (``data/sources/``; each line stripped, NFKC and A–Z folded as the search folds), and for a part
   filter of that part's text as the parser splits it; filters by the site's metadata.
3. Each query in a fresh browser context (nothing cached): open ``search/``, set the filters, set
   the box's value and dispatch ``input`` and ``keyup`` (Playwright's ``type`` sends no key events
   for CJK text), wait for the results. Time: dispatch → results rendered (includes the 60 ms
   debounce). Bytes: bodies of every response for ``search/`` and ``data/reports/`` files during
   the query (the first query of a reader: the manifest, the shards, the meta blocks, the report
   files of the results shown), from Playwright's request sizes.
4. Then through the JS API (``LawSearch.more``) every remaining candidate is verified, so
   "returned" is every result the reader could reach by paging (for queries with more than
   ``--verify-limit`` candidates: the candidates, which contain them). Recall =
   |returned ∩ expected| / |expected|; precision@10 over the first ten shown.

Prints one line per category and the totals, and the index size on disk.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from bench.synth import generate, read_manifest  # noqa: E402
from lawreports.site.search import fold  # noqa: E402

PROJECT_FILES = ("mkdocs.yml", "docs", "overrides", "lawreports", "agencies.yml", "build_site.py")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
PARTS = ("measures", "shortcomings", "leadership", "plans")
# Words inside compounds and other everyday queries (some are common: they test ranking and size).
SUBWORDS = ("复议", "行政复议", "营商环境", "招商引资", "八五", "报告", "年度报告", "行政复议法", "合法性审查",
            "法律顾问", "公职律师", "三项制度", "普法", "执法", "败诉率", "出庭应诉", "规范性文件", "民法典")
DEPARTMENT_WORDS = ("司法局", "教育局", "财政局", "民政局", "审计局", "统计局", "水务局", "商务局", "体育局",
                    "政府办公室")
NUMBER = re.compile(r"(?<![\d.])\d+(?:\.\d+)?(?:件|次|项|个|%|场次|人次|名|家|条|篇|期)")


# ---------------------------------------------------------------------------------------------
# The site


def build_site(n: int, work: Path, seed: int, rebuild: bool) -> Path:
    project = work / "project"
    site = project / "site"
    listing = site / "data" / "reports.json"
    if not rebuild and listing.is_file() and len(json.loads(listing.read_text(encoding="utf-8"))) == n:
        print(f"site: reusing {site} ({n} reports)")
        return site
    shutil.rmtree(work, ignore_errors=True)
    project.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "reports")
    for name in PROJECT_FILES:
        src = REPO_ROOT / name
        if src.is_dir():
            shutil.copytree(src, project / name, ignore=ignore)
        elif src.exists():
            shutil.copy2(src, project / name)
    t = time.perf_counter()
    generate(n, project / "seeds", seed=seed)
    print(f"synth: {n} reports in {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    result = subprocess.run([sys.executable, "build_site.py"], cwd=project, capture_output=True, text=True)
    wall = time.perf_counter() - t
    output = result.stderr.splitlines() + result.stdout.splitlines()
    lines = [line for line in output if "搜索索引" in line or "网站" in line]
    print(f"build: python build_site.py in {wall:.1f} s, exit {result.returncode}; " + " ".join(lines[-2:]))
    if not listing.is_file():
        print(result.stderr[-3000:], file=sys.stderr)
        raise SystemExit(1)
    return site


def index_build_time(site: Path, write: bool = False) -> tuple[float, dict]:
    """Time the indexing stage alone, on the same inputs the build used (the open-data files);
    ``write``: replace the site's index (and search.js) with what the current code makes."""
    from lawreports.parts import load_parts
    from lawreports.site import search

    rows = json.loads((site / "data" / "reports.json").read_text(encoding="utf-8"))
    docs = []
    for row in rows:
        d = json.loads((site / "data" / "reports" / f"{row['id']}.json").read_text(encoding="utf-8"))
        sig = d["signature"]["lines"] if d.get("signature") else None
        records = search.records_of(d["display_title"], d.get("addressee"), d.get("preamble") or "", d["sections"], sig)
        docs.append(search.Doc(row["id"], row["year"], row["region"], row["agency_key"], records))
    agencies = {}
    for row in rows:
        agencies.setdefault(row["agency_key"], [row["agency_key"], row["agency"] or "", row["region"], 0])[3] += 1
    agency_list = [search.Agency(*a) for a in agencies.values()]
    t = time.perf_counter()
    files = search.index_files(docs, agency_list, search.dictionary_of(agency_list, docs), load_parts().names)
    seconds = time.perf_counter() - t
    if write:
        write_index(site, files)
        script = Path("assets") / "javascripts" / "search.js"
        shutil.copy2(REPO_ROOT / "docs" / script, site / script)
    return seconds, json.loads(files["manifest.json"])


def write_index(site: Path, files: dict[str, str]) -> None:
    """Replace ``site/search/``'s index files with ``files`` (paths below ``search/``); the search
    page (index.html) stays, shards and meta blocks of an earlier index go."""
    out = site / "search"
    for stale in ("index", "meta"):
        shutil.rmtree(out / stale, ignore_errors=True)
    for path, text in files.items():
        (out / path).parent.mkdir(parents=True, exist_ok=True)
        (out / path).write_text(text, encoding="utf-8", newline="\n")


def serve(site: Path) -> tuple[subprocess.Popen, str]:
    """``python -m http.server`` on 127.0.0.1 in its own process (as a reader would serve the site;
    a server thread here would share the GIL with Playwright and slow every response)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(site)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    root = f"http://127.0.0.1:{port}/"
    for _ in range(100):
        try:
            urllib.request.urlopen(root + "search/manifest.json", timeout=1).read()
            break
        except OSError:
            time.sleep(0.1)
    return server, root


# ---------------------------------------------------------------------------------------------
# The corpus as Python sees it


@dataclass
class Report:
    rid: str
    source: str
    year: int | None
    region: str | None
    agency: str | None
    agency_key: str
    text: str  #: folded raw text, lines stripped
    parts: dict[str, str] = field(default_factory=dict)  #: folded text of each part


def load_reports(site: Path) -> list[Report]:
    from lawreports.model import Heading
    from lawreports.parse import parse_report
    from lawreports.parts import load_parts
    from lawreports.read import source_from_bytes

    table = load_parts()
    rows = json.loads((site / "data" / "reports.json").read_text(encoding="utf-8"))
    out = []
    for row in rows:
        raw = (site / "data" / "sources" / row["source"]).read_bytes()
        source = source_from_bytes(row["source"], raw)
        text = fold("\n".join(line.text.strip() for line in source.lines))
        report = parse_report(source, table)
        parts = {}
        for key in PARTS:
            blocks = report.part_blocks(key)
            parts[key] = fold("\n".join(b.title if isinstance(b, Heading) else b.text for b in blocks))
        out.append(Report(row["id"], row["source"], row["year"], row["region"], row.get("agency"), row["agency_key"],
                          text, parts))
    return out


def rid_by_number(site: Path) -> list[str]:
    manifest = json.loads((site / "search" / "manifest.json").read_text(encoding="utf-8"))
    out: list[str] = []
    for k in range((manifest["reports"] + manifest["meta_block"] - 1) // manifest["meta_block"]):
        out += json.loads((site / "search" / "meta" / f"{k}.json").read_text(encoding="utf-8"))
    return out


# ---------------------------------------------------------------------------------------------
# Queries


@dataclass
class Query:
    category: str
    q: str
    year: str = ""
    part: str = ""
    region: str = ""
    agency: str = ""
    expected: frozenset[str] = frozenset()


def expected_of(reports: list[Report], query: Query) -> frozenset[str]:
    terms = [t for t in fold(query.q).split() if t]
    out = set()
    for r in reports:
        if query.year and str(r.year) != query.year:
            continue
        if query.region and not (r.region or "").startswith(query.region):
            continue
        if query.agency and r.agency_key != query.agency:
            continue
        text = r.parts.get(query.part, "") if query.part else r.text
        if all(t in text for t in terms):
            out.add(r.rid)
    return frozenset(out)


def make_queries(reports: list[Report], synth_manifest: list, count: int, seed: int) -> list[Query]:
    rng = random.Random(seed)
    queries: list[Query] = []
    seen: set[tuple] = set()

    def add(q: Query, low: int = 1, high: int = 200) -> bool:
        key = (q.q, q.year, q.part, q.region, q.agency)
        if key in seen:
            return False
        q.expected = expected_of(reports, q)
        if not low <= len(q.expected) <= high:
            return False
        seen.add(key)
        queries.append(q)
        return True

    tiers: dict[int, list[str]] = defaultdict(list)
    counts: dict[str, int] = defaultdict(int)
    for entry in synth_manifest:
        for term in entry.rare_terms:
            counts[term] += 1
    for term, c in counts.items():
        tiers[min((1, 10, 50, 200), key=lambda f: abs(f - c))].append(term)
    for tier in tiers.values():
        tier.sort()
        rng.shuffle(tier)
    share = {1: 0.12, 10: 0.12, 50: 0.08, 200: 0.05}
    for tier, terms in sorted(tiers.items()):
        want = max(1, round(count * share[tier]))
        for term in terms[: want * 2]:
            if sum(1 for q in queries if q.category == f"rare term ({tier})") >= want:
                break
            add(Query(f"rare term ({tier})", term))
    all_rare = sorted(counts)
    rng.shuffle(all_rare)
    # parts of rare terms: a prefix or a suffix of 2–4 characters
    n_sub = round(count * 0.10)
    for term in all_rare:
        if sum(1 for q in queries if q.category == "part of a word") >= n_sub:
            break
        k = rng.choice((2, 3, 4))
        add(Query("part of a word", term[:k] if rng.random() < 0.5 else term[-k:]))
    # words inside compounds (no upper bound: some are in most reports)
    for word in SUBWORDS:
        add(Query("word in a compound", word), high=10**9)
    # agency names
    agencies = sorted({r.agency for r in reports if r.agency})
    rng.shuffle(agencies)
    n_ag = round(count * 0.08)
    for name in agencies:
        if sum(1 for q in queries if q.category == "agency name") >= n_ag:
            break
        add(Query("agency name", name))
    # numbers with units
    pool = list(reports)
    rng.shuffle(pool)
    n_num = round(count * 0.12)
    for r in pool:
        if sum(1 for q in queries if q.category == "number with unit") >= n_num:
            break
        found = NUMBER.findall(r.text)
        if found:
            add(Query("number with unit", rng.choice(found)))
    # combinations
    years = sorted({r.year for r in reports if r.year})
    n_combo = round(count * 0.10)
    tries = 0
    while sum(1 for q in queries if q.category == "combination") < n_combo and tries < 2000:
        tries += 1
        if rng.random() < 0.5:
            add(Query("combination", f"{rng.choice(years)}年 {rng.choice(DEPARTMENT_WORDS)}"), high=10**9)
        else:
            term = rng.choice(all_rare)
            holder = next(r for r in reports if term in r.text)
            add(Query("combination", f"{term} {holder.year}年"))
    # filters
    n_f = round(count * 0.05)
    regions = sorted({r.region for r in reports if r.region})
    keys = sorted({r.agency_key for r in reports})
    tries = 0
    while sum(1 for q in queries if q.category.startswith("filter")) < 4 * n_f and tries < 5000:
        tries += 1
        kind = rng.choice(("year", "part", "region", "agency"))
        if sum(1 for q in queries if q.category == f"filter: {kind}") >= n_f:
            continue
        term = rng.choice(all_rare + list(SUBWORDS))
        if kind == "year":
            add(Query("filter: year", term, year=str(rng.choice(years))))
        elif kind == "part":
            word = rng.choice((*SUBWORDS, "法治", "培训", "加强", "审查"))
            add(Query("filter: part", word, part=rng.choice(PARTS)), high=10**9)
        elif kind == "region":
            add(Query("filter: region", rng.choice(SUBWORDS), region=rng.choice(regions)), high=10**9)
        else:
            key = rng.choice(keys)
            holder = next(r for r in reports if r.agency_key == key)
            word = rng.choice([w for w in ("法治", "2023年", str(holder.year) + "年", "行政") if w])
            add(Query("filter: agency", word, agency=key), high=10**9)
    return queries


# ---------------------------------------------------------------------------------------------
# The browser


RUN_QUERY = """async ([q, year, part, region, agency]) => {
  const form = document.getElementById('lr-search-form');
  const set = (id, v) => { document.getElementById(id).value = v; };
  set('lr-year', year); set('lr-part', part); set('lr-region', region); set('lr-agency', agency);
  const box = document.getElementById('lr-q');
  const done = new Promise(resolve =>
    document.addEventListener('lawsearch:done', e => resolve(e.detail), {once: true}));
  const t0 = performance.now();
  box.value = q;
  box.dispatchEvent(new Event('input', {bubbles: true}));
  box.dispatchEvent(new KeyboardEvent('keyup', {bubbles: true, key: 'Enter'}));
  const detail = await done;
  const ms = performance.now() - t0;
  const s = LawSearch.last;
  return {ms, error: detail.error || s.error || '', candidates: s.candidates.slice(),
          shown: s.results.map(r => r.rid), hrefs: s.results.map(r => r.href)};
}"""

VERIFY_ALL = """async (limit) => {
  const s = LawSearch.last;
  if (s.candidates.length > limit) return null;
  while (s.next < s.candidates.length) await LawSearch.more(s);
  return s.results.map(r => r.rid);
}"""


def run_browser(root: str, queries: list[Query], rids: list[str], verify_limit: int) -> list[dict]:
    from playwright.sync_api import sync_playwright

    out = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for i, query in enumerate(queries):
            context = browser.new_context()
            page = context.new_page()
            requests = []
            page.on("requestfinished", requests.append)
            page.goto(root + "search/")
            page.wait_for_selector("#lr-search-form[data-ready=true]", state="attached")
            before = len(requests)
            result = page.evaluate(RUN_QUERY, [query.q, query.year, query.part, query.region, query.agency])
            fetched = 0
            for request in requests:
                path = request.url.split("?")[0]
                if ("/search/" in path and path.endswith(".json")) or "/data/reports/" in path:
                    fetched += request.sizes()["responseBodySize"]
            verified = page.evaluate(VERIFY_ALL, verify_limit)
            result.update(bytes=fetched, requests=len(requests) - before, verified=verified)
            result["candidates"] = [rids[c] for c in result["candidates"]]
            out.append(result)
            context.close()
            if (i + 1) % 50 == 0:
                print(f"  … {i + 1}/{len(queries)} queries", flush=True)
        browser.close()
    return out


# ---------------------------------------------------------------------------------------------
# Report


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def summarize(queries: list[Query], results: list[dict]) -> dict:
    found = expected = 0
    recalls, precisions, times, sizes = [], [], [], []
    misses = []
    full = 0
    for query, res in zip(queries, results, strict=False):
        returned = set(res["verified"]) if res["verified"] is not None else set(res["candidates"])
        full += res["verified"] is not None
        hit = len(returned & query.expected)
        found += hit
        expected += len(query.expected)
        recalls.append(hit / len(query.expected))
        top = res["shown"][:10]
        if top:
            precisions.append(sum(1 for r in top if r in query.expected) / len(top))
        times.append(res["ms"])
        sizes.append(res["bytes"])
        if hit < len(query.expected):
            misses.append((query, sorted(query.expected - returned)[:3]))
    return dict(n=len(queries), micro=found / max(1, expected), macro=statistics.mean(recalls) if recalls else 0,
                p10=statistics.mean(precisions) if precisions else float("nan"),
                t50=pct(times, 0.5), t95=pct(times, 0.95),
                b50=pct(sizes, 0.5), b95=pct(sizes, 0.95), misses=misses, full=full)


def du(path: Path) -> tuple[int, int]:
    files = [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark the site search through Chromium.")
    parser.add_argument("--n", type=int, default=1000, help="synthetic reports (default 1000; ignored with --site)")
    parser.add_argument("--site", type=Path, help="a built site to use as it is")
    parser.add_argument("--queries", type=int, default=240, help="about how many queries (default 240)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the synthetic site even if present")
    parser.add_argument("--reindex", action="store_true",
                        help="re-index the site with the current code (and copy search.js) instead of rebuilding it")
    parser.add_argument("--verify-limit", type=int, default=3000, help="verify every candidate up to this many")
    args = parser.parse_args(argv)

    if args.site:
        site = args.site
    else:
        site = build_site(args.n, REPO_ROOT / "bench" / "out" / f"search-{args.n}", args.seed, args.rebuild)
        synth = read_manifest(REPO_ROOT / "bench" / "out" / f"search-{args.n}" / "project" / "seeds")
    t = time.perf_counter()
    reports = load_reports(site)
    if args.site:
        synth = []
    print(f"corpus: {len(reports)} reports read and parsed in {time.perf_counter() - t:.1f} s")
    seconds, manifest = index_build_time(site, write=args.reindex)
    print(f"indexing alone (tokenise + shard + encode, in memory): {seconds:.1f} s for {manifest['reports']} reports, "
          f"{manifest['shards']} shards")
    queries = make_queries(reports, synth, args.queries, args.seed)
    print(f"queries: {len(queries)}")
    rids = rid_by_number(site)
    server, root = serve(site)
    t = time.perf_counter()
    try:
        results = run_browser(root, queries, rids, args.verify_limit)
    finally:
        server.terminate()
        server.wait()
    print(f"browser: {len(queries)} queries in {time.perf_counter() - t:.0f} s\n")

    by_cat: dict[str, list[int]] = defaultdict(list)
    for i, q in enumerate(queries):
        by_cat[q.category].append(i)
    head = f"{'category':<22}{'n':>4}{'recall':>9}{'P@10':>7}{'t50 ms':>8}{'t95 ms':>8}{'KB50':>7}{'KB95':>7}"
    print(head)
    print("-" * len(head))

    def line(name: str, s: dict) -> None:
        print(f"{name:<22}{s['n']:>4}{s['micro'] * 100:>8.1f}%{s['p10']:>7.2f}{s['t50']:>8.0f}{s['t95']:>8.0f}"
              f"{s['b50'] / 1024:>7.0f}{s['b95'] / 1024:>7.0f}")

    for cat, idx in sorted(by_cat.items()):
        line(cat, summarize([queries[i] for i in idx], [results[i] for i in idx]))
    total = summarize(queries, results)
    print("-" * len(head))
    line("all", total)
    print(f"\nrecall (mean of per-query recall): {total['macro'] * 100:.1f} %; "
          f"{total['full']}/{total['n']} queries had every candidate verified (others: recall over candidates)")
    false = sum(len(set(r["candidates"]) - q.expected) for q, r in zip(queries, results, strict=False))
    cands = sum(len(r["candidates"]) for r in results)
    print(f"candidates that were bigram false positives (dropped before display): {false}/{cands}")
    errors = [(q.q, r["error"]) for q, r in zip(queries, results, strict=False) if r["error"]]
    if errors:
        print(f"errors: {errors[:5]}")
    for query, missing in total["misses"][:10]:
        filters = f"{query.year}{query.part}{query.region}{query.agency}"
        print(f"MISS {query.category}: {query.q!r} {filters} → missing {missing}")
    ranked = sorted(zip(queries, results, strict=False), key=lambda qr: -qr[1]["ms"])[:5]
    print("slowest: " + "; ".join(f"{q.q!r} {r['ms']:.0f} ms {r['bytes'] / 1024:.0f} KB" for q, r in ranked))
    ranked = sorted(zip(queries, results, strict=False), key=lambda qr: -qr[1]["bytes"])[:5]
    print("largest: " + "; ".join(f"{q.q!r} {r['bytes'] / 1024:.0f} KB {len(r['candidates'])} candidates"
                                  for q, r in ranked))
    index_bytes, index_files = du(site / "search")
    data_bytes, data_files = du(site / "data" / "reports")
    print(f"\nindex on disk: site/search/ {index_bytes / 1e6:.1f} MB in {index_files} files; "
          f"report files it reads (open data, data/reports/): {data_bytes / 1e6:.1f} MB in {data_files} files")
    return 0 if total["micro"] == 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
