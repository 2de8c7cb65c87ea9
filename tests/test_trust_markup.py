"""Markup never escapes, and the Content-Security-Policy holds (issue #16, items 1 and 10).

One real ``python build_site.py`` of a small project whose inputs are hostile: report titles that
are markup (``<svg/onload=alert(7)>…``, ``"><script>alert(1)</script>…``), template syntax
(``{{ 7*7 }}``, ``{% raw %}``), a right-to-left override; a sidecar whose title, agency, index
number and note are markup; settings (``site_name``, ``owner``, ``site_notice``, ``contact``) that
are markup. Then:

- every HTML page of the site, parsed with :mod:`html.parser`: no element carries an event-handler
  attribute or a ``javascript:`` address, no ``<img src=x>``, ``<iframe>``, ``<object>``, ``<base>``;
  every ``<script>`` is the site's own (a file of the site, the theme's JSON config, or an inline
  script whose SHA-256 the page's policy names); the hostile titles are shown as text, literally;
  ``{{ 7*7 }}`` is shown, never ``49``;
- every page has the policy as a ``<meta http-equiv>`` before anything it governs, without
  third-party origins, and no inline style (``style-src 'self'``);
- ``build_site.py check --format json`` reports the override (``format-character``, error);
- in Chromium: every page of the site, the search page with queries and a 404 fire no dialog, and
  the browser reports no CSP violation.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import os
import re
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
import yaml

from conftest import _SiteHandler, copy_project

SITE_NAME = "<svg onload=alert(23)>法治政府建设年度报告"
OWNER = "<script>alert(20)</script>天津市南开区人民政府"
NOTICE = "<svg onload=alert(21)>本站汇集公开发布的法治政府建设年度报告。"
CONTACT = '"><script>alert(22)</script>'

TITLE_SVG = "<svg/onload=alert(7)>南开区司法局2023年度法治政府建设情况报告"
TITLE_SCRIPT = '"><script>alert(1)</script>南开区投资促进局2023年度法治政府建设情况报告'
TITLE_JINJA = "{{ 7*7 }}南开区政府研究室2024年度法治政府建设情况报告"
#: Text that looks escaped already: shown as written, escaped once (never ``&amp;amp;``, never ``&``).
TITLE_AMP = "南开区商务局“R&D·法治&amp;民生”2023年度法治政府建设情况报告"
TITLE_RTL = "南开区民政局\u202e2023年度法治政府建设情况报告"
SIDECAR = {
    "title": "<img src=x onerror=alert(2)>东丽区人民政府办公室2023年度法治政府建设情况报告",
    "agency": "东丽区<script>alert(3)</script>人民政府办公室",
    "index_no": '"><svg onload=alert(5)>',
    "note": "<b onmouseover=alert(4)>{{ 7*7 }}</b>{% raw %}",
}


def report_text(title: str, agency: str, year: int, *, heading: str = "", paragraph: str = "") -> str:
    """A small report of a department with the four required parts; ``heading`` and ``paragraph``
    are put into the first sub-heading and its text."""
    return "\n".join([
        f"发布日期：{year + 1}-03-15",
        title,
        f"{year}年，{agency}在区委、区政府的正确领导下，坚持以习近平新时代中国特色社会主义思想为指导，全面推进法治政府建设。"
        "现将有关情况报告如下。",
        f"一、{year}年推进法治政府建设的主要举措和成效",
        f"（一）{heading}加强组织领导",
        f"成立法治政府建设工作领导小组，主要负责人任组长，定期召开专题会议研究解决法治建设中的重大问题。{paragraph}",
        "（二）规范行政执法",
        "全面落实行政执法公示、执法全过程记录、重大执法决定法制审核制度，全年开展执法案卷评查两次。",
        f"二、{year}年推进法治政府建设存在的不足和原因",
        "一是法治学习的系统性有待加强，学习方式较为单一。二是执法人员专业能力仍需提升，培训针对性不强。",
        f"三、{year}年主要负责人履行推进法治建设第一责任人职责情况",
        "主要负责人认真履行第一责任人职责，对法治建设重要工作亲自部署、重大问题亲自过问、重点环节亲自协调。",
        f"四、{year + 1}年推进法治政府建设的主要安排",
        "下一步，我局将持续深化法治思想学习，加强执法队伍建设，提升依法行政水平，推动法治政府建设再上新台阶。",
        agency,
        f"{year + 1}年1月10日",
        "",
    ])


SEEDS = {
    "svg.txt": report_text(TITLE_SVG, "南开区司法局", 2023, heading="<img src=x onerror=alert(8)>",
                           paragraph="<script>alert(9)</script>"),
    "script.txt": report_text(TITLE_SCRIPT, "南开区投资促进局", 2023, heading="{% raw %}",
                              paragraph="[链接](javascript:alert(11))<a href=\"javascript:alert(12)\">x</a>"),
    "jinja.txt": report_text(TITLE_JINJA, "南开区政府研究室", 2024, heading="{{ 7*7 }}",
                             paragraph="{% raw %}{{ 7*7 }}{% endraw %}"),
    "sidecar.txt": report_text("东丽区人民政府办公室2023年度法治政府建设情况报告", "东丽区人民政府办公室", 2023),
    "rtl.txt": report_text(TITLE_RTL, "南开区民政局", 2023),
    "amp.txt": report_text(TITLE_AMP, "南开区商务局", 2023, heading="“R&D”&amp;&lt;"),
}


def hostile_project(dest: Path) -> Path:
    project = copy_project(dest)
    for old in (project / "seeds").iterdir():
        old.unlink()
    for name, text in SEEDS.items():
        (project / "seeds" / name).write_text(text, encoding="utf-8")
    (project / "seeds" / "sidecar.meta.yml").write_text(yaml.safe_dump(SIDECAR, allow_unicode=True), encoding="utf-8")
    config = (project / "mkdocs.yml").read_text(encoding="utf-8")
    for key, value in (("site_name", SITE_NAME), ("    owner", OWNER), ("    site_notice", NOTICE),
                       ("    contact", CONTACT)):
        config, count = re.subn(rf"(?m)^{key}: .*$", f"{key}: {json.dumps(value, ensure_ascii=False)}", config)
        assert count == 1, key
    (project / "mkdocs.yml").write_text(config, encoding="utf-8")
    return project


def run(project: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "SOURCE_DATE_EPOCH", "LAWREPORTS_GENERATED")}
    env.update(NO_MKDOCS_2_WARNING="1", PYTHONHASHSEED="0", LC_ALL="C.UTF-8")
    return subprocess.run([sys.executable, "build_site.py", *args], cwd=project, env=env, capture_output=True,
                          text=True, timeout=600)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    project = hostile_project(tmp_path_factory.mktemp("hostile") / "project")
    result = run(project)
    site = project / "site"
    assert (site / "index.html").is_file(), f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    return project, site, result


@pytest.fixture(scope="module")
def pages(hostile) -> dict[str, Page]:
    _, site, _ = hostile
    return {p.relative_to(site).as_posix(): Page(p.read_text(encoding="utf-8")) for p in sorted(site.rglob("*.html"))}


@pytest.fixture(scope="module")
def reports(hostile) -> list[dict]:
    return json.loads((hostile[1] / "data" / "reports.json").read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------------
# The built pages, parsed


class Page(HTMLParser):
    """What a browser would make of a page: its elements, scripts, title, text and policy."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []  # inline: (attrs, text)
        self.styles = 0
        self.title: str | None = None  #: the page's <title>
        self.text: list[str] = []
        self.csp: list[str] = []
        self.before_csp: list[str] = []  # elements of <head> the policy governs, met before it
        self._in: str | None = None
        self._buffer: list[str] = []
        self._attrs: dict[str, str | None] = {}
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.elements.append((tag, a))
        if tag == "meta" and (a.get("http-equiv") or "").lower() == "content-security-policy":
            self.csp.append(a.get("content") or "")
        elif tag in ("script", "link", "style", "img") and not self.csp:
            self.before_csp.append(tag)
        if tag == "style":
            self.styles += 1
        if tag == "script" or (tag == "title" and self.title is None):  # not an SVG's <title>
            self._in, self._buffer, self._attrs = tag, [], a

    def handle_endtag(self, tag):
        if tag == self._in:
            text = "".join(self._buffer)
            if tag == "script" and "src" not in self._attrs:
                self.scripts.append((self._attrs, text))
            elif tag == "title":
                self.title = text
            self._in = None

    def handle_data(self, data):
        if self._in:
            self._buffer.append(data)
        else:
            self.text.append(data)

    @property
    def all_text(self) -> str:
        return "".join(self.text)


def sha256_source(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def directives(policy: str) -> dict[str, list[str]]:
    out = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def test_the_build_publishes_the_hostile_reports(hostile, reports):
    titles = {r["display_title"] for r in reports}
    for title in (TITLE_SVG, TITLE_SCRIPT, TITLE_JINJA, TITLE_AMP, SIDECAR["title"]):
        assert title in titles, sorted(titles)


def test_no_markup_from_the_input_in_any_page(pages):
    assert len(pages) > 10
    problems = []
    for name, page in pages.items():
        for tag, attrs in page.elements:
            for key, value in attrs.items():
                if key.startswith("on"):
                    problems.append(f"{name}: <{tag} {key}=…>")
                if key in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                        "javascript:"):
                    problems.append(f"{name}: <{tag} {key}={value}>")
            if tag in ("iframe", "object", "embed", "base") or (tag == "img" and attrs.get("src") == "x"):
                problems.append(f"{name}: <{tag}>")
        for attrs, text in page.scripts:
            if attrs.get("type") == "application/json":
                assert attrs.get("id") == "__config", f"{name}: {attrs}"
                json.loads(text)  # data, not code
            elif "alert(" in text:
                problems.append(f"{name}: inline script {text[:60]!r}")
        for tag, attrs in page.elements:
            if tag == "script" and attrs.get("src"):
                assert urlsplit(attrs["src"]).scheme == "", f"{name}: {attrs['src']}"
    assert problems == []


def test_titles_and_settings_are_shown_literally(pages, reports):
    """Escaped, not stripped: the reader sees exactly the text the report (or the sidecar) holds."""
    for report in reports:
        if report["display_title"] not in (TITLE_SVG, TITLE_SCRIPT, TITLE_JINJA, TITLE_AMP, SIDECAR["title"]):
            continue
        page = pages[report["url"] + "index.html"]
        assert page.title == f"{report['display_title']} - {SITE_NAME}"
        assert report["display_title"] in page.all_text  # the header topic and the page's heading
    amp = next(r for r in reports if r["display_title"] == TITLE_AMP)
    assert "（一）“R&D”&amp;&lt;加强组织领导" in pages[amp["url"] + "index.html"].all_text  # the heading, escaped once
    home = pages["index.html"]
    assert home.title == SITE_NAME
    for value in (SITE_NAME, OWNER, NOTICE, CONTACT):
        assert value in home.all_text, value
    assert CONTACT in pages["404.html"].all_text


def test_template_syntax_is_text(pages, reports):
    jinja = next(r for r in reports if r["display_title"] == TITLE_JINJA)
    page = pages[jinja["url"] + "index.html"]
    assert "{{ 7*7 }}" in page.title
    assert "{{ 7*7 }}加强组织领导" in page.all_text
    assert "{% raw %}" in page.all_text
    assert not any("49南开区政府研究室" in p.all_text or "49加强组织领导" in p.all_text for p in pages.values())


def test_sitemap_is_well_formed(hostile):
    root = ET.parse(hostile[1] / "sitemap.xml").getroot()  # empty without a site_url: it lists absolute URLs
    assert root.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}urlset"


def test_every_page_has_the_policy_first_and_every_inline_script_is_allowed_by_hash(pages):
    for name, page in pages.items():
        assert len(page.csp) == 1, f"{name}: {len(page.csp)} policies"
        assert page.before_csp == [], f"{name}: {page.before_csp} before the policy"
        policy = directives(page.csp[0])
        assert policy["default-src"] == ["'none'"]
        for key, sources in policy.items():
            for source in sources:
                assert source.startswith("'") or source in ("data:",), f"{name}: {key} {source}"  # no origins
            assert "'unsafe-inline'" not in sources and "'unsafe-eval'" not in sources, f"{name}: {key}"
        for attrs, text in page.scripts:
            if attrs.get("type") != "application/json":
                assert sha256_source(text) in policy["script-src"], f"{name}: {text[:60]!r} is not allowed"
        assert page.styles == 0, f"{name}: a <style> element"
        styled = [tag for tag, attrs in page.elements if "style" in attrs]
        assert styled == [], f"{name}: style attributes on {styled}"


def test_check_reports_the_format_character(hostile):
    project, _, _ = hostile
    result = run(project, "check", "--format", "json")
    findings = json.loads(result.stdout)
    rtl = [f for f in findings if f["code"] == "format-character" and f["file"] == "rtl.txt"]
    assert rtl and rtl[0]["severity"] == "error" and rtl[0]["line"] == 2, findings
    assert "U+202E" in rtl[0]["message"] and "\u202e" not in rtl[0]["message"]
    assert result.returncode == 1


# ---------------------------------------------------------------------------------------------
# In Chromium: nothing runs, nothing is refused


@pytest.fixture(scope="module")
def served(hostile):
    _, site, _ = hostile
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_SiteHandler, directory=str(site)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="hostile-site", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


#: Records every CSP violation the page reports, before any script of the page runs.
WATCH_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", e => window.__csp.push(
  e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sourceFile || "") + ":" + e.lineNumber));
"""


@pytest.mark.browser
@pytest.mark.slow
def test_no_dialog_and_no_csp_violation_on_any_page(served, chromium, pages):
    paths = sorted(("" if n == "index.html" else n.removesuffix("index.html")) for n in pages if n != "404.html")
    kinds = ("", "years/2023/", "reports/", "agencies/", "compare/", "compliance/", "search/")
    for kind in kinds:  # every page type is among them
        assert any(p.startswith(kind) for p in paths), kind
    queries = ["南开区", "alert(7)", "<svg/onload=alert(7)>", "{{ 7*7 }}", "司法局 2023年", "东丽区"]
    paths += [f"search/?q={quote(q)}" for q in queries] + ["no/such/page/"]
    ctx = chromium.new_context(locale="zh-CN", service_workers="block")
    dialogs: list[str] = []
    console: list[str] = []
    requests: list[str] = []
    ctx.on("request", lambda request: requests.append(request.url))
    ctx.add_init_script(WATCH_CSP)
    try:
        page = ctx.new_page()
        page.on("dialog", lambda d: (dialogs.append(f"{page.url}: {d.type} {d.message}"), d.dismiss()))
        page.on("console", lambda m: m.type in ("error", "warning") and console.append(f"{page.url}: {m.text}"))
        page.on("pageerror", lambda e: console.append(f"{page.url}: {e}"))
        violations: list[str] = []
        for path in paths:
            page.goto(served + path, wait_until="load")
            if path.startswith("search/?q="):  # the results are drawn (titles, agencies, snippets);
                # a locator, not wait_for_function, whose string would need 'unsafe-eval'
                page.locator("#lr-results[data-state=done]").wait_for(state="attached")
            page.wait_for_timeout(50)
            violations += [f"{path}: {v}" for v in page.evaluate("window.__csp")]
        assert dialogs == []
        assert violations == []
        assert [c for c in console if "Content Security Policy" in c or "Content-Security-Policy" in c] == []
        assert [u for u in requests if urlsplit(u).scheme not in ("data", "blob")
                and urlsplit(u).hostname != "127.0.0.1"] == []
    finally:
        ctx.close()
