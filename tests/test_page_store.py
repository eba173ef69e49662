"""The server's own store of anonymous pages (settings.PAGE_CACHE_SECONDS): a page asked for
again in the same archive version is served without its queries, and any change of the
archive, or a signed-in reader, gets a page rendered for it."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cables.ingest.incremental import ingest_paths
from cables.lib.archive_version import archive_changed
from cables.models import Cable
from tests.conftest import CABLEGATE_HTML

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/cables/?q=election",
    "/cables/?tag=KZ&sort=created",
    "/cable/07ASTANA2223/",
    "/person/nursultan-nazarbayev/",
    "/api/cables/?q=election",
    "/api/cables/07ASTANA2223/",
]


@pytest.fixture(autouse=True)
def page_store_on(settings):
    settings.PAGE_CACHE_SECONDS = 600


def queries_of(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return response, len(captured)


@pytest.mark.parametrize("url", PAGES)
def test_a_page_asked_for_again_is_served_stored_with_one_query(client, mirror_archive, url):
    first, first_queries = queries_of(client, url)
    again, again_queries = queries_of(client, url)
    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
    assert "public" in again["Cache-Control"]
    # The archive version, read to make the key: none of the page's own queries. (The API's
    # rate limit counts the request first: one upsert.)
    expected = 2 if url.startswith("/api/") else 1
    assert again_queries == expected < first_queries


def test_a_page_stored_before_an_ingest_is_rendered_again_after_it(client, mirror_archive):
    reference_id = CABLEGATE_HTML[0].stem  # the file is named after its cable
    url = f"/api/cables/?q={reference_id}"
    missing = f"/cable/{reference_id}/"
    assert client.get(missing).status_code == 404
    before = client.get("/api/cables/?q=brazil").json()
    summary = ingest_paths([CABLEGATE_HTML[0]])
    assert summary.created == 1
    assert client.get(missing).status_code == 200
    after = client.get("/api/cables/?q=brazil").json()
    assert after["count"] == before["count"] + 1
    assert client.get(url).status_code == 200


def test_a_stored_page_follows_a_deleted_cable(client, mirror_archive):
    url = "/cable/07ASTANA2223/"
    assert client.get(url).status_code == 200
    Cable.objects.get(reference_id="07ASTANA2223").delete()
    archive_changed()
    assert client.get(url).status_code == 404


def test_signed_in_readers_never_get_a_stored_page(client, mirror_archive):
    url = "/cable/07ASTANA2223/"
    client.get(url)
    user = get_user_model().objects.create_user("reader", "r@example.org", "pw")
    client.force_login(user)
    response, queries = queries_of(client, url)
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    assert queries > 1


def test_error_pages_are_not_stored(client, mirror_archive):
    _, first = queries_of(client, "/cable/99NOWHERE1/")
    response, again = queries_of(client, "/cable/99NOWHERE1/")
    assert response.status_code == 404
    assert again == first > 1


def test_the_store_can_be_switched_off(client, mirror_archive, settings):
    settings.PAGE_CACHE_SECONDS = 0
    _, first = queries_of(client, "/cable/07ASTANA2223/")
    _, again = queries_of(client, "/cable/07ASTANA2223/")
    assert again == first > 1


def test_a_page_made_from_counts_of_an_older_version_is_not_kept(client, mirror_archive):
    assert client.get("/").status_code == 200  # counts stored for this version
    archive_changed()  # a curation change: the stored counts are now an older version's
    _, stale = queries_of(client, "/")  # served the older counts while they are made again
    _, fresh = queries_of(client, "/")  # rendered from the new counts, and kept
    _, kept = queries_of(client, "/")
    assert stale > 1 and fresh > 1
    assert kept == 1
