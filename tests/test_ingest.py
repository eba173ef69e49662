"""Ingest: idempotent, fuller text wins, bad input reported while good input lands."""

import csv
import io
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cables.ingest.incremental import ingest_paths
from cables.models import Cable, Paragraph, Reference, Source, Tag

from .conftest import CABLEGATE_HTML, FIRST_ROWS_CSV, MIRROR_PAGES, mirror_page
from .helpers import partial_extract_of, sample_csv_rows, write_csv

csv.field_size_limit(sys.maxsize)


def table_counts() -> dict[str, int]:
    return {
        "cables": Cable.objects.count(),
        "paragraphs": Paragraph.objects.count(),
        "references": Reference.objects.count(),
        "sources": Source.objects.count(),
        "tags": Tag.objects.count(),
        "cable_tags": Cable.tags.through.objects.count(),
    }


def fts_row_count() -> int:
    if connection.vendor != "sqlite":
        return Paragraph.objects.exclude(search_vector=None).count()
    with connection.cursor() as cursor:
        # The FTS5 index's own document count (not the content table's).
        cursor.execute("SELECT count(*) FROM cables_paragraph_fts_docsize")
        return cursor.fetchone()[0]


@pytest.mark.django_db
class TestIngestOfTheMirrorPages:
    def test_each_mirror_page_becomes_one_cable_with_its_paragraphs(self):
        summary = ingest_paths([mirror_page("000").parent])
        assert summary.failed == 0, summary.failures
        assert summary.created == 5
        assert set(Cable.objects.values_list("reference_id", flat=True)) == {
            "07ASTANA2223",
            "05ALMATY4029",
            "07ASTANA2244",
            "07ASTANA1848",
            "05ALMATY4123",
        }
        astana = Cable.objects.get(reference_id="07ASTANA2223")
        assert astana.origin == "Embassy Astana"
        assert astana.classification == "UNCLASSIFIED//FOR OFFICIAL USE ONLY"
        assert astana.paragraphs.count() == 9
        assert astana.year == 2007
        assert astana.sources.get().is_primary

    def test_new_tags_come_with_the_bundled_definitions(self):
        ingest_paths(
            [mirror_page("003")]
        )  # 07ASTANA1848: TAGS: [PGOV](#) [PHUM](#) [PREL](#) [KZ](#)
        kazakhstan = Tag.objects.get(code="KZ")
        assert (kazakhstan.definition, kazakhstan.kind) == ("Kazakhstan", "geographic")
        assert Tag.objects.get(code="PGOV").definition == (
            "Political Affairs--Government; Internal Governmental Affairs"
        )

    def test_references_resolve_to_cables_the_archive_holds(self):
        ingest_paths(MIRROR_PAGES)
        # 07ASTANA2244 cites 07ASTANA2223 (REF B), which is one of the mirror pages.
        reference = Reference.objects.get(
            cable__reference_id="07ASTANA2244", reference_id="07ASTANA2223"
        )
        assert reference.target.reference_id == "07ASTANA2223"
        unresolved = Reference.objects.get(
            cable__reference_id="07ASTANA2223", reference_id="07ASTANA2069"
        )
        assert unresolved.target is None

    def test_a_reference_resolves_when_its_target_arrives_later(self):
        ingest_paths([mirror_page("002")])
        assert Reference.objects.get(reference_id="07ASTANA2223").target is None
        ingest_paths([mirror_page("000")])
        assert (
            Reference.objects.get(reference_id="07ASTANA2223").target.reference_id == "07ASTANA2223"
        )

    def test_ingest_works_through_the_debug_cursor_that_runserver_uses(self):
        # DEBUG=True wraps cursors in CursorDebugWrapper, which formats every statement.
        with CaptureQueriesContext(connection) as queries:
            summary = ingest_paths([mirror_page("003")])
        assert summary.created == 1, summary.failures
        assert len(queries) > 0
        assert fts_row_count() == Paragraph.objects.count() > 0

    def test_paragraphs_are_searchable_after_ingest(self):
        ingest_paths(MIRROR_PAGES)
        assert fts_row_count() == Paragraph.objects.count() > 0


@pytest.mark.django_db
class TestIdempotence:
    def test_ingesting_the_same_inputs_twice_leaves_the_same_archive(self):
        inputs = [*MIRROR_PAGES, *CABLEGATE_HTML[:20], FIRST_ROWS_CSV]
        first = ingest_paths(inputs)
        counts = table_counts()
        hashes = dict(Cable.objects.values_list("reference_id", "content_hash"))
        second = ingest_paths(inputs)
        assert first.failed == second.failed == 0, first.failures + second.failures
        assert second.created == second.updated == 0
        assert second.unchanged == first.created + first.updated + first.unchanged
        assert table_counts() == counts
        assert dict(Cable.objects.values_list("reference_id", "content_hash")) == hashes
        assert fts_row_count() == counts["paragraphs"]

    def test_a_dry_run_stores_nothing_but_reports_what_it_would_do(self):
        summary = ingest_paths(MIRROR_PAGES, dry_run=True)
        assert summary.created == 5
        assert Cable.objects.count() == 0
        assert Source.objects.count() == 0


@pytest.mark.django_db
class TestFullerTextWins:
    reference_id = "05TASHKENT2473"

    @pytest.fixture
    def full_page(self) -> Path:
        (page,) = [path for path in CABLEGATE_HTML if path.stem == self.reference_id]
        return page

    @pytest.fixture
    def partial_page(self, full_page, tmp_path) -> Path:
        return partial_extract_of(full_page, keep_paragraphs=2, out_dir=tmp_path)

    def test_a_full_text_replaces_a_partial_extract(self, partial_page, full_page):
        ingest_paths([partial_page])
        cable = Cable.objects.get(reference_id=self.reference_id)
        assert cable.partial
        assert list(cable.paragraphs.values_list("number", flat=True)) == [1, 2]

        summary = ingest_paths([full_page])
        assert summary.updated == 1
        cable.refresh_from_db()
        assert not cable.partial
        assert cable.paragraphs.count() > 2
        assert cable.sources.get(is_primary=True).path == str(full_page)
        assert cable.sources.get(is_primary=False).path == str(partial_page)
        assert fts_row_count() == Paragraph.objects.count()

    def test_a_partial_extract_never_replaces_the_full_text(self, partial_page, full_page):
        ingest_paths([full_page])
        full = Cable.objects.get(reference_id=self.reference_id)
        summary = ingest_paths([partial_page])
        assert summary.unchanged == 1
        cable = Cable.objects.get(reference_id=self.reference_id)
        assert not cable.partial
        assert cable.body == full.body
        assert cable.content_hash == full.content_hash
        assert cable.sources.count() == 2
        assert cable.sources.get(is_primary=True).path == str(full_page)

    def test_either_order_ends_with_the_same_cable(self, partial_page, full_page):
        ingest_paths([partial_page, full_page])
        first = Cable.objects.values("content_hash", "partial").get()
        Cable.objects.all().delete()
        ingest_paths([full_page, partial_page])
        assert Cable.objects.values("content_hash", "partial").get() == first

    def test_between_two_texts_of_a_cable_the_longer_one_is_kept(self, tmp_path):
        # The original page and the cables.csv row of the same cable differ in whitespace.
        (page,) = [path for path in CABLEGATE_HTML if path.stem == "05DUSHANBE1648"]
        row_file = write_csv(tmp_path / "cables.csv", sample_csv_rows({"05DUSHANBE1648"}))
        ingest_paths([page, row_file])
        kept = Cable.objects.values_list("content_hash", flat=True).get()
        Cable.objects.all().delete()
        ingest_paths([row_file, page])
        assert Cable.objects.values_list("content_hash", flat=True).get() == kept
        assert Source.objects.count() == 2


@pytest.mark.django_db
class TestBadInput:
    """Each kind of bad input is named with its reason and counted; the good ones land."""

    @pytest.fixture
    def bad_inputs(self, tmp_path) -> dict[str, Path]:
        junk = tmp_path / "junk.bin"
        junk.write_bytes(bytes(range(256)) * 8)
        empty = tmp_path / "empty.txt"
        empty.write_text("")
        not_a_cable = tmp_path / "not-a-cable.html"
        not_a_cable.write_text(
            "<!DOCTYPE html><html><head><title>Page not found</title></head>"
            "<body><h1>404</h1><p>The cable you asked for is not here.</p></body></html>"
        )
        # A real cable's text with the lines that identify it cut away.
        text = mirror_page("000").read_text()
        anonymous = tmp_path / "anonymous.txt"
        anonymous.write_text(
            text[text.index("1. (SBU) Summary") : text.index("ASTANA 00002223  002.2")]
        )
        # The official cables.csv cut off in the middle of its second row.
        raw = FIRST_ROWS_CSV.read_bytes()
        second_row = raw.index(b'\n"2","')
        truncated = tmp_path / "truncated.csv"
        truncated.write_bytes(raw[: second_row + 400])
        return {
            "junk": junk,
            "empty": empty,
            "not_a_cable": not_a_cable,
            "anonymous": anonymous,
            "truncated": truncated,
        }

    def test_every_bad_input_is_reported_and_counted_while_good_ones_land(self, bad_inputs):
        messages: list[str] = []
        summary = ingest_paths(
            [mirror_page("000"), *bad_inputs.values(), mirror_page("003")],
            on_failure=messages.append,
        )
        assert summary.created == 3  # two mirror pages and the complete first CSV row
        assert summary.failed == 5, messages
        assert len(messages) == 5
        for name, path in bad_inputs.items():
            assert any(message.startswith(str(path)) for message in messages), (name, messages)
        truncated_message = next(m for m in messages if m.startswith(str(bad_inputs["truncated"])))
        assert "row 2" in truncated_message
        assert set(Cable.objects.values_list("reference_id", flat=True)) == {
            "07ASTANA2223",
            "07ASTANA1848",
            "66BUENOSAIRES2481",
        }

    def test_the_command_names_each_failure_and_exits_non_zero(self, bad_inputs):
        stdout, stderr = io.StringIO(), io.StringIO()
        with pytest.raises(CommandError) as raised:
            call_command(
                "ingest",
                str(mirror_page("000")),
                str(bad_inputs["empty"]),
                str(bad_inputs["junk"]),
                "/no/such/file.txt",
                stdout=stdout,
                stderr=stderr,
            )
        assert raised.value.returncode == 1
        errors = stderr.getvalue()
        assert str(bad_inputs["empty"]) in errors
        assert str(bad_inputs["junk"]) in errors
        assert "/no/such/file.txt: no such file or directory" in errors
        assert "Traceback" not in errors
        assert "created 1, updated 0, unchanged 0, failed 3" in stdout.getvalue()
        assert Cable.objects.filter(reference_id="07ASTANA2223").exists()

    def test_a_good_run_exits_zero_with_a_summary(self):
        stdout = io.StringIO()
        call_command("ingest", str(mirror_page("000")), stdout=stdout, stderr=io.StringIO())
        assert stdout.getvalue().strip() == "created 1, updated 0, unchanged 0, failed 0"


@pytest.mark.django_db
@pytest.mark.slow
class TestWholeSampleCorpus:
    def test_ingesting_the_bundled_corpus_twice_gives_identical_row_counts(self, corpus_dir):
        inputs = [
            corpus_dir / "mirror-pages",
            corpus_dir / "cablegate-html",
            corpus_dir / "cablegate-html-2011",
            corpus_dir / "cablegate-sample.csv.gz",
        ]
        first = ingest_paths(inputs)
        assert first.failed == 0, first.failures[:10]
        counts = table_counts()
        # 5 mirror pages + 4,533 CSV cables + the HTML pages not already in the CSV.
        assert counts["cables"] >= 4533 + 5
        second = ingest_paths(inputs)
        assert second.failed == 0
        assert second.created == second.updated == 0
        assert table_counts() == counts
        assert fts_row_count() == counts["paragraphs"]
