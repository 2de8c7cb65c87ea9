"""Stage 1 (read.py): bytes → text, strictly decoded, nothing lost, bad text refused with its line."""

from __future__ import annotations

import codecs
import hashlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lawreports.read import LINE_END, ReadError, bad_character, decode, read_source, source_from_bytes, split_lines

TEXT = "南开区司法局2023年度法治政府建设情况报告\n一、主要举措\n（一）坚持学法。全年学法12次。\n"


# -- decoding ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data, encoding",
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), "utf-16"),
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16"),
        (TEXT.encode("gbk"), "gb18030"),
        (TEXT.encode("gb18030"), "gb18030"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-le-bom", "utf-16-be-bom", "gbk", "gb18030"],
)
def test_every_accepted_encoding_gives_the_same_text(data, encoding):
    text, used = decode(data)
    assert text == TEXT  # the BOM is stripped, nothing else changes
    assert used == encoding


def test_gb18030_only_characters_decode():
    text = "䶮𠀀㐀"  # beyond GBK: four-byte GB18030 sequences
    assert decode(text.encode("gb18030")) == (text, "gb18030")


def test_utf16_without_bom_is_not_guessed():
    with pytest.raises(ReadError) as err:
        source_from_bytes("x.txt", TEXT.encode("utf-16-le"))
    assert err.value.code in ("undecodable", "bad-character")  # NUL bytes: refused, never guessed


def test_undecodable_bytes_are_an_error_with_their_line():
    data = "第一行\n第二行\n".encode() + b"\x80\xff\xfe\n"
    with pytest.raises(ReadError) as err:
        source_from_bytes("x.txt", data)
    assert err.value.code == "undecodable"
    assert err.value.line == 3
    assert "UTF-8" in err.value.message and "GB18030" in err.value.message


def test_bad_bytes_after_a_utf8_bom_are_not_decoded_another_way():
    with pytest.raises(ReadError) as err:
        source_from_bytes("x.txt", codecs.BOM_UTF8 + "报告".encode("gbk") + b"\xff")
    assert err.value.code == "undecodable"


# -- line endings ------------------------------------------------------------------------------------


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
def test_line_numbers_are_the_same_for_every_line_ending(ending):
    text = ending.join(["标题", "", "一、举措", "正文。"]) + ending
    lines = split_lines(text)
    assert [(line.number, line.text) for line in lines] == [(1, "标题"), (2, ""), (3, "一、举措"), (4, "正文。")]


def test_mixed_line_endings_each_end_one_line():
    assert [line.text for line in split_lines("a\r\nb\rc\nd")] == ["a", "b", "c", "d"]
    assert [line.text for line in split_lines("a\r\rb")] == ["a", "", "b"]  # two CRs: an empty line between


def test_spaces_tabs_and_wide_spaces_are_kept():
    source = source_from_bytes("x.txt", "\u3000\u3000一、\t举措\u00a0正文 \f\n".encode("utf-8"))
    assert source.lines[0].text == "\u3000\u3000一、\t举措\u00a0正文 \f"


# -- what cannot be published ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "char, what",
    [
        ("\x00", "控制字符 U+0000"),
        ("\x07", "控制字符 U+0007"),
        ("\x0b", "控制字符 U+000B"),
        ("\x1b", "控制字符 U+001B"),
        ("\x7f", "控制字符 U+007F"),
        ("\x85", "控制字符 U+0085"),
        ("\ufffd", "U+FFFD"),
        ("\ue000", "私用区字符 U+E000"),
        ("\uf8ff", "私用区字符 U+F8FF"),
        ("\U000f0000", "私用区字符 U+F0000"),
        ("\U0010fffd", "私用区字符 U+10FFFD"),
    ],
)
@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
def test_bad_characters_are_refused_with_their_line(char, what, ending):
    text = ending.join(["标题", "正文第一段。", f"正文{char}第二段。", "完"])
    with pytest.raises(ReadError) as err:
        source_from_bytes("x.txt", text.encode("utf-8"))
    assert err.value.code == "bad-character"
    assert err.value.line == 3
    assert what in err.value.message


@pytest.mark.parametrize("char", ["\t", "\f", "\u3000", "\u00a0", "\u200b", "\ufeff", "𠀀"])
def test_ordinary_characters_are_accepted(char):
    assert bad_character(f"正文{char}正文") is None


def test_private_use_from_gb18030_user_defined_area_is_refused():
    # GB18030 maps its user-defined area (造字 made with a custom font) to private-use code points
    data = "报告".encode("gb18030") + b"\xaa\xa1"
    assert decode(data)[0][-1] == "\ue000"
    with pytest.raises(ReadError) as err:
        source_from_bytes("x.txt", data)
    assert err.value.code == "bad-character" and "私用区" in err.value.message


@pytest.mark.parametrize(
    "data",
    [b"", b"   \n\t\r\n", "\u3000\u3000\n".encode("utf-8"), codecs.BOM_UTF8, codecs.BOM_UTF16_LE + "  ".encode("utf-16-le")],
    ids=["empty", "whitespace", "wide-spaces", "bom-only", "utf16-spaces"],
)
def test_empty_or_blank_files_are_refused(data):
    with pytest.raises(ReadError) as err:
        source_from_bytes("x.txt", data)
    assert err.value.code == "empty"


def test_binary_data_is_refused():
    data = bytes(range(256)) * 4
    with pytest.raises(ReadError) as err:
        source_from_bytes("x.bin.txt", data)
    assert err.value.code in ("undecodable", "bad-character")


# -- files ---------------------------------------------------------------------------------------------


def test_read_source_records_name_hash_size(tmp_path: Path):
    data = TEXT.encode("gbk")
    path = tmp_path / "报告.TXT"
    path.write_bytes(data)
    source = read_source(path)
    assert source.name == "报告.TXT"
    assert source.sha256 == hashlib.sha256(data).hexdigest()
    assert source.size == len(data)
    assert source.encoding == "gb18030"
    assert [line.text for line in source.lines] == TEXT.splitlines()


@pytest.mark.parametrize("suffix", [".doc", ".wps", ".DOC"])
def test_word_and_wps_files_get_save_as_docx_advice(tmp_path: Path, suffix):
    path = tmp_path / f"report{suffix}"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(ReadError) as err:
        read_source(path)
    assert err.value.code == "unsupported-format"
    assert "请另存为 .docx" in err.value.message


@pytest.mark.parametrize("suffix", [".html", ".rtf", ""])
def test_other_formats_are_not_supported(tmp_path: Path, suffix):
    path = tmp_path / f"report{suffix}"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(ReadError) as err:
        read_source(path)
    assert err.value.code == "unsupported-format"
    assert "暂不支持" in err.value.message


# -- properties ----------------------------------------------------------------------------------------

PUBLISHABLE = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Co"), blacklist_characters="\ufffd"), max_size=300
).filter(lambda t: bad_character(t) is None and t.strip() and not t.startswith("\ufeff"))
# (a leading U+FEFF in UTF-8 bytes is a byte order mark by definition: it is stripped, not published)


@settings(max_examples=200, deadline=None)
@given(PUBLISHABLE, st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
def test_nothing_is_lost(text, encoding):
    """Every character of a publishable text comes back, in order, whatever the encoding."""
    source = source_from_bytes("p.txt", text.encode(encoding))
    expected = LINE_END.sub("\n", text)
    assert "\n".join(line.text for line in source.lines) == (expected[:-1] if expected.endswith("\n") else expected)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_arbitrary_bytes_never_crash(data):
    try:
        source = source_from_bytes("p.txt", data)
    except ReadError as err:
        assert err.code in ("empty", "undecodable", "bad-character")
    else:
        assert source.lines
