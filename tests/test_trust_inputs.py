"""Issue #16, input side: only what the officer meant is read; sizes and shapes are bounded; every
bad input is a message naming the file, never a traceback.

Each case builds a small seeds folder in ``tmp_path`` and converts it for real (``pipeline.convert``
in this process, or ``python build_site.py`` in a subprocess where what is printed matters): the bad
file is named with a stable code, nothing of it is published, and the good report beside it still is.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from lawreports.build import collect as collect_module
from lawreports.build.collect import input_files, printable_name, scan_seeds
from lawreports.read import MAX_INPUT_BYTES
from lawreports.read.docx import MAX_UNPACKED
from lawreports.settings import SettingsError, deadline_for, load_settings, settings_from_dict
from lawreports.sidecar import MAX_ALIAS_EXPANSION, MAX_SIDECAR_BYTES
from test_cli import assert_no_traceback, build
from test_cli import project as cli_project
from test_convert import S000, S004, errors, make_seeds, pages, run_convert, text_of

ROOT = Path(__file__).resolve().parents[1]
GOOD = S000  #: the good report converted beside every bad file
#: A report with its title line's year mistyped.
BAD_YEAR_TITLE = "南开区司法局20223年度法治政府建设情况报告"
#: A text in Big5 (繁体), as an office in Taiwan or Hong Kong or an old 繁体 system saves it.
BIG5_TEXT = ("南開區司法局2023年度法治政府建設情況報告\n"
             "2023年，區司法局堅持以習近平新時代中國特色社會主義思想為指導，全面推進依法行政。\n"
             "一、主要舉措和成效\n全年辦理行政復議案件二十件，開展普法宣傳活動三十場。\n"
             "二、存在的不足和原因\n執法人員專業能力有待提高。\n")
NO_TITLE_REPORT = ("2023年，区司法局坚持以习近平新时代中国特色社会主义思想为指导，全面推进依法行政。\n"
                   "一、2023年推进法治政府建设的主要举措和成效\n全年办理行政复议案件二十件。\n"
                   "二、存在的不足和原因\n执法人员专业能力有待提高。\n")


def billion_laughs(levels: int = 9) -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels):
        prev, name = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 10) + "]")
    return "\n".join(lines) + "\n"


# -- what a seeds folder may hold: one table, each row a real conversion ----------------------------------


def _symlink_outside(seeds: Path) -> None:
    (seeds / "passwd.txt").symlink_to("/etc/passwd")


def _symlink_to_a_report_outside(seeds: Path) -> None:
    outside = seeds.parent / "elsewhere.txt"
    outside.write_text(text_of(S004), encoding="utf-8")
    (seeds / "elsewhere.txt").symlink_to(outside)


def _dangling(seeds: Path) -> None:
    (seeds / "gone.txt").symlink_to(seeds / "no-such-file.txt")


def _fifo(seeds: Path) -> None:
    os.mkfifo(seeds / "pipe.txt")  # reading it would wait for ever


def _too_large(seeds: Path) -> None:
    with (seeds / "huge.txt").open("wb") as handle:
        handle.truncate(MAX_INPUT_BYTES + 1)  # sparse: never read


def _bad_name(seeds: Path) -> None:
    raw = os.path.join(os.fsencode(seeds), "报告.txt".encode("gbk"))  # unzipped from a Chinese Windows zip
    with open(raw, "wb") as handle:
        handle.write(text_of(S004).encode("utf-8"))


def _notes(seeds: Path) -> None:
    (seeds / "notes.txt").write_text("周一开会\n带上材料\n给老王回电话\n", encoding="utf-8")


def _readme(seeds: Path) -> None:
    (seeds / "README.txt").write_text("使用说明\n1. 下载程序\n双击安装。\n2. 运行程序\n输入账号。\n", encoding="utf-8")


def _passwords(seeds: Path) -> None:
    (seeds / "passwords.txt").write_text("root:123456\nadmin:admin888\nguest:guest\n", encoding="utf-8")


def _big5(seeds: Path) -> None:
    (seeds / "big5.txt").write_bytes(BIG5_TEXT.encode("big5"))


REFUSED: dict[str, tuple[Callable[[Path], None], str, str, str]] = {
    # case: (make the bad file, its name as reported, code, words of the message)
    "symlink to /etc/passwd": (_symlink_outside, "passwd.txt", "symlink-outside", "符号链接"),
    "symlink to a report outside": (_symlink_to_a_report_outside, "elsewhere.txt", "symlink-outside", "seeds"),
    "dangling symlink": (_dangling, "gone.txt", "dangling-link", "不存在"),
    "named pipe": (_fifo, "pipe.txt", "not-a-file", "不是普通文件"),
    "too large": (_too_large, "huge.txt", "too-large", "超过上限 20 MB"),
    "name not UTF-8": (_bad_name, r"\xb1\xa8\xb8\xe6.txt", "bad-file-name", "“报告.txt”"),
    "notes": (_notes, "notes.txt", "not-a-report", "不是报告"),
    "a README": (_readme, "README.txt", "not-a-report", "不是报告"),
    "a password list": (_passwords, "passwords.txt", "not-a-report", "不是报告"),
    "Big5 text": (_big5, "big5.txt", "big5", "Big5"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_what_the_officer_did_not_mean_is_refused_and_named(tmp_path: Path, case):
    make, name, code, words = REFUSED[case]
    seeds = make_seeds(tmp_path, {GOOD: text_of(GOOD)})
    make(seeds)
    run = run_convert(seeds, tmp_path / "out")
    assert not run.ok
    assert run.failed == [name]
    found = errors(run, name)
    assert [d.code for d in found] == [code], run.diagnostics
    assert words in found[0].message
    assert set(pages(tmp_path / "out")) == {GOOD}
    published = b"".join(p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert b"root:" not in published and b"admin888" not in published
    str(found[0]).encode("utf-8")  # printable as it is reported


def test_ln_s_etc_passwd_publishes_nothing_through_the_command_line(tmp_path: Path):
    cli_project(tmp_path, {GOOD: text_of(GOOD)})
    (tmp_path / "seeds" / "passwd.txt").symlink_to("/etc/passwd")
    result = build(tmp_path, "convert", "--seeds", "seeds", "--out", "out")
    assert result.returncode == 1
    assert "passwd.txt: error symlink-outside:" in result.stderr
    assert_no_traceback(result)
    assert not any(b"root:" in p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file())


def test_a_file_name_that_is_not_utf8_is_printed_escaped_by_convert_and_check(tmp_path: Path):
    cli_project(tmp_path, {GOOD: text_of(GOOD)})
    _bad_name(tmp_path / "seeds")
    result = build(tmp_path, "convert", "--seeds", "seeds", "--out", "out")
    assert result.returncode == 1
    assert r"\xb1\xa8\xb8\xe6.txt: error bad-file-name:" in result.stderr
    assert_no_traceback(result)
    result = build(tmp_path, "check", "--seeds", "seeds", "--format", "json")
    assert result.returncode == 1
    rows = json.loads(result.stdout)
    assert {"file": r"\xb1\xa8\xb8\xe6.txt", "code": "bad-file-name"}.items() <= \
        next(r for r in rows if r["code"] == "bad-file-name").items()


def test_a_folder_named_like_a_report_is_a_warning_and_never_read(tmp_path: Path):
    seeds = make_seeds(tmp_path, {GOOD: text_of(GOOD)})
    (seeds / "old.txt").mkdir()
    (seeds / "old.txt" / "inside.txt").write_text(text_of(S004), encoding="utf-8")
    (seeds / "archive").mkdir()  # a folder not named like a report: nothing to say
    run = run_convert(seeds, tmp_path / "out")
    assert run.ok and not run.failed
    assert [(d.file, d.severity, d.code) for d in run.diagnostics if d.file in ("old.txt", "archive")] == [
        ("old.txt", "warning", "not-a-file")]
    assert set(pages(tmp_path / "out")) == {GOOD}


def test_a_symlink_to_a_report_inside_the_folder_converts(tmp_path: Path):
    seeds = make_seeds(tmp_path, {GOOD: text_of(GOOD)})
    (seeds / "archive").mkdir()
    (seeds / "archive" / "real.txt").write_text(text_of(S004), encoding="utf-8")
    (seeds / "linked.txt").symlink_to(Path("archive") / "real.txt")
    run = run_convert(seeds, tmp_path / "out")
    assert run.ok, run.diagnostics
    assert set(pages(tmp_path / "out")) == {GOOD, "linked.txt"}


def test_an_unreadable_seed_is_named_with_a_chinese_message(tmp_path: Path, monkeypatch):
    seeds = make_seeds(tmp_path, {GOOD: text_of(GOOD), "locked.txt": text_of(S004)})
    (seeds / "locked.txt").chmod(0)
    if os.geteuid() == 0:  # root reads any file: answer as the permissions would for an officer
        real = os.access
        monkeypatch.setattr(collect_module.os, "access",
                            lambda path, mode: False if Path(path).name == "locked.txt" else real(path, mode))
    run = run_convert(seeds, tmp_path / "out")
    assert run.failed == ["locked.txt"]
    (error,) = errors(run, "locked.txt")
    assert error.code == "unreadable" and "权限" in error.message
    assert set(pages(tmp_path / "out")) == {GOOD}


def test_input_files_keeps_its_signature_and_leaves_out_what_is_refused(tmp_path: Path):
    seeds = make_seeds(tmp_path, {GOOD: text_of(GOOD), "x.meta.yml": "note: 无\n"})
    _symlink_outside(seeds)
    _dangling(seeds)
    assert input_files(seeds) == [seeds / GOOD]
    scan = scan_seeds(seeds)
    assert scan.refused == ["gone.txt", "passwd.txt"]
    assert printable_name(os.fsdecode(b"\xb1\xa8.txt")) == r"\xb1\xa8.txt"


# -- what a text must be to be a report ---------------------------------------------------------------------


def test_a_report_without_a_title_line_but_with_a_year_and_numbered_parts_converts(tmp_path: Path):
    run = run_convert(make_seeds(tmp_path, {"untitled.txt": NO_TITLE_REPORT}), tmp_path / "out")
    assert "untitled.txt" not in run.failed, run.diagnostics
    matter = pages(tmp_path / "out")["untitled.txt"][0]
    assert matter["year"] == 2023


def test_a_year_typo_in_the_title_is_an_error_not_a_new_agency(tmp_path: Path):
    text = text_of(GOOD)
    assert text.startswith("南开区政府研究室2023年度法治政府建设\n\n情况报告\n")
    body = text.split("情况报告\n", 1)[1]
    run = run_convert(make_seeds(tmp_path, {"typo.txt": BAD_YEAR_TITLE + "\n" + body}), tmp_path / "out")
    bad = [d for d in run.diagnostics if d.file == "typo.txt" and d.code == "bad-year"]
    assert bad and bad[0].severity == "error" and "20223年" in bad[0].message and bad[0].line == 1
    assert not run.ok
    record = run.records.get("typo.txt")
    if record is not None:  # published or not, the typo is never part of the agency's name
        assert record.report.agency == "南开区司法局"
        assert "20223" not in record.agency_key


# -- Word: hidden text and zip bombs --------------------------------------------------------------------


def hidden_style_docx() -> bytes:
    """A report whose one sentence is hidden by a character style (w:rStyle → w:vanish), another by
    a style based on it, and one run of that style made visible again (w:vanish w:val=false)."""
    document = docx.Document()
    styles = document.styles.element
    for style_id, based_on in (("Secret", None), ("SecretToo", "Secret")):
        style = OxmlElement("w:style")
        style.set(qn("w:type"), "character")
        style.set(qn("w:styleId"), style_id)
        name = OxmlElement("w:name")
        name.set(qn("w:val"), style_id)
        style.append(name)
        if based_on:
            base = OxmlElement("w:basedOn")
            base.set(qn("w:val"), based_on)
            style.append(base)
        else:
            r_pr = OxmlElement("w:rPr")
            r_pr.append(OxmlElement("w:vanish"))
            style.append(r_pr)
        styles.append(style)

    def run(paragraph, text: str, style: str | None = None, visible: bool = False) -> None:
        r = paragraph.add_run(text)
        r_pr = r._r.get_or_add_rPr()
        if style:
            r_style = OxmlElement("w:rStyle")
            r_style.set(qn("w:val"), style)
            r_pr.append(r_style)
        if visible:
            vanish = OxmlElement("w:vanish")
            vanish.set(qn("w:val"), "false")
            r_pr.append(vanish)

    for line in text_of(GOOD).splitlines()[:12]:
        document.add_paragraph(line)
    p = document.add_paragraph()
    run(p, "全年办理行政复议案件二十件。")
    run(p, "内部意见：此段不得公开。", "Secret")
    run(p, "另一段隐藏文字。", "SecretToo")
    run(p, "重新显示的文字。", "Secret", visible=True)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_word_text_hidden_by_a_character_style_is_not_published(tmp_path: Path):
    run = run_convert(make_seeds(tmp_path, {"styled.docx": hidden_style_docx()}), tmp_path / "out")
    assert "styled.docx" not in run.failed, run.diagnostics
    text = pages(tmp_path / "out")["styled.docx"][1].read_text(encoding="utf-8")
    assert "全年办理行政复议案件二十件。" in text and "重新显示的文字。" in text
    assert "此段不得公开" not in text and "另一段隐藏文字" not in text


def zip_bomb_docx(unpacked: int) -> bytes:
    """A real .docx with one more member of ``unpacked`` zero bytes (a few hundred KB packed)."""
    document = docx.Document()
    for line in text_of(GOOD).splitlines()[:12]:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive, \
            archive.open("word/media/bomb.bin", "w", force_zip64=True) as member:
        chunk = bytes(2**20)
        for _ in range(unpacked // len(chunk) + 1):
            member.write(chunk)
    return buffer.getvalue()


def test_a_docx_that_unpacks_beyond_the_limit_is_refused_without_unpacking(tmp_path: Path):
    data = zip_bomb_docx(MAX_UNPACKED)
    assert len(data) < MAX_UNPACKED // 100
    seeds = make_seeds(tmp_path, {GOOD: text_of(GOOD), "bomb.docx": data})
    run = run_convert(seeds, tmp_path / "out")
    assert run.failed == ["bomb.docx"]
    (error,) = errors(run, "bomb.docx")
    assert error.code == "too-large" and "解压后" in error.message and "100 MB" in error.message
    assert set(pages(tmp_path / "out")) == {GOOD}


# -- PDF encrypted with an empty password ------------------------------------------------------------------


#: A Chinese TrueType font (Debian's fonts-wqy-zenhei). reportlab embeds it with a ToUnicode map, as
#: Word and WPS do; its built-in STSong-Light is not embedded and names its glyph collection in
#: strings that reportlab encrypts so that pdfminer cannot map them (Chrome's pdfium can).
CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")


@pytest.mark.skipif(not CJK_FONT.exists(), reason=f"needs a Chinese TrueType font ({CJK_FONT})")
def test_a_pdf_encrypted_with_an_empty_password_is_opened(tmp_path: Path):
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("WenQuanYi", str(CJK_FONT), subfontIndex=0))
    path = tmp_path / "locked.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4,
                        encrypt=StandardEncryption("", ownerPassword="owner", canModify=0, strength=128))
    y = 780
    for line in text_of(GOOD).splitlines()[:14]:
        pdf.setFont("WenQuanYi", 12)
        pdf.drawString(60, y, line[:38])
        y -= 30
    pdf.showPage()
    pdf.save()
    assert b"/Encrypt" in path.read_bytes()
    run = run_convert(make_seeds(tmp_path, {"locked.pdf": path.read_bytes()}), tmp_path / "out")
    assert "locked.pdf" not in run.failed, run.diagnostics
    assert "locked.pdf" in pages(tmp_path / "out")


# -- sidecars and the agency table: sizes, aliases, characters ---------------------------------------------


SIDECARS = {
    # case: (sidecar text, code, words of the message)
    "too large": ("note: " + "很长" * MAX_SIDECAR_BYTES + "\n", "sidecar-too-large", "超过上限 64 KB"),
    "billion laughs": (billion_laughs(), "sidecar-yaml-aliases", str(MAX_ALIAS_EXPANSION)),
    "an alias inside itself": ("note: &n [*n]\n", "sidecar-yaml-aliases", "自身"),
    "lone surrogate": ('title: "\\ud800南开区司法局报告"\n', "sidecar-bad-character", "U+D800"),
    "control character": ('agency: "南开区\\x1b[31m司法局"\n', "sidecar-bad-character", "U+001B"),
}


@pytest.mark.parametrize("case", sorted(SIDECARS))
def test_a_bad_sidecar_is_refused_naming_it_and_never_expanded(tmp_path: Path, case):
    text, code, words = SIDECARS[case]
    seeds = make_seeds(tmp_path, {GOOD: text_of(GOOD), S004: text_of(S004),
                                  Path(S004).stem + ".meta.yml": text})
    run = run_convert(seeds, tmp_path / "out")
    assert run.failed == [S004]
    found = [d for d in run.diagnostics if d.severity == "error" and d.code == code]
    assert found and words in found[0].message, run.diagnostics
    assert found[0].file == Path(S004).stem + ".meta.yml"
    assert all(len(d.message) < 300 and "lol" not in d.message for d in run.diagnostics)
    assert set(pages(tmp_path / "out")) == {GOOD}


def test_a_few_aliases_in_a_sidecar_are_fine(tmp_path: Path):
    sidecar = "note: &n 发布日期依据门户网站栏目页\nsource_url: https://www.example.gov.cn/a.html\n"
    seeds = make_seeds(tmp_path, {GOOD: text_of(GOOD), Path(GOOD).stem + ".meta.yml": sidecar})
    run = run_convert(seeds, tmp_path / "out")
    assert run.ok, run.diagnostics


@pytest.mark.parametrize("case", ["billion laughs", "too large"])
def test_a_bad_agency_table_is_named_and_converts_nothing(tmp_path: Path, case):
    table = tmp_path / "agencies.yml"
    if case == "billion laughs":
        table.write_text(billion_laughs(), encoding="utf-8")
        code = "agencies-yaml-aliases"
    else:
        table.write_text("agencies:\n" + "# 注释\n" * (2**20 // 9 + 100), encoding="utf-8")
        code = "agencies-too-large"
    run = run_convert(make_seeds(tmp_path, {GOOD: text_of(GOOD)}), tmp_path / "out", agencies_file=table)
    assert not run.ok and run.failed == [GOOD]
    assert [d.code for d in run.diagnostics if d.file == "agencies.yml"] == [code]
    assert all("lol" not in d.message for d in run.diagnostics)


# -- settings in mkdocs.yml ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ['"02-30"', '"13-01"', '"00-10"'])
def test_a_deadline_that_is_no_day_exits_1_naming_the_key(tmp_path: Path, value):
    cli_project(tmp_path, {GOOD: text_of(GOOD)})
    (tmp_path / "mkdocs.yml").write_text(
        f"site_name: 测试\nextra:\n  reports:\n    deadline_government: {value}\n", encoding="utf-8")
    for command in (["convert", "--seeds", "seeds", "--out", "out"], ["check", "--seeds", "seeds"]):
        result = build(tmp_path, *command)
        assert result.returncode == 1
        assert "extra.reports.deadline_government" in result.stderr and "不存在" in result.stderr
        assert_no_traceback(result)


def test_the_29th_of_february_is_a_deadline_in_every_year():
    settings = settings_from_dict({"deadline_government": "02-29"})
    assert str(deadline_for(settings, "government", 2023)) == "2024-02-29"
    assert str(deadline_for(settings, "government", 2024)) == "2025-02-28"


@pytest.mark.parametrize(("config", "words"), [
    ("extra: [1]\n", "extra: 应为"),
    ("extra:\n  reports: [1]\n", "extra.reports: 应为"),
    ("extra:\n  reports:\n    owner: 1\n", "extra.reports.owner"),
    ('extra:\n  reports:\n    owner: "\\ud800"\n', "U+D800"),
    (billion_laughs() + "extra: {reports: {}}\n", str(MAX_ALIAS_EXPANSION)),
])
def test_bad_settings_are_chinese_messages_naming_the_key(tmp_path: Path, config, words):
    path = tmp_path / "mkdocs.yml"
    path.write_text("site_name: 测试\n" + config, encoding="utf-8")
    with pytest.raises(SettingsError) as err:
        load_settings(path)
    assert words in str(err.value) and "mkdocs.yml" in str(err.value)
    assert "lol" not in str(err.value)


# -- no step slower than linear ----------------------------------------------------------------------------


def test_the_input_limit_leaves_a_5_mb_report_far_inside():
    assert MAX_INPUT_BYTES >= 4 * 5 * 2**20
