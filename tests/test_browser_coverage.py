"""Coverage of the release in real headless Chromium: from the home page to a post's coverage,
one of its cables, and a reference of that cable to a cable the archive lacks.

Screenshots go to artifacts/screenshots/ (or SCREENSHOTS_DIR) as coverage-*.png.
"""

import io
import os
import re
from pathlib import Path

import pytest

from cables.coverage import selectors as coverage
from cables.ingest.bulk import bulk_load
from cables.models import Reference

from .conftest import CABLEGATE_HTML, CABLEGATE_HTML_2011, MIRROR_PAGES, SAMPLE_CSV

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
sync_api = pytest.importorskip("playwright.sync_api")

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = Path(os.environ.get("SCREENSHOTS_DIR", ROOT / "artifacts" / "screenshots"))
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SAMPLE = [
    MIRROR_PAGES[0].parent,
    CABLEGATE_HTML[0].parent,
    CABLEGATE_HTML_2011[0].parent,
    SAMPLE_CSV,
]


@pytest.fixture
def archive(transactional_db):
    """The whole sample, and a reference of it to a cable it lacks, loaded before Playwright
    starts: while its event loop runs in this thread, queries go through another database
    connection, and the first, left open, kept PostgreSQL from dropping the test database."""
    summary = bulk_load(
        SAMPLE, workers=1, stdout=io.StringIO(), stderr=io.StringIO(), tag_entities=False
    )
    assert summary.failed == 0
    return a_reference_to_a_missing_cable()


@pytest.fixture
def page(archive, live_server, browser):
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
    # The missing cable's page is a real 404, which Chromium reports on the console.
    errors = [e for e in errors if "status of 404" not in e]
    assert errors == [], f"JavaScript or CSP errors in the page: {errors}"


def a_reference_to_a_missing_cable():
    """(citing cable's entry, missing cable's entry): the first, by reference ID, of the
    archive's full-text cables citing a cable of the release the archive lacks."""
    references = (
        Reference.objects.filter(target=None, cable__partial=False)
        .select_related("cable")
        .order_by("cable__reference_id", "position")
    )
    for reference in references:
        citing = coverage.release_entry(reference.cable.reference_id)
        cited = coverage.release_entry(reference.reference_id)
        if citing and cited and citing.post != coverage.OTHER:
            return citing, cited
    raise AssertionError("the sample has references to cables it lacks")


def shoot(page, name: str, full_page: bool = False) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"coverage-{name}.png"), full_page=full_page)


def test_from_the_home_page_to_a_missing_cable_through_a_posts_coverage(archive, page, live_server):
    citing, cited = archive
    expect = sync_api.expect

    page.goto(f"{live_server.url}/")
    page.locator("main").get_by_role("link", name="Coverage of the release").click()
    expect(page.locator("h1")).to_have_text("Coverage of the release")
    total = page.locator("#coverage-posts tfoot tr.total")
    expect(total.locator("td.exist")).to_have_text("251,287")
    expect(page.locator(".lead")).to_contain_text("The archive holds 4,544 of them")
    shoot(page, "overview")

    page.get_by_role("searchbox", name="Post").fill(citing.post.lower())
    page.get_by_role("button", name="Show").click()
    row = page.locator(f'#coverage-posts tr[data-post="{citing.post}"]')
    expect(row).to_be_visible()
    expect(page.locator("#coverage-posts tfoot tr.total td.exist")).to_have_text("251,287")
    shoot(page, "filtered")

    row.get_by_role("link", name=citing.post, exact=True).click()
    expect(page.locator("h1")).to_contain_text(citing.post)
    expect(page.locator(f'tr[data-year="{citing.year}"]')).to_be_visible()
    shoot(page, "post")

    page.locator(f'tr[data-year="{citing.year}"]').get_by_role(
        "link", name=str(citing.year)
    ).click()
    expect(page.locator("#cables-heading")).to_contain_text(f"{citing.post}, {citing.year}")
    shoot(page, "post-year")
    page.locator(".held-full").get_by_role("link", name=citing.reference_id, exact=True).click()
    expect(page.locator("h1 .ref")).to_have_text(citing.reference_id)

    link = page.locator("a.missing-ref", has_text=cited.reference_id)
    link.scroll_into_view_if_needed()
    shoot(page, "cable-reference")
    with page.expect_response(re.compile(f"/cable/{cited.reference_id}/$")) as response:
        link.click()
    assert response.value.status == 404
    expect(page.locator(".notice")).to_contain_text(
        f"Not in the archive. Written in {cited.month_name}."
    )
    expect(page.locator(".cable-missing")).to_contain_text(citing.reference_id)  # cited by
    shoot(page, "missing-cable")

    page.locator(".cable-meta").get_by_role("link", name=cited.post, exact=True).click()
    expect(page.locator(".missing-ids")).to_contain_text(cited.reference_id)
