"""The site as a visitor meets it (issue #5): Debian's Chromium, driven by Playwright, over the
repository's seeds built with ``mkdocs build --strict`` and served on 127.0.0.1 (``served_site``
and ``chromium`` in conftest.py).

- click through: home → a year → a report → a section of it, landing on the section;
- every request of every page visited goes to 127.0.0.1;
- axe-core (node_modules, pinned in package.json) finds no serious or critical violation;
- at 390 px wide no page scrolls sideways; a phone screenshot of a report page is kept in
  tests/artifacts/ (git-ignored);
- printed, a report shows the metadata block, the text and the signature, and no navigation.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest

from conftest import ARTIFACTS, AXE

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
#: Impacts that fail the audit.
BLOCKING = ("serious", "critical")


@pytest.fixture(scope="module")
def reports(served_site) -> list[dict]:
    """data/reports.json of the served site: which pages exist, without hard-coding them."""
    return json.loads((served_site.site / "data" / "reports.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def sample(reports) -> dict[str, str]:
    """One page of each kind, as site paths."""
    report = next(r for r in reports if r["written"] or r["published"])  # one with a signature date
    agency = report["url"].split("/")[2]
    return {
        "home": "",
        "years": "years/",
        "year": f"years/{report['year']}/",
        "agencies": "agencies/",
        "agency": f"agencies/{agency}/",
        "report": report["url"],
        "open-data": "open-data/",
        "about": "about/",
        "404": "404.html",
    }


@pytest.fixture()
def context(chromium):
    """A fresh browser context per test, recording every request any of its pages makes."""
    ctx = chromium.new_context(viewport=DESKTOP, locale="zh-CN", service_workers="block")
    ctx.requests = []
    ctx.on("request", lambda request: ctx.requests.append(request.url))
    yield ctx
    ctx.close()


def test_home_to_year_to_report_to_section(served_site, context, reports):
    page = context.new_page()
    report = next(r for r in reports if r["year"] and "measures" in r["parts"])
    year = report["year"]
    page.goto(served_site.url(""))
    # the year link on the home page names the year
    page.get_by_role("link", name=f"{year}年", exact=True).first.click()
    page.wait_for_load_state()
    assert urlsplit(page.url).path == f"/years/{year}/"
    assert f"{year}年度报告" in page.locator("h1").inner_text()

    page.locator("article table").get_by_role("link", name=report["display_title"], exact=True).click()
    page.wait_for_load_state()
    assert urlsplit(page.url).path == "/" + report["url"]
    assert page.locator("h1").first.inner_text().replace("¶", "").strip() == report["display_title"]
    assert page.title().startswith(report["display_title"])

    # the table of contents takes the reader to the section, which is then in view
    page.locator('.md-sidebar--secondary a[href="#measures"]').first.click()
    page.wait_for_function("location.hash === '#measures'")
    heading = page.locator("#measures")
    assert page.evaluate("document.querySelector(':target') && document.querySelector(':target').id") == "measures"
    assert heading.evaluate("h => h.tagName") == "H2"
    assert heading.evaluate("h => { const r = h.getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight / 2; }")


def test_part_badge_on_a_year_page_lands_on_the_part(served_site, context, reports):
    report = next(r for r in reports if "plans" in r["parts"])
    page = context.new_page()
    page.goto(served_site.url(f"years/{report['year']}/"))
    row = page.locator("article table tr", has=page.get_by_role("link", name=report["display_title"], exact=True))
    row.locator("a.part-badge.present", has_text="下年安排").click()
    page.wait_for_function("location.hash === '#plans'")
    assert urlsplit(page.url).path == "/" + report["url"]
    assert page.locator("#plans").evaluate("h => { const r = h.getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight; }")


def test_every_request_goes_to_localhost(served_site, context, sample):
    page = context.new_page()
    for path in sample.values():
        page.goto(served_site.url(path), wait_until="networkidle")
    # a click through, too: the search box, the drawer and the back-to-top button fetch nothing else
    page.goto(served_site.url(sample["report"]), wait_until="networkidle")
    page.mouse.wheel(0, 3000)
    page.wait_for_timeout(300)
    urls = context.requests
    assert len(urls) >= len(sample)
    foreign = [u for u in urls if urlsplit(u).scheme not in ("data", "blob") and urlsplit(u).hostname != "127.0.0.1"]
    assert foreign == [], foreign


def _axe(page) -> list[dict]:
    page.evaluate(AXE.read_text(encoding="utf-8"))  # not an inline <script>: the pages' CSP forbids those
    return page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ["violations"]});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " — " + n.failureSummary.split("\\n").slice(0, 2).join(" ")),
            }));
        }"""
    )


@pytest.mark.parametrize("kind", ["home", "year", "agency", "report", "open-data", "404"])
@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_no_serious_accessibility_violation(served_site, context, sample, kind, viewport):
    page = context.new_page()
    page.set_viewport_size(DESKTOP if viewport == "desktop" else PHONE)
    page.goto(served_site.url(sample[kind]), wait_until="networkidle")
    violations = [v for v in _axe(page) if v["impact"] in BLOCKING]
    assert violations == [], json.dumps(violations, ensure_ascii=False, indent=1)


@pytest.mark.parametrize("kind", ["home", "years", "year", "agencies", "agency", "report", "open-data", "404"])
def test_no_sideways_scrolling_on_a_phone(served_site, chromium, sample, kind):
    ctx = chromium.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN")
    try:
        page = ctx.new_page()
        page.goto(served_site.url(sample[kind]), wait_until="networkidle")
        width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert width[0] <= width[1], f"{sample[kind] or '/'}: {width[0]} px wide in a {width[1]} px screen"
        if kind == "report":
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            shot = ARTIFACTS / "report-390.png"
            page.screenshot(path=str(shot))
            assert shot.stat().st_size > 10_000
            page.screenshot(path=str(ARTIFACTS / "report-390-full.png"), full_page=True)
    finally:
        ctx.close()


#: What printing must hide: navigation, header, footer, search, notices.
CHROME = "header, nav, footer, form, input, [role=search], [role=dialog], [role=navigation], .md-banner, .md-top, .report-downloads, .report-related"


def test_printed_report_is_the_document_alone(served_site, context, reports):
    report = next(r for r in reports if r["written"])  # has a signature
    page = context.new_page()
    page.goto(served_site.url(report["url"]), wait_until="networkidle")
    visible = "els => els.filter(e => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden').length"
    assert page.locator(CHROME).evaluate_all(visible) > 0  # on screen they are there

    page.emulate_media(media="print")
    shown = page.locator(CHROME).evaluate_all(
        "els => els.filter(e => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden')"
        ".map(e => e.tagName + '.' + e.className)"
    )
    assert shown == []
    for selector in ("h1", "table.report-meta", ".report-signature", "#measures"):
        assert page.locator(selector).first.is_visible(), selector
    text = page.locator("article").inner_text()
    assert report["display_title"] in text and "发布机构" in text and "成文日期" in text
    signature = json.loads((served_site.site / report["json_url"]).read_text(encoding="utf-8"))["signature"]
    assert page.locator(".report-signature").inner_text().split() == [w for line in signature["lines"] for w in line.split()]
    # the text uses the whole sheet: no sidebar column left empty
    width = page.evaluate("[document.querySelector('article').getBoundingClientRect().width, document.documentElement.clientWidth]")
    assert width[0] >= 0.9 * width[1], width
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "report-print.pdf").write_bytes(pdf)
    page.screenshot(path=str(ARTIFACTS / "report-print.png"))
