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
def rank_index_checked_on_every_search(tmp_path_factory):
    """Tests roll their transactions back behind the rank index's back: have it compare
    itself with the paragraph table on every search (and keep it out of var/)."""
    from django.conf import settings

    settings.RANK_INDEX_CHECK_SECONDS = 0
    settings.SUMMARIES_IN_BACKGROUND = False  # a thread would not see the test's transaction
    settings.RANK_INDEX_DIR = tmp_path_factory.mktemp("rank-index")
    settings.EXPORT_DIR = tmp_path_factory.mktemp("exports")
    # Tests roll back the archive version with their data: a stored page of one test would be
    # served to the next. tests/test_page_store.py turns it on where it is tested.
    settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Each test starts with no requests counted against the API and export rate limits
    (they are counted in the process's cache)."""
    from django.core.cache import cache, caches

    cache.clear()
    caches["pages"].clear()


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
