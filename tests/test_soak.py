"""A short soak (scripts/soak.py): 10 clients for 30 s against gunicorn started as in
production on the sample archive, while new cables are ingested and curators decide and merge
(scripts/soak_writer.py): no 5xx, no connection error, every API search page consistent with
its count, every committed write in the archive and every new cable served. The full soak (50
clients, 10 minutes, PostgreSQL) is run by hand; its figures are in docs/reliability.md."""

import json
import subprocess
import sys

import pytest

from . import served
from .conftest import ROOT


@pytest.fixture
def database(tmp_path):
    if served.postgres_url():
        url = served.create_database("soak")
        yield ["--database-url", url]
        served.drop_database(url)
    else:
        yield ["--archive", str(tmp_path / "soak.sqlite3")]


def test_a_short_soak_with_writes_has_no_error_no_lost_write_and_consistent_pages(
    tmp_path, database
):
    figures_file = tmp_path / "soak.json"
    result = subprocess.run(
        [sys.executable, "scripts/soak.py", "--python", sys.executable]
        + ["--seconds", "30", "--clients", "10", "--write-every", "1"]
        + ["--port", str(served.free_port()), "--json", str(figures_file), *database],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    figures = json.loads(figures_file.read_text())
    assert figures["requests"] > 100
    assert figures["server_errors"] == 0 and not figures["connection_errors"]
    assert figures["inconsistent_pages"] == 0
    assert figures["writes"] >= 5 and figures["lost_writes"] == 0
    assert set(figures["writes_by_kind"]) == {"ingest", "decide", "merge"}
