"""A search page reads every query from one database: a replica at least at the archive
version the rank index holds, else the primary.

The replica is a second alias on the test database (a test mirror, as in tests/test_router.py),
so the test sees which connection each query takes.
"""

import contextvars
import copy
from dataclasses import replace

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from cables.ingest.incremental import ingest_paths
from cables.lib.index_generation import read_stamp, write_stamp
from cables.search.service import search
from tests.conftest import MIRROR_PAGES

if "replica" not in connections.settings:
    _default = connections.settings["default"]
    connections.settings["replica"] = {
        **copy.deepcopy(_default),
        "TEST": {**_default.get("TEST", {}), "MIRROR": "default"},
    }

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])

SEARCHES = [("embassy", {}), ("election", {"year": ["2007"]}), ("", {"tag": ["KZ"]})]


@pytest.fixture
def replica(settings):
    settings.DATABASE_ROUTERS = ["cablearchive.routers.ReplicaRouter"]
    settings.MIDDLEWARE = ["cablearchive.routers.PrimaryPinMiddleware", *settings.MIDDLEWARE]
    assert ingest_paths([MIRROR_PAGES[0].parent]).created == 5


def queries(function):
    """(queries on the primary, queries on the replica) of `function`, run as a new request."""
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        result = contextvars.Context().run(function)
    return len(primary), len(replica), result


def page(query, filters):
    results = search(query, filters)
    return [hit.cable.id for hit in results.page.object_list], results.total


@pytest.mark.parametrize(("query", "filters"), SEARCHES)
def test_a_replica_at_the_index_version_answers_every_query_of_the_page(replica, query, filters):
    on_primary, on_replica, shown = queries(lambda: page(query, filters))
    assert on_primary == 0 and on_replica > 0
    assert shown[1] > 0


@pytest.mark.parametrize(("query", "filters"), SEARCHES)
def test_a_replica_behind_the_index_is_passed_over_for_the_primary(replica, query, filters):
    expected = page(query, filters)
    stamp = read_stamp()
    # The index holds a version the replica has not replayed yet.
    write_stamp("default", replace(stamp, version=stamp.version + 1))
    on_primary, on_replica, shown = queries(lambda: page(query, filters))
    # One read of the replica's archive version; the page itself from the primary.
    assert on_replica == 1 and on_primary > 0
    assert shown == expected
