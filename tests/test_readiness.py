"""Ready before traffic: `/healthz` says the process is alive without touching the database,
`/readyz` says 503 until the rank index opens and the database answers, then 200 with the
archive version; a gunicorn worker warms up before it accepts a connection, so the first
request of a started server is served warm."""

import json
import time

import pytest
from django.db import connection
from django.urls import reverse

from cables import health
from cables.ingest.incremental import ingest_paths
from cables.lib.archive_version import current_version
from cables.search.index_store import build

from . import served
from .conftest import CABLEGATE_HTML


@pytest.fixture
def warmed(monkeypatch):
    """This process as a gunicorn worker after its warm-up (`post_worker_init`), which the
    tests under gunicorn below run for real."""
    state = health._State()
    state.warmed_at, state.seconds = time.time(), 0.5
    monkeypatch.setattr(health, "_state", state)


@pytest.mark.django_db
def test_healthz_answers_without_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("healthz"))
    assert response.status_code == 200 and response.json() == {"alive": True}
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_is_503_until_the_index_opens_then_200_with_the_archive_version(
    client, warmed, settings, tmp_path
):
    ingest_paths(CABLEGATE_HTML[:3])
    # An index directory that cannot be opened (a file stands where it should be).
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("")
    settings.RANK_INDEX_DIR = blocked
    before = client.get(reverse("readyz"))
    assert before.status_code == 503
    assert before.json()["ready"] is False
    assert before.json()["reason"].startswith("rank index not open")
    assert "no-store" in before["Cache-Control"]

    # A directory with no index yet: still not ready (a request never builds one).
    settings.RANK_INDEX_DIR = tmp_path / "rank-index"
    assert client.get(reverse("readyz")).status_code == 503
    # Once a generation is published there (as `rank_index --rebuild` does), ready.
    build()
    after = client.get(reverse("readyz"))
    assert after.status_code == 200, after.content
    body = after.json()
    assert body["ready"] is True and body["index"] == "open"
    assert body["archive_version"] == current_version().number > 0
    assert body["database"] == connection.vendor


@pytest.fixture(scope="module")
def archive():
    return served.sample_archive()


def test_a_started_gunicorn_is_ready_at_its_first_answer_and_serves_the_first_search_warm(
    archive, tmp_path
):
    log = tmp_path / "gunicorn.log"
    with served.gunicorn(archive, "--workers", "2", log=log) as (port, _):
        status, _, body = served.get(port, "/readyz")
        assert status == 200, body
        ready = json.loads(body)
        assert ready["ready"] is True and ready["archive_version"] > 0
        # The shape that answered 503 cold at full size.
        status, _, body = served.get(port, "/api/cables/?year=2009&tag=PREL")
        assert status == 200 and json.loads(body)["count"] > 0
    # Every worker warmed up before it accepted a connection.
    assert log.read_text().count("warmed up in") == 2, log.read_text()[-2000:]


def test_a_server_whose_index_cannot_open_is_alive_but_not_ready(archive, tmp_path):
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("")
    env = {**archive, "RANK_INDEX_DIR": str(blocked)}
    with served.gunicorn(env, "--workers", "1") as (port, _):
        assert served.get(port, "/healthz")[0] == 200
        status, _, body = served.get(port, "/readyz")
        assert status == 503 and json.loads(body)["ready"] is False
