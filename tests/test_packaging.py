"""The three ways to install name the same exact pins."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def pins(path: Path) -> set[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return {line.split("#")[0].strip().lower() for line in lines if re.match(r"^[A-Za-z]", line)}


def test_requirements_are_exact_pins_and_match_pyproject():
    runtime, dev = pins(ROOT / "requirements.txt"), pins(ROOT / "requirements-dev.txt")
    assert runtime and dev and all("==" in p for p in runtime | dev)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert {p.lower() for p in project["dependencies"]} == runtime
    assert {p.lower() for p in project["optional-dependencies"]["dev"]} == dev


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "bash tests/run.sh" in readme and "bash tests/run.sh" in ci
