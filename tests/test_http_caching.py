"""HTTP caching of anonymous reads: validators from the archive version, 304 on a conditional
GET without the page's queries, and every change readers can see makes a new ETag."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from django.urls import reverse

from cables.ingest.incremental import ingest_paths
from cables.models import Cable, Mention, Person
from tests.conftest import CABLEGATE_HTML, MIRROR_PAGES

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/cables/?q=election",
    "/cables/?q=election&sort=-created&page=1",
    "/cables/help/",
    "/origins/",
    "/tags/",
    "/cable/07ASTANA2223/",
    "/person/nursultan-nazarbayev/",
    "/api/cables/?q=election",
    "/api/cables/07ASTANA2223/",
    "/api/cables/export.csv?q=election",
    "/api/cables/export.json",
]


@pytest.fixture
def curator(db):
    return get_user_model().objects.create_superuser("curator", "c@example.org", "pw")


@pytest.fixture
def staff_client(client, curator):
    client.force_login(curator)
    return client


def fetch(client, url, **headers):
    """GET `url`; an export is read to its end, which closes it (as a WSGI server does)."""
    response = client.get(url, headers=headers)
    if response.streaming:
        response.body = b"".join(response.streaming_content)
    return response


def etag_of(client, url) -> str:
    response = fetch(client, url)
    assert response.status_code == 200, url
    return response["ETag"]


@pytest.mark.parametrize("url", PAGES)
def test_each_page_carries_validators_and_a_public_short_max_age(client, mirror_archive, url):
    with override_settings(CACHE_MAX_AGE=45):
        response = fetch(client, url)
    assert response.status_code == 200
    assert response["ETag"].startswith('"') and len(response["ETag"]) > 10
    assert response["Last-Modified"].endswith("GMT")
    assert set(response["Cache-Control"].split(", ")) == {"public", "max-age=45"}
    assert "Cookie" in response["Vary"]


@pytest.mark.parametrize("url", PAGES)
def test_a_conditional_get_is_304_after_one_query(
    client, mirror_archive, url, django_assert_max_num_queries
):
    etag = etag_of(client, url)
    # The archive version is the only query: the page's own queries do not run. (The API's
    # and the exports' rate limit counts the request first: one upsert.)
    with django_assert_max_num_queries(2 if url.startswith("/api/") else 1):
        response = fetch(client, url, if_none_match=etag)
    assert response.status_code == 304
    assert response["ETag"] == etag
    assert "public" in response["Cache-Control"]


def test_if_modified_since_the_last_change_is_304(client, mirror_archive):
    last_modified = client.get("/cable/07ASTANA2223/")["Last-Modified"]
    response = client.get("/cable/07ASTANA2223/", headers={"if-modified-since": last_modified})
    assert response.status_code == 304


def test_each_address_has_its_own_etag(client, mirror_archive):
    assert etag_of(client, "/cables/?q=election") != etag_of(
        client, "/cables/?q=election&sort=-created"
    )


def test_signed_in_users_get_private_pages_with_their_own_etag(staff_client, mirror_archive):
    anonymous = Client().get("/cable/07ASTANA2223/")["ETag"]
    response = staff_client.get("/cable/07ASTANA2223/")
    assert set(response["Cache-Control"].split(", ")) == {"private", "no-cache"}
    assert response["ETag"] != anonymous
    assert not response.has_header("Last-Modified")
    assert staff_client.get("/cable/07ASTANA2223/", headers={"if-none-match": anonymous}).status_code == 200  # fmt: skip


def test_error_pages_carry_no_validators(client, mirror_archive):
    response = client.get("/cable/99NOWHERE1/")
    assert response.status_code == 404
    assert not response.has_header("ETag")
    assert not response.has_header("Last-Modified")


def assert_stale(client, etags: dict[str, str]) -> None:
    """Every page answers 200 with a new ETag to the request that got 304 before."""
    for url, etag in etags.items():
        response = fetch(client, url, if_none_match=etag)
        assert response.status_code == 200, url
        assert response["ETag"] != etag, url


def etags(client) -> dict[str, str]:
    return {url: etag_of(client, url) for url in PAGES}


def test_ingesting_one_more_cable_makes_every_page_stale(client, mirror_archive):
    before = etags(client)
    summary = ingest_paths([CABLEGATE_HTML[0]])
    assert summary.created == 1
    assert_stale(client, before)


def test_ingesting_nothing_new_keeps_the_pages(client, mirror_archive):
    before = etags(client)
    summary = ingest_paths([MIRROR_PAGES[0]])
    assert summary.created == summary.updated == 0
    assert etags(client) == before


def test_a_curation_decision_in_the_admin_makes_every_page_stale(staff_client, mirror_archive):
    client = Client()
    before = etags(client)
    mention = Mention.objects.filter(status="suggested").first()
    staff_client.post(
        reverse("admin:cables_mention_changelist"),
        {"action": "confirm_mentions", "_selected_action": [mention.pk]},
    )
    mention.refresh_from_db()
    assert mention.status == "confirmed"
    assert_stale(client, before)


def test_deleting_a_cable_in_the_admin_makes_every_page_stale(staff_client, mirror_archive):
    client = Client()
    before = etags(client)
    cable = Cable.objects.get(reference_id="07ASTANA2244")
    response = staff_client.post(
        reverse("admin:cables_cable_delete", args=[cable.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Cable.objects.filter(reference_id="07ASTANA2244").exists()
    assert_stale(client, before)


def test_editing_an_entity_in_the_admin_makes_its_page_stale(staff_client, mirror_archive):
    client = Client()
    url = "/person/nursultan-nazarbayev/"
    before = etag_of(client, url)
    person = Person.objects.get(slug="nursultan-nazarbayev")
    change = reverse("admin:cables_person_change", args=[person.pk])
    form = staff_client.get(change).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        {
            "role": "Elbasy, Leader of the Nation",
            "aliases-TOTAL_FORMS": "0",
            "aliases-INITIAL_FORMS": "0",
            "aliases-MIN_NUM_FORMS": "0",
            "aliases-MAX_NUM_FORMS": "1000",
        }
    )
    response = staff_client.post(change, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    person.refresh_from_db()
    assert person.role == "Elbasy, Leader of the Nation"
    response = client.get(url, headers={"if-none-match": before})
    assert response.status_code == 200
    assert "Elbasy, Leader of the Nation" in response.content.decode()

    # Reverting that edit from the entity's history in the admin makes the page stale again.
    edited = response["ETag"]
    first = person.history.order_by("history_date").first()
    revert = reverse("admin:cables_person_simple_history", args=[person.pk, first.history_id])
    form = staff_client.get(revert).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    response = staff_client.post(revert, data)
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.role == "President of Kazakhstan"
    response = client.get(url, headers={"if-none-match": edited})
    assert response.status_code == 200
    assert "Elbasy" not in response.content.decode()
