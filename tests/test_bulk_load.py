"""The bulk load stores exactly what the normal ingest stores, and the search finds the same cables."""

import io
import os
import re

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count

from cables.entities import review_queue, tag_archive
from cables.ingest import bulk, bulk_write
from cables.ingest.bulk import bulk_load
from cables.ingest.incremental import ingest_paths
from cables.models import (
    Cable,
    EntitySuggestion,
    Mention,
    Paragraph,
    Reference,
    Source,
    SuggestionPlace,
    Tag,
)
from cables.search import get_backend
from cables.search.query import parse_query
from cables.tooling.integrity import archive_rows

from .conftest import CABLEGATE_HTML, FIRST_ROWS_CSV, SAMPLE_CSV

# The sample CSV, plus cablegate pages of which some hold cables that are in the CSV too.
INPUTS = [SAMPLE_CSV, CABLEGATE_HTML[0].parent]
QUERIES = ["election", "nazarbayev", '"human rights"', "oil OR gas", "terror*"]


def search_results() -> dict:
    return {query: found(query) for query in QUERIES}


def empty_archive() -> None:
    Cable.objects.all().delete()
    Tag.objects.all().delete()
    EntitySuggestion.objects.all().delete()
    get_backend().rebuild()


@pytest.mark.django_db
class TestBulkLoad:
    def test_it_stores_the_same_rows_and_finds_the_same_cables_as_the_normal_ingest(self):
        call_command("load_entities", stdout=io.StringIO())
        ingest_paths(INPUTS)
        # The bulk load tags entities once the whole archive is in, so what the tagger learns
        # from the archive (posts, place names) is that of the whole archive: the same as
        # `tag_entities` after the normal ingest.
        tag_archive()
        expected, expected_hits = archive_rows(), search_results()
        empty_archive()

        summary = bulk_load(INPUTS, workers=2, stdout=io.StringIO(), stderr=io.StringIO())

        assert not summary.fell_back
        assert summary.created == Cable.objects.count() == len(expected["cables"])
        assert (summary.updated, summary.failed) == (114, 0)  # cablegate pages of CSV cables
        rows = archive_rows()
        for table in expected:
            if table != "suggestions":
                assert rows[table] == expected[table], table
        # The review queue is order-dependent (which cable first proposes a name, which names
        # re-tagging drops again): a handful of its names differ between the two paths.
        assert rows["suggestions"]
        assert search_results() == expected_hits
        assert all(expected_hits[query] for query in ("election", "terror*"))
        assert expected["mentions"] and expected["suggestions"]
        # The names were counted once, at the end of the load: every count is its places'.
        counted = EntitySuggestion.objects.annotate(places_n=Count("places"))
        assert [(s.occurrences, s.places_n) for s in counted if s.occurrences != s.places_n] == []
        assert not EntitySuggestion.objects.filter(
            status=EntitySuggestion.Status.PENDING, occurrences=0
        ).exists()

    def test_a_load_raises_the_archive_version(self):
        from cables.lib.archive_version import current_version

        before = current_version()
        summary = bulk_load([FIRST_ROWS_CSV], workers=1, stdout=io.StringIO())
        assert not summary.fell_back and summary.created == 2
        assert current_version().number > before.number  # cached pages are stale

    def test_on_a_non_empty_archive_it_uses_the_normal_ingest(self):
        ingest_paths([CABLEGATE_HTML[0]])
        summary = bulk_load([CABLEGATE_HTML[0], CABLEGATE_HTML[1]], stdout=io.StringIO())
        assert summary.fell_back
        assert (summary.created, summary.unchanged) == (1, 1)


@pytest.mark.django_db(transaction=True)
def test_entity_tagging_on_worker_processes_finds_what_one_process_finds():
    """Outside a transaction the tagging pass runs on a process pool: same mentions, same names."""
    call_command("load_entities", stdout=io.StringIO())
    bulk_load([SAMPLE_CSV], workers=1, stdout=io.StringIO())
    one_process = archive_rows()
    assert one_process["mentions"] and one_process["suggestions"]
    empty_archive()
    Mention.objects.all().delete()

    summary = bulk_load([SAMPLE_CSV], workers=2, stdout=io.StringIO())

    assert summary.mentions == len(one_process["mentions"])
    rows = archive_rows()
    for table in one_process:
        assert rows[table] == one_process[table], table


def load_mark() -> int | None:
    """SQLite's mark of a running bulk load (PRAGMA user_version); None on PostgreSQL."""
    if connection.vendor != "sqlite":
        return None
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA user_version")
        return cursor.fetchone()[0]


def fail_at_third_group(monkeypatch) -> None:
    """Groups of 500 cables, and the third one fails as a full disk would."""
    monkeypatch.setattr(bulk, "GROUP_CABLES", 500)
    written = bulk_write.Writer.write_group
    calls = []

    def write_group(self, group):
        calls.append(len(group))
        if len(calls) == 3:
            raise OSError("No space left on device")
        return written(self, group)

    monkeypatch.setattr(bulk_write.Writer, "write_group", write_group)


EMBASSY = re.compile(r"\bembass(?:y|ies)\b", re.IGNORECASE)


def indexed(word: str) -> int:
    """Paragraphs the search index itself holds for a word (SQLite's FTS5 table, not joined to
    any cable; PostgreSQL's index is the paragraphs' own column)."""
    if connection.vendor != "sqlite":
        return len(found(word))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM cables_paragraph_fts WHERE cables_paragraph_fts MATCH %s", [word]
        )
        return cursor.fetchone()[0]


def found(word: str) -> list[str]:
    return sorted(
        Cable.objects.filter(
            id__in=get_backend().matching_cable_ids(parse_query(word).text)
        ).values_list("reference_id", flat=True)
    )


@pytest.mark.django_db(transaction=True)
class TestAnInterruptedLoad:
    """Outside a test transaction, as in real use: SQLite commits a group at a time."""

    @pytest.fixture(autouse=True)
    def empty_search_index(self):
        # The tables of an earlier transactional test were flushed, not the FTS5 index or the
        # file's mark.
        get_backend().rebuild()
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA user_version = 0")

    def test_a_load_that_fails_midway_leaves_the_archive_empty_and_loadable(self, monkeypatch):
        call_command("load_entities", stdout=io.StringIO())
        fail_at_third_group(monkeypatch)

        with pytest.raises(OSError, match="No space left"):
            bulk_load([SAMPLE_CSV], workers=1, stdout=io.StringIO())

        assert (Cable.objects.count(), Paragraph.objects.count()) == (0, 0)
        assert (Source.objects.count(), Reference.objects.count(), Mention.objects.count()) == (
            0,
            0,
            0,
        )
        assert found("embassy") == []
        assert load_mark() in (0, None)
        monkeypatch.undo()
        summary = bulk_load([FIRST_ROWS_CSV], workers=1, stdout=io.StringIO())
        # Exactly the paragraphs that say it: nothing left over from the failed load.
        saying = [t for t in Paragraph.objects.values_list("text", flat=True) if EMBASSY.search(t)]
        assert indexed("embassy") == (len(saying) if connection.vendor == "sqlite" else 1) > 0
        assert summary.created == Cable.objects.count() == 2
        assert found("embassy") == ["66BUENOSAIRES2481"]

    def test_a_killed_load_is_undone_by_the_next_ingest(self, monkeypatch):
        fail_at_third_group(monkeypatch)
        # A killed process never gets to undo its load.
        monkeypatch.setattr(bulk, "_remove_partial_load", lambda: 0)
        with pytest.raises(OSError):
            bulk_load([SAMPLE_CSV], workers=1, stdout=io.StringIO())
        if connection.vendor == "sqlite":
            # The two groups committed before the failure are there, unsearchable, and marked
            # with the id of the process that loaded them.
            assert Cable.objects.count() == 1000
            assert indexed("embassy") == 0
            assert load_mark() == os.getpid()
        else:
            assert Cable.objects.count() == 0  # one transaction: nothing stayed
        monkeypatch.undo()
        # A dry run changes nothing, not even that; on SQLite it has nothing to try against.
        if connection.vendor == "sqlite":
            with pytest.raises(CommandError, match="An earlier bulk load was interrupted"):
                call_command("ingest", "--dry-run", str(FIRST_ROWS_CSV), stdout=io.StringIO())
            assert Cable.objects.count() == 1000
        out = io.StringIO()

        call_command("ingest", str(FIRST_ROWS_CSV), stdout=out, stderr=io.StringIO())

        interrupted = "An earlier bulk load was interrupted: removed the 1,000 cables"
        assert (interrupted in out.getvalue()) == (connection.vendor == "sqlite")
        assert Cable.objects.count() == 2
        assert found("embassy") == ["66BUENOSAIRES2481"]
        assert load_mark() in (0, None)

    def test_a_load_that_fails_in_its_second_pass_leaves_no_index_mention_or_name(
        self, monkeypatch
    ):
        call_command("load_entities", stdout=io.StringIO())
        recount = review_queue.recount_suggestions
        calls = []

        def fail_once(ids):
            calls.append(1)
            if len(calls) == 1:  # the load's own count; the undo's goes through
                raise OSError("No space left on device")
            return recount(ids)

        monkeypatch.setattr(review_queue, "recount_suggestions", fail_once)
        with pytest.raises(OSError):
            bulk_load([SAMPLE_CSV], workers=1, stdout=io.StringIO())

        assert (Cable.objects.count(), Mention.objects.count()) == (0, 0)
        assert SuggestionPlace.objects.count() == 0
        assert not EntitySuggestion.objects.filter(status=EntitySuggestion.Status.PENDING).exists()
        assert indexed("embassy") == 0
        assert load_mark() in (0, None)

    def test_a_failure_after_the_load_is_complete_keeps_it(self, monkeypatch):
        def fail(**options):
            raise KeyboardInterrupt

        monkeypatch.setattr(bulk, "refresh_planner_statistics", fail)
        with pytest.raises(KeyboardInterrupt):
            bulk_load([FIRST_ROWS_CSV], workers=1, stdout=io.StringIO())

        assert Cable.objects.count() == 2
        assert found("embassy") == ["66BUENOSAIRES2481"]
        assert load_mark() in (0, None)

    def test_no_ingest_touches_an_archive_another_process_is_loading(self):
        ingest_paths([FIRST_ROWS_CSV])
        if connection.vendor != "sqlite":
            assert bulk.interrupted_load() is None  # one transaction: nothing to mark
            return
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA user_version = {os.getppid()}")  # a live process
        err = io.StringIO()
        with pytest.raises(CommandError, match=f"process {os.getppid()} is bulk-loading"):
            call_command("ingest", str(FIRST_ROWS_CSV), stdout=io.StringIO(), stderr=err)
        assert Cable.objects.count() == 2
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA user_version = 0")


@pytest.mark.django_db(transaction=True)
def test_a_bulk_load_ends_with_the_loaded_tables_vacuumed_on_postgresql():
    # Freshly copied pages are not all-visible until VACUUM: an index-only count of the
    # cables of a TAG then fetched every heap row (760 ms for PREL at full size).
    bulk_load([FIRST_ROWS_CSV], workers=1, stdout=io.StringIO())
    assert found("embassy") == ["66BUENOSAIRES2481"]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT relname FROM pg_stat_user_tables WHERE last_vacuum IS NOT NULL"
                " AND relname IN ('cables_cable', 'cables_cable_tags', 'cables_paragraph')"
            )
            vacuumed = {row[0] for row in cursor.fetchall()}
        assert vacuumed == {"cables_cable", "cables_cable_tags", "cables_paragraph"}
