"""Atomic and last-good (issue #16, items 2 and 3): a real project copy, built, broken, built again.

After a good build, each case breaks something the way an officer might and builds again. The promise:
the exit status says something failed; a broken configuration leaves the published site untouched
byte for byte; a report whose new version fails (a privacy error, a sidecar typo, a duplicate) stays
online in its last published version — page, data file, download and search entry all of that
version — and nothing of the failed version reaches the site.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import copy_project, run_build_site, site_hashes

pytestmark = pytest.mark.slow

SEED = "004_6794a1f585b17187.txt"  #: 南开区司法局, 2023
PAGE = "reports/2023/nan-kai-qu-si-fa-ju/index.html"
DATA = "data/reports/2023/nan-kai-qu-si-fa-ju.json"
DOWNLOAD = f"data/sources/{SEED}"
MOBILE = "13912345678"
ID_NUMBER = "11010519491231002X"


build = run_build_site


tree = site_hashes


def everything(site: Path) -> str:
    return "\n".join(p.read_bytes().decode("utf-8", "replace") for p in site.rglob("*") if p.is_file())


def insert_sentence(path: Path, sentence: str) -> None:
    text = path.read_text(encoding="utf-8")
    at = text.index("。") + 1
    path.write_text(f"{text[:at]}\n{sentence}\n{text[at:]}", encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    project = copy_project(tmp_path / "project")
    first = build(project)
    assert first.returncode == 0, first.stdout + first.stderr
    return project


@pytest.mark.parametrize("breakage", ["agencies", "mkdocs", "settings", "parts"])
def test_a_broken_configuration_leaves_the_site_untouched(project: Path, breakage: str):
    before = tree(project / "site")
    if breakage == "agencies":
        with (project / "agencies.yml").open("a", encoding="utf-8") as f:
            f.write("  - name: [不是文字\n")
    elif breakage == "mkdocs":
        with (project / "mkdocs.yml").open("a", encoding="utf-8") as f:
            f.write("extra: [1\n")
    elif breakage == "settings":
        text = (project / "mkdocs.yml").read_text(encoding="utf-8")
        (project / "mkdocs.yml").write_text(text.replace('page_size: 100', 'page_size: "很多"'), encoding="utf-8")
    else:
        (project / "lawreports" / "parts.yml").write_text("parts: [\n", encoding="utf-8")
    result = build(project)
    assert result.returncode != 0
    assert "Traceback" not in result.stdout + result.stderr
    assert tree(project / "site") == before


def test_a_privacy_error_keeps_the_last_published_version_whole(project: Path):
    site = project / "site"
    before = {name: (site / name).read_bytes() for name in (PAGE, DATA, DOWNLOAD)}
    insert_sentence(project / "seeds" / SEED, f"联系人手机{MOBILE}。")
    result = build(project)
    assert result.returncode == 1
    assert f"{SEED}:" in result.stdout + result.stderr and "privacy-mobile" in result.stderr
    assert "kept-last-published" in result.stdout
    assert {name: (site / name).read_bytes() for name in before} == before
    assert MOBILE not in everything(site)
    index = json.loads((site / "data" / "reports.json").read_text(encoding="utf-8"))
    rows = index["reports"] if isinstance(index, dict) else index
    assert any(row.get("source") == SEED for row in rows)


def test_a_new_report_with_a_privacy_error_is_not_published(project: Path):
    seeds = project / "seeds"
    text = (seeds / SEED).read_text(encoding="utf-8").replace("南开区司法局", "南开区民政局")
    (seeds / "new.txt").write_text(f"{text}\n身份证号 {ID_NUMBER}\n", encoding="utf-8")
    result = build(project)
    assert result.returncode == 1
    assert "new.txt" in result.stderr and "privacy-id" in result.stderr
    published = everything(project / "site")
    assert ID_NUMBER not in published and "南开区民政局" not in published


def test_a_sidecar_typo_keeps_the_last_published_version(project: Path):
    page = (project / "site" / PAGE).read_bytes()
    (project / "seeds" / SEED.replace(".txt", ".meta.yml")).write_text("publised: 2024-03-01\n", encoding="utf-8")
    result = build(project)
    assert result.returncode == 1 and "sidecar" in result.stderr
    assert (project / "site" / PAGE).read_bytes() == page


def test_a_duplicate_of_a_published_report_is_refused_and_the_published_one_stays(project: Path):
    page = (project / "site" / PAGE).read_bytes()
    (project / "seeds" / "zz-copy.txt").write_bytes((project / "seeds" / SEED).read_bytes())
    result = build(project)
    assert result.returncode == 1
    refused = [line for line in result.stderr.splitlines() if "duplicate-report" in line]
    assert refused and all(line.startswith("zz-copy.txt") for line in refused)
    assert (project / "site" / PAGE).read_bytes() == page


def test_an_empty_seeds_folder_does_not_wipe_the_site_without_the_flag(project: Path):
    before = tree(project / "site")
    for path in (project / "seeds").iterdir():
        path.unlink()
    result = build(project)
    assert result.returncode == 1 and "--allow-empty" in result.stderr
    assert tree(project / "site") == before
    emptied = build(project, "--allow-empty")  # published reports are withdrawn, never just deleted (#18)
    assert emptied.returncode == 1 and "published-file-missing" in emptied.stderr
    assert (project / "site" / PAGE).is_file()
    for entry in sorted((project / "history").glob("*.json")):
        source = entry.name[: -len(".json")]
        withdrawn = build(project, "withdraw", source, "--reason", "网站停用", "--date", "2025-01-01")
        assert withdrawn.returncode == 0, withdrawn.stderr
    emptied = build(project, "--allow-empty")
    assert emptied.returncode == 0, emptied.stderr
    assert "已撤回" in (project / "site" / PAGE).read_text(encoding="utf-8")  # the address answers with a notice
    assert json.loads((project / "site" / "data" / "reports.json").read_text(encoding="utf-8")) == []


def test_a_corrected_report_replaces_the_kept_version(project: Path):
    seed = project / "seeds" / SEED
    original = seed.read_bytes()
    insert_sentence(seed, f"联系人手机{MOBILE}。")
    assert build(project).returncode == 1
    seed.write_bytes(original)
    insert_sentence(seed, "本段为更正后新增的文字。")
    fixed = build(project)
    assert fixed.returncode == 0, fixed.stderr
    assert "本段为更正后新增的文字" in (project / "site" / PAGE).read_text(encoding="utf-8")
    assert (project / "site" / DOWNLOAD).read_bytes() == seed.read_bytes()
