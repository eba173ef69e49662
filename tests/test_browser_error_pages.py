"""The archive's own 404 and 500 pages, in real headless Chromium, with DEBUG on (as the
README's run command serves) and off: in the archive's layout, with a search box, never
Django's technical page listing the URL patterns. Screenshot: artifacts/screenshots/
error-404.png.
"""

import logging
import os
import re
from pathlib import Path

import pytest

from cables.reading import selectors as browse
from tests.reading_corpus import load_cables

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
sync_api = pytest.importorskip("playwright.sync_api")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"
TECHNICAL = ("URLconf", "Django tried these URL patterns", "Traceback", "DEBUG = True")


@pytest.fixture(params=[True, False], ids=["DEBUG=1", "DEBUG=0"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


@pytest.fixture
def page(browser, live_server, debug):
    load_cables(["05TASHKENT284", "09ASTANA677"])
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    page = context.new_page()
    yield page
    context.close()


def assert_archive_error_page(page, response, status: int, heading: str) -> str:
    assert response.status == status
    text = page.inner_text("body")
    for marker in TECHNICAL:
        assert marker not in text
    assert page.inner_text(".error-page h1") == heading
    assert page.locator("header.site-header .site-name").inner_text() == "Cable Archive"
    assert page.locator("#error-q").is_visible()  # a search box in the page itself
    assert page.locator("#header-q").is_visible()
    return text


@pytest.mark.parametrize(
    "address",
    [
        "/no/such/page/",  # no URL pattern
        "/cable/99NOWHERE1/",  # an ID neither the archive nor the release has
        "/cables/?q=election&page=400",  # a page past the end
        "/coverage/NOWHERE/",
        "/cables/several-sources/?page=9",
    ],
)
def test_a_missing_page_is_the_archives_404_with_a_search_box(page, live_server, address):
    response = page.goto(f"{live_server.url}{address}")
    assert_archive_error_page(page, response, 404, "Not found")
    if address == "/no/such/page/":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "error-404.png"))


def test_the_404_pages_search_box_searches_and_finds_ids(page, live_server):
    page.goto(f"{live_server.url}/no/such/page/")
    page.fill("#error-q", "05tashkent284")
    page.press("#error-q", "Enter")
    page.wait_for_url(re.compile(r"/cable/05TASHKENT284/$"))


def test_an_address_without_its_slash_is_still_redirected(page, live_server):
    response = page.request.get(f"{live_server.url}/cables", max_redirects=0)
    assert response.status == 301
    assert response.headers["location"] == "/cables/"


def test_the_api_keeps_answering_json_for_a_missing_cable(page, live_server):
    response = page.request.get(f"{live_server.url}/api/cables/99NOWHERE1/")
    assert response.status == 404
    assert response.headers["content-type"].startswith("application/json")


def test_a_server_error_is_the_archives_500_page_and_is_logged(
    page, live_server, monkeypatch, caplog
):
    def broken():
        raise RuntimeError("the counts table is gone")

    monkeypatch.setattr(browse, "overview", broken)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = page.goto(f"{live_server.url}/")
    text = assert_archive_error_page(page, response, 500, "Something went wrong on our side")
    assert "the counts table is gone" not in text
    assert "Internal Server Error: /" in caplog.text
    assert "RuntimeError: the counts table is gone" in caplog.text
