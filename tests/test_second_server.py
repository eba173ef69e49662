"""A second application server gets the rank index by copying the writer's published
generation, and serves the same pages (docs/scaling.md).

Separate processes on one scratch database (an SQLite file, or a PostgreSQL database made for
the test): a writer migrates and ingests the cablegate pages, which publishes the index; the
index directory is copied; a reader process on the copy and one on the original must give the
same cables, order and totals, and one on an empty directory answers "not ready".
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection

from tests.conftest import CABLEGATE_HTML, ROOT

QUERIES = ["government", "election fraud", '"prime minister"', "elect*", "embassy -the"]

READER = r"""
import json
import sys

import django

django.setup()

from cables.lib.index_generation import read_stamp
from cables.search.rank_index import IndexNotReady
from cables.search.service import search

pages = {}
for query in json.loads(sys.argv[1]):
    try:
        results = search(query, {})
    except IndexNotReady:
        pages[query] = "not ready"
        continue
    pages[query] = {
        "cables": [hit.cable.reference_id for hit in results.page.object_list],
        "total": results.total,
    }
stamp = read_stamp()
print(json.dumps({"stamp": stamp and [stamp.generation, stamp.version], "pages": pages}))
"""


def run(environment, *arguments) -> str:
    done = subprocess.run(
        [sys.executable, *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.fixture
def scratch_database(tmp_path, django_db_blocker):
    """The environment of a process on a database of its own, dropped after the test."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_REPLICA_URLS", "SQLITE_PATH", "RANK_INDEX_DIR")
    }
    environment["DJANGO_SETTINGS_MODULE"] = "cablearchive.settings"
    if connection.vendor == "sqlite":
        environment.pop("DATABASE_URL", None)
        environment["SQLITE_PATH"] = str(tmp_path / "archive.sqlite3")
        yield environment
        return
    url = urlsplit(os.environ["DATABASE_URL"])
    name = f"{url.path.lstrip('/')}_second_server"
    environment["DATABASE_URL"] = urlunsplit(url._replace(path=f"/{name}"))
    with django_db_blocker.unblock(), connection._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield environment
    finally:
        with django_db_blocker.unblock(), connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pages_served(environment, index: Path) -> dict:
    output = run({**environment, "RANK_INDEX_DIR": str(index)}, "-c", READER, json.dumps(QUERIES))
    return json.loads(output.strip().splitlines()[-1])


def test_a_second_server_on_a_copied_generation_serves_the_same_pages(scratch_database, tmp_path):
    writer_index = tmp_path / "writer-index"
    writer = {**scratch_database, "RANK_INDEX_DIR": str(writer_index)}
    run(writer, "manage.py", "migrate", "-v0")
    run(writer, "manage.py", "ingest", str(CABLEGATE_HTML[0].parent))

    copied = tmp_path / "second-server-index"
    shutil.copytree(writer_index, copied)
    on_copy = pages_served(scratch_database, copied)
    on_original = pages_served(scratch_database, writer_index)

    assert on_copy == on_original

    # The same, installed by the command from the writer's directory.
    installed = tmp_path / "installed-index"
    run(
        {**scratch_database, "RANK_INDEX_DIR": str(installed)},
        "manage.py",
        "rank_index",
        "--copy-from",
        str(next(writer_index.iterdir())),
    )
    assert pages_served(scratch_database, installed) == on_original
    assert on_copy["stamp"] is not None
    for query in QUERIES:
        page = on_copy["pages"][query]
        assert page["total"] > 0 and page["cables"], query

    # Without the copy the second server has no index: it says so, it builds nothing.
    empty = tmp_path / "no-index"
    without = pages_served(scratch_database, empty)
    assert without["stamp"] is None
    assert set(without["pages"].values()) == {"not ready"}
    assert not any(empty.rglob("g*"))
