"""The publication record's pieces (issue #18): its file format, the diff and the redirect pages."""

from __future__ import annotations

import hashlib
import html
import json
from pathlib import Path

import pytest

from lawreports.build.history import (
    Addresses,
    Entry,
    History,
    HistoryError,
    Version,
    Withdrawal,
    decode,
    encode,
    missing_sources,
)
from lawreports.site.history import diff_html, record_files, redirect_page

HOSTILE = '<script>alert(1)</script>"&\u202e'


def version(number: int, lines: tuple[str, ...], page: str = "reports/2023/a.md", **meta) -> Version:
    base = {k: None for k in ("title", "agency", "agency_key", "region", "year", "written", "published",
                              "index_no", "source_url")}
    base.update(meta)
    sha = hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()
    return Version(number, None, None, "first" if number == 1 else "officer", sha, "s", None, base,
                   Addresses(page, "agencies/a.md", "data/reports/2023/a.json"), lines)


def test_an_entry_reads_back_the_same_and_is_the_same_bytes():
    entry = Entry("a.txt", (version(1, ("标题", HOSTILE)), version(2, ("标题", "改后"))),
                  Withdrawal("2024-05-01", HOSTILE))
    text = encode(entry)
    assert decode(text, "a.txt.json") == entry
    assert encode(decode(text, "a.txt.json")) == text


@pytest.mark.parametrize("broken", ["{", '{"source": "a.txt"}', '{"source": "a.txt", "versions": [{"version": 2}]}'])
def test_a_broken_record_file_is_a_message_naming_it(broken: str, tmp_path: Path):
    (tmp_path / "a.txt.json").write_text(broken, encoding="utf-8")
    with pytest.raises(HistoryError, match=r"a\.txt\.json"):
        History.load(tmp_path)


def test_versions_out_of_order_are_refused():
    entry = Entry("a.txt", (version(1, ("x",)), version(3, ("y",))))
    with pytest.raises(HistoryError, match="版本号"):
        decode(encode(entry), "a.txt.json")


def test_the_diff_is_by_character_and_escaped():
    got = diff_html(["开展培训12次。", "不变的一段。", "加强<学习>。"],
                    ["开展培训19次。", "不变的一段。", "加强<学习>&考试。"])
    assert '<del title="删去">2</del><ins title="增加">9</ins>' in got
    assert "&lt;学习&gt;" in got and "<学习>" not in got and '<ins title="增加">&amp;考试</ins>' in got
    assert "不变的一段" not in got  # unchanged paragraphs are left out
    assert diff_html(["同"], ["同"]) == ""
    assert '<del title="删去">甲</del>' in diff_html(["甲", "乙"], ["乙"])  # a removed paragraph


def test_a_long_text_with_one_paragraph_added_shows_that_paragraph_alone():
    old = [f"第{i}段，推进依法行政工作取得新进展。" for i in range(20000)]
    new = [*old[:10000], "新增的一段。", *old[10000:]]
    assert diff_html(old, new) == '<p class="history-diff"><ins title="增加">新增的一段。</ins></p>'


def test_a_record_whose_text_was_edited_is_refused():
    data = json.loads(encode(Entry("a.txt", (version(1, ("原文",)),))))
    data["versions"][0]["text"] = ["篡改后的文字"]
    with pytest.raises(HistoryError, match="text_sha256"):
        decode(json.dumps(data), "a.txt.json")


def test_a_redirect_page_is_static_and_escaped():
    page = redirect_page('reports/2023/old"<x>.md', "reports/2023/new.md", None)
    assert page.uri == 'reports/2023/old"<x>/index.html'
    text = str(page.content)
    assert 'content="0; url=../new/"' in text and 'rel="canonical" href="../new/"' in text
    assert "<script" not in text
    absolute = str(redirect_page("reports/2023/old.md", "reports/2023/新.md", "https://example.gov.cn/fz/").content)
    assert 'href="https://example.gov.cn/fz/reports/2023/%E6%96%B0/"' in absolute


def test_old_addresses_redirect_only_where_nothing_else_lives():
    history = History(Path("history"))
    history.entries["a.txt"] = Entry("a.txt", (version(1, ("x",), page="reports/2023/old.md"),
                                               version(2, ("y",), page="reports/2023/new.md")))
    current = {"a.txt": Addresses("reports/2023/new.md", "agencies/a.md", "data/reports/2023/new.json")}
    files = record_files(history, current, {"reports/2023/new.md"}, None)
    uris = {f.uri for f in files.files}
    assert "reports/2023/old/index.html" in uris
    assert files.copies == {"data/reports/2023/a.json": "data/reports/2023/new.json"}
    taken = record_files(history, current, {"reports/2023/new.md", "reports/2023/old.md"}, None)
    assert "reports/2023/old/index.html" not in {f.uri for f in taken.files}
    rows = json.loads(next(f.content for f in files.files if f.uri == "data/versions.json"))
    assert rows[0]["versions"][0]["text"] == "data/versions/a.txt/v1.txt"
    assert rows[0]["versions"][1]["text"] is None  # the current version: its raw file is the download


def test_a_withdrawn_report_gets_a_notice_with_its_history():
    history = History(Path("history"))
    history.entries["a.txt"] = Entry("a.txt", (version(1, ("x",), title=HOSTILE),), Withdrawal("2024-05-01", HOSTILE))
    files = record_files(history, {}, set(), None)
    notice = next(f for f in files.files if f.uri == "reports/2023/a.md")
    body = str(notice.content).split("\n---\n", 1)[1]  # the front matter is data the templates escape
    assert "2024-05-01" in body and html.escape(HOSTILE) in body and "<script>" not in body


def test_a_published_file_that_is_gone_is_an_error_naming_withdraw():
    history = History(Path("history"))
    history.entries["a.txt"] = Entry("a.txt", (version(1, ("x",)),))
    history.entries["b.txt"] = Entry("b.txt", (version(1, ("x",)),), Withdrawal("2024-05-01", "r"))
    found = missing_sources(history, present=set())
    assert [(d.file, d.severity, d.code) for d in found] == [("a.txt", "error", "published-file-missing")]
    assert "withdraw a.txt" in found[0].message


@pytest.mark.parametrize("key, value", [
    ("page", "../../../evil.md"), ("page", "about.md"), ("agency_page", "agencies/../about.md"),
    ("data", "/etc/passwd"), ("page", "reports/2023/x.md/../../y.md"),
])
def test_an_edited_record_cannot_point_outside_the_sites_folders(key: str, value: str):
    data = json.loads(encode(Entry("a.txt", (version(1, ("x",)),))))
    data["versions"][0][key] = value
    with pytest.raises(HistoryError, match="不是本站生成的地址"):
        decode(json.dumps(data), "a.txt.json")
