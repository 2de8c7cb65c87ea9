"""Golden pages: the converter's output on the five seeds, byte for byte.

When a change to the converter is intended, regenerate and review the diff:
    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

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
