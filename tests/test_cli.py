"""The command line as an officer meets it: ``python build_site.py convert …`` in a subprocess.

Exit codes, messages naming the file, no traceback ever, the summary, the progress bar only on a
terminal, ``--force`` on either side of the command, the agency table beside the configuration.
"""

from __future__ import annotations

import codecs
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import copy_project
from lawreports import cli
from lawreports.build import pipeline

ROOT = Path(__file__).resolve().parents[1]
BUILD_SITE = ROOT / "build_site.py"
SEEDS = {p.name: p for p in sorted((ROOT / "seeds").glob("*.txt"))}
S000, S001, S002, S003, S004 = sorted(SEEDS)


def text_of(name: str) -> str:
    return SEEDS[name].read_text(encoding="utf-8")


def build(cwd: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run build_site.py from ``cwd`` (a project folder, see :func:`project`)."""
    environment = dict(os.environ, **(env or {}))
    return subprocess.run([sys.executable, str(BUILD_SITE), *args], cwd=cwd, capture_output=True, text=True,
                          env=environment, timeout=300)


def project(tmp_path: Path, files: dict[str, bytes | str] | None = None) -> Path:
    """A project folder: seeds/ with the given files (default: the five seeds), the repo's agencies.yml
    and a mkdocs.yml without ``extra.reports`` (default settings)."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for name, data in (files if files is not None else {n: p.read_bytes() for n, p in SEEDS.items()}).items():
        (seeds / name).write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    (tmp_path / "agencies.yml").write_bytes((ROOT / "agencies.yml").read_bytes())
    (tmp_path / "mkdocs.yml").write_text("site_name: 测试\n", encoding="utf-8")  # default settings
    return tmp_path


def convert(cwd: Path, *extra: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return build(cwd, "convert", "--seeds", "seeds", "--out", "out", *extra, env=env)


def front_matter(page: Path) -> dict:
    """A page's YAML front matter ({} when it has none)."""
    text = page.read_text(encoding="utf-8")
    if not text.startswith("---\n") or "\n---\n" not in text[3:]:
        return {}
    return yaml.safe_load(text[4:text.index("\n---\n", 3)]) or {}


def pages(out: Path) -> dict[str, Path]:
    """The report pages below ``out`` by raw file name (the catalog beside them is not a page)."""
    return {front_matter(p)["source"]: p for p in sorted(out.rglob("*.md")) if front_matter(p).get("source")}


def tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def assert_no_traceback(result: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in result.stdout + result.stderr
    assert 'File "' not in result.stderr


# -- the input table, end to end -----------------------------------------------------------------------


def test_all_good_exits_0_with_a_summary(tmp_path: Path):
    result = convert(project(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "共 5 份：转换成功 5 份，失败 0 份；写入 5 个文件，未变 0 个，删除 0 个。" in result.stdout
    assert f"{S002}:17: warning unnumbered-heading:" in result.stdout
    summary = next(line for line in result.stdout.splitlines() if line.startswith("提示（warning）："))
    assert f"{S002} 2 条" in summary  # warnings counted per file (unnumbered-heading, no-published-date)
    assert ": error " not in result.stderr and "未转换" not in result.stderr
    assert set(pages(tmp_path / "out")) == set(SEEDS)


def test_accepted_encodings_and_line_endings_exit_0(tmp_path: Path):
    files = {
        "gbk.txt": text_of(S000).encode("gbk"),
        "bom.txt": codecs.BOM_UTF8 + text_of(S001).encode("utf-8"),
        "utf16.txt": codecs.BOM_UTF16_LE + text_of(S002).encode("utf-16-le"),
        "crlf.txt": text_of(S003).replace("\n", "\r\n").encode("gb18030"),
        "cr.txt": text_of(S004).replace("\n", "\r").encode("utf-8"),
        "flat.txt": "南开区档案馆2023年度法治政府建设情况报告\n\n2023年，区档案馆依法履职。全年开展普法活动五场。\n",
    }
    result = convert(project(tmp_path, files))
    assert result.returncode == 0, result.stderr
    assert "转换成功 6 份，失败 0 份" in result.stdout
    assert "flat.txt: warning no-headings:" in result.stdout
    assert "cr.txt:" not in result.stderr
    assert set(pages(tmp_path / "out")) == set(files)


def test_bad_files_are_named_the_others_converted_exit_1(tmp_path: Path):
    files = {
        S000: text_of(S000),
        "empty.txt": b"",
        "blank.txt": b" \r\n\t\r\n",
        "binary.txt": bytes(range(256)) * 8,
        "control.txt": "标题\n正文\x07正文\n",
        "replacement.txt": "标题\n正文\ufffd正文\n",
        "private.txt": "标题\n正文\ue000正文\n",
        "title_only.txt": "南开区司法局2023年度法治政府建设情况报告\n",
        "old.doc": b"\xd0\xcf\x11\xe0",
        "old.wps": b"\xd0\xcf\x11\xe0",
        "new.docx": b"PK\x03\x04",
        "scan.pdf": b"%PDF-1.7",
        "bad_sidecar.txt": text_of(S004),
        "bad_sidecar.meta.yml": "year: 2023\ncolour: red\n",
    }
    result = convert(project(tmp_path, files))
    assert result.returncode == 1
    assert_no_traceback(result)
    assert f"{S000}" not in result.stderr
    for name, code in [("empty.txt", "empty"), ("blank.txt", "empty"), ("control.txt:2", "bad-character"),
                       ("replacement.txt:2", "bad-character"), ("private.txt:2", "bad-character"),
                       ("title_only.txt:1", "no-body"), ("old.doc", "unsupported-format"),
                       ("old.wps", "unsupported-format"), ("new.docx", "broken-file"),
                       ("scan.pdf", "broken-file"), ("bad_sidecar.meta.yml:2", "sidecar-unknown-key")]:
        assert f"{name}: error {code}:" in result.stderr, name
    assert "binary.txt" in result.stderr
    assert result.stderr.count("请另存为 .docx") == 2
    assert "colour" in result.stderr
    assert "转换成功 1 份，失败 12 份" in result.stdout
    assert "未转换：" in result.stderr and "bad_sidecar.txt" in result.stderr
    assert set(pages(tmp_path / "out")) == {S000}


def test_duplicate_reports_are_both_named_exit_1(tmp_path: Path):
    result = convert(project(tmp_path, {S000: text_of(S000), "again.txt": text_of(S000), S004: text_of(S004)}))
    assert result.returncode == 1
    for name in (S000, "again.txt"):
        line = next(line for line in result.stderr.splitlines() if line.startswith(f"{name}: error duplicate-report:"))
        assert S000 in line and "again.txt" in line
    assert set(pages(tmp_path / "out")) == {S004}


# -- usage ---------------------------------------------------------------------------------------------


def test_help_is_in_chinese_with_exit_codes(tmp_path: Path):
    result = build(tmp_path, "--help")
    assert result.returncode == 0
    assert "退出码" in result.stdout and "用法" in result.stdout and ".meta.yml" in result.stdout
    result = build(tmp_path, "convert", "--help")
    assert result.returncode == 0 and "--agencies" in result.stdout and "--force" in result.stdout


@pytest.mark.parametrize("args", [["convert", "--bogus"], ["nonsense"], ["convert", "--seeds"]])
def test_usage_errors_exit_2(tmp_path: Path, args):
    result = build(tmp_path, *args)
    assert result.returncode == 2
    assert "用法错误" in result.stderr
    assert_no_traceback(result)


def test_a_missing_seeds_folder_exits_2(tmp_path: Path):
    project(tmp_path, {})
    result = build(tmp_path, "convert", "--seeds", "nowhere", "--out", "out")
    assert result.returncode == 2 and "找不到报告目录 nowhere" in result.stderr
    result = build(tmp_path, "check", "--seeds", "nowhere")
    assert result.returncode == 2 and "找不到报告目录 nowhere" in result.stderr


def test_convert_and_check_need_no_site_configuration(tmp_path: Path):
    """A folder of raw files and nothing else: convert and check use the default settings (only the
    whole build needs mkdocs.yml)."""
    project(tmp_path, {S000: text_of(S000), S004: text_of(S004)})
    (tmp_path / "mkdocs.yml").unlink()
    result = convert(tmp_path)
    assert result.returncode == 0, result.stderr
    assert set(pages(tmp_path / "out")) == {S000, S004}
    result = build(tmp_path, "check", "--seeds", "seeds")
    assert result.returncode == 0, result.stderr
    assert "共检查 2 份" in result.stderr
    result = build(tmp_path, "convert", "--seeds", "nowhere", "--out", "out")
    assert result.returncode == 2 and "找不到报告目录 nowhere" in result.stderr
    assert_no_traceback(result)


def test_check_json_lists_every_finding_and_exits_1_on_an_error(tmp_path: Path):
    project(tmp_path, {S002: text_of(S002), "empty.txt": b""})
    result = build(tmp_path, "check", "--format", "json", "--seeds", "seeds")
    assert result.returncode == 1
    assert_no_traceback(result)
    rows = json.loads(result.stdout)  # stdout is the JSON document alone
    assert all(set(row) == {"file", "line", "severity", "code", "message"} for row in rows)
    assert {"file": "empty.txt", "line": None, "severity": "error", "code": "empty"}.items() <= \
        next(row for row in rows if row["file"] == "empty.txt").items()
    assert {"file": S002, "line": 17, "severity": "warning", "code": "unnumbered-heading"}.items() <= \
        next(row for row in rows if row["code"] == "unnumbered-heading").items()
    assert [(r["file"], r["line"] or 0) for r in rows] == sorted((r["file"], r["line"] or 0) for r in rows)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["agencies.yml", "mkdocs.yml", "seeds"]  # nothing written
    result = build(tmp_path, "check", "--format", "json", "--seeds", "seeds", env={"PYTHONHASHSEED": "7"})
    assert json.loads(result.stdout) == rows
    (tmp_path / "seeds" / "empty.txt").unlink()
    result = build(tmp_path, "check", "--format", "json", "--seeds", "seeds")
    assert result.returncode == 0 and all(r["severity"] != "error" for r in json.loads(result.stdout))


@pytest.mark.parametrize("setting", ['page_size: "很多"', 'deadline_government: "02-30"'])
def test_check_json_is_json_also_for_a_settings_error(tmp_path: Path, setting: str):
    project(tmp_path, {S002: text_of(S002)})
    with (tmp_path / "mkdocs.yml").open("a", encoding="utf-8") as f:
        f.write(f"extra:\n  reports:\n    {setting}\n")
    result = build(tmp_path, "check", "--format", "json", "--seeds", "seeds")
    assert result.returncode == 1
    assert_no_traceback(result)
    [row] = json.loads(result.stdout)
    assert row["severity"] == "error" and row["file"] == "mkdocs.yml" and "extra.reports." in row["message"]


def test_bad_settings_exit_1_naming_the_key(tmp_path: Path):
    project(tmp_path, {S000: text_of(S000)})
    (tmp_path / "mkdocs.yml").write_text("extra:\n  reports:\n    min_characters: many\n", encoding="utf-8")
    result = convert(tmp_path)
    assert result.returncode == 1
    assert "mkdocs.yml" in result.stderr and "extra.reports.min_characters" in result.stderr
    assert_no_traceback(result)


def test_an_unexpected_error_never_shows_a_traceback(monkeypatch, capsys, tmp_path: Path):
    def broken(*args, **kwargs):
        raise RuntimeError("unexpected")

    project(tmp_path, {S000: text_of(S000)})
    monkeypatch.setattr(pipeline, "convert", broken)
    status = cli.main(["convert", "--seeds", str(tmp_path / "seeds"), "--out", str(tmp_path / "out")])
    captured = capsys.readouterr()
    assert status == 1
    assert "程序内部错误" in captured.err and "unexpected" in captured.err
    assert "Traceback" not in captured.out + captured.err


# -- the agency table -------------------------------------------------------------------------------------


def test_the_agency_table_is_read_beside_the_configuration(tmp_path: Path):
    project(tmp_path, {S004: text_of(S004)})
    (tmp_path / "agencies.yml").write_text(
        "agencies:\n  - name: 南开区司法局\n    region: 天津市南开区\n    type: department\n    slug: nk-sfj\n", encoding="utf-8")
    result = convert(tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "2023" / "nk-sfj.md").is_file()

    site = tmp_path / "site-config"
    site.mkdir()
    (site / "mkdocs.yml").write_text("site_name: x\n", encoding="utf-8")
    (site / "agencies.yml").write_text(
        "agencies:\n  - name: 南开区司法局\n    region: 天津市南开区\n    type: department\n    slug: sfj\n", encoding="utf-8")
    result = build(tmp_path, "--config", "site-config/mkdocs.yml", "convert", "--seeds", "seeds", "--out", "out2")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out2" / "2023" / "sfj.md").is_file()

    result = build(tmp_path, "convert", "--seeds", "seeds", "--out", "out3", "--agencies", "site-config/agencies.yml")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out3" / "2023" / "sfj.md").is_file()


def test_a_bad_agency_table_exits_1_naming_file_key_and_line(tmp_path: Path):
    project(tmp_path, {S004: text_of(S004)})
    (tmp_path / "agencies.yml").write_text(
        "agencies:\n  - name: 南开区司法局\n    type: department\n    slug: Nan Kai\n", encoding="utf-8")
    result = convert(tmp_path)
    assert result.returncode == 1
    assert "agencies.yml:4: error agencies-bad-value: 键 agencies[0].slug" in result.stderr
    assert not (tmp_path / "out").exists()
    assert_no_traceback(result)


# -- hand edits and --force --------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["before", "after"])
def test_force_overwrites_a_hand_edited_page_on_either_side_of_the_command(tmp_path: Path, where):
    project(tmp_path)
    assert convert(tmp_path).returncode == 0
    page = pages(tmp_path / "out")[S004]
    page.write_text(page.read_text(encoding="utf-8") + "\n手工补充。\n", encoding="utf-8")

    result = convert(tmp_path)
    assert result.returncode == 1
    rel = page.relative_to(tmp_path / "out").as_posix()
    assert f"{S004}: error hand-edited: out/{rel} 已被手工修改" in result.stderr
    assert f"{Path(S004).stem}.meta.yml" in result.stderr and "--force" in result.stderr  # what to do instead
    assert page.read_text(encoding="utf-8").endswith("手工补充。\n")

    args = ["--force", "convert", "--seeds", "seeds", "--out", "out"] if where == "before" else \
        ["convert", "--seeds", "seeds", "--out", "out", "--force"]
    result = build(tmp_path, *args)
    assert result.returncode == 0, result.stderr
    assert "手工补充" not in page.read_text(encoding="utf-8")


def test_a_second_run_rewrites_nothing(tmp_path: Path):
    project(tmp_path)
    convert(tmp_path)
    before = {p: p.stat().st_mtime_ns for p in (tmp_path / "out").rglob("*")}
    result = convert(tmp_path)
    assert result.returncode == 0
    assert "写入 0 个文件，未变 5 个，删除 0 个" in result.stdout
    assert f"{S002}:17: warning unnumbered-heading:" in result.stdout  # still reported
    assert {p: p.stat().st_mtime_ns for p in (tmp_path / "out").rglob("*")} == before


# -- output ----------------------------------------------------------------------------------------------


def test_output_is_byte_identical_across_runs_and_hash_seeds(tmp_path: Path):
    project(tmp_path)
    first = build(tmp_path, "convert", "--seeds", "seeds", "--out", "one", env={"PYTHONHASHSEED": "1"})
    second = build(tmp_path, "convert", "--seeds", "seeds", "--out", "two", env={"PYTHONHASHSEED": "2"})
    assert first.returncode == second.returncode == 0
    assert tree(tmp_path / "one") == tree(tmp_path / "two")
    assert first.stdout == second.stdout


def _many(tmp_path: Path, n: int) -> Path:
    base = text_of(S004)
    files = {f"r{i:03d}.txt": base.replace("南开区司法局2023年度", f"测试{i:03d}局{2000 + i % 20}年度", 1)
             for i in range(n)}
    return project(tmp_path, files)


def test_no_progress_bar_when_output_is_not_a_terminal(tmp_path: Path):
    result = convert(_many(tmp_path, 40))
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout + result.stderr  # no escape codes in a log file
    assert "转换成功 40 份" in result.stdout


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_progress_bar_on_a_terminal_does_not_break_the_run(tmp_path: Path):
    import fcntl
    import pty
    import struct
    import termios

    _many(tmp_path, 40)
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    process = subprocess.Popen([sys.executable, str(BUILD_SITE), "convert", "--seeds", "seeds", "--out", "out"],
                               cwd=tmp_path, stdin=follower, stdout=follower, stderr=follower)
    os.close(follower)
    output = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed
            break
        if not chunk:
            break
        output += chunk
    assert process.wait(timeout=300) == 0
    os.close(leader)
    text = output.decode("utf-8", errors="replace")
    assert "转换报告" in text  # the bar was drawn (40 files > 24 lines)
    assert "转换成功 40 份" in text
    assert "Traceback" not in text
    assert len(list((tmp_path / "out").rglob("*.md"))) == 40


def test_one_log_for_both_streams_reads_in_order(tmp_path: Path):
    project(tmp_path, {S000: text_of(S000), "empty.txt": b"", S002: text_of(S002)})
    result = subprocess.run([sys.executable, str(BUILD_SITE), "convert", "--seeds", "seeds", "--out", "out"],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300)
    lines = result.stdout.splitlines()
    findings = lines[:-3]  # file:line: severity code: message, errors (stderr) among the others (stdout)
    assert findings and all(line.split(":", 1)[0] in (S000, S002, "empty.txt") for line in findings)
    files = [line.split(":", 1)[0] for line in findings]
    assert files == sorted(files)  # in file order, whichever stream each went to
    assert "empty.txt: error empty:" in result.stdout and f"{S002}:17: warning unnumbered-heading:" in result.stdout
    assert lines[-3].startswith("共 3 份：转换成功 2 份，失败 1 份")
    assert lines[-2] == f"提示（warning）：{S000} 1 条；{S002} 2 条"  # no-published-date each, unnumbered-heading
    assert lines[-1] == "未转换：empty.txt"


# -- the whole build: the engine renders into a fresh folder, swapped in only when it succeeded ----------


def site_tree(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def leftovers(root: Path) -> list[str]:
    """Staging or old copies of the site beside it (``.site-new-<pid>``, ``.site-old-<pid>``)."""
    return sorted(p.name for p in root.iterdir() if p.name.startswith(".site-"))


@pytest.mark.slow
def test_build_swaps_the_site_in_at_once_and_leaves_it_untouched_when_the_engine_fails(tmp_path: Path):
    root = copy_project(tmp_path / "project")
    (root / "site").mkdir()
    (root / "site" / "stale.html").write_text("from an older build", encoding="utf-8")
    result = build(root)
    assert result.returncode == 0, result.stderr
    assert_no_traceback(result)
    assert f"网站已生成：site/（{len(SEEDS)} 份报告）" in result.stdout
    assert "共 5 份：转换成功 5 份，失败 0 份" in result.stdout
    site = root / "site"
    assert (site / "index.html").is_file() and (site / "data" / "reports.json").is_file()
    assert not (site / "stale.html").exists()  # the whole folder was replaced, not written over
    assert leftovers(root) == []
    before, inode = site_tree(site), site.stat().st_ino

    # a hand-written page naming a template that does not exist: the engine fails, the published site stays
    (root / "docs" / "broken.md").write_text("---\ntemplate: no-such-template.html\n---\n# 坏模板\n", encoding="utf-8")
    result = build(root)
    assert result.returncode == 1
    assert "网站生成失败，原有 site/ 保持不变" in result.stderr
    assert "网站已生成" not in result.stdout
    assert site.stat().st_ino == inode and site_tree(site) == before
    assert leftovers(root) == []

    (root / "docs" / "broken.md").unlink()
    result = build(root, "--jobs", "1")
    assert result.returncode == 0, result.stderr
    assert "写入 0 个文件" in result.stdout  # nothing changed since the first build
    assert site_tree(site) == before and leftovers(root) == []


@pytest.mark.slow
def test_build_is_strict_a_broken_link_fails_it_and_keeps_the_site(tmp_path: Path):
    """``--strict``: a warning of the engine (here a link to a page that does not exist) fails the
    build, as ``mkdocs build --strict`` does; the site built before stays."""
    root = copy_project(tmp_path / "project")
    for name in (S001, S002, S003):  # two reports are enough, and quicker
        (root / "seeds" / name).unlink()
    assert build(root).returncode == 0
    before = site_tree(root / "site")
    (root / "docs" / "broken.md").write_text("# 坏链接\n\n[不存在](nowhere.md)\n", encoding="utf-8")
    result = build(root)
    assert result.returncode == 1, result.stdout
    assert "网站生成失败，原有 site/ 保持不变" in result.stderr
    assert "nowhere.md" in result.stderr  # the engine's warning says which link
    assert site_tree(root / "site") == before and leftovers(root) == []


def test_build_without_a_site_configuration_names_it_and_exits_1(tmp_path: Path):
    project(tmp_path, {S000: text_of(S000)})
    (tmp_path / "mkdocs.yml").unlink()
    result = build(tmp_path)
    assert result.returncode == 1
    assert "mkdocs.yml" in result.stderr
    assert not (tmp_path / "site").exists()
    assert_no_traceback(result)
