"""Backups of everything a deployment holds, and the documented restore, end to end on the
bundled sample under `set -e`: scripts/backup.sh (database copy, curation file, MANIFEST), then
scripts/restore.sh from the database copy into a new archive (SQLite's backup API, or
pg_restore on PostgreSQL) and from the sources plus the curation file (`ingest --bulk
sample_corpus/`, `import_curation`). Each restore ends by comparing the archive with the
backup's MANIFEST; the test compares again, and searches the restored archive."""

import subprocess
import sys
from pathlib import Path

import pytest

from . import served
from .conftest import CORPUS, ROOT

CURATE = """
from django.contrib.auth.models import User
from cables.entities import curation
from cables.models import Collection, Mention
curator = User.objects.create_superuser("curator", "c@example.org", "a-curator-password-1")
mention = Mention.objects.order_by("pk").first()
curation.decide(mention, Mention.Status.REJECTED, user=curator)
Collection.objects.create(owner=curator, name="Kept")
"""
SEARCH = """
from cables.search.service import search
print(search("election", {}, "relevance", 1).total)
"""


def run(env: dict, *command: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900
    )


def counts(env: dict) -> dict[str, str]:
    out = served.manage(env, "archive_counts").stdout
    return dict(line.split(" ", 1) for line in out.splitlines())


@pytest.fixture(scope="module")
def backup(tmp_path_factory):
    """A curated archive of the whole sample, and its backup folder."""
    folder = tmp_path_factory.mktemp("source")
    env = {**served.scratch_archive(folder, "restore_source"), "PYTHON": sys.executable}
    try:
        served.manage(env, "load_tag_definitions")
        served.manage(env, "load_entities")
        served.manage(env, "ingest", "--bulk", "--progress", "never", str(CORPUS))
        served.manage(env, "shell", "--no-imports", "-c", CURATE)
        result = run(env, "scripts/backup.sh", "--dir", str(folder / "backups"))
        assert result.returncode == 0, result.stderr
        yield Path(result.stdout.strip().splitlines()[-1]), counts(env)
    finally:
        served.discard(env)


@pytest.fixture
def target(tmp_path):
    env = {**served.base_env(tmp_path), "PYTHON": sys.executable}
    if served.postgres_url():
        env["DATABASE_URL"] = served.create_database("restore_target")
    yield env
    served.discard(env)


def test_the_backup_holds_the_database_the_curation_file_and_a_manifest(backup):
    folder, source = backup
    database = "database.dump" if served.postgres_url() else "database.sqlite3"
    assert (folder / database).stat().st_size > 1_000_000
    assert (folder / "curation.json").read_text().startswith("{")
    manifest = dict(line.split(" ", 1) for line in (folder / "MANIFEST").read_text().splitlines())
    assert {name: manifest[name] for name in source} == source
    assert int(source["cables"]) > 4000 and int(source["decisions"]) == 1


def test_the_restore_from_the_database_copy_runs_end_to_end(backup, target):
    folder, source = backup
    result = run(target, "scripts/restore.sh", str(folder))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "done: the archive holds what the backup held" in result.stdout
    assert counts(target) == source
    # The search index was rebuilt: the restored archive searches.
    found = served.manage(target, "shell", "--no-imports", "-c", SEARCH).stdout.split()[-1]
    assert int(found) > 0


def test_the_restore_from_the_sources_and_the_curation_file_runs_end_to_end(backup, target):
    folder, source = backup
    result = run(target, "scripts/restore.sh", "--from-sources", str(folder), str(CORPUS))
    assert result.returncode == 0, result.stdout + result.stderr
    restored = counts(target)
    for name in ["cables", "paragraphs", "people", "aliases", "mentions", "decisions"]:
        assert restored[name] == source[name], name


def test_a_folder_that_is_not_a_backup_is_refused_before_anything_is_changed(tmp_path, target):
    result = run(target, "scripts/restore.sh", str(tmp_path))
    assert result.returncode == 2
    assert "MANIFEST not found: not a backup folder" in result.stderr
