"""The reading room in real headless Chromium (Debian's package, driven by Playwright).

Screenshots of the search and cable pages are saved to artifacts/screenshots/.
"""

import os
from pathlib import Path

import pytest

from tests.reading_corpus import load_cables, load_tag_definitions

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
sync_api = pytest.importorskip("playwright.sync_api")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CABLES = [
    "05TASHKENT284",
    "05TASHKENT2473",
    "08TASHKENT153",
    "10TASHKENT27",
    "07TASHKENT2029",
    "09ASTANA677",
    "09ASTANA95",
    "09ASTANA982",
    "09BISHKEK1065",
    "06SKOPJE118",
]


@pytest.fixture
def archive(transactional_db):
    load_cables(CABLES)
    load_tag_definitions()


@pytest.fixture
def page(browser, live_server, archive):
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: errors.append(message.text) if message.type == "error" else None,
    )
    yield page
    context.close()
    assert errors == [], f"JavaScript or CSP errors in the page: {errors}"


def in_view(page, selector: str) -> bool:
    return page.eval_on_selector(
        selector,
        "el => { const r = el.getBoundingClientRect();"
        " return r.top >= 0 && r.top < window.innerHeight; }",
    )


def background(page, selector: str) -> str:
    return page.eval_on_selector(selector, "el => getComputedStyle(el).backgroundColor")


def test_a_paragraph_permalink_opens_on_that_paragraph_highlighted(page, live_server):
    page.goto(f"{live_server.url}/cable/05TASHKENT284/#par4")
    page.wait_for_load_state("load")
    assert page.evaluate("document.querySelector(':target').id") == "par4"
    assert in_view(page, "#par4")
    assert background(page, "#par4") == "rgb(255, 244, 194)"  # the :target highlight
    assert background(page, "#par2") == "rgba(0, 0, 0, 0)"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "cable-page-par4.png"))
    page.screenshot(path=str(SCREENSHOTS / "cable-page-full.png"), full_page=True)


def test_the_copy_button_puts_the_paragraph_permalink_on_the_clipboard(page, live_server):
    page.goto(f"{live_server.url}/cable/05TASHKENT284/")
    button = page.locator("#par2 .copy-link")
    button.focus()  # keyboard reachable
    page.keyboard.press("Enter")
    expected = f"{live_server.url}/cable/05TASHKENT284/#par2"
    page.wait_for_function("document.querySelector('#par2 .copy-link').dataset.copied")
    assert button.get_attribute("data-copied") == expected
    assert page.evaluate("navigator.clipboard.readText()") == expected
    assert page.locator(".copy-status").text_content() == f"Link copied: {expected}"


def test_a_phrase_query_and_a_facet_narrow_the_results(page, live_server):
    page.goto(f"{live_server.url}/cables/")
    assert page.locator(".results-count").text_content().startswith(f"{len(CABLES)} cables")
    page.get_by_label("Search the cables", exact=True).fill('"prime minister"')
    page.locator(".search-form button[type=submit]").click()
    page.wait_for_load_state("load")
    phrase_count = page.locator(".result").count()
    assert phrase_count >= 2
    assert page.locator(".results-count").text_content().startswith(f"{phrase_count} cable")
    origin = page.locator('.facet-origin a[data-value="Embassy Astana"]')
    astana_count = int(origin.locator(".count").text_content())
    assert 0 < astana_count < phrase_count
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "search-phrase.png"), full_page=True)
    origin.click()
    page.wait_for_load_state("load")
    assert page.locator(".result").count() == astana_count
    assert page.locator(".results-count").text_content().startswith(f"{astana_count} cable")
    selected = page.locator('.facet-origin a[aria-current="true"]')
    assert selected.get_attribute("data-value") == "Embassy Astana"
    assert "origin=Embassy+Astana" in page.url
    page.screenshot(path=str(SCREENSHOTS / "search-phrase-origin-facet.png"), full_page=True)


def test_a_snippet_link_opens_the_right_paragraph_with_terms_highlighted(page, live_server):
    page.goto(f"{live_server.url}/cables/?q=Skytel")
    link = page.locator(".snippet-link").first
    number = link.text_content().strip("¶")
    link.click()
    page.wait_for_load_state("load")
    assert page.url.endswith(f"#par{number}")
    assert in_view(page, f"#par{number}")
    assert page.locator(f"#par{number} mark.term").first.text_content() == "Skytel"
    assert page.locator(".term-count").text_content().endswith("matches")
    page.locator(".term-next").click()
    assert page.locator("mark.term.current").count() == 1
    page.screenshot(path=str(SCREENSHOTS / "cable-page-search-terms.png"))
