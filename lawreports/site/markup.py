"""Small Markdown builders for generated pages: escaping report-derived text, links, tables.

Report text (titles, agency names, regions) is data. Everything that comes from a report goes
through :func:`text` before it is put into Markdown, so ``*``, ``_``, ``[``, ``|``, ``<script>``
or ``&amp;`` in a title show as written and never become markup.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import posixpath
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from urllib.parse import quote
from xml.etree import ElementTree as ET

from ..text import XML_UNSAFE
from .htmlblock import block

#: ASCII characters that mean something to Python-Markdown, its extensions (tables, attr_list,
#: md_in_html) or HTML. They are written as numeric character references, which every stage
#: passes through untouched and the browser shows as the character.
_SPECIAL = frozenset("\\`*_{}[]()#+-.!|<>&\"'~^=:")


def text(value: object) -> str:
    """Escape report-derived text for inline Markdown (also safe inside a table cell).

    >>> text("a*b* [x](y) <script> | &amp;")
    'a&#42;b&#42; &#91;x&#93;&#40;y&#41; &#60;script&#62; &#124; &#38;amp;'
    >>> text("南开区司法局")
    '南开区司法局'

    Line breaks and tabs become spaces: a table row or a link text is one line.
    """
    s = " ".join(str(value).split()) if any(c in str(value) for c in "\r\n\t\f\v") else str(value)
    return "".join(f"&#{ord(c)};" if c in _SPECIAL else c for c in s)


def attr(value: object) -> str:
    """Escape a value for a double-quoted HTML or attr_list attribute."""
    return html.escape(" ".join(str(value).split()), quote=True)


def rel(from_uri: str, to_uri: str) -> str:
    """The relative link from one docs file to another, both relative to docs_dir, quoted for a
    Markdown link (MkDocs turns its ``.md`` into the page's URL).

    >>> rel("years/2023.md", "reports/2023/si-fa-ju.md")
    '../reports/2023/si-fa-ju.md'
    >>> rel("index.md", "years/2023.md"), rel("reports/2023/x.md", "data/sources/a#1 b.txt")
    ('years/2023.md', '../../data/sources/a%231%20b.txt')
    """
    return _quote_path(relative_url(from_uri, to_uri))


def link(label_markdown: str, from_uri: str, to_uri: str, fragment: str | None = None, attrs: str = "") -> str:
    """A Markdown link; ``label_markdown`` must already be escaped (see :func:`text`)."""
    href = rel(from_uri, to_uri) + (f"#{_quote_fragment(fragment)}" if fragment else "")
    return f"[{label_markdown}]({href})" + (f"{{ {attrs} }}" if attrs else "")


def url(uri: str) -> str:
    """The site URL of a docs file (``use_directory_urls``, which mkdocs.yml sets).

    >>> url("index.md"), url("compare/index.md"), url("changes/a/2024.md"), url("data/figures.csv")
    ('', 'compare/', 'changes/a/2024/', 'data/figures.csv')
    """
    if not uri.endswith(".md"):
        return uri
    stem = uri[: -len(".md")]
    if stem == "index":
        return ""
    return stem[: -len("index")] if stem.endswith("/index") else stem + "/"


def href(from_uri: str, to_uri: str, fragment: str | None = None) -> str:
    """A relative URL for HTML the project writes itself (see ``rawhtml``), escaped for an attribute.

    MkDocs rewrites the ``.md`` links of Markdown; HTML passed through untouched needs the URL.

    >>> href("changes/a/2024.md", "reports/2024/x.md", "plans")
    '../../../reports/2024/x/#plans'
    >>> href("tags/index.md", "tags/index.md", "kw-a"), href("tags/page-2.md", "index.md")
    ('./#kw-a', '../../')
    >>> href("index.md", "compare/index.md"), href("compare/figures.md", "data/figures.csv")
    ('compare/', '../../data/figures.csv')
    >>> href("reports/2024/x.md", "reports/2023/x.md"), href("years/2024.md", "years/2024/page-2.md")
    ('../../2023/x/', 'page-2/')
    """
    target = relative_url(url(from_uri), url(to_uri))
    link = _quote_path(target) + (f"#{_quote_fragment(fragment)}" if fragment else "")
    return attr(link)


# A build writes about a million links over a few thousand distinct paths and anchors.
@lru_cache(maxsize=65536)
def _quote_path(target: str) -> str:
    # "#" and "?" too: a raw file's name may hold them (a fragment is added on its own)
    return quote(target, safe="/-._~")


@lru_cache(maxsize=65536)
def _quote_fragment(fragment: str) -> str:
    return quote(fragment, safe="-._~")


def relative_url(here: str, there: str) -> str:
    """The relative link between two paths below one root, unquoted: the one place relative links
    are made (:func:`rel` for docs files, :func:`href` for site URLs). A path ending in ``/`` (or
    empty: the root) is a folder, any other a file in its folder.

    >>> relative_url("compliance/", "reports/2023/x/"), relative_url("compliance/page-2/", "")
    ('../reports/2023/x/', '../../')
    >>> relative_url("years/2023.md", "reports/2023/x.md"), relative_url("compliance/", "compliance/")
    ('../reports/2023/x.md', './')

    String work, not posixpath.relpath: a build makes tens of thousands of these links, and both
    paths are clean (no "." or "..").
    """
    folder = here if here.endswith("/") or not here else (posixpath.dirname(here) + "/").lstrip("/")
    up, down = folder.split("/")[:-1], there.split("/")
    same = 0
    while same < len(up) and same < len(down) - 1 and up[same] == down[same]:
        same += 1
    return "../" * (len(up) - same) + "/".join(down[same:]) or "./"


def a(label_html: str, from_uri: str, to_uri: str, fragment: str | None = None, css: str = "") -> str:
    """An HTML link; ``label_html`` must already be escaped."""
    cls = f' class="{attr(css)}"' if css else ""
    return f'<a href="{href(from_uri, to_uri, fragment)}"{cls}>{label_html}</a>'


def date(value: dt.date | None) -> str:
    """ISO date, or an em dash for unknown."""
    return value.isoformat() if value else "—"


def month_day(mm_dd: str) -> str:
    """``"04-01"`` → ``4月1日``; anything else is shown escaped as given."""
    try:
        month, day = (int(p) for p in mm_dd.split("-"))
        dt.date(2000, month, day)
    except (ValueError, TypeError):
        return text(mm_dd)
    return f"{month}月{day}日"


def table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A Markdown table; cells must already be Markdown (escaped where they hold data)."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(cell or " " for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def html_table(headers: Sequence[str], rows: Iterable[Sequence[str]], css: str = "") -> str:
    """A table as one HTML block Markdown passes through (see ``rawhtml``): a listing of hundreds
    of links costs Python-Markdown's inline patterns far more than it costs to write the HTML.
    Headers are plain text; cells must already be HTML (escaped where they hold data)."""
    cls = f' class="{attr(css)}"' if css else ""
    head = "".join(f'<th scope="col">{html.escape(h)}</th>' for h in headers)
    body = "\n".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return block(f"<table{cls}>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>")


def front_matter(meta: Mapping[str, object]) -> str:
    """YAML front matter, the one writer of it: a line per key, each value written as JSON (JSON is
    YAML: strings double-quoted with JSON's escapes, lists and mappings in flow style). Values are data,
    whatever their characters: those a YAML reader refuses, or reads as a line break, are escaped too.
    PyYAML's own writer gave the same values ~10× slower (one front matter per generated page).

    >>> print(front_matter({"title": "南开区：2023 #1", "year": 2023, "parts": {"measures": None}}), end="")
    ---
    title: "南开区：2023 #1"
    year: 2023
    parts: {"measures": null}
    ---
    <BLANKLINE>
    """
    lines = [f"{key if _plain(key) else _json(key)}: {_json(value)}" for key, value in meta.items()]
    return "---\n" + "".join(line + "\n" for line in lines) + "---\n\n"


PLAIN_KEY = re.compile(r"[a-z_][a-z0-9_]*")
#: Plain words YAML 1.1 reads as booleans or null: quoted when they are keys.
YAML_WORDS = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null"})
#: What a YAML reader refuses in a document (C0/C1 controls, surrogates, U+FFFE/FFFF) or reads as a line
#: break (NEL, U+2028/2029): written as ``\uXXXX`` escapes, which mean the same character in YAML.
YAML_UNSAFE = re.compile("[^\t\n\r\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _plain(key: str) -> bool:
    return bool(PLAIN_KEY.fullmatch(key)) and key not in YAML_WORDS


def _json(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "), default=str)
    return YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)



# ---------------------------------------------------------------------------------------------
# Files other programs open: spreadsheets (CSV) and XML readers (feed, SVG)

#: The first characters that make a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
FORMULA_START = frozenset("=+-@\t\r")
#: A cell that is only a number (``-3``, ``+0.5``, ``1e-05``): a spreadsheet reads it as that number,
#: never as a formula, so it is written as it is (a negative count stays a number one can sum).
PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def csv_cell(value: object) -> str:
    """One CSV cell, safe to open in Excel, WPS or LibreOffice: the one function for every CSV the
    site writes. ``None`` is an empty cell, a list its items joined by ``;``. A cell that begins with
    ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'`` (what OWASP recommends
    against spreadsheet formula injection), unless the whole cell is a plain number; so does a cell
    whose leading ``'`` are followed by one of them, so that the rule reads back exactly: a cell that
    begins with ``'`` and, after its leading ``'``, with one of those characters lost its first ``'``.

    >>> csv_cell("=1+1"), csv_cell("@SUM(A1)"), csv_cell("-1+cmd"), csv_cell("+86 22"), csv_cell("- 一是")
    ("'=1+1", "'@SUM(A1)", "'-1+cmd", "'+86 22", "'- 一是")
    >>> csv_cell(-3), csv_cell("-3"), csv_cell("+0.5"), csv_cell(None), csv_cell(["a", "b"]), csv_cell("南开区")
    ('-3', '-3', '+0.5', '', 'a;b', '南开区')
    >>> csv_cell(chr(9) + "=1") == "'" + chr(9) + "=1", csv_cell(chr(13) + "=1") == "'" + chr(13) + "=1"
    (True, True)
    >>> csv_cell("'=1"), csv_cell("'-3"), csv_cell("'引号")
    ("''=1", "''-3", "'引号")
    """
    if value is None:
        return ""
    text = ";".join(str(v) for v in value) if isinstance(value, (list, tuple)) else str(value)
    first = text[:1]
    if first in FORMULA_START and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    if first == "'" and text.lstrip("'")[:1] in FORMULA_START:
        return "'" + text
    return text


def csv_value(cell: str) -> str:
    """The value :func:`csv_cell` was given (as text): what a program reading the CSV does.

    >>> [csv_value(csv_cell(v)) for v in ("=1", "'=1", "''-3", "-3", "'a", "")]
    ['=1', "'=1", "''-3", '-3', "'a", '']
    """
    return cell[1:] if cell[:1] == "'" and cell.lstrip("'")[:1] in FORMULA_START else cell




def xml_safe(value: str) -> str:
    """``value`` without the characters XML 1.0 does not allow: the one function the values of every
    XML output (the Atom feed, the SVG charts) pass through, so the file parses whatever the input.
    An input that holds such a character is a finding at the input (``control-character``); removing
    it here only keeps the file well-formed.

    >>> xml_safe("a" + chr(0) + "b" + chr(27) + "c" + chr(0xFFFE) + chr(0xFFFF) + chr(0xD800) + "d")
    'abcd'
    >>> xml_safe("南开区 <b> & 一" + chr(9) + "二" + chr(10)) == "南开区 <b> & 一" + chr(9) + "二" + chr(10)
    True
    """
    return XML_UNSAFE.sub("", value) if XML_UNSAFE.search(value) else value


def xml_safe_tree(root: ET.Element) -> ET.Element:
    """Every text, tail, attribute name and value of ``root`` and its descendants through
    :func:`xml_safe`, in place (just before the tree is serialised); returns ``root``."""
    for node in root.iter():
        if node.text:
            node.text = xml_safe(node.text)
        if node.tail:
            node.tail = xml_safe(node.tail)
        if any(XML_UNSAFE.search(k) or XML_UNSAFE.search(v) for k, v in node.attrib.items()):
            node.attrib = {xml_safe(k): xml_safe(v) for k, v in node.attrib.items()}
    return root
