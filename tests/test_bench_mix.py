"""The request mix of `manage.py bench`, run on the bundled cables: every shape answers as it
should, and every search shape is compared with the exhaustive ranking (overlap@20).

The figures themselves are the bench's business; here only that the machinery measures what
it says it measures.
"""

import io
import json

import pytest
from django.core.management import call_command
from django.db import connection

from cables.ingest.incremental import ingest_paths
from cables.models import Cable
from cables.tooling import bench_mix
from cables.tooling.bench_mix import measure_overlap, mix_report
from cables.tooling.mix_shapes import BROWSE, SEARCH, build_mix

from .conftest import CABLEGATE_HTML, CABLEGATE_HTML_2011, MIRROR_PAGES, rolled_back

INPUTS = [CABLEGATE_HTML[0].parent, CABLEGATE_HTML_2011[0].parent, *MIRROR_PAGES]
KINDS = {
    "names",
    "topics",
    "several words",
    "phrases",
    "or",
    "exclusions",
    "prefixes",
    "combined facets",
    "typed fields",
    "entity facets",
    "date sorts",
    "deep pages",
    "facet-only",
    "api search",
    "export",
    "browse",
    "entity pages",
    "cable pages",
    "api cable",
}


@pytest.fixture(scope="class")
def timed_mix(django_db_setup, django_db_blocker, tmp_path_factory):
    """The bundled cable pages ingested with the starter entities, then `bench --mix-only
    --repeat 1` over them: (its saved report, what it printed). Rolled back at the end."""
    out_dir = tmp_path_factory.mktemp("bench-results")
    with rolled_back(django_db_blocker):
        summary = ingest_paths(INPUTS)
        assert summary.created > 100
        call_command("load_entities", stdout=io.StringIO())
        call_command("load_tag_definitions", stdout=io.StringIO())
        out = io.StringIO()
        call_command("bench", "--mix-only", "--repeat", "1", "--out-dir", str(out_dir), stdout=out)
        (saved,) = out_dir.glob(f"{connection.vendor}-*.json")
        yield json.loads(saved.read_text()), out.getvalue()


def ranked(records: list[dict]) -> list[dict]:
    """The search pages and search API pages that answer 200."""
    listing = [r for r in records if r["url"].startswith(("/cables/?", "/api/cables/?"))]
    return [r for r in listing if r["expected_status"] == 200]


@pytest.mark.django_db
class TestBenchMix:
    def test_the_mix_has_at_least_60_shapes_of_every_kind_asked_for(self, timed_mix):
        report, _ = timed_mix
        mix = report["mix"]
        assert mix["shape_count"] >= 60 and len(mix["shapes"]) == mix["shape_count"]
        assert set(mix["kinds"]) >= KINDS
        for kind, row in mix["kinds"].items():
            assert row["shapes"] >= 3 or kind == "api cable", kind
        assert set(mix["groups"]) == {SEARCH, BROWSE}
        assert "naive" not in report and "ingest" not in report

    def test_facet_values_and_slugs_come_from_the_archive(self, timed_mix):
        shapes = build_mix()
        facet_only = [s for s in shapes if s.kind == "facet-only"]
        tag = dict(facet_only[0].params)["tag"]
        assert Cable.objects.filter(tags__code=tag).exists()
        entity_pages = [s.path for s in shapes if s.kind == "entity pages"]
        assert any(path.startswith("/person/") for path in entity_pages)
        assert any(path.startswith("/election/") for path in entity_pages)

    def test_every_shape_answers_its_expected_status_and_is_timed(self, timed_mix):
        mix = timed_mix[0]["mix"]
        records = mix["shapes"]
        assert {r["url"]: r["status"] for r in records if r["status"] != r["expected_status"]} == {}
        assert mix["wrong_status"] == {}
        assert sum(r["expected_status"] == 404 for r in records) >= 1
        assert sum(r["expected_status"] == 400 for r in records) >= 1
        assert all(r["n"] == 1 for r in records)
        for group in (SEARCH, BROWSE):
            assert mix["groups"][group]["n"] == sum(r["group"] == group for r in records)

    def test_deep_pages_ask_for_the_last_page_of_a_smaller_archive(self, timed_mix):
        records = timed_mix[0]["mix"]["shapes"]
        deep = [r for r in ranked(records) if r["kind"] == "deep pages"]
        assert len(deep) >= 4
        assert all("&page=" in r["url"] or "?page=" in r["url"] for r in deep)
        assert all(r["status"] == 200 and r["overlap"] is not None for r in deep)

    def test_overlap_is_computed_for_every_search_shape(self, timed_mix):
        report, printed = timed_mix
        mix = report["mix"]
        pages = ranked(mix["shapes"])
        assert len(pages) >= 50
        assert all("overlap" in r and "exhaustive_ms" in r for r in pages)
        assert mix["overlap_shapes"] == len(pages)
        for kind, row in mix["kinds"].items():
            has_ranked = any(r["kind"] == kind for r in pages)
            assert (row["overlap_mean"] is not None) == has_ranked, kind
        assert f"overlap@20: mean {mix['overlap_mean']:.2f} over {len(pages)}" in printed

    def test_a_page_unlike_the_ranking_is_listed_with_both_id_lists(self, timed_mix, monkeypatch):
        shapes = build_mix()
        shape = next(s for s in shapes if s.kind == "common words" and s.query == "government")
        client = bench_mix.Client()
        measure_overlap(client, shape, bench_mix.Rankings())
        page_ids = list(shape.shown_ids)
        assert len(page_ids) == 20 and shape.overlap is not None
        monkeypatch.setattr(
            bench_mix,
            "exhaustive_ranking",
            lambda query, data, sort, using="default": page_ids[::-1][:5] + [-1] * 15,
        )
        measure_overlap(client, shape, bench_mix.Rankings())
        assert shape.overlap == 5 / 20 and shape.exact_order is False
        report = mix_report([shape], connection.vendor)
        assert report["overlap_below_1"] == [shape.url]
        record = report["shapes"][0]
        assert record["shown_ids"] == page_ids and record["expected_ids"][:5] == page_ids[::-1][:5]

    def test_every_count_a_page_gives_as_exact_equals_the_exhaustive_count(self, timed_mix):
        report, printed = timed_mix
        mix = report["mix"]
        assert mix["wrong_counts"] == {}
        pages = ranked(mix["shapes"])
        # Each page's total at least, and the facet values beside it.
        assert mix["counts_checked"] > 10 * len(pages)
        assert all(r["exact_counts"] >= 1 or "total" in r["estimated"] for r in pages)
        assert (
            f"checked against an exhaustive count: {mix['counts_checked']:,}, wrong: 0" in printed
        )

    def test_a_count_unlike_the_exhaustive_one_is_reported(self, timed_mix, monkeypatch):
        shape = next(s for s in build_mix() if s.kind == "combined facets")
        client = bench_mix.Client()
        measure_overlap(client, shape, bench_mix.Rankings())
        assert shape.wrong_counts == [] and shape.exact_counts > 1
        real = bench_mix.exhaustive_counts

        def one_more(names, query, params):
            counted = real(names, query, params)
            return {name: {v: n + 1 for v, n in counts.items()} for name, counts in counted.items()}

        monkeypatch.setattr(bench_mix, "exhaustive_counts", one_more)
        measure_overlap(client, shape, bench_mix.Rankings())
        facet_counts = shape.exact_counts - ("total" not in shape.estimated)
        assert len(shape.wrong_counts) == facet_counts > 0
        monkeypatch.setattr(
            bench_mix,
            "exhaustive_ranking",
            lambda query, data, sort, using="default": shape.shown_ids[:1],
        )
        measure_overlap(client, shape, bench_mix.Rankings())
        assert any(wrong.startswith("total ") for wrong in shape.wrong_counts)
        report = mix_report([shape], connection.vendor)
        assert report["wrong_counts"] == {shape.url: shape.wrong_counts}
