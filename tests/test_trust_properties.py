"""Hostile input through the whole build (issue #16): random Unicode — control and format characters,
bidi overrides, lone surrogates through sidecars — markup, Markdown and template syntax in report
titles, headings, body text, sidecar values (title, agency, note) and an agency's name in agencies.yml.

Each example is a real ``python build_site.py`` (and ``build_site.py check --format json``) of a copy
of the project whose seeds/ holds two of the seeds and the hostile report, so the examples are few.
What must hold whatever the input:

- no markup from the input in any HTML page: no ``<script>``, ``<svg>``, ``<img>`` or ``<iframe>``
  start tag carrying what the input holds, no attribute named ``on…``, no ``javascript:`` URL, no
  template evaluated;
- every XML output parses (feed.xml, sitemap.xml, compliance/charts/*.svg);
- no CSV cell starts a formula (data/reports.csv, data/figures.csv);
- a character XML does not allow, left out of the feed and the charts, is named by a finding
  (``control-character``) for its report;
- no Python traceback (nor an internal error), no raw control character from the input on the terminal,
  and the exit status matches the findings: 0 when ``check --format json`` lists no error, else 1.

A check that fails because of a file another engineer owns is marked ``xfail`` with the owner named
(see :data:`KNOWN`), so it can be removed once their fix lands.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from conftest import ROOT, copy_project
from lawreports.site import markup as md

#: Two seeds beside the hostile report: enough for listings, comparisons and charts.
KEEP_SEEDS = ("003_9f76e420dcbb0c26.txt", "004_6794a1f585b17187.txt")
HOSTILE_FILE = "900_hostile.txt"
SITE_URL = "https://example.org/reports/"
#: ``7*7777`` is 54439: a template that is evaluated shows the product.
EVALUATED = "54439"

#: What an attacker types. Every markup payload carries ``alert(7)``, ``src=x`` or ``javascript:``,
#: so a tag made from it can be told from the theme's own.
MARKUP = [
    "<script>alert(7)</script>", "<svg/onload=alert(7)>", '"><img src=x onerror=alert(7)>',
    "'><iframe src=javascript:alert(7)></iframe>", "<img src=x onerror=alert(7)//", "<svg><script>alert(7)</script>",
    "<a href=javascript:alert(7)>x</a>", "</title><script>alert(7)</script>", "<!--", "-->", "]]>", "<![CDATA[",
    "&lt;script&gt;", "&#60;script&#62;alert(7)", "<style>*{}</style>", "<b onmouseover=alert(7)>",
]  # fmt: skip
MARKDOWN = ["# ", "## x", "* ", "_x_", "**x**", "[x](javascript:alert(7))", "![x](x)", "`x`", "> ", "---", "|a|b|",
            "{: onclick=alert(7) }", "{#id}", "<https://x>", "[^1]", "\\", "~~x~~", "{ .x onload=alert(7) }"]
TEMPLATE = ["{{ 7*7777 }}", "{% if true %}x{% endif %}", "{%", "%}", "{#", "#}", "{{", "}}", "${7*7777}",
            "{{ config }}", "{% raw %}"]
SPREADSHEET = ["=1+1", "=HYPERLINK(\"http://x\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(1)", "\t=1", "'=1"]
FORMAT = ["\u202e", "\u202d", "\u2066", "\u2067", "\u2068", "\u2069", "\u200b", "\u200d", "\u200e", "\u200f",
          "\ufeff", "\u00ad", "\u2028", "\u2029", "\u061c", "\u034f"]
#: Characters XML 1.0 does not allow, C1 controls and an escape sequence (the terminal must not run it).
CONTROL = ["\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b[31m", "\x1b]0;x\x07", "\x7f", "\x85", "\x9b",
           "\ufffe", "\uffff"]
SURROGATE = ["\ud800", "\udfff", "\ud83d"]

printable = st.text(st.characters(exclude_categories=("Cs", "Cc", "Co")), min_size=1, max_size=6)
any_char = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=3)
hostile_piece = st.one_of(
    st.sampled_from(MARKUP), st.sampled_from(MARKDOWN), st.sampled_from(TEMPLATE), st.sampled_from(SPREADSHEET),
    st.sampled_from(FORMAT), printable,
)
#: Text for the raw file: mostly what a reader accepts (a control character refuses the whole file).
in_text = st.one_of(
    st.lists(hostile_piece, min_size=1, max_size=4).map("".join),
    st.lists(st.one_of(hostile_piece, any_char, st.sampled_from(CONTROL)), min_size=1, max_size=3).map("".join),
)
#: Text for sidecar values: anything, lone surrogates included (YAML escapes carry them).
in_yaml = st.lists(st.one_of(hostile_piece, any_char, st.sampled_from(CONTROL), st.sampled_from(SURROGATE)),
                   min_size=1, max_size=4).map("".join)
maybe = st.one_of(st.none(), in_yaml)


def one_line(text: str) -> str:
    """The text on one line of the raw file (only CR and LF end a line; U+2028, VT, FF … stay)."""
    return text.replace("\r", " ").replace("\n", " ")


def report_text(title: str, heading: str, sub: str, body: str) -> str:
    """A report the parser takes as one (title, parts, signature) with the hostile pieces in place."""
    return (
        f"{one_line(title)}测试区司法局2023年度法治政府建设情况报告\n"
        "区委、区政府：\n"
        f"2023年，测试区司法局认真落实法治政府建设部署。{body}\n"
        f"一、{one_line(heading)}2023年推进法治政府建设的主要举措和成效\n"
        f"（一）{one_line(sub)}统筹推进法治政府建设\n"
        f"全年召开培训会12次，办理行政复议案件274件。{body}\n"
        "（二）持续强化审查备案制度\n"
        "加大备案监督力度，做到有件必备、有备必查、有错必纠，全年审查文件36件。\n"
        "二、2023年推进法治政府建设存在的不足和原因\n"
        f"一是法治宣传的针对性还不够强。{body}\n"
        "三、2023年主要负责人履行推进法治政府建设第一责任人职责情况\n"
        "主要负责人认真履行第一责任人职责，专题研究法治政府建设工作4次。\n"
        "四、2024年推进法治政府建设的主要安排\n"
        "一是持续深化依法行政。二是加强行政执法监督。\n"
        "测试区司法局\n"
        "2024年1月10日\n"
    )


def yaml_value(value: str) -> str:
    """A YAML double-quoted scalar holding exactly ``value`` (JSON with the characters YAML refuses escaped,
    as the pipeline writes front matter)."""
    return md.YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}",
                              json.dumps(value, ensure_ascii=False))


def sidecar_text(values: dict[str, str | None]) -> str | None:
    lines = [f"{key}: {yaml_value(v)}" for key, v in values.items() if v is not None]
    return "".join(line + "\n" for line in lines) or None


def agencies_text(name: str, slug: bool) -> str:
    """The repository's agencies.yml with one more agency, named ``name``, whose alias the hostile report uses
    (its URL name given, or made from the name)."""
    base = (ROOT / "agencies.yml").read_text(encoding="utf-8").rstrip("\n")
    return (f"{base}\n\n  - name: {yaml_value(name)}\n    aliases: [测试区司法局]\n    region: 天津市测试区\n"
            "    type: department\n" + ("    slug: ce-shi-qu-si-fa-ju\n" if slug else ""))


# ---------------------------------------------------------------------------------------------
# What the build wrote

HOSTILE_TAGS = frozenset({"script", "svg", "img", "iframe"})
#: What only the input's markup carries (the theme's own tags carry none of it).
INPUT_MARKS = ("alert(", "javascript:", "onerror", "onload")


class Tags(HTMLParser):
    """Every start tag of a page, and the text inside <script> elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.lower().startswith("on"):
                self.problems.append(f"<{tag}> has the attribute {name}={value!r}")
            if value and value.strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}={value!r}>")
        if tag in HOSTILE_TAGS:
            carried = " ".join(f"{n}={v}" for n, v in attrs if v is not None)
            if any(mark in carried for mark in INPUT_MARKS) or ("src", "x") in attrs:
                self.problems.append(f"<{tag} {carried}> from the input")
        self._in_script = tag == "script"

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        self._in_script = False

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and "alert(7)" in data:
            self.problems.append(f"<script> running {data[:60]!r}")


def html_problems(site: Path) -> list[str]:
    problems = []
    for page in sorted(site.rglob("*.html")):
        parser = Tags()
        text = page.read_text(encoding="utf-8")
        parser.feed(text)
        parser.close()
        problems += [f"{page.relative_to(site)}: {p}" for p in parser.problems]
        if EVALUATED in text:
            problems.append(f"{page.relative_to(site)}: a template was evaluated ({EVALUATED})")
    return problems


def xml_problems(site: Path, names: list[str]) -> list[str]:
    problems = []
    for name in names:
        path = site / name
        if not path.is_file():
            problems.append(f"{name}: missing")
            continue
        try:
            ET.fromstring(path.read_bytes())
        except ET.ParseError as err:
            problems.append(f"{name}: {err}")
    return problems


def csv_problems(site: Path) -> list[str]:
    problems = []
    for name in ("data/reports.csv", "data/figures.csv"):
        path = site / name
        if not path.is_file():
            problems.append(f"{name}: missing")
            continue
        rows = csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline=""))
        for n, row in enumerate(rows, start=1):
            for cell in row:
                if cell[:1] in md.FORMULA_START and not md.PLAIN_NUMBER.fullmatch(cell):
                    problems.append(f"{name}:{n}: {cell[:40]!r} starts a formula")
    return problems


# ---------------------------------------------------------------------------------------------
# The property

#: Sub-assertions that fail because of a file another engineer owns → who fixes it (and where).
#: Such a failure marks the test xfail (after every example ran); any other failure fails it.
KNOWN: dict[str, str] = {}
#: The values of a report that reach an XML file (the feed's entry, the charts' labels).
XML_FIELDS = ("title", "display_title", "agency", "agency_key", "region", "source")


#: What would drive a terminal (an escape sequence, a bell, a backspace …): never printed raw from the input.
TERMINAL_CONTROL = re.compile("[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f]")


def run(project: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("SOURCE_DATE_EPOCH", "LAWREPORTS_GENERATED")}
    env.update(SITE_URL=SITE_URL, NO_MKDOCS_2_WARNING="1", PYTHONHASHSEED="0", LC_ALL="C.UTF-8")
    return subprocess.run([sys.executable, "build_site.py", *args], cwd=project, env=env, capture_output=True,
                          text=True, errors="replace", timeout=600)


def problems_of(check: subprocess.CompletedProcess, built: subprocess.CompletedProcess, site: Path) -> dict:
    """Every sub-assertion's problems (empty lists when it holds)."""
    found: dict[str, list[str]] = {}
    found["traceback"] = [" ".join(r.args[1:]) for r in (check, built) if "Traceback" in r.stdout + r.stderr]
    found["terminal"] = [f"{' '.join(r.args[1:])}: {m.group()!r}" for r in (check, built)
                         for m in [TERMINAL_CONTROL.search(r.stdout + r.stderr)] if m]
    found["internal-error"] = [" ".join(r.args[1:]) for r in (check, built) if "程序内部错误" in r.stdout + r.stderr]
    try:
        findings = json.loads(check.stdout)
        found["check-json"] = []
    except ValueError as err:
        findings = []
        found["check-json"] = [f"check --format json printed no JSON: {err}"]
    errors = [f for f in findings if isinstance(f, dict) and f.get("severity") == "error"]
    want = 1 if errors else 0
    found["check-exit"] = [f"check exit {check.returncode}, {len(errors)} errors"] if check.returncode != want else []
    named = [(e.get("code"), e.get("message")) for e in errors]
    found["build-exit"] = [f"build exit {built.returncode}, errors: {named}"] if built.returncode != want else []
    if not (site / "index.html").is_file():  # a settings or agencies.yml error stops the build: nothing published
        found["site"] = ["no site was published, yet the build exited 0"] if built.returncode == 0 else []
        return found
    found["html"] = html_problems(site)
    found["xml-sitemap"] = xml_problems(site, ["sitemap.xml"])
    charts = sorted(p.relative_to(site).as_posix() for p in (site / "compliance" / "charts").glob("*.svg"))
    found["xml"] = xml_problems(site, ["feed.xml", *charts]) + ([] if charts else ["no chart"])
    found["csv"] = csv_problems(site)
    found["xml-reported"] = unreported(site, findings)
    return found


def unreported(site: Path, findings: list) -> list[str]:
    """Characters XML does not allow, left out of the feed and the charts, that no finding names."""
    rows = json.loads((site / "data" / "reports.json").read_text(encoding="utf-8"))
    bad = [f"{row['source']} {key}: {row[key]!r}" for row in rows for key in XML_FIELDS
           if isinstance(row.get(key), str) and md.XML_UNSAFE.search(row[key])]
    named = {f.get("file") for f in findings if isinstance(f, dict) and f.get("code") == "control-character"}
    return [b for b in bad if b.split(" ")[0] not in named]


def build_hostile(template: Path, title: str, heading: str, sub: str, body: str, sidecar: dict[str, str | None],
                  agency_name: str, slug: bool = True) -> dict[str, list[str]]:
    """Build a copy of ``template`` with the hostile report, sidecar and agency; the problems found."""
    with tempfile.TemporaryDirectory(prefix="trust-") as tmp:
        project = Path(tmp) / "project"
        shutil.copytree(template, project, symlinks=True)
        seeds = project / "seeds"
        (seeds / HOSTILE_FILE).write_text(report_text(title, heading, sub, body), encoding="utf-8")
        side = sidecar_text(sidecar)
        if side is not None:
            (seeds / HOSTILE_FILE).with_suffix(".meta.yml").write_text(side, encoding="utf-8")
        (project / "agencies.yml").write_text(agencies_text(agency_name, slug), encoding="utf-8")
        check = run(project, "check", "--format", "json")
        built = run(project)
        found = problems_of(check, built, project / "site")
        if any(found.values()):
            found["output"] = [f"check exit {check.returncode}:\n{check.stdout[-2000:]}{check.stderr[-2000:]}",
                               f"build exit {built.returncode}:\n{built.stdout[-2000:]}{built.stderr[-3000:]}"]
        return found


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A copy of the project with two seeds (each example copies it again)."""
    project = copy_project(tmp_path_factory.mktemp("trust") / "project")
    for path in (project / "seeds").iterdir():
        if path.name not in KEEP_SEEDS:
            path.unlink()
    return project


@pytest.mark.slow
def test_hostile_input_never_becomes_markup_formula_or_broken_xml(template):
    known: list[str] = []

    # Each example is a real build (~5 s): few examples, and no shrinking (a failure prints its example).
    @settings(max_examples=10, deadline=None, phases=(Phase.explicit, Phase.reuse, Phase.generate),
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])  # fmt: skip
    @given(title=in_text, heading=in_text, sub=in_text, body=in_text, side_title=maybe, side_agency=maybe,
           side_note=maybe, agency_name=in_text, slug=st.booleans())  # fmt: skip
    # The issue's own cases, always tried: markup everywhere; characters XML refuses in the sidecar, in the text
    # (a form feed and U+FFFE pass the reader) and in agencies.yml (which stops the build: nothing published).
    @example(title="<svg/onload=alert(7)>", heading='"><img src=x onerror=alert(7)>', sub="{{ 7*7777 }}",
             body="<script>alert(7)</script>[x](javascript:alert(7)) {% if true %}x{% endif %} =1+1",
             side_title="<svg/onload=alert(7)>测试区司法局2023年度报告",
             side_agency="<script>alert(7)</script>测试区司法局",
             side_note="{{ 7*7777 }}<img src=x onerror=alert(7)>", agency_name="<svg/onload=alert(7)>测试区司法局",
             slug=False)
    @example(title="\u202e测试", heading="=cmd|' /C calc'!A0", sub="@SUM(1)", body="-2+3",
             side_title="测试\x01\x1b[31m\ufffe\ud800", side_agency="测试区\x0b司法局", side_note="\x00\uffff",
             agency_name="测试区\u202e司法局", slug=True)
    @example(title="\x0c测试\ufffe", heading="\ufffe", sub="\x0c", body="\uffff", side_title=None, side_agency=None,
             side_note=None, agency_name="测试区司法局\x0c", slug=False)
    @example(title="", heading="", sub="", body="", side_title=None, side_agency=None, side_note=None,
             agency_name="测试区\x1b]0;x\x07司法局\ud83d", slug=False)
    def one(title, heading, sub, body, side_title, side_agency, side_note, agency_name, slug):
        found = build_hostile(template, title, heading, sub, body,
                              {"title": side_title, "agency": side_agency, "note": side_note}, agency_name, slug)
        output = found.pop("output", [])
        unknown = {kind: p[:5] for kind, p in found.items() if p and kind not in KNOWN}
        assert not unknown, json.dumps(unknown, ensure_ascii=False, indent=1) + "\n" + "\n".join(output)
        known.extend(f"{kind} ({KNOWN[kind]}): {p[:2]}" for kind, p in found.items() if p)

    one()
    if known:
        pytest.xfail("failures in files other engineers own:\n" + "\n".join(known))
