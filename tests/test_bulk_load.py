"""The bulk load stores exactly what the normal ingest stores, and the search finds the same cables."""

import io

import pytest

from cables.bulk import bulk_load
from cables.ingest import ingest_paths
from cables.models import Cable, Mention, Paragraph, Reference, Source, Tag
from cables.search import get_backend
from cables.search.query import parse_query

from .conftest import CABLEGATE_HTML, SAMPLE_CSV

# The sample CSV, plus cablegate pages of which some hold cables that are in the CSV too.
INPUTS = [SAMPLE_CSV, CABLEGATE_HTML[0].parent]
QUERIES = ["election", "nazarbayev", '"human rights"', "oil OR gas", "terror*"]
CABLE_FIELDS = [
    f.attname
    for f in Cable._meta.concrete_fields
    if f.name not in {"id", "ingested_at", "updated_at"}
]


def archive_rows() -> dict:
    """Everything stored, keyed by reference IDs instead of database ids."""
    by_id = dict(Cable.objects.values_list("id", "reference_id"))
    return {
        "cables": sorted(Cable.objects.values_list(*CABLE_FIELDS)),
        "paragraphs": sorted(
            (by_id[c], n, cl, h, t)
            for c, n, cl, h, t in Paragraph.objects.values_list(
                "cable_id", "number", "classification", "heading", "text"
            )
        ),
        "tags": sorted(
            (by_id[c], code, kind)
            for c, code, kind in Cable.tags.through.objects.values_list(
                "cable_id", "tag__code", "tag__kind"
            )
        ),
        "tag_table": sorted(Tag.objects.values_list("code", "kind", "definition")),
        "references": sorted(
            (by_id[c], p, r, by_id.get(t))
            for c, p, r, t in Reference.objects.values_list(
                "cable_id", "position", "reference_id", "target_id"
            )
        ),
        "sources": sorted(
            (by_id[c], *rest)
            for c, *rest in Source.objects.values_list(
                "cable_id", "path", "row", "format", "sha256", "partial", "is_primary"
            )
        ),
        "mentions": sorted(
            (by_id[c], *rest)
            for c, *rest in Mention.objects.values_list(
                "paragraph__cable_id",
                "paragraph__number",
                "person__name",
                "party__name",
                "election_id",
                "matched_text",
                "start",
                "end",
                "method",
                "status",
            )
        ),
    }


def search_results() -> dict:
    backend = get_backend()
    return {
        query: sorted(
            Cable.objects.filter(
                id__in=backend.matching_cable_ids(parse_query(query).text)
            ).values_list("reference_id", flat=True)
        )
        for query in QUERIES
    }


def empty_archive() -> None:
    Cable.objects.all().delete()
    Tag.objects.all().delete()
    get_backend().rebuild()


@pytest.mark.django_db
class TestBulkLoad:
    def test_it_stores_the_same_rows_and_finds_the_same_cables_as_the_normal_ingest(self):
        ingest_paths(INPUTS)
        expected, expected_hits = archive_rows(), search_results()
        empty_archive()

        summary = bulk_load(INPUTS, workers=2, stdout=io.StringIO(), stderr=io.StringIO())

        assert not summary.fell_back
        assert summary.created == Cable.objects.count() == len(expected["cables"])
        assert (summary.updated, summary.failed) == (114, 0)  # cablegate pages of CSV cables
        rows = archive_rows()
        for table in expected:
            assert rows[table] == expected[table], table
        assert search_results() == expected_hits
        assert all(expected_hits[query] for query in ("election", "terror*"))

    def test_on_a_non_empty_archive_it_uses_the_normal_ingest(self):
        ingest_paths([CABLEGATE_HTML[0]])
        summary = bulk_load([CABLEGATE_HTML[0], CABLEGATE_HTML[1]], stdout=io.StringIO())
        assert summary.fell_back
        assert (summary.created, summary.unchanged) == (1, 1)
