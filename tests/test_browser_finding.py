"""Finding what you know is there, in real headless Chromium (Debian's, driven by Playwright).

The archive: the starter entities, the five mirror pages (07ASTANA2223 among them) and ten
original cablegate pages, ingested and tagged, with the TAGS definitions. Expected figures
are read from the database with plain queries, never from the code under test. Screenshots
go to artifacts/screenshots/finding-*.png.
"""

import io
import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from cables.entities.loading import load_starter_list
from cables.ingest.incremental import ingest_paths
from cables.models import Cable, Mention, Person
from cables.suggest.index import forget_index
from tests.conftest import CABLEGATE_HTML, MIRROR_PAGES

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
sync_api = pytest.importorskip("playwright.sync_api")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"
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
# A cable of the release the archive does not hold: May 1978 by the release's index.
MISSING = "78KABUL3619"


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
    # A 404 page is logged by Chromium as a failed resource load: not a script error.
    errors = [e for e in errors if "status of 404" not in e]
    assert errors == [], f"JavaScript or CSP errors in the page: {errors}"


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"finding-{name}.png"))


def results_count(page) -> int:
    text = page.inner_text(".results-count")
    return int(re.match(r"(?:About )?([\d,]+) cable", text).group(1).replace(",", ""))


def cables_of(kind: str, slug: str) -> int:
    """Cables with a visible mention of the entity, counted in the mention table."""
    mentions = Mention.objects.visible().filter(**{f"{kind}__slug": slug})
    return mentions.values("cable_id").distinct().count()


# --- a reference ID typed in a search box ---------------------------------------------------------


@pytest.mark.parametrize("typed", ["07ASTANA2223", "07astana2223", "  07Astana2223  "])
def test_a_reference_id_in_the_search_pages_box_opens_the_cable(page, live_server, typed):
    assert Cable.objects.filter(reference_id="07ASTANA2223").exists()
    page.goto(f"{live_server.url}/cables/")
    page.fill("#id_q", typed)
    if typed == "07astana2223":
        screenshot(page, "id-lookup-typed")
    page.press("#id_q", "Enter")
    page.wait_for_url(re.compile(r"/cable/07ASTANA2223/$"))
    assert page.inner_text("h1 .ref") == "07ASTANA2223"
    if typed == "07astana2223":
        screenshot(page, "id-lookup-cable")


def test_a_reference_id_in_the_headers_quick_search_opens_the_cable(page, live_server):
    page.goto(f"{live_server.url}/origins/")
    page.fill("#header-q", " 07astana2223 ")
    page.press("#header-q", "Enter")
    page.wait_for_url(re.compile(r"/cable/07ASTANA2223/$"))
    assert page.inner_text("h1 .ref") == "07ASTANA2223"


def test_an_id_of_the_release_the_archive_lacks_opens_its_not_in_the_archive_page(
    page, live_server
):
    assert not Cable.objects.filter(reference_id=MISSING).exists()
    page.goto(f"{live_server.url}/")
    page.fill("#header-q", MISSING.lower())
    page.press("#header-q", "Enter")
    page.wait_for_url(re.compile(rf"/cable/{MISSING}/$"))
    notice = page.inner_text(".cable-missing .notice")
    # The release's index gives the month the cable was written (issue: it said "released").
    assert notice.startswith("Not in the archive. Written in May 1978.")
    assert "released" not in notice.split(".")[0]


def test_a_lower_case_cable_address_redirects_to_the_canonical_one(page, live_server):
    response = page.request.get(f"{live_server.url}/cable/07astana2223/", max_redirects=0)
    assert response.status == 301
    assert response.headers["location"] == "/cable/07ASTANA2223/"
    page.goto(f"{live_server.url}/cable/07astana2223/#par2")
    assert page.url.endswith("/cable/07ASTANA2223/#par2")
    assert page.inner_text("h1 .ref") == "07ASTANA2223"


def test_an_id_neither_the_archive_nor_the_release_has_is_searched_as_text(page, live_server):
    page.goto(f"{live_server.url}/cables/?q=99NOWHERE1")
    assert "/cables/" in page.url
    assert results_count(page) == 0


# --- fields typed in the box -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "person:abilov",  # the README's example
        "person:Abilov",
        "person:ABILOV",
        'person:"Bulat Abilov"',
        "person:bulat-abilov",
    ],
)
def test_a_person_field_takes_a_surname_a_name_or_the_slug_in_any_case(page, live_server, typed):
    expected = cables_of("person", "bulat-abilov")
    assert expected > 0
    page.goto(f"{live_server.url}/cables/")
    page.fill("#id_q", typed)
    page.press("#id_q", "Enter")
    page.wait_for_load_state("load")
    assert results_count(page) == expected


def test_a_person_field_takes_an_alias(page, live_server):
    expected = cables_of("person", "nursultan-nazarbayev")
    assert expected > 0
    page.goto(f"{live_server.url}/cables/?q=person%3ANazarbaev")
    assert results_count(page) == expected


@pytest.mark.parametrize("typed", ['party:"nur otan"', "party:Nur-Otan", "party:otan"])
def test_a_party_field_takes_its_name_an_alias_or_a_former_name(page, live_server, typed):
    expected = cables_of("party", "nur-otan")
    assert expected > 0
    page.goto(f"{live_server.url}/cables/")
    page.fill("#id_q", typed)
    page.press("#id_q", "Enter")
    page.wait_for_load_state("load")
    assert results_count(page) == expected


def test_a_surname_two_people_share_finds_both_and_lists_them(page, live_server):
    rakhat = Person.objects.get(name="Rakhat Aliyev")
    Person.objects.create(name="Ilham Aliyev", country="Azerbaijan")
    expected = cables_of("person", rakhat.slug)
    page.goto(f"{live_server.url}/cables/?q=person%3Aaliyev")
    assert results_count(page) == expected
    note = page.locator(".field-note")
    assert "matches 2 persons, all searched: Ilham Aliyev, Rakhat Aliyev." in note.inner_text()
    note.get_by_role("link", name="Rakhat Aliyev").click()
    page.wait_for_load_state("load")
    assert page.input_value("#id_q") == f"person:{rakhat.slug}"
    assert results_count(page) == expected
    assert page.locator(".field-note").count() == 0


def test_a_field_naming_nobody_says_so(page, live_server):
    page.goto(f"{live_server.url}/cables/?q=person%3Azzyzx")
    assert results_count(page) == 0
    assert "No person in the archive is called zzyzx" in page.inner_text(".field-note")


# --- a known alias that the text does not hold ----------------------------------------------------


def test_a_known_alias_missing_from_the_text_offers_the_persons_cables(page, live_server):
    expected = cables_of("person", "nursultan-nazarbayev")
    assert expected > 0
    page.goto(f"{live_server.url}/cables/?q=Nazarbaev")
    assert results_count(page) == 0  # no cable spells it so
    offer = page.locator(".entity-offer")
    assert offer.inner_text().startswith(
        f"Search as person: Nursultan Nazarbayev ({expected} cables)"
    )
    screenshot(page, "alias-offer")
    offer.get_by_role("link", name=re.compile(r"^Nursultan Nazarbayev \(")).click()
    page.wait_for_load_state("load")
    assert "person=nursultan-nazarbayev" in page.url
    assert results_count(page) == expected


# --- the zero-result page --------------------------------------------------------------------------


def test_the_zero_result_page_offers_no_empty_list(page, live_server):
    page.goto(f"{live_server.url}/cables/?q=zzyzxqq")
    advice = page.locator(".no-results")
    assert results_count(page) == 0
    text = advice.inner_text()
    assert not re.search(r"or:\s*$", text.split("\n")[0])
    assert page.locator(".no-results ul").count() == 0  # nothing to offer: no list at all
    assert "reference ID" in text
    # With something to relax, the list has it.
    page.goto(f"{live_server.url}/cables/?q=zzyzxqq+Abilov")
    assert page.locator(".no-results ul li").count() >= 1


# --- sorting ---------------------------------------------------------------------------------------


def test_changing_the_sort_runs_the_search_without_a_click(page, live_server):
    page.goto(f"{live_server.url}/cables/?q=election")
    page.select_option("#id_sort", "created")
    page.wait_for_url(re.compile(r"sort=created"))
    dates = page.locator(".result .meta").all_inner_texts()
    days = [d.split(" · ")[0] for d in dates]
    assert days == sorted(days)


def test_the_sort_menu_offers_no_order_most_cables_lack(page, live_server):
    total = Cable.objects.count()
    dated = Cable.objects.exclude(released=None).count()
    page.goto(f"{live_server.url}/cables/")
    offered = page.locator("#id_sort option").evaluate_all("os => os.map(o => o.value)")
    assert "-released" not in offered
    assert offered == ["relevance", "-created", "created"]
    assert dated < total  # why: the release date is known for some cables only


def test_the_home_page_lists_the_most_recently_written_cables_newest_first(page, live_server):
    expected = list(
        Cable.objects.exclude(created=None)
        .order_by("-created", "reference_id")
        .values_list("reference_id", flat=True)[:10]
    )
    page.goto(f"{live_server.url}/")
    assert page.inner_text("#newest") == "Most recently written"
    listed = page.locator(".newest li > a").all_inner_texts()
    assert listed == expected
