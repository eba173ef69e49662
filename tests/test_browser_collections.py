"""Collections in real headless Chromium: sign in, save a paragraph with a note from the cable
page (keyboard only), open My collections, open the share link signed out, download exports.

Screenshots go to /work/screens/collections-*.png (COLLECTIONS_SCREENSHOTS overrides).
"""

import csv
import io
import json
import os
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from cables.ingest.incremental import ingest_paths
from tests.conftest import CABLEGATE_HTML

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
sync_api = pytest.importorskip("playwright.sync_api")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(os.environ.get("COLLECTIONS_SCREENSHOTS", "/work/screens"))
CABLE = "05TASHKENT2473"
PASSWORD = "a-reader-password-for-tests-1"
NOTE = "Media campaign: charity as image building"


@pytest.fixture
def archive(transactional_db):
    ingest_paths([p for p in CABLEGATE_HTML if p.stem in {CABLE, "05TASHKENT284"}])
    get_user_model().objects.create_user("alice", password=PASSWORD)


def new_page(browser, errors):
    context = browser.new_context(viewport={"width": 1200, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: errors.append(message.text) if message.type == "error" else None,
    )
    return context, page


def shot(page, name, full_page=True):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"collections-{name}.png"), full_page=full_page)


def test_a_reader_saves_a_paragraph_with_a_note_and_shares_the_collection(
    browser, live_server, archive
):
    errors = []
    context, page = new_page(browser, errors)

    # Signed out, the cable page offers a sign-in that comes back to it.
    page.goto(f"{live_server.url}/cable/{CABLE}/")
    assert page.locator(".save-link").count() == 0
    page.get_by_role("link", name="Sign in to save paragraphs").click()
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    shot(page, "sign-in")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/cable/{CABLE}/")

    # Each paragraph has a Save link; reach ¶2's with the keyboard.
    save_link = page.locator("#par2 .save-link")
    assert page.locator(".save-link").count() == 6
    save_link.focus()
    shot(page, "cable-page-signed-in", full_page=False)
    page.keyboard.press("Enter")
    page.wait_for_url("**/collections/save/?cable=05TASHKENT2473&par=2")
    assert "Tasvir, a widely read family magazine" in page.locator(".item-text").text_content()
    page.get_by_label("New collection named").fill("Gulnora Karimova")
    page.get_by_label("Note").fill(NOTE)
    shot(page, "save-page")
    page.get_by_label("Note").focus()
    page.keyboard.press("Tab")  # to the Save button
    page.keyboard.press("Enter")
    page.wait_for_url("**/collections/*/?saved=*")
    assert "Saved ¶2 of 05TASHKENT2473" in page.locator("main").text_content()
    assert page.get_by_label("Note on 05TASHKENT2473 ¶2").input_value() == NOTE
    shot(page, "collection")

    # My collections, from the navigation.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My collections").click()
    assert "1 paragraph" in page.locator(".collection-list").text_content()
    shot(page, "my-collections")
    page.get_by_role("link", name="Gulnora Karimova").click()
    share_url = page.locator(".share-link").get_attribute("href")

    # The share link opens in a fresh browser context, signed out, read-only.
    anonymous_context, anonymous = new_page(browser, errors)
    anonymous.goto(share_url)
    assert anonymous.locator("h1").text_content() == "Gulnora Karimova"
    assert NOTE in anonymous.locator(".note").text_content()
    assert anonymous.locator("main form").count() == 0
    assert "Sign in" in anonymous.get_by_role("navigation", name="Main").text_content()
    shot(anonymous, "shared")
    anonymous.get_by_role("link", name="05TASHKENT2473 ¶2").click()
    anonymous.wait_for_url(f"**/cable/{CABLE}/#par2")
    assert anonymous.evaluate("document.querySelector(':target').id") == "par2"

    # Exports download from the shared page.
    anonymous.goto(share_url)
    with anonymous.expect_download() as download_info:
        anonymous.get_by_role("link", name="CSV").click()
    download = download_info.value
    assert download.suggested_filename == "gulnora-karimova.csv"
    (row,) = csv.DictReader(io.StringIO(Path(download.path()).read_text()))
    assert (row["reference_id"], row["paragraph"], row["note"]) == (CABLE, "2", NOTE)
    with anonymous.expect_download() as download_info:
        anonymous.get_by_role("link", name="BibTeX").click()
    bibtex = Path(download_info.value.path()).read_text()
    assert bibtex.startswith("@misc{05TASHKENT2473par2,")
    assert f"note = {{{NOTE}}}" in bibtex
    with anonymous.expect_download() as download_info:
        anonymous.get_by_role("link", name="JSON").click()
    document = json.loads(Path(download_info.value.path()).read_text())
    assert document["items"][0]["permalink"] == f"{live_server.url}/cable/{CABLE}/#par2"

    anonymous_context.close()
    context.close()
    assert errors == [], f"JavaScript or CSP errors in the page: {errors}"
