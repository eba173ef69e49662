"""Suggestions under the search boxes, in real headless Chromium (Debian's, driven by Playwright).

The archive: the starter entities, the five mirror pages and ten original cablegate pages,
ingested and tagged, with the TAGS definitions. Screenshots go to SCREENSHOT_DIR (default
artifacts/screenshots/), named autocomplete-*.png.
"""

import io
import os
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command

from cables.entities.loading import load_starter_list
from cables.ingest.incremental import ingest_paths
from cables.suggest.index import forget_index
from tests.conftest import CABLEGATE_HTML, MIRROR_PAGES

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
sync_api = pytest.importorskip("playwright.sync_api")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(
    os.environ.get(
        "SCREENSHOT_DIR", Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"
    )
)
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
    forget_index()  # the previous test's archive was flushed behind the index's back
    load_starter_list()
    ingest_paths([MIRROR_PAGES[0].parent, *(p for p in CABLEGATE_HTML if p.stem in CABLES)])
    call_command("load_tag_definitions", stdout=io.StringIO())
    yield
    forget_index()


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


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"autocomplete-{name}.png"))


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def options(page, box) -> list[str]:
    listbox = page.locator("#" + box.get_attribute("aria-controls"))
    return listbox.locator("[role=option] .suggestion-label").all_text_contents()


def test_typing_on_the_home_page_suggests_and_the_keyboard_picks_a_person(page, live_server):
    page.goto(live_server.url + "/")
    box = page.get_by_role("combobox", name="Quick search")
    assert box.get_attribute("aria-expanded") == "false"
    listbox_id = box.get_attribute("aria-controls")
    listbox = page.locator(f"#{listbox_id}")
    assert listbox.get_attribute("role") == "listbox"
    assert listbox.is_hidden()

    box.press_sequentially("naz", delay=40)
    listbox.locator("[role=option]").first.wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    first = listbox.locator("[role=option]").first
    assert first.locator(".suggestion-label").text_content() == "Nursultan Nazarbayev"
    assert first.locator(".suggestion-kind").text_content() == "Person"
    assert "President of Kazakhstan" in first.locator(".suggestion-detail").text_content()
    assert page.locator("[role=status]").first.text_content().startswith("1 suggestion")
    assert box.get_attribute("aria-activedescendant") is None

    box.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == first.get_attribute("id")
    assert first.get_attribute("aria-selected") == "true"
    screenshot(page, "home-person")

    with page.expect_navigation():
        box.press("Enter")
    assert urlsplit(page.url).path == "/cables/"
    assert query_of(page.url) == {"person": ["nursultan-nazarbayev"]}
    assert page.locator(".facet-person").get_by_text("Nursultan Nazarbayev").count() >= 1
    assert page.locator(".result").count() >= 1


def test_on_the_search_page_a_tag_narrows_the_shown_search_and_shows_its_definition(
    page, live_server
):
    page.goto(live_server.url + "/cables/?q=election&sort=-created&page=1")
    box = page.get_by_role("combobox", name="Search the cables", exact=True)
    box.fill("")
    box.press_sequentially("PRE", delay=40)
    listbox = page.locator("#" + box.get_attribute("aria-controls"))
    listbox.locator("[role=option]").first.wait_for()
    first = listbox.locator("[role=option]").first
    assert first.locator(".suggestion-label").text_content() == "PREL"
    assert first.locator(".suggestion-kind").text_content() == "TAG"
    assert (
        first.locator(".suggestion-detail")
        .text_content()
        .startswith("Political Affairs--External Political Relations")
    )
    # Down twice and up once: back on the first option.
    box.press("ArrowDown")
    box.press("ArrowDown")
    second_id = listbox.locator("[role=option]").nth(1).get_attribute("id")
    assert box.get_attribute("aria-activedescendant") == second_id
    box.press("ArrowUp")
    assert box.get_attribute("aria-activedescendant") == first.get_attribute("id")
    assert listbox.locator("[aria-selected=true]").count() == 1
    screenshot(page, "search-tag")

    with page.expect_navigation():
        box.press("Enter")
    # The search the page showed is kept; the letters typed to find the TAG are not.
    assert query_of(page.url) == {"q": ["election"], "sort": ["-created"], "tag": ["PREL"]}
    assert page.locator(".results-count").text_content().strip().endswith("matching election")


def test_a_mouse_click_picks_a_post_and_adds_its_origin_facet(page, live_server):
    page.goto(live_server.url + "/cables/")
    box = page.get_by_role("combobox", name="Search the cables", exact=True)
    box.press_sequentially("tash", delay=40)
    listbox = page.locator("#" + box.get_attribute("aria-controls"))
    option = listbox.locator("[role=option]", has_text="Embassy Tashkent")
    option.wait_for()
    assert option.locator(".suggestion-kind").text_content() == "Post"
    assert "Uzbekistan" in option.locator(".suggestion-detail").text_content()
    option.hover()
    screenshot(page, "search-post")
    with page.expect_navigation():
        option.click()
    assert query_of(page.url) == {"origin": ["Embassy Tashkent"]}
    assert page.locator(".results-count").text_content().startswith("5 cables")


def test_a_suggestion_names_the_alias_that_matched_and_kinds_are_mixed(page, live_server):
    page.goto(live_server.url + "/cables/")
    box = page.get_by_role("combobox", name="Search the cables", exact=True)
    box.press_sequentially("Nazarbaev", delay=30)
    listbox = page.locator("#" + box.get_attribute("aria-controls"))
    first = listbox.locator("[role=option]").first
    first.wait_for()
    assert first.locator(".suggestion-label").text_content() == "Nursultan Nazarbayev"
    assert first.locator(".suggestion-detail").text_content().startswith("as “Nazarbaev” · ")
    box.fill("")
    box.press_sequentially("kaz", delay=30)
    page.wait_for_function(
        "id => document.getElementById(id).querySelectorAll('[role=option]').length > 3",
        arg=box.get_attribute("aria-controls"),
    )
    kinds = set(listbox.locator(".suggestion-kind").all_text_contents())
    assert {"TAG", "Election", "Party"} <= kinds
    assert options(page, box)[0] == "KZ"  # the country's TAG, by its definition
    screenshot(page, "mixed-kinds")


def test_escape_closes_the_list_and_enter_then_searches_the_typed_words(page, live_server):
    page.goto(live_server.url + "/")
    box = page.get_by_role("combobox", name="Quick search")
    box.press_sequentially("otan", delay=40)
    listbox = page.locator("#" + box.get_attribute("aria-controls"))
    listbox.locator("[role=option]").first.wait_for()
    assert options(page, box)[0] == "Nur Otan"
    box.press("ArrowDown")
    box.press("Escape")
    assert listbox.is_hidden()
    assert box.get_attribute("aria-expanded") == "false"
    assert box.get_attribute("aria-activedescendant") is None
    assert box.input_value() == "otan"  # Escape closed the list, it did not clear the box
    screenshot(page, "closed")
    # ArrowDown opens the list again.
    box.press("ArrowDown")
    assert listbox.is_visible() and box.get_attribute("aria-expanded") == "true"
    box.press("Escape")
    with page.expect_navigation():
        box.press("Enter")  # nothing picked: the form searches as it always did
    assert query_of(page.url) == {"q": ["otan"]}


def test_without_javascript_the_search_box_is_a_plain_search_box(browser, live_server, archive):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/")
    box = page.get_by_label("Quick search")
    assert box.get_attribute("role") is None
    box.fill("Nazarbayev")
    with page.expect_navigation():
        box.press("Enter")
    assert query_of(page.url) == {"q": ["Nazarbayev"]}
    assert page.locator(".result").count() >= 1
    context.close()
