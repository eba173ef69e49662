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
from tests.pages_on_backend import INPUTS, MIX, ROOT, pages

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
    here = pages(client)
    vendor, there = other_backend_pages(tmp_path)
    assert vendor != connection.vendor or vendor == "sqlite"

    differences = []
    for query in MIX:
        mine, theirs = here[query], there[query]
        for key in ("cables", "count_exact"):
            if mine[key] != theirs[key]:
                differences.append((query, key, mine[key], theirs[key]))
        if mine["count_exact"] and theirs["count_exact"]:
            for key in ("count", "num_pages"):
                if mine[key] != theirs[key]:
                    differences.append((query, key, mine[key], theirs[key]))
            estimated = {*mine["facets_estimated"], *theirs["facets_estimated"]}
            if mine["facets_estimated"] != theirs["facets_estimated"]:
                differences.append((query, "facets_estimated", mine["facets_estimated"]))
            for name in sorted((set(mine["facets"]) | set(theirs["facets"])) - estimated):
                ours = {i["value"]: i["count"] for i in mine["facets"].get(name, [])}
                other = {i["value"]: i["count"] for i in theirs["facets"].get(name, [])}
                if ours != other:
                    values = sorted(
                        v for v in ours.keys() | other.keys() if ours.get(v) != other.get(v)
                    )
                    differences.append(
                        (query, name, {v: (ours.get(v), other.get(v)) for v in values[:5]})
                    )
    assert differences == [], f"{connection.vendor} against {vendor}"
    # The mix is not vacuous: pages of cables, most of them counted exactly.
    assert sum(bool(page["cables"]) for page in here.values()) >= len(MIX) - 2
    assert sum(page["count_exact"] for page in here.values()) >= len(MIX) // 2
