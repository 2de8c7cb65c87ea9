"""The publication record (issue #18): one real project copy, each step a real ``build_site.py`` run.

Publish, correct a sentence, correct a metadata field, rename the unit, withdraw; after each step the
current page, its 更正记录, the record file, the open data and the redirects agree. A deleted file of a
published report is refused; ``--frozen-record`` refuses a change whose entry is not committed; a clean
copy of the tracked files (what a clone has) rebuilds the same site byte for byte.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest

from conftest import PROJECT_FILES, RECORD, copy_project, run_build_site, site_hashes

pytestmark = pytest.mark.slow

SEED = "004_6794a1f585b17187.txt"  #: 南开区司法局, 2023
OTHER = "000_af92be2414133f56.txt"
PAGE = "reports/2023/nan-kai-qu-si-fa-ju/index.html"
NEW_PAGE = "reports/2023/nan-kai-qu-fa-zhi-ju/index.html"
OLD_SENTENCE = "充分发挥职能作用"
NEW_SENTENCE = "全面发挥职能作用"


build = run_build_site


def ok(result: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert result.returncode == 0, result.stdout + result.stderr
    return result


tree = site_hashes


def entry(project: Path, source: str = SEED) -> dict:
    return json.loads((project / "history" / f"{source}.json").read_text(encoding="utf-8"))


def versions(project: Path, source: str = SEED) -> dict:
    site = project / "site"
    rows = json.loads((site / "data" / "versions.json").read_text(encoding="utf-8"))
    schema = json.loads((site / "data" / "schemas" / "versions.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(rows, schema)
    return next(r for r in rows if r["source"] == source)


def reports_json(project: Path) -> list[dict]:
    return json.loads((project / "site" / "data" / "reports.json").read_text(encoding="utf-8"))


def sidecar(project: Path, text: str) -> None:
    (project / "seeds" / f"{SEED[: -len('.txt')]}.meta.yml").write_text(text, encoding="utf-8")


def redirect_target(page: Path) -> str:
    html = page.read_text(encoding="utf-8")
    refresh = re.search(r'http-equiv="refresh" content="0; url=([^"]+)"', html)
    canonical = re.search(r'rel="canonical" href="([^"]+)"', html)
    assert refresh and canonical, html
    assert refresh.group(1) == canonical.group(1)
    return refresh.group(1)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    project = copy_project(tmp_path_factory.mktemp("record") / "project")  # the record starts empty here
    return project


def test_1_first_publication_records_version_1(project: Path):
    ok(build(project))
    record = entry(project)
    assert [v["version"] for v in record["versions"]] == [1]
    assert record["versions"][0]["by"] == "first"
    assert OLD_SENTENCE in "\n".join(record["versions"][0]["text"])
    assert "更正记录" not in (project / "site" / PAGE).read_text(encoding="utf-8")
    assert versions(project)["status"] == "current"
    before = (project / "history" / f"{SEED}.json").read_bytes()
    ok(build(project))  # nothing changed: nothing recorded
    assert (project / "history" / f"{SEED}.json").read_bytes() == before


def test_2_a_corrected_sentence_shows_the_old_and_new_wording(project: Path):
    raw = project / "seeds" / SEED
    raw.write_text(raw.read_text(encoding="utf-8").replace(OLD_SENTENCE, NEW_SENTENCE, 1), encoding="utf-8")
    sidecar(project, "correction:\n  date: 2024-04-10\n  reason: 更正第一段的用词\n")
    ok(build(project))
    record = entry(project)
    assert [(v["version"], v["by"], v["date"], v["reason"]) for v in record["versions"]] == [
        (1, "first", None, None), (2, "officer", "2024-04-10", "更正第一段的用词")]
    page = (project / "site" / PAGE).read_text(encoding="utf-8")
    assert "更正记录" in page and "更正第一段的用词" in page and "2024-04-10" in page
    assert "<del" in page and "<ins" in page
    assert re.search(r"<del[^>]*>充分</del><ins[^>]*>全面</ins>", page), "a character-level diff"
    old_text = project / "site" / "data" / "versions" / SEED / "v1.txt"
    assert OLD_SENTENCE in old_text.read_text(encoding="utf-8")  # the old version stays downloadable
    assert "v1.txt" in page
    row = versions(project)
    assert [v["text_changed"] for v in row["versions"]] == [False, True]
    assert row["versions"][1]["changed_fields"] == []
    current = next(r for r in reports_json(project) if r["source"] == SEED)
    assert NEW_SENTENCE in json.dumps(current, ensure_ascii=False) or current["url"].endswith("nan-kai-qu-si-fa-ju/")


def test_3_a_corrected_metadata_field_is_named(project: Path):
    sidecar(project, "published: 2024-03-28\ncorrection:\n  date: 2024-04-12\n  reason: 补记发布日期\n")
    ok(build(project))
    row = versions(project)
    assert len(row["versions"]) == 3
    assert row["versions"][2]["changed_fields"] == ["published"]
    assert row["versions"][2]["text_changed"] is False
    page = (project / "site" / PAGE).read_text(encoding="utf-8")
    assert "发布日期：未注明 → 2024-03-28" in page and "补记发布日期" in page


def test_4_a_correction_without_a_reason_is_a_warning(project: Path):
    raw = project / "seeds" / SEED
    raw.write_text(raw.read_text(encoding="utf-8").replace(NEW_SENTENCE, OLD_SENTENCE, 1), encoding="utf-8")
    result = ok(build(project))
    assert "correction-no-reason" in result.stdout
    record = entry(project)
    assert record["versions"][-1]["reason"] is None and record["versions"][-1]["version"] == 4


def test_4b_a_reason_given_afterwards_completes_that_correction(project: Path):
    sidecar(project, "published: 2024-03-28\ncorrection:\n  date: 2024-04-15\n  reason: 恢复原用词\n")
    ok(build(project))
    record = entry(project)
    assert [(v["version"], v["date"], v["reason"]) for v in record["versions"][2:]] == [
        (3, "2024-04-12", "补记发布日期"), (4, "2024-04-15", "恢复原用词")]


def test_5_a_renamed_unit_leaves_its_old_addresses_redirecting(project: Path):
    table = project / "agencies.yml"
    text = table.read_text(encoding="utf-8")
    assert "  - name: 南开区司法局\n    aliases: [区司法局]\n" in text
    text = text.replace("  - name: 南开区司法局\n    aliases: [区司法局]\n",  # renamed: the old name an alias
                        "  - name: 南开区法治局\n    aliases: [区司法局, 南开区司法局]\n").replace(
        "slug: nan-kai-qu-si-fa-ju", "slug: nan-kai-qu-fa-zhi-ju")
    table.write_text(text, encoding="utf-8")
    ok(build(project))
    site = project / "site"
    assert (site / NEW_PAGE).is_file()
    assert redirect_target(site / PAGE) == "../nan-kai-qu-fa-zhi-ju/"
    assert redirect_target(site / "agencies" / "nan-kai-qu-si-fa-ju" / "index.html") == "../nan-kai-qu-fa-zhi-ju/"
    old_data = site / "data" / "reports" / "2023" / "nan-kai-qu-si-fa-ju.json"
    assert old_data.read_bytes() == (site / "data" / "reports" / "2023" / "nan-kai-qu-fa-zhi-ju.json").read_bytes()
    row = versions(project)
    assert row["page"] == "reports/2023/nan-kai-qu-fa-zhi-ju/"
    assert "agency_key" in row["versions"][-1]["changed_fields"]
    assert "nan-kai-qu-si-fa-ju" not in json.dumps(reports_json(project))


def test_6_a_deleted_file_is_refused_and_names_the_way_to_withdraw(project: Path):
    before = tree(project / "site")
    moved = project / OTHER
    (project / "seeds" / OTHER).rename(moved)
    result = build(project)
    assert result.returncode == 1
    assert "published-file-missing" in result.stderr and f"withdraw {OTHER}" in result.stderr
    assert tree(project / "site") == before
    moved.rename(project / "seeds" / OTHER)


def test_7_frozen_record_refuses_an_unrecorded_change(project: Path):
    before = tree(project / "site")
    raw = project / "seeds" / OTHER
    original = raw.read_text(encoding="utf-8")
    raw.write_text(original.replace("研究室", "研究室 ", 1), encoding="utf-8")
    history_before = (project / "history" / f"{OTHER}.json").read_bytes()
    result = build(project, "--frozen-record")
    assert result.returncode == 1
    assert "frozen-record" in result.stderr or "未提交" in result.stderr
    assert tree(project / "site") == before
    assert (project / "history" / f"{OTHER}.json").read_bytes() == history_before
    raw.write_text(original, encoding="utf-8")


def test_8_a_withdrawal_reason_is_one_visible_line(project: Path):
    for reason in ("理由\u202e反转", "第一行\n第二行", "\x1b[31m红"):
        result = build(project, "withdraw", SEED, "--reason", reason, "--date", "2024-05-01")
        assert result.returncode == 2 and "撤回理由" in result.stderr
    assert entry(project)["withdrawn"] is None


def test_8_a_withdrawn_report_leaves_a_notice(project: Path):
    result = ok(build(project, "withdraw", SEED, "--reason", "报告内容需重新核实", "--date", "2024-05-01"))
    assert "history/" in result.stdout
    (project / "seeds" / SEED).unlink()
    ok(build(project))
    site = project / "site"
    notice = (site / NEW_PAGE).read_text(encoding="utf-8")
    assert "已撤回" in notice and "2024-05-01" in notice and "报告内容需重新核实" in notice
    assert "第 4 版" in notice and "v1.txt" in notice
    assert redirect_target(site / PAGE) == "../nan-kai-qu-fa-zhi-ju/"
    assert SEED not in {r["source"] for r in reports_json(project)}
    assert versions(project)["status"] == "withdrawn"
    assert "nan-kai-qu-fa-zhi-ju" not in (site / "years" / "2023" / "index.html").read_text(encoding="utf-8")
    index = "\n".join(p.read_text(encoding="utf-8") for p in (site / "search").rglob("*.json"))
    assert "南开区司法局2023" not in index and "南开区法治局2023" not in index
    assert (site / "data" / "versions" / SEED / "v4.txt").is_file()


def test_9_a_clean_copy_of_the_tracked_files_rebuilds_the_same_site(project: Path, tmp_path: Path):
    clone = tmp_path / "clone"
    clone.mkdir()
    generated = set(json.loads((project / "docs" / ".lawreports-generated.json").read_text(encoding="utf-8"))["files"])
    for name in (*PROJECT_FILES, RECORD):
        src = project / name
        if name == "docs":  # a clone has the hand-written pages only
            for path in sorted(src.rglob("*")):
                uri = path.relative_to(src).as_posix()
                if path.is_file() and uri not in generated and not uri.startswith((".lawreports", "reports/")):
                    (clone / name / uri).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path, clone / name / uri)
        elif src.is_dir():
            shutil.copytree(src, clone / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        elif src.exists():
            shutil.copy2(src, clone / name)
    ok(build(clone, "--frozen-record"))
    assert tree(clone / "site") == tree(project / "site")


def test_the_repositorys_own_record_is_up_to_date(tmp_path: Path):
    """What the Pages workflow runs: the committed history/ holds every seed as the converter reads it
    now (after a change of the converter or the seeds, run ``python build_site.py`` and commit history/)."""
    copy = copy_project(tmp_path / "project", record=True)
    assert sorted(p.name for p in (copy / "history").glob("*.json")) == sorted(
        f"{p.name}.json" for p in (copy / "seeds").iterdir() if not p.name.endswith(".meta.yml"))
    ok(build(copy, "--frozen-record"))


def git(project: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=测试", "-c", "user.email=test@example.org", *args], cwd=project,
                   check=True, capture_output=True, timeout=60)


def test_a_version_never_committed_is_replaced_not_kept(tmp_path: Path):
    """A local build records a version; changed again before it was committed (never deployed), it is
    replaced; once committed, the next change is a new version."""
    project = copy_project(tmp_path / "project")  # a subfolder of the repository (tmp_path)
    for raw in (project / "seeds").iterdir():
        if raw.name != SEED:
            raw.unlink()
    ok(build(project))
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "project/history", "project/seeds", "project/agencies.yml", "project/mkdocs.yml")
    git(tmp_path, "commit", "-q", "-m", "首次发布")
    raw = project / "seeds" / SEED
    for word in ("全面", "切实"):  # two edits before a commit
        text = re.sub(r"(充分|全面)发挥职能作用", f"{word}发挥职能作用", raw.read_text(encoding="utf-8"), count=1)
        raw.write_text(text, encoding="utf-8")
        sidecar(project, f"correction:\n  date: 2024-04-10\n  reason: 改为“{word}”\n")
        ok(build(project))
    record = entry(project)
    assert [(v["version"], v["reason"]) for v in record["versions"]] == [(1, None), (2, "改为“切实”")]
    assert "全面发挥" not in "\n".join(record["versions"][1]["text"])
    git(tmp_path, "add", "project/history", "project/seeds")
    git(tmp_path, "commit", "-q", "-m", "更正")
    raw.write_text(raw.read_text(encoding="utf-8").replace("切实发挥职能作用", "充分发挥职能作用", 1), encoding="utf-8")
    sidecar(project, "correction:\n  date: 2024-04-20\n  reason: 恢复原文用词\n")
    ok(build(project))
    assert [v["version"] for v in entry(project)["versions"]] == [1, 2, 3]
