"""`build_site.py check` (lawreports/checks): each check fires where it should and stays quiet where it must.

The small reports live in tests/cases/checks/cases.yml (add a case there, no Python needed). Each
case is written to a folder of its own and checked the way the command does it: read → parse →
sidecar → checks, with the agency's previous-year report beside it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:  # plain `pytest` does not put the repo root on sys.path
    sys.path.insert(0, str(REPO_ROOT))

from lawreports.build import pipeline  # noqa: E402
from lawreports.build.project import project_of  # noqa: E402
from lawreports.checks import CHECKS, check_report, scorecard, timeliness  # noqa: E402
from lawreports.checks.base import marker_text  # noqa: E402
from lawreports.checks.privacy import valid_id  # noqa: E402
from lawreports.cli import run_checks  # noqa: E402
from lawreports.model import Diagnostic  # noqa: E402
from lawreports.parse import parse_report  # noqa: E402
from lawreports.read import source_from_bytes  # noqa: E402
from lawreports.settings import Settings, settings_from_dict  # noqa: E402
from lawreports.text import cn_numeral  # noqa: E402


def project(settings: Settings, agencies: Path | None = None):
    found = project_of(REPO_ROOT / "mkdocs.yml", settings, "docs", "site")
    return replace(found, agencies_file=agencies) if agencies is not None else found


def check_reports(folder: Path, settings: Settings, agencies: Path) -> list[Diagnostic]:
    """What ``build_site.py check`` finds in ``folder``."""
    return pipeline.check(project(settings, agencies), folder).diagnostics


def run_checks_command(folder: Path, settings: Settings, fmt: str) -> int:
    return run_checks(project(settings, folder / "agencies.yml"), folder, fmt)


CASES_FILE = REPO_ROOT / "tests" / "cases" / "checks" / "cases.yml"
CASES = yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))
SEEDS = REPO_ROOT / "seeds"
CASE_FILE = "case.txt"


def case_text(spec: dict) -> str:
    if "text" in spec:
        return spec["text"]
    text = CASES["templates"][spec["base"]]
    for old, new in (spec.get("replace") or {}).items():
        assert old in text, f"replace: {old!r} is not in template {spec['base']}"
        text = text.replace(old, new)
    return text


def write_case(case: dict, folder: Path) -> Path:
    (folder / CASE_FILE).write_bytes(case_text(case).encode("utf-8"))
    if case.get("sidecar"):
        (folder / "case.meta.yml").write_text(yaml.safe_dump(case["sidecar"], allow_unicode=True), encoding="utf-8")
    if case.get("previous"):
        (folder / "previous.txt").write_bytes(case_text(case["previous"]).encode("utf-8"))
    agencies = folder / "agencies.yml"
    agencies.write_text(yaml.safe_dump({"agencies": case.get("agencies") or []}, allow_unicode=True), encoding="utf-8")
    return agencies


def run_case(case: dict, folder: Path) -> list[Diagnostic]:
    agencies = write_case(case, folder)
    settings = settings_from_dict(case.get("settings"), "cases.yml")
    findings = check_reports(folder, settings, agencies)
    return [d for d in findings if d.file in (CASE_FILE, "case.meta.yml")]


def test_case_names_are_unique():
    names = [case["name"] for case in CASES["cases"]]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("case", CASES["cases"], ids=[c["name"] for c in CASES["cases"]])
def test_case(case: dict, tmp_path: Path):
    findings = run_case(case, tmp_path)
    shown = "\n".join(map(str, findings)) or "(no finding)"
    found = {d.code for d in findings}
    found_at = {f"{d.code}@{d.line}" for d in findings}
    for expected in case.get("expect_codes") or []:
        assert expected in (found_at if "@" in expected else found), f"expected {expected}; found:\n{shown}"
    for forbidden in case.get("forbid_codes") or []:
        assert forbidden not in found, f"{forbidden} must not be found; found:\n{shown}"
    for text in case.get("expect_messages") or []:
        assert any(text in d.message for d in findings), f"no message contains {text!r}; found:\n{shown}"
    if case.get("exact"):
        expected_codes = {c.split("@")[0] for c in case.get("expect_codes") or []}
        assert found == expected_codes, f"exactly {sorted(expected_codes)} expected; found:\n{shown}"


def test_every_check_code_has_a_case_that_fires():
    """A new code needs a case in cases.yml showing where it fires."""
    fired = {code.split("@")[0] for case in CASES["cases"] for code in case.get("expect_codes") or []}
    documented = {
        "missing-part", "part-within", "empty-part", "short-part", "short-report", "heading-year", "plans-year",
        "numbering-gap", "numbering-repeat", "numbering-order", "numbering-mixed-width", "numbering-restart",
        "unnumbered-heading", "late", "no-published-date", "early-date", "date-order", "sidecar-differs",
        "privacy-id", "privacy-mobile", "privacy-marking", "reused-paragraph",
    }
    assert documented <= fired, sorted(documented - fired)
    import lawreports.checks as checks

    for code in documented | {"no-year", "duplicate-report", "not-reported"}:
        assert code in checks.__doc__, f"{code} is not in the table of lawreports/checks/__init__.py"


# --- check_report on its own --------------------------------------------------------------------

def parsed(text: str, name: str = "x.txt"):
    return parse_report(source_from_bytes(name, text.encode("utf-8")))


def test_check_report_infers_the_agency_type_and_deadline():
    report = parsed(case_text({"base": "good"}))
    settings = Settings(deadline_department="03-01", min_characters=0)
    assert [d.code for d in check_report(report, settings)] == ["late"]
    assert check_report(report, settings, agency_type="government") == []


def test_check_report_passes_parser_diagnostics_once():
    report = parsed(case_text({"base": "good", "replace": {"（三）深化法治宣传\n": "坚持以人民为中心，切实增进民生福祉\n"}}))
    codes = [d.code for d in check_report(report, Settings(min_characters=0))]
    assert codes.count("unnumbered-heading") == 1


def test_findings_are_sorted_by_line_then_code():
    report = parsed(case_text({"base": "good", "replace": {"四、2024年": "四、2023年", "（三）深化": "（四）深化"}}))
    findings = check_report(report, Settings())
    assert findings == sorted(findings, key=lambda d: (d.file, d.line or 0, d.code, d.message))


def test_timeliness_for_the_overview():
    report = parsed(case_text({"base": "good"}))
    import datetime as dt

    state = timeliness(report, dt.date(2024, 4, 1))
    assert (state.status, state.basis, state.days_late) == ("on-time", "published", -17)
    assert timeliness(report, None).status == "unknown"


def test_checks_are_registered_by_name():
    names = [name for name, _ in CHECKS]
    assert len(names) == len(set(names)) and "privacy" in names


def test_id_check_digit():
    assert valid_id("11010519491231002X")
    assert not valid_id("110105194912310021")  # wrong check digit
    assert not valid_id("110105194913310020")  # month 13


def test_marker_text():
    assert [cn_numeral(n) for n in (1, 10, 12, 20, 35)] == ["一", "十", "十二", "二十", "三十五"]
    assert marker_text("paren-cn", 3) == "（三）" and marker_text("cn", 4) == "四、"
    assert marker_text("arabic", 2) == "2." and marker_text("part", 2) == "第二部分"


# --- scorecard ----------------------------------------------------------------------------------

def test_scorecard_counts_by_severity_and_code():
    findings = [
        Diagnostic("a.txt", 3, "warning", "plans-year", "…"),
        Diagnostic("a.txt", None, "info", "no-date", "…"),
        Diagnostic("a.txt", 9, "warning", "numbering-gap", "…"),
        Diagnostic("a.txt", 12, "warning", "numbering-gap", "…"),
    ]
    card = scorecard(findings)
    assert card == {
        "total": 4,
        "status": "warning",
        "by_severity": {"error": 0, "warning": 3, "info": 1},
        "by_code": {"no-date": 1, "numbering-gap": 2, "plans-year": 1},
    }
    assert list(card["by_code"]) == sorted(card["by_code"])
    assert scorecard([])["status"] == "ok"
    assert scorecard([Diagnostic("a.txt", 1, "error", "privacy-id", "…")])["status"] == "error"


# --- the folder and the command -----------------------------------------------------------------

def test_unreadable_files_are_error_findings_and_the_rest_is_checked(tmp_path: Path, capsys):
    (tmp_path / "good.txt").write_bytes(case_text({"base": "good"}).encode("utf-8"))
    (tmp_path / "bad.txt").write_bytes(b"\xff\xfe\xfd\x81\x30")  # neither UTF-8 nor GB18030
    (tmp_path / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    (tmp_path / "broken.txt").write_bytes(case_text({"base": "good"}).encode("utf-8"))
    (tmp_path / "broken.meta.yml").write_text("colour: red\n", encoding="utf-8")
    findings = check_reports(tmp_path, Settings(), tmp_path / "agencies.yml")
    errors = {(d.file, d.code) for d in findings if d.severity == "error"}
    assert ("bad.txt", "undecodable") in errors
    assert ("old.doc", "unsupported-format") in errors
    assert ("broken.meta.yml", "sidecar-unknown-key") in errors
    assert any(d.file == "good.txt" and d.code == "short-report" for d in findings)
    assert run_checks_command(tmp_path, Settings(), "text") == 1
    out = capsys.readouterr().out
    assert "bad.txt: error undecodable:" in out


def test_two_reports_of_one_agency_and_year_are_an_error(tmp_path: Path):
    text = case_text({"base": "good"}).encode("utf-8")
    (tmp_path / "a.txt").write_bytes(text)
    (tmp_path / "b.txt").write_bytes(text)
    findings = check_reports(tmp_path, Settings(), tmp_path / "agencies.yml")
    assert {(d.file, d.code) for d in findings if d.severity == "error"} == {
        ("a.txt", "duplicate-report"), ("b.txt", "duplicate-report")}


def test_missing_folder_is_a_usage_error(tmp_path: Path, capsys):
    assert run_checks_command(tmp_path / "nowhere", Settings(), "text") == 2


def test_json_output(tmp_path: Path, capsys):
    (tmp_path / "r.txt").write_bytes(case_text({"base": "good", "replace": {"四、2024年": "四、2023年"}}).encode("utf-8"))
    assert run_checks_command(tmp_path, Settings(), "json") == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and all(list(row) == ["file", "line", "severity", "code", "message"] for row in rows)
    assert {"file": "r.txt", "line": 15, "severity": "warning", "code": "plans-year"}.items() <= \
        next(row for row in rows if row["code"] == "plans-year").items()
    assert "“四、2023年推进法治政府建设的主要安排”" in json.dumps(rows, ensure_ascii=False)


def test_check_command_on_the_seeds():
    """The evidence of issue #7: seed 001 line 55 (plans year), seed 002 line 17 (unnumbered), no missing part."""
    result = subprocess.run(
        [sys.executable, "build_site.py", "check", "--format", "json", "--seeds", str(SEEDS)],
        cwd=REPO_ROOT, capture_output=True, text=True, encoding="utf-8",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    rows = json.loads(result.stdout)
    at = {(row["file"], row["line"], row["code"]) for row in rows}
    assert ("001_de61297b1667e9da.txt", 55, "plans-year") in at
    assert ("002_3906ac3f1b536f46.txt", 17, "unnumbered-heading") in at
    assert not [row for row in rows if row["code"] in ("missing-part", "part-within")]
    assert not [row for row in rows if row["severity"] == "error"]
    assert rows == sorted(rows, key=lambda r: (r["file"], r["line"] or 0, r["code"], r["message"]))


def test_text_output_on_the_seeds():
    result = subprocess.run(
        [sys.executable, "build_site.py", "check", "--seeds", str(SEEDS)],
        cwd=REPO_ROOT, capture_output=True, text=True, encoding="utf-8",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith("001_de61297b1667e9da.txt:55: warning plans-year: ") for line in lines)
    assert any(line.startswith("002_3906ac3f1b536f46.txt:17: warning unnumbered-heading: ") for line in lines)
    assert "共检查 5 份" in result.stderr  # the summary never mixes with the one-finding-per-line output


def test_an_invalid_agency_table_is_an_error_and_the_reports_are_still_checked(tmp_path: Path):
    (tmp_path / "r.txt").write_bytes(case_text({"base": "good", "replace": {"四、2024年": "四、2023年"}}).encode("utf-8"))
    agencies = tmp_path / "agencies.yml"
    agencies.write_text("agencies:\n  - name: [不是文字\n", encoding="utf-8")
    findings = check_reports(tmp_path, Settings(), agencies)
    assert any(d.file == "agencies.yml" and d.severity == "error" for d in findings)
    assert any(d.file == "r.txt" and d.code == "plans-year" for d in findings)


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_lines_are_raw_lines_whatever_the_line_ending_and_encoding(tmp_path: Path, ending: str, encoding: str):
    text = case_text({"base": "good", "replace": {"四、2024年": "四、2023年", "（三）深化": "（四）深化"}})
    (tmp_path / "r.txt").write_bytes(text.replace("\n", ending).encode(encoding))
    at = {(d.code, d.line) for d in check_reports(tmp_path, Settings(), tmp_path / "agencies.yml")}
    assert {("plans-year", 15), ("numbering-gap", 9)} <= at
