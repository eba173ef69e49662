"""Facets, counts and sources over the whole bundled sample (4,544 cables), in real headless
Chromium: "show all" under a facet, the true count of a selected value outside the top 25,
the active filters, TAGS with their meanings, thousands separators, the cables read from
several sources.

The sample is bulk loaded once for the module and served by a live server of the module's
own (the session's `live_server` would flush the archive after every test); the archive is
flushed at the module's end. Expected figures are read from the database with plain
queries, never from the code under test.
"""

import io
import os
import re
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from django.core.management import call_command
from django.db.models import Count
from pytest_django.live_server_helper import LiveServer

from cables.ingest.bulk import bulk_load
from cables.models import Cable, Tag
from cables.search.lookup import reference_of
from tests.conftest import CABLEGATE_HTML, CABLEGATE_HTML_2011, MIRROR_PAGES, SAMPLE_CSV

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
sync_api = pytest.importorskip("playwright.sync_api")

# No transaction per test: the live server reads the committed sample on a connection of its
# own, and a test's open transaction would lock SQLite's shared in-memory tables.
pytestmark = [pytest.mark.browser]

SAMPLE = [MIRROR_PAGES[0].parent, CABLEGATE_HTML[0].parent, CABLEGATE_HTML_2011[0].parent]
SAMPLE.append(SAMPLE_CSV)
PORT = 0  # any free port: the SQLite and PostgreSQL suites may run side by side
SCREENSHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker):
    """The whole sample, committed, behind a live server; flushed at the module's end."""
    with django_db_blocker.unblock():
        summary = bulk_load(
            SAMPLE, workers=1, stdout=io.StringIO(), stderr=io.StringIO(), tag_entities=False
        )
        assert summary.failed == 0
        call_command("load_tag_definitions", stdout=io.StringIO())
        live = LiveServer(f"localhost:{PORT}")
        live._live_server_modified_settings.enable()
        try:
            yield live
        finally:
            live._live_server_modified_settings.disable()
            live.stop()
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def page(server, browser):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == []


def number(text: str) -> int:
    return int(re.search(r"[\d,]+", text).group(0).replace(",", ""))


def facet_counts(page, name: str) -> dict[str, str]:
    """value -> the count as written, of one facet's items."""
    items = page.locator(f".facet-{name} .facet-link")
    return {
        items.nth(i).get_attribute("data-value"): items.nth(i).locator(".count").inner_text()
        for i in range(items.count())
    }


def origin_counts() -> Counter:
    return Counter(dict(Cable.objects.values_list("origin").annotate(n=Count("id")).order_by()))


@pytest.mark.django_db  # (a test marked so makes pytest-django set the test database up)
def test_an_id_of_the_release_is_recognised_in_an_empty_archive_and_others_are_not():
    assert not Cable.objects.exists()  # before the module's load: the release's index alone
    assert reference_of(" 78kabul3619 ") == "78KABUL3619"
    for text in ("99NOWHERE1", "1990s", "election", "07ASTANA22230", "person:abilov"):
        assert reference_of(text) is None


# --- thousands separators --------------------------------------------------------------------------


def test_counts_over_999_are_written_with_thousands_separators(page, server):
    total = Cable.objects.count()
    assert total > 999
    written = f"{total:,}"
    assert "," in written
    page.goto(f"{server.url}/")
    assert page.inner_text(".lead").startswith(f"{written} cables in the archive")
    years = Counter(Cable.objects.values_list("year", flat=True))
    for year, n in years.items():
        if n > 999:
            link = page.locator(f'.histogram a[href="/cables/?year={year}"] .count')
            assert link.inner_text() == f"{n:,}"
    page.goto(f"{server.url}/cables/")
    assert page.inner_text(".results-count") == f"{written} cables"
    classifications = Counter(Cable.objects.values_list("classification", flat=True))
    shown = facet_counts(page, "classification")
    big = [c for c, n in classifications.items() if n > 999]
    assert big, "the sample has a classification of over 999 cables"
    for classification in big:
        assert shown[classification] == f"{classifications[classification]:,}"
    page.goto(f"{server.url}/tags/")
    tagged = dict(
        Tag.objects.annotate(n=Count("cables")).filter(n__gt=999).values_list("code", "n")
    )
    assert tagged, "the sample has TAGS on over 999 cables"
    for code, n in tagged.items():
        row = page.locator("tr", has=page.locator(f'a[href="/cables/?tag={code}"]'))
        assert row.locator(".count").inner_text() == f"{n:,}"
    page.goto(f"{server.url}/coverage/")
    assert f"The archive holds {written} of them" in page.inner_text(".lead")


# --- a selected value outside the top 25 ----------------------------------------------------------


def test_a_selected_origin_outside_the_top_25_shows_its_true_count(page, server):
    counts = origin_counts()
    astana = counts["Embassy Astana"]
    rank = sorted(counts.values(), reverse=True).index(astana)
    assert astana > 0 and rank >= 25  # outside the facet's list of 25
    page.goto(f"{server.url}/cables/?origin=Embassy+Astana")
    assert number(page.inner_text(".results-count")) == astana
    assert facet_counts(page, "origin")["Embassy Astana"] == str(astana)
    # With text as well: the count beside the value is the total of its results.
    page.goto(f"{server.url}/cables/?q=government&origin=Embassy+Astana")
    total = number(page.inner_text(".results-count"))
    assert facet_counts(page, "origin")["Embassy Astana"] == str(total)
    api = page.request.get(f"{server.url}/api/cables/?origin=Embassy+Astana").json()
    origins = {item["value"]: item["count"] for item in api["facets"]["origin"]}
    assert origins["Embassy Astana"] == astana


# --- every value of a facet -----------------------------------------------------------------------


def test_show_all_lists_every_origin_with_its_count_and_selects_one(page, server):
    counts = origin_counts()
    assert len(counts) > 25
    page.goto(f"{server.url}/cables/")
    assert len(facet_counts(page, "origin")) == 25
    page.locator(".facet-origin .facet-all a").click()
    page.wait_for_url(re.compile(r"/cables/facets/origin/"))
    page.screenshot(path=str(SCREENSHOTS / "finding-facet-values.png"))
    assert page.inner_text(".lead").startswith(f"{len(counts)} values")
    items = page.locator(".facet-values .facet-link")
    assert items.count() == len(counts)
    listed = {
        items.nth(i).get_attribute("data-value"): number(
            items.nth(i).locator(".count").inner_text()
        )
        for i in range(items.count())
    }
    assert listed == dict(counts)
    page.locator('.facet-values .facet-link[data-value="Embassy Astana"]').click()
    page.wait_for_url(re.compile(r"/cables/\?"))
    assert parse_qs(urlsplit(page.url).query)["origin"] == ["Embassy Astana"]
    assert number(page.inner_text(".results-count")) == counts["Embassy Astana"]


def test_show_all_counts_within_the_search_and_its_other_filters(page, server):
    year = 2009
    expected = Counter(
        dict(
            Cable.objects.filter(year=year, classification="CONFIDENTIAL")
            .values_list("origin")
            .annotate(n=Count("id"))
            .order_by()
        )
    )
    page.goto(f"{server.url}/cables/facets/origin/?year={year}&classification=CONFIDENTIAL")
    items = page.locator(".facet-values .facet-link")
    listed = {
        items.nth(i).get_attribute("data-value"): number(
            items.nth(i).locator(".count").inner_text()
        )
        for i in range(items.count())
    }
    assert listed == dict(expected)


def test_the_tags_facet_and_its_values_page_show_each_codes_meaning(page, server):
    definitions = dict(Tag.objects.exclude(definition="").values_list("code", "definition"))
    page.goto(f"{server.url}/cables/")
    items = page.locator(".facet-tag .facet-link")
    assert items.count() == 25
    for i in range(items.count()):
        code = items.nth(i).get_attribute("data-value")
        if code in definitions:
            meaning = items.nth(i).locator(".tag-meaning")
            assert meaning.is_visible()
            assert meaning.inner_text() == definitions[code]
    page.goto(f"{server.url}/cables/facets/tag/")
    prel = page.locator('.facet-values .facet-link[data-value="PREL"] .tag-meaning')
    assert prel.inner_text() == definitions["PREL"]


# --- active filters ----------------------------------------------------------------------------------


def test_active_filters_are_listed_each_removable_and_cleared_together(page, server):
    url = f"{server.url}/cables/?q=government&sort=-created&origin={quote('Embassy Astana')}"
    page.goto(url + "&tag=KZ&year=2007&date_from=2007-01-01")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "finding-active-filters.png"))
    chips = [" ".join(text.split()) for text in page.locator(".active-filter").all_inner_texts()]
    assert chips == [
        "Year: 2007 × (remove)",
        "Origin: Embassy Astana × (remove)",
        f"TAGS: KZ ({Tag.objects.get(code='KZ').definition}) × (remove)",
        "Created from: 2007-01-01 × (remove)",
    ]
    page.locator('.active-filter[data-facet="tag"]').click()
    page.wait_for_load_state("load")
    params = parse_qs(urlsplit(page.url).query)
    assert "tag" not in params
    assert params["origin"] == ["Embassy Astana"] and params["year"] == ["2007"]
    assert params["q"] == ["government"]
    page.locator(".clear-filters").click()
    page.wait_for_load_state("load")
    assert parse_qs(urlsplit(page.url).query) == {"q": ["government"], "sort": ["-created"]}
    assert page.locator(".active-filters").count() == 0


# --- cables read from several sources ------------------------------------------------------------


def test_the_cables_read_from_several_sources_are_listed_with_their_versions(page, server):
    several = list(
        Cable.objects.annotate(n=Count("sources"))
        .filter(n__gte=2)
        .order_by("reference_id")
        .values_list("reference_id", "n")
    )
    assert len(several) == 125
    page.goto(f"{server.url}/")
    page.get_by_role("link", name="Cables read from several sources").click()
    page.wait_for_url(re.compile(r"/cables/several-sources/$"))
    assert page.inner_text(".lead").startswith("125 cables of the archive were read from")
    rows = page.locator(".several-sources tbody tr")
    assert rows.count() == 100  # the first page
    first = rows.nth(0)
    assert first.locator("td a").first.inner_text() == several[0][0]
    assert first.locator("td.num a").inner_text() == str(several[0][1])
    page.get_by_role("link", name="Next →").click()
    page.wait_for_load_state("load")
    assert rows.count() == 25
    rows.nth(0).locator("td.num a").click()
    page.wait_for_url(re.compile(rf"/cable/{several[100][0]}/versions/"))
