"""The pictures in real headless Chromium (Debian's package, driven by Playwright): the year
histogram and its months on the search page, the timeline and co-mentions on an entity page.

Screenshots go to /work/screens/pictures-*.png (SCREENSHOT_DIR overrides it).
"""

import os
from pathlib import Path

import pytest

from cables.entities.loading import load_starter_list
from cables.ingest.incremental import ingest_paths
from tests.conftest import CABLEGATE_HTML, MIRROR_PAGES

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
sync_api = pytest.importorskip("playwright.sync_api")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", "/work/screens"))
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture
def archive(transactional_db):
    """The starter entities and the real cablegate and mirror pages, ingested and tagged."""
    load_starter_list()
    ingest_paths([CABLEGATE_HTML[0].parent, MIRROR_PAGES[0].parent])


@pytest.fixture
def page(browser, live_server, archive):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
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


def screenshot(page, name: str, **options) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"pictures-{name}.png"), **options)


def results_count(page) -> int:
    return int(page.locator(".results-count").text_content().split()[0])


def test_a_year_bar_narrows_the_results_and_shows_its_months(page, live_server):
    page.goto(f"{live_server.url}/cables/")
    chart = page.locator("#year-chart")
    assert chart.is_visible()
    box = chart.bounding_box()
    assert box["width"] > 600 and box["height"] > 80
    everything = results_count(page)
    bar = page.locator('#year-chart a[data-key="2009"]')
    assert bar.get_attribute("aria-label") == f"2009: {bar.get_attribute('data-count')} cables"
    year_count = int(bar.get_attribute("data-count"))
    assert 0 < year_count < everything
    assert page.locator("#month-chart").count() == 0
    screenshot(page, "search-years")

    bar.locator(".bar").click()
    page.wait_for_url("**year=2009**")
    assert results_count(page) == year_count
    assert page.locator('#year-chart a[data-key="2009"]').get_attribute("aria-current") == "true"
    months = page.locator("#month-chart")
    assert months.is_visible()
    month_bars = page.locator("#month-chart a.column")
    counts = [int(month_bars.nth(i).get_attribute("data-count")) for i in range(month_bars.count())]
    assert sum(counts) == year_count
    screenshot(page, "search-year-months", full_page=False)

    # A month, by keyboard: its bar is a link like any other.
    june = page.locator('#month-chart a[data-key="2009-06"]')
    june_count = int(june.get_attribute("data-count"))
    june.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**date_from=2009-06-01**")
    assert results_count(page) == june_count
    assert "date_to=2009-06-30" in page.url
    screenshot(page, "search-month")

    # The numbers as text: the table under the chart.
    page.goto(f"{live_server.url}/cables/")
    page.locator(".year-picture summary").click()
    row = page.locator('.year-picture table a[data-key="2009"]')
    assert row.is_visible()
    assert row.locator("xpath=../../td").text_content() == str(year_count)
    screenshot(page, "search-years-table", full_page=True)


def test_an_entity_page_draws_its_timeline_and_links_who_is_named_with_it(page, live_server):
    page.goto(f"{live_server.url}/person/nursultan-nazarbayev/")
    timeline = page.locator("#timeline-chart")
    assert timeline.is_visible()
    box = timeline.bounding_box()
    assert box["width"] > 800 and box["height"] > 80
    bars = page.locator("#timeline-chart a.column")
    assert bars.count() >= 3
    for i in range(bars.count()):
        assert bars.nth(i).locator(".bar").bounding_box()["height"] >= 1
    ticks = page.locator("#timeline-chart .chart-ticks text").all_text_contents()
    assert ticks and all(text.isdigit() for text in ticks)
    screenshot(page, "entity-timeline")
    screenshot(page, "entity-full", full_page=True)

    first = page.locator(".co-mentioned li a").first
    name = first.evaluate("a => a.firstChild.textContent.trim()")
    href = first.get_attribute("href")
    first.click()
    page.wait_for_url(f"**{href}")
    assert page.locator("h1").text_content() == name
    assert page.locator("#timeline-chart").is_visible()
    screenshot(page, "entity-co-mention")

    # A month of the timeline opens the search for its cables.
    month = page.locator("#timeline-chart a.column").first
    month.locator(".bar").click()
    page.wait_for_url("**date_from=**")
    assert results_count(page) >= 1
    assert page.locator("#year-chart").is_visible()


def test_the_home_page_leads_to_the_entity_pages(page, live_server):
    page.goto(f"{live_server.url}/")
    link = page.locator("#most-mentioned ~ ul a").first
    link.scroll_into_view_if_needed()
    screenshot(page, "home-most-mentioned")
    name = link.text_content()
    link.click()
    page.wait_for_load_state("load")
    assert page.locator("h1").text_content() == name
    assert page.locator("#timeline-chart").is_visible()
