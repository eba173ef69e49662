"""Read replicas: reads to the replica, writes, the admin and a curator who just wrote to the primary.

The replica here is a second database alias on the same test database (a test mirror), so the
tests see which connection each query takes, and that the replica serves the primary's rows.
"""

import contextvars
import copy
import subprocess
import sys

import pytest
from django.contrib.auth.models import User
from django.db import connections, router
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cablearchive.routers import PIN_COOKIE, ReplicaRouter, is_pinned, use_primary
from cables.ingest.finish import warm_summaries
from cables.models import Tag

from .conftest import ROOT

CODE_PREFIX = "ROUTERTEST"


def _add_replica_alias() -> None:
    """A `replica` alias mirroring the test database, added before the test databases are set up.

    Django's test setup points a TEST MIRROR alias at the primary's test database, so the
    replica connection is a second connection to the same database, as a streaming replica is.
    Other test files do not use the alias and the router is only on in these tests.
    """
    if "replica" not in connections.settings:
        default = connections.settings["default"]
        replica_settings = copy.deepcopy(default)
        replica_settings["TEST"] = {**default.get("TEST", {}), "MIRROR": "default"}
        connections.settings["replica"] = replica_settings


_add_replica_alias()
pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture
def replica(settings):
    """The router and the pin middleware on, as settings install them with DATABASE_REPLICA_URLS."""
    settings.DATABASE_ROUTERS = ["cablearchive.routers.ReplicaRouter"]
    settings.MIDDLEWARE = ["cablearchive.routers.PrimaryPinMiddleware", *settings.MIDDLEWARE]


def in_fresh_context(function):
    """Run `function` as a new request would: no pin left over from earlier writes."""
    return contextvars.Context().run(function)


def queries(function):
    """(queries on the primary, queries on the replica) run by `function` in a fresh context."""
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        in_fresh_context(function)
    return len(primary), len(replica)


def curator() -> User:
    return User.objects.create_superuser("router-curator", "c@example.org", "pw-router-1")


def test_reads_go_to_the_replica(replica):
    assert in_fresh_context(lambda: Tag.objects.all().db) == "replica"
    assert queries(lambda: list(Tag.objects.filter(code=f"{CODE_PREFIX}A"))) == (0, 1)


def test_writes_go_to_the_primary_and_pin_the_reads_after_them(replica):
    def write_then_read():
        tag = Tag.objects.create(code=f"{CODE_PREFIX}B")
        assert tag._state.db == "default"
        assert is_pinned()
        return Tag.objects.filter(code=tag.code).db

    assert in_fresh_context(write_then_read) == "default"


def test_the_replica_serves_rows_committed_on_the_primary(replica):
    in_fresh_context(lambda: Tag.objects.create(code=f"{CODE_PREFIX}C"))
    codes = in_fresh_context(
        lambda: list(
            Tag.objects.filter(code__startswith=CODE_PREFIX).values_list("code", flat=True)
        )
    )
    assert codes == [f"{CODE_PREFIX}C"]


def test_use_primary_sends_reads_to_the_primary(replica):
    def read_pinned():
        with use_primary():
            list(Tag.objects.all()[:1])

    assert queries(read_pinned) == (1, 0)


def test_accounts_and_sessions_are_read_from_the_primary(replica):
    assert in_fresh_context(lambda: User.objects.all().db) == "default"


def test_replicas_are_never_migrated_and_their_rows_relate_to_the_primary_rows(replica):
    assert router.allow_migrate("replica", "cables") is False
    assert router.allow_migrate("default", "cables") is True
    from_primary, from_replica = Tag(), Tag()
    from_primary._state.db, from_replica._state.db = "default", "replica"
    assert ReplicaRouter().allow_relation(from_primary, from_replica) is True


def test_pages_read_from_the_replica_until_the_curator_writes(replica):
    in_fresh_context(curator)
    # The archive-wide counts the TAGS page shows are stored by the writers (ingest warms
    # them); a reader finding none would compute and store them on the primary.
    in_fresh_context(warm_summaries)
    client = Client()

    primary, on_replica = queries(lambda: client.get("/tags/"))
    assert on_replica > 0 and primary == 0
    assert PIN_COOKIE not in client.cookies

    response = in_fresh_context(
        lambda: client.post(
            "/admin/login/", {"username": "router-curator", "password": "pw-router-1"}
        )
    )
    assert response.status_code == 302
    assert PIN_COOKIE in client.cookies

    primary, on_replica = queries(lambda: client.get("/tags/"))
    assert on_replica == 0 and primary > 0


def test_admin_pages_read_from_the_primary(replica):
    in_fresh_context(curator)
    client = Client()
    client.force_login(User.objects.using("default").get(username="router-curator"))
    client.cookies.pop(PIN_COOKIE, None)
    primary, on_replica = queries(lambda: client.get("/admin/cables/tag/"))
    assert on_replica == 0 and primary > 0


def test_settings_add_replicas_router_and_pool_from_the_environment():
    code = (
        "import django; django.setup(); from django.conf import settings as s;"
        "print(sorted(s.DATABASES)); print(s.DATABASE_ROUTERS); print(s.MIDDLEWARE[0]);"
        "print(s.DATABASES['replica2']['HOST'], s.DATABASES['replica2']['TEST']);"
        "print(s.DATABASES['default']['OPTIONS']['pool'], s.DATABASES['default']['CONN_MAX_AGE'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={
            "DJANGO_SETTINGS_MODULE": "cablearchive.settings",
            "PATH": "/usr/bin",
            "DATABASE_URL": "postgres://app@primary.example:5432/archive",
            "DATABASE_REPLICA_URLS": "postgres://app@r1.example/archive, postgres://app@r2.example/archive",
            "DB_POOL": "1",
            "DB_POOL_MAX_SIZE": "20",
        },
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "['default', 'replica1', 'replica2']"
    assert lines[1] == "['cablearchive.routers.ReplicaRouter']"
    assert lines[2] == "cablearchive.routers.PrimaryPinMiddleware"
    assert lines[3].startswith("r2.example {'MIRROR': 'default'")
    assert lines[4] == "{'min_size': 2, 'max_size': 20, 'timeout': 10} 0"


def test_the_search_time_budget_bounds_the_replica_too(replica):
    from cables.search.budget import SearchTooBroad, read_aliases, time_budget
    from tests.helpers import SLOW_STATEMENT

    assert read_aliases() == ["default", "replica"]
    connection = connections["replica"]
    with (
        pytest.raises(SearchTooBroad),
        time_budget(0.2),
        connection.cursor() as cursor,
    ):
        cursor.execute(SLOW_STATEMENT[connection.vendor])


def test_without_the_router_the_budget_is_on_the_primary_only():
    from cables.search.budget import read_aliases

    assert read_aliases() == ["default"]
