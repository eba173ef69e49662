"""Collections that never lose work, in real headless Chromium: saving a paragraph already
saved shows its note and collection and does not overwrite the note unasked; saved
paragraphs are marked on the cable page; sign-out is in the navigation of every page; a share
link is renewed and revoked.

Screenshots go to SCREENSHOT_DIR (default artifacts/screenshots/), named collections-*.png.
"""

import os
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from cables.ingest.incremental import ingest_paths
from cables.models import SavedParagraph
from tests.conftest import CABLEGATE_HTML

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
sync_api = pytest.importorskip("playwright.sync_api")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(
    os.environ.get(
        "SCREENSHOT_DIR", Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"
    )
)
CABLE = "05TASHKENT2473"
PASSWORD = "a-reader-password-for-tests-1"
NOTE = "Media campaign: charity as image building"


@pytest.fixture
def page(browser, live_server, transactional_db):
    ingest_paths([p for p in CABLEGATE_HTML if p.stem == CABLE])
    get_user_model().objects.create_user("alice", password=PASSWORD)
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # A Content-Security-Policy violation is reported on the console.
    page.on(
        "console",
        lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    yield page
    context.close()
    assert errors == []  # no CSP violation either


def shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"collections-{name}.png"), full_page=True)


def sign_in(page, live_server):
    page.goto(f"{live_server.url}/accounts/login/?next=/cable/{CABLE}/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/cable/{CABLE}/")


def save_paragraph(page, number, note, collection=None):
    page.locator(f"#par{number} .save-link").click()
    if collection:
        page.get_by_label("New collection named").fill(collection)
    page.get_by_role("textbox", name="Note").fill(note)
    page.get_by_role("button", name="Save paragraph").click()


def test_saving_a_saved_paragraph_shows_its_note_and_never_overwrites_it_unasked(page, live_server):
    sign_in(page, live_server)
    save_paragraph(page, 2, NOTE, collection="Gulnora Karimova")
    page.wait_for_url("**/collections/*/?saved=*")

    # Back on the cable page, ¶2 is marked as saved; the other paragraphs are not.
    page.goto(f"{live_server.url}/cable/{CABLE}/")
    assert "Saved in Gulnora Karimova" in page.locator("#par2 .saved-mark").text_content()
    assert page.locator(".saved-mark").count() == 1

    page.locator("#par2 .save-link").click()
    warning = page.locator(".already-saved")
    assert "Already saved in “Gulnora Karimova”" in " ".join(warning.text_content().split())
    assert NOTE in warning.locator(".note").text_content()
    note = page.get_by_role("textbox", name="Note")
    assert note.input_value() == NOTE  # not an empty box over it
    note.fill("A second thought")
    shot(page, "saved-note-warning")
    page.get_by_role("button", name="Save paragraph").click()
    assert "Tick “Replace the saved note”" in page.locator(".form-error").text_content()
    assert SavedParagraph.objects.get().note == NOTE
    shot(page, "saved-note-conflict")
    page.get_by_label("Replace the saved note").check()
    page.get_by_role("button", name="Save paragraph").click()
    page.wait_for_url("**/collections/*/?saved=*")
    assert SavedParagraph.objects.get().note == "A second thought"


def test_sign_out_is_in_the_navigation_of_every_page(page, live_server):
    sign_in(page, live_server)
    for path in ["/", f"/cable/{CABLE}/", "/cables/?q=charity", "/origins/", "/collections/"]:
        page.goto(f"{live_server.url}{path}")
        nav = page.get_by_role("navigation", name="Main")
        assert nav.get_by_role("button", name="Sign out").count() == 1, path
    page.goto(f"{live_server.url}/cable/{CABLE}/")
    page.get_by_role("navigation", name="Main").get_by_role("button", name="Sign out").click()
    page.goto(f"{live_server.url}/cable/{CABLE}/")
    nav = page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link", name="Sign in").count() == 1
    assert page.locator(".save-link").count() == 0


def test_a_share_link_is_renewed_and_revoked(page, live_server, browser):
    sign_in(page, live_server)
    save_paragraph(page, 2, NOTE, collection="Gulnora Karimova")
    page.wait_for_url("**/collections/*/?saved=*")
    old = page.locator(".share-link").get_attribute("href")
    reader = browser.new_context().new_page()
    assert reader.goto(old).status == 200

    page.get_by_role("button", name="Replace with a new link").click()
    assert "no longer works" in page.locator(".messages").text_content()
    new = page.locator(".share-link").get_attribute("href")
    assert new != old
    assert reader.goto(old).status == 404
    assert reader.goto(new).status == 200

    page.get_by_role("button", name="Revoke the link").click()
    assert page.locator(".share-link").count() == 0
    assert reader.goto(new).status == 404
    reader.context.close()
