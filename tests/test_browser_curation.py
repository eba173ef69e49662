"""Curation that changes other people's data only after the curator has seen what it does, in
real headless Chromium: the merge preview (a bare surname never becomes an alias), a merged
entity's address, fresh suggestions right after a merge, same-text rejections grouped by
origin and undone from the history, the history itself, and entity-page snippets.

Screenshots go to SCREENSHOT_DIR (default artifacts/screenshots/), named curation-*.png.
"""

import json
import os
import re
import threading
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from cables.entities import curation
from cables.entities.loading import load_starter_list
from cables.entities.tagging import tag_cables
from cables.models import Alias, Cable, EntitySuggestion, Mention, Paragraph, Person
from cables.suggest.index import forget_index
from tests.curation_corpus import ALIYEV_CSV, AMORIM_CSV, AMORIM_HTML, ingest_sample
from tests.test_entities_seed import seed_mirror_pages

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
sync_api = pytest.importorskip("playwright.sync_api")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(
    os.environ.get(
        "SCREENSHOT_DIR", Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"
    )
)
PASSWORD = "a-curator-password-for-tests-1"


@pytest.fixture
def curator(transactional_db):
    forget_index()
    yield get_user_model().objects.create_superuser("curator", "c@example.org", PASSWORD)
    forget_index()


@pytest.fixture
def page(browser, live_server, curator):
    context = browser.new_context(viewport={"width": 1300, "height": 1000})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == []


def sign_in(page, live_server):
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.get_by_label("Username").fill("curator")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/admin/")


def settled(page):
    """Wait until the browser has no request in flight: on SQLite the live server answers on
    the test's own connection, which a query of the test must not use at the same time."""
    page.wait_for_load_state("networkidle")


def background_counts_done(timeout=30):
    """Wait for this process's background recounts (SUMMARIES_IN_BACKGROUND) to finish: they
    write on the test's in-memory SQLite database, whose shared cache refuses a second writer
    outright instead of waiting for it as a database file does."""
    for thread in threading.enumerate():
        if thread.name.startswith("summary-") or thread.name == "suggestion-index":
            thread.join(timeout)


def shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"curation-{name}.png"), full_page=True)


def suggest(page, live_server, text):
    response = page.request.get(f"{live_server.url}/api/suggest/?q={text}")
    return json.loads(response.text())["results"]


def run_action(page, live_server, changelist, search, labels, action):
    page.goto(f"{live_server.url}{changelist}?q={search}")
    for label in labels:
        page.locator("#result_list tr", has_text=label).first.locator("input.action-select").check()
    page.locator("select[name=action]").select_option(action)
    page.locator(".actions button[type=submit]").first.click()


@pytest.fixture
def amorims(curator):
    load_starter_list()
    ingest_sample(AMORIM_CSV, AMORIM_HTML)
    celso = curation.accept_suggestion(EntitySuggestion.objects.get(name="Celso Amorim"))
    # The queue also offered the bare surname "Amorim" (a title before it: "Minister Amorim").
    bare = EntitySuggestion.objects.create(kind="person", name="Amorim", reason="title")
    amorim = curation.accept_suggestion(bare)
    return celso, amorim


def jaime_amorim_mentions():
    """The mentions of "Amorim" in "Jaime Amorim" (04BRASILIA873, the MST leader)."""
    found = []
    for mention in Mention.objects.filter(
        cable__reference_id="04BRASILIA873", matched_text="Amorim"
    ).select_related("paragraph", "person"):
        if mention.paragraph.text[: mention.start].rstrip().endswith("Jaime"):
            found.append(mention)
    return found


def test_a_merge_shows_what_it_will_tag_and_never_makes_a_bare_surname_an_alias(
    page, live_server, amorims, settings
):
    celso, amorim = amorims
    assert {m.person for m in jaime_amorim_mentions()} == {amorim}  # the bare name tags him
    cables_before = Mention.objects.filter(person=celso).values("cable").distinct().count()
    # Production builds suggestions in the background; a curator's change must still show at once.
    settings.SUMMARIES_IN_BACKGROUND = True
    assert [r["cables"] for r in suggest(page, live_server, "celso")] == [cables_before]

    sign_in(page, live_server)
    run_action(
        page, live_server, "/admin/cables/person/", "Amorim", ["Celso Amorim", "Amorim"],
        "merge_selected",
    )  # fmt: skip
    page.get_by_label("Celso Amorim").check()
    page.get_by_role("button", name="Preview the merge").click()
    preview = page.locator("#tagging-preview")
    summary = preview.locator(".preview-summary").text_content()
    gained = Mention.objects.filter(person=amorim)
    cables = gained.values("cable").distinct().count()
    assert re.search(
        rf"{gained.count()} mentions\s+in\s+{cables} cables will newly be tagged", summary
    ), summary
    assert "bare surname: it will not become an alias" in preview.text_content()
    jaime_row = preview.locator("tr", has_text="MST's leader in Pernambuco, Jaime")
    assert "suggested" in jaime_row.text_content()  # under review, not "auto: exact alias"
    settled(page)
    assert Person.objects.filter(pk=amorim.pk).exists()  # nothing merged yet
    shot(page, "merge-preview")

    background_counts_done()
    page.get_by_role("button", name="Merge into Celso Amorim").click()
    assert "Merged 1 (Amorim) into Celso Amorim" in page.locator(".messagelist").text_content()
    settled(page)
    assert not Alias.objects.filter(person=celso, text__iexact="Amorim").exists()
    for mention in jaime_amorim_mentions():
        assert (mention.person, mention.status) == (celso, "suggested")
        assert mention.review_label != "auto: exact alias"

    # Fresh suggestions at once: the survivor with its new cables, the merged name gone.
    cables_after = Mention.objects.filter(person=celso).values("cable").distinct().count()
    assert cables_after > cables_before
    assert [(r["label"], r["cables"]) for r in suggest(page, live_server, "celso")] == [
        ("Celso Amorim", cables_after)
    ]
    assert [r["url"] for r in suggest(page, live_server, "amorim")] == ["/person/celso-amorim/"]

    # The merged entity's address leads to the survivor.
    response = page.request.get(f"{live_server.url}/person/amorim/", max_redirects=0)
    assert response.status == 302
    assert response.headers["location"] == "/person/celso-amorim/"
    page.goto(f"{live_server.url}/person/amorim/")
    assert page.url == f"{live_server.url}/person/celso-amorim/"
    assert page.locator("h1").text_content().strip().startswith("Celso Amorim")


@pytest.fixture
def aliyevs(curator):
    load_starter_list()
    ingest_sample(ALIYEV_CSV)
    # Without a country, a bare "Aliyev" is suggested as Rakhat Aliyev wherever it appears.
    Person.objects.filter(name="Rakhat Aliyev").update(country="")
    tag_cables(list(Cable.objects.values_list("pk", flat=True)))
    return Person.objects.get(name="Rakhat Aliyev")


def aliyev_statuses(rakhat):
    rows = Mention.objects.filter(person=rakhat, matched_text="Aliyev", method="surname")
    return {
        origin: sorted(set(rows.filter(cable__origin=origin).values_list("status", flat=True)))
        for origin in set(rows.values_list("cable__origin", flat=True))
    }


def test_rejecting_by_text_groups_the_mentions_by_origin_first_and_can_be_undone(
    page, live_server, aliyevs
):
    rakhat = aliyevs
    before = aliyev_statuses(rakhat)
    assert before["Embassy Baku"] == ["suggested"] and len(before) >= 3

    sign_in(page, live_server)
    run_action(
        page, live_server, "/admin/cables/reviewqueuemention/", "Aliyev", ["Aliyev"],
        "reject_same_text",
    )  # fmt: skip
    groups = page.locator("fieldset.origin-group")
    assert groups.count() == len([o for o, statuses in before.items() if "suggested" in statuses])
    baku = groups.filter(has_text="Embassy Baku")
    assert "Baku" in baku.text_content() and "Aliyev" in baku.locator("mark").first.text_content()
    assert aliyev_statuses(rakhat) == before  # nothing decided yet
    for index in range(groups.count()):  # only the Baku ones are Ilham Aliyev
        if "Embassy Baku" not in groups.nth(index).text_content():
            groups.nth(index).get_by_role("checkbox").uncheck()
    shot(page, "reject-by-origin")
    page.get_by_role("button", name="Reject the ticked groups").click()
    assert "Rejected" in page.locator(".messagelist").text_content()
    after = aliyev_statuses(rakhat)
    assert after["Embassy Baku"] == ["rejected"]
    assert all(after[o] == before[o] for o in after if o != "Embassy Baku")

    # The entity's history shows the bulk decision, and undoes it.
    page.goto(f"{live_server.url}/admin/cables/person/{rakhat.pk}/history/")
    history = page.locator("#curation-history")
    assert "bulk decision" in history.text_content() and "Embassy Baku" in history.text_content()
    history.get_by_role("button", name=re.compile("Undo bulk decision")).click()
    assert "Undid bulk decision" in page.locator(".messagelist").text_content()
    assert aliyev_statuses(rakhat) == before
    assert "undone" in page.locator("#curation-history").text_content()


def test_the_history_shows_aliases_added_and_mentions_rejected(page, live_server, aliyevs):
    rakhat = aliyevs
    sign_in(page, live_server)
    # An alias, added inline, after seeing what it will tag.
    page.goto(f"{live_server.url}/admin/cables/person/{rakhat.pk}/change/")
    rows = page.locator("#aliases-group tr.form-row:not(.has_original):not(.empty-form)")
    rows.first.locator("input[name$='-text']").fill("R. Aliyev")
    page.get_by_role("button", name="Save and continue editing").click()
    assert "Add “R. Aliyev” to Rakhat Aliyev?" in page.locator("h1").text_content()
    page.get_by_role("button", name="Save and tag the archive").click()
    settled(page)
    assert Alias.objects.filter(person=rakhat, text="R. Aliyev").exists()
    # A mention rejected on its own.
    mention = Mention.objects.filter(
        person=rakhat, cable__origin="Embassy Baku", matched_text="Aliyev"
    ).first()
    page.goto(f"{live_server.url}/admin/cables/mention/{mention.pk}/change/")
    page.get_by_label("Status").select_option("rejected")
    page.get_by_role("button", name="Save", exact=True).click()

    page.goto(f"{live_server.url}/admin/cables/person/{rakhat.pk}/change/")
    field = page.locator(".field-curation_log")
    assert "alias “R. Aliyev” (name or spelling) added" in field.text_content()
    assert f"mention “Aliyev” in {mention.cable.reference_id}" in field.text_content()
    assert "rejected" in field.text_content() and "curator" in field.text_content()
    page.goto(f"{live_server.url}/admin/cables/person/{rakhat.pk}/history/")
    history = page.locator("#curation-history").text_content()
    assert "alias “R. Aliyev” (name or spelling) added" in history
    assert f"¶{mention.paragraph.number} rejected" in history


def test_suggestions_never_offer_a_name_without_cables(page, live_server, curator):
    load_starter_list()
    seed_mirror_pages()
    from cables.models import Election

    empty = [e for e in Election.objects.all() if not e.mentions.exists()]
    assert empty, "the starter list has elections no sample cable names"
    page.goto(f"{live_server.url}/")
    box = page.locator("input[name=q]").first
    box.fill("election")
    page.wait_for_selector("[role=option]")
    options = page.locator("[role=option]")
    texts = [options.nth(i).text_content() for i in range(options.count())]
    assert all(e.name not in " ".join(texts) for e in empty)
    for result in suggest(page, live_server, "election") + suggest(page, live_server, "20"):
        assert result["cables"] > 0, result


def test_entity_page_snippets_start_and_end_between_words(page, live_server, curator):
    load_starter_list()
    seed_mirror_pages()
    nazarbayev = Person.objects.get(name="Nursultan Nazarbayev")
    page.goto(f"{live_server.url}{nazarbayev.get_absolute_url()}")
    snippets = page.locator(".mention-snippet")
    assert snippets.count() >= 10
    texts = {
        " ".join(p.text.split()) for p in Paragraph.objects.filter(mentions__person=nazarbayev)
    }
    for index in range(snippets.count()):
        shown = " ".join(snippets.nth(index).text_content().split())
        inner = shown.removeprefix("… ").removesuffix(" …")
        # The snippet is the paragraph's own words, with the paragraph's own spacing.
        holder = next((t for t in texts if inner in t), None)
        assert holder is not None, shown
        start = holder.index(inner)
        assert start == 0 or holder[start - 1] == " ", shown
        end = start + len(inner)
        assert end == len(holder) or holder[end] == " ", shown
