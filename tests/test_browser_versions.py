"""Versions of a cable in real headless Chromium: the list on the cable page, the comparison,
and a paragraph link from the comparison back to the current text.

09PARIS504 is read from its original cablegate page and from its cables.csv row (which runs
every paragraph into the first). Screenshots go to artifacts/screenshots/ (or SCREENSHOTS_DIR).
"""

import os
from pathlib import Path

import pytest

from cables.ingest.incremental import ingest_paths
from tests.conftest import CABLEGATE_HTML
from tests.helpers import sample_csv_rows, write_csv

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
sync_api = pytest.importorskip("playwright.sync_api")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(
    os.environ.get(
        "SCREENSHOTS_DIR", Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"
    )
)
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CABLES = ["09PARIS504", "08TASHKENT1201"]


@pytest.fixture
def archive(transactional_db, tmp_path):
    pages = [path for path in CABLEGATE_HTML if path.stem in CABLES]
    rows = write_csv(tmp_path / "cables.csv", sample_csv_rows(set(CABLES)))
    summary = ingest_paths([*pages, rows])
    assert summary.failed == 0, summary.failures


@pytest.fixture
def page(browser, live_server, archive):
    context = browser.new_context(viewport={"width": 1200, "height": 800})
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


def test_from_the_versions_list_to_the_difference_and_back_to_the_current_paragraph(
    page, live_server
):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(f"{live_server.url}/cable/09PARIS504/")
    versions = page.locator("#versions")
    versions.scroll_into_view_if_needed()
    rows = versions.locator("tbody tr")
    assert rows.count() == 2
    assert "current" in rows.nth(0).inner_text()
    assert "09PARIS504.html" in rows.nth(0).inner_text()
    assert "cables.csv, row" in rows.nth(1).inner_text()
    versions.screenshot(path=str(SCREENSHOTS / "versions-cable-page.png"))

    versions.get_by_role("link", name="compare with current").click()
    page.wait_for_load_state("load")
    assert "/cable/09PARIS504/versions/?a=" in page.url
    first = page.locator("#diff-par1")
    assert "changed" in first.locator(".diff-status").inner_text()
    # cables.csv ran paragraph 4 into paragraph 1: struck out and coloured there.
    struck = first.locator("del").filter(has_text="Rather than provide a narrative")
    assert struck.count() == 1 and struck.is_visible()
    assert background(page, "#diff-par1 del") == "rgb(255, 216, 216)"
    assert page.eval_on_selector(
        "#diff-par1 del", "el => getComputedStyle(el).textDecorationLine"
    ) == ("line-through")
    inserted = page.locator("#diff-par4 ins")
    assert inserted.is_visible() and background(page, "#diff-par4 ins") == "rgb(211, 245, 211)"
    page.screenshot(path=str(SCREENSHOTS / "versions-compare.png"), full_page=True)
    page.locator("#diff-par1").screenshot(path=str(SCREENSHOTS / "versions-changed-paragraph.png"))

    page.locator("#diff-par4 a.para-link").click()
    page.wait_for_load_state("load")
    assert page.url == f"{live_server.url}/cable/09PARIS504/#par4"
    assert page.evaluate("document.querySelector(':target').id") == "par4"
    assert in_view(page, "#par4")
    assert (
        page.locator("#par4 .para-text")
        .inner_text()
        .startswith("Rather than provide a narrative of Sarkozy's visit")
    )
    page.screenshot(path=str(SCREENSHOTS / "versions-permalink-par4.png"))


def test_a_changed_line_break_is_drawn_and_the_versions_can_be_swapped(page, live_server):
    page.goto(f"{live_server.url}/cable/08TASHKENT1201/versions/")
    assert page.locator(".diff-summary").inner_text().startswith("Paragraphs: 1 changed")
    # "October\n15." in cables.csv, "October 15." on the original page: drawn as ↵ and ·.
    removed_break = page.locator("#diff-par5 del.ws-break")
    assert removed_break.count() == 1 and removed_break.is_visible()
    mark = page.eval_on_selector(
        "#diff-par5 del.ws-break", "el => getComputedStyle(el, '::before').content"
    )
    assert mark == '"↵"'
    page.locator("#diff-par5").screenshot(path=str(SCREENSHOTS / "versions-line-break.png"))
    # Swap the two versions with the form: the break is now the inserted text.
    first = page.locator("#version-a").input_value()
    second = page.locator("#version-b").input_value()
    page.locator("#version-a").select_option(second)
    page.locator("#version-b").select_option(first)
    page.get_by_role("button", name="Compare").click()
    page.wait_for_load_state("load")
    assert f"a={second}" in page.url and f"b={first}" in page.url
    assert page.locator("#diff-par5 ins.ws-break").count() == 1
