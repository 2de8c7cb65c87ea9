"""bench/synth.py: deterministic, distinct reports with the four parts and exact rare-term hits."""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:  # plain `pytest` does not put the repo root on sys.path
    sys.path.insert(0, str(REPO_ROOT))

from bench import synth  # noqa: E402

N = 120
LEVEL1 = re.compile(r"^([一二三四五六七八九十])、(.+)$", re.MULTILINE)


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth")
    synth.generate(N, out, seed=0)
    return out


@pytest.fixture(scope="module")
def manifest(corpus_dir: Path) -> list[synth.ManifestEntry]:
    return synth.read_manifest(corpus_dir)


@pytest.fixture(scope="module")
def texts(corpus_dir: Path, manifest: list[synth.ManifestEntry]) -> dict[str, str]:
    # Strict decoding: a stray byte fails the test instead of turning into U+FFFD.
    return {entry.file: (corpus_dir / entry.file).read_bytes().decode("utf-8", errors="strict") for entry in manifest}


def _files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_same_arguments_give_byte_identical_files(corpus_dir: Path, tmp_path: Path) -> None:
    synth.generate(N, tmp_path, seed=0)
    assert _files(tmp_path) == _files(corpus_dir)


def test_another_seed_gives_another_corpus(corpus_dir: Path, tmp_path: Path) -> None:
    synth.generate(N, tmp_path, seed=1)
    assert _files(tmp_path) != _files(corpus_dir)


def test_folder_holds_the_reports_and_a_non_txt_manifest(corpus_dir: Path, manifest: list[synth.ManifestEntry]) -> None:
    assert sorted(path.name for path in corpus_dir.glob("*.txt")) == [f"syn_{i:05d}.txt" for i in range(N)]
    assert [entry.file for entry in manifest] == [f"syn_{i:05d}.txt" for i in range(N)]
    assert (corpus_dir / synth.MANIFEST_NAME).suffix == ".json"


def test_triples_are_distinct(manifest: list[synth.ManifestEntry]) -> None:
    triples = {(entry.region, entry.agency, entry.year) for entry in manifest}
    assert len(triples) == N
    assert all(min(synth.YEARS) <= entry.year <= max(synth.YEARS) for entry in manifest)


def test_enough_triples_for_large_corpora() -> None:
    assert synth.TRIPLE_COUNT >= 20_000


def test_title_and_opening_name_agency_and_year(texts: dict[str, str], manifest: list[synth.ManifestEntry]) -> None:
    for entry in manifest:
        head = texts[entry.file][:400]
        title = "".join(head.split())  # a title split over two lines joins back
        assert f"{entry.agency}{entry.year}年度法治政府建设情况报告" in title, entry.file
        assert f"{entry.year}年，" in head and entry.agency in head.split(f"{entry.year}年，", 1)[1], entry.file


def test_each_report_has_the_four_parts_with_sub_headings(texts: dict[str, str]) -> None:
    for name, text in texts.items():
        headings = LEVEL1.findall(text)
        assert [numeral for numeral, _ in headings] == list("一二三四"), name
        parts = [synth.classify_part(title) for _, title in headings]
        assert sorted(parts) == sorted(synth.PART_KEYS), (name, parts)
        sections = LEVEL1.split(text)[1:]  # numeral, title, body, numeral, title, body, …
        for body in sections[2::3]:
            sub_headings = re.findall(r"^（[一二三四五]）", body, re.MULTILINE)
            assert 2 <= len(sub_headings) <= 5, name


def test_reports_are_about_the_size_of_the_seeds(texts: dict[str, str]) -> None:
    sizes = [len(text.encode("utf-8")) for text in texts.values()]
    assert 4_000 <= sum(sizes) / len(sizes) <= 9_000


def test_rare_terms_hit_exactly_the_files_the_manifest_names(
    texts: dict[str, str], manifest: list[synth.ManifestEntry]
) -> None:
    expected: dict[str, set[str]] = defaultdict(set)
    for entry in manifest:
        assert len(entry.rare_terms) == len(synth.RARE_TIERS)
        for term in entry.rare_terms:
            expected[term].add(entry.file)
    for term, files in expected.items():
        hits = {name for name, text in texts.items() if term in text}
        assert hits == files, term


def test_rare_term_tiers_have_their_hit_counts(manifest: list[synth.ManifestEntry]) -> None:
    counts: dict[str, int] = defaultdict(int)
    for entry in manifest:
        for term in entry.rare_terms:
            counts[term] += 1
    for tier, frequency in enumerate(synth.RARE_TIERS):
        tier_counts = sorted({counts[entry.rare_terms[tier]] for entry in manifest})
        # All terms of a tier hit `frequency` files, except one remainder term.
        assert tier_counts[-1] == min(frequency, N)
        assert len(tier_counts) <= 2


def test_rerun_into_the_same_folder_removes_stale_reports(tmp_path: Path) -> None:
    synth.generate(5, tmp_path, seed=3)
    synth.generate(2, tmp_path, seed=3)
    assert sorted(path.name for path in tmp_path.glob("*.txt")) == ["syn_00000.txt", "syn_00001.txt"]
    assert len(synth.read_manifest(tmp_path)) == 2


def test_cli_writes_the_corpus(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert synth.main(["3", str(tmp_path), "--seed", "7"]) == 0
    assert "wrote 3 reports" in capsys.readouterr().out
    assert len(list(tmp_path.glob("*.txt"))) == 3
