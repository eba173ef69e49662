"""The same URL means the same thing on both backends: one request mix (tests/pages_on_backend.py)
over the sample corpus gives the same cables in the same order, the same totals and the same
facet counts on SQLite and on PostgreSQL.

This run's backend is compared with the other one, loaded from the same files in a subprocess:
PostgreSQL's side gets a fresh database (COMPARE_POSTGRES_URL, default the local server), created
and dropped here. A machine with no PostgreSQL (a fresh one with only Python) compares SQLite with
a second SQLite archive instead, and says so in a warning.
"""

import json
import os
import subprocess
import sys
import uuid
import warnings

import psycopg
import pytest
from django.db import connection

from cables.entities.loading import load_starter_list
from cables.ingest.incremental import ingest_paths
from cables.tooling.same_pages import api_pages, differences
from tests.pages_on_backend import INPUTS, MIX, ROOT

pytestmark = pytest.mark.django_db
POSTGRES = os.environ.get("COMPARE_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def other_backend_pages(tmp_path) -> tuple[str, dict]:
    env = {**os.environ, "RANK_INDEX_DIR": str(tmp_path / "rank"), "EXPORT_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    database = None
    if connection.vendor == "sqlite":
        try:
            with psycopg.connect(POSTGRES, autocommit=True, connect_timeout=5) as admin:
                database = f"compare_{uuid.uuid4().hex[:12]}"
                admin.execute(f"CREATE DATABASE {database}")
            env["DATABASE_URL"] = POSTGRES.rsplit("/", 1)[0] + f"/{database}"
        except psycopg.OperationalError as error:
            warnings.warn(
                f"no PostgreSQL at {POSTGRES} ({error}): compared with SQLite only", stacklevel=2
            )
    if "DATABASE_URL" not in env:
        env["SQLITE_PATH"] = str(tmp_path / "other.sqlite3")
    try:
        result = subprocess.run(
            [sys.executable, str(ROOT / "tests" / "pages_on_backend.py")],
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
    finally:
        if database:
            with psycopg.connect(POSTGRES, autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
    assert result.returncode == 0, result.stderr[-3000:]
    return ("postgresql" if database else "sqlite"), json.loads(result.stdout)


def test_the_request_mix_gives_the_same_pages_on_both_backends(client, tmp_path, settings):
    settings.RATELIMIT_ENABLE = False
    load_starter_list()
    assert ingest_paths(INPUTS).failed == 0
    here = api_pages(client, MIX)
    vendor, there = other_backend_pages(tmp_path)
    assert vendor != connection.vendor or vendor == "sqlite"

    assert differences(here, there) == [], f"{connection.vendor} against {vendor}"
    # The mix is not vacuous: pages of cables, and facet counts to compare on most of them.
    assert sum(bool(page["cables"]) for page in here.values()) >= len(MIX) - 2
    assert sum(len(page["facets"]) >= 3 for page in here.values()) >= len(MIX) // 2


def test_the_comparison_sees_each_kind_of_difference():
    page = {
        "cables": ["A", "B"],
        "count": 2,
        "count_exact": True,
        "num_pages": 1,
        "facets": {"year": {"2007": 2}, "origin": {"Embassy Astana": 2}},
        "facets_estimated": [],
    }
    assert differences({"q=x": page}, {"q=x": dict(page)}) == []
    swapped = {**page, "cables": ["B", "A"]}
    assert [d[1] for d in differences({"q=x": page}, {"q=x": swapped})] == ["cables"]
    counted = {**page, "count": 3, "facets": {**page["facets"], "year": {"2007": 3}}}
    assert [d[1] for d in differences({"q=x": page}, {"q=x": counted})] == ["count", "year"]
    # Estimates on both sides: only what is exact is compared.
    rough = {**page, "count_exact": False, "facets_estimated": ["year"]}
    assert differences({"q=x": rough}, {"q=x": {**rough, "count": 5}}) == []
    assert [d[1] for d in differences({"q=x": rough}, {"q=x": page})] == [
        "count_exact",
        "facets_estimated",
    ]
    # An estimated facet whose sample found no value on one side is not shown there; a facet
    # counted exactly must be shown on both.
    with_party = {**rough, "facets": {**page["facets"], "party": {"nur-otan": 36}}}
    estimated_party = {**with_party, "facets_estimated": ["year", "party"]}
    assert differences({"q=x": estimated_party}, {"q=x": rough}) == []
    assert [d[1] for d in differences({"q=x": with_party}, {"q=x": rough})] == ["facets_estimated"]
