"""Shared test fixtures: the real corpus files bundled with the project."""

import os
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import transaction

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "sample_corpus"
MIRROR_PAGES = sorted((CORPUS / "mirror-pages").glob("*.txt"))
CABLEGATE_HTML = sorted((CORPUS / "cablegate-html").glob("*.html"))
CABLEGATE_HTML_2011 = sorted((CORPUS / "cablegate-html-2011").glob("*.html"))
SAMPLE_CSV = CORPUS / "cablegate-sample.csv.gz"
FIRST_ROWS_CSV = CORPUS / "cables-csv-first-rows.csv"


def mirror_page(prefix: str) -> Path:
    """The mirror page whose file name starts with `prefix` (000 ... 004)."""
    (path,) = [p for p in MIRROR_PAGES if p.name.startswith(prefix)]
    return path


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return CORPUS


@contextmanager
def rolled_back(django_db_blocker):
    """For a module-scoped fixture: rows written once for the whole test module. Each test runs
    in a savepoint inside this transaction, rolled back at the module's end (other modules
    share the test database)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def corpus(django_db_setup, django_db_blocker):
    """The cablegate pages loaded once per test module, rolled back at its end.

    Each test runs in a savepoint inside this transaction, so tests see the rows and none
    of them outlives the module (other modules share the test database).
    """
    from cables.models import Cable
    from tests.reading_corpus import load_cables, load_tag_definitions

    with rolled_back(django_db_blocker):
        load_cables(
            references={
                # 05TASHKENT284 cites two Tashkent cables; neither is in the sample.
                "05TASHKENT284": ["04TASHKENT3390", "04TASHKENT2574"],
                # Two cables held by the archive citing a third one it also holds.
                "08TASHKENT153": ["05TASHKENT284"],
                "10TASHKENT27": ["05TASHKENT284", "08TASHKENT153"],
            }
        )
        load_tag_definitions()
        yield {c.reference_id: c for c in Cable.objects.all()}


@pytest.fixture(scope="module")
def mirror_archive(django_db_setup, django_db_blocker):
    """The starter entities and the five mirror pages, ingested and tagged once per module."""
    from cables.entities.loading import load_starter_list
    from cables.ingest.incremental import ingest_paths

    with rolled_back(django_db_blocker):
        load_starter_list()
        ingest_paths([MIRROR_PAGES[0].parent])
        yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under REQUIRE_BROWSER=1 (CI), a skipped browser test is a failure, not a pass."""
    outcome = yield
    report = outcome.get_result()
    if (
        report.skipped
        and item.get_closest_marker("browser")
        and os.environ.get("REQUIRE_BROWSER") == "1"
    ):
        report.outcome = "failed"
        report.longrepr = f"browser test skipped under REQUIRE_BROWSER=1: {report.longrepr}"


@pytest.fixture(scope="session", autouse=True)
def test_settings(tmp_path_factory):
    """Settings for tests: the rank index out of var/, counts counted in line."""
    from django.conf import settings

    settings.SUMMARIES_IN_BACKGROUND = False  # a thread would not see the test's transaction
    settings.RANK_INDEX_DIR = tmp_path_factory.mktemp("rank-index")
    settings.EXPORT_DIR = tmp_path_factory.mktemp("exports")
    # Every generation is kept: a rolled-back test goes back to the one it started with.
    settings.RANK_INDEX_KEEP_GENERATIONS = 1_000_000
    # Tests roll back the archive version with their data: a stored page of one test would be
    # served to the next. tests/test_page_store.py turns it on where it is tested.
    settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture(scope="session", autouse=True)
def index_follows_test_transactions(test_settings):
    """The rank index published as in production, inside tests that never commit.

    Writers publish the index once their transaction commits (`publish_on_commit`). A test's
    transaction never commits, so here the end of a writer's own atomic block stands for its
    commit: its pending publications run then (the real publication, reading the rows as the
    test's connection sees them), and a block rolled back puts back the generation published
    when it began, as the database puts back its rows."""
    from django.db import connections, transaction

    from cables.lib.index_generation import read_stamp, write_stamp
    from cables.search.index_store import Publication

    enter, exit_ = transaction.Atomic.__enter__, transaction.Atomic.__exit__

    def entering(self):
        self._index_stamp = read_stamp(self.using or "default")
        return enter(self)

    def leaving(self, exc_type, exc_value, traceback):
        using = self.using or "default"
        connection = connections[using]
        committed = exc_type is None and not connection.needs_rollback
        result = exit_(self, exc_type, exc_value, traceback)
        if not committed:
            write_stamp(using, self._index_stamp)
        elif connection.in_atomic_block:
            pending = [
                entry for entry in connection.run_on_commit if isinstance(entry[1], Publication)
            ]
            connection.run_on_commit = [e for e in connection.run_on_commit if e not in pending]
            for _, publication, _ in pending:
                publication()
        return result

    patch = pytest.MonkeyPatch()
    patch.setattr(transaction.Atomic, "__enter__", entering)
    patch.setattr(transaction.Atomic, "__exit__", leaving)
    yield
    patch.undo()


def _published_index_kept():
    """The rank index's published generation as it was, once the data made meanwhile is gone
    (a module's committed archive deleted, a transactional test's tables flushed)."""
    from django.db import connections

    from cables.lib.index_generation import index_dir, read_stamp, write_stamp

    aliases = [alias for alias in connections if not alias.startswith("replica")]
    before = {alias: (index_dir(alias), read_stamp(alias)) for alias in aliases}
    yield
    for alias, (directory, stamp) in before.items():
        # The test database was created meanwhile: it had no index then.
        write_stamp(alias, stamp if index_dir(alias) == directory else None)


@pytest.fixture(scope="module", autouse=True)
def index_kept_per_module(index_follows_test_transactions):
    yield from _published_index_kept()


@pytest.fixture(autouse=True)
def index_kept_per_test(index_follows_test_transactions):
    yield from _published_index_kept()


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Each test starts with no requests counted against the API and export rate limits
    (they are counted in the process's cache)."""
    from django.core.cache import cache, caches

    cache.clear()
    caches["pages"].clear()


@pytest.fixture(autouse=True)
def fresh_cable_tables():
    """Each test reads the facet table of its own data: a rolled-back test's archive version
    comes back with other rows."""
    from cables.search.cable_table import forget_tables

    forget_tables()


CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright, one per test module (skipped without it, which
    REQUIRE_BROWSER=1 turns into a failure)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()
