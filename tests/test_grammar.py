"""The grammar, case by case, from tests/cases/grammar.yml (add cases there, not here)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import yaml

from lawreports.model import Heading, Paragraph, SourceText
from lawreports.parse import parse_report
from lawreports.read import split_lines

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "grammar.yml").read_text(encoding="utf-8"))


def parse_text(text: str, default_region: str | None = None):
    data = text.encode("utf-8")
    source = SourceText(name="case.txt", sha256=hashlib.sha256(data).hexdigest(), encoding="utf-8",
                        lines=split_lines(text), size=len(data))
    return parse_report(source, default_region=default_region)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_grammar_case(case):
    report = parse_text(case["text"], case.get("settings_region"))
    expect = case["expect"]
    titles = {h.anchor: h.title for h in report.headings}
    for key in ("title", "agency", "year", "region", "index_no", "addressee"):
        if key in expect:
            assert getattr(report, key) == expect[key], key
    for key in ("written", "published"):
        if key in expect:
            value = getattr(report, key)
            assert (value.isoformat() if value else None) == expect[key], key
    if "sections" in expect:
        assert [[h.level, h.title] for h in report.headings] == expect["sections"]
    if "parts" in expect:
        got = {key: titles.get(anchor) if anchor else None for key, anchor in report.parts.items()}
        for key, want in expect["parts"].items():
            assert got[key] == want, key
    if "parts_within" in expect:
        assert {k: titles[v] for k, v in report.parts_within.items()} == expect["parts_within"]
    codes = {d.code for d in report.diagnostics}
    for code in expect.get("warnings", []):
        assert code in codes
    for code in expect.get("no_warnings", []):
        assert code not in codes
    if "paragraphs" in expect:
        paragraphs = [b.text for b in report.body if isinstance(b, Paragraph)]
        for text in expect["paragraphs"]:
            assert text in paragraphs
    if "signature" in expect:
        assert report.signature is not None
        assert [" ".join(line.split()) for line in report.signature.lines] == expect["signature"]


def test_anchors_follow_the_contract():
    report = parse_text(CASES[0]["text"].replace("（一）统筹推进法治政府建设", "（一）统筹推进\n1.细化任务\n2.压实责任"))
    assert [h.anchor for h in report.headings if isinstance(h, Heading)] == [
        "measures", "measures-1", "measures-1-1", "measures-1-2"]
