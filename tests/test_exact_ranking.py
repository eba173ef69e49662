"""Every page of a search is exactly its slice of the documented order over every match.

The documented order (docs/search.md): relevance ranks a cable by the BM25 score of its best
matching paragraph, higher first, equal scores by cable id; date sorts by the date, then the
reference ID. `exhaustive_ranking` computes it the slow way: the matching cables from the
database's own full-text index with every filter applied to the whole archive, every matching
paragraph scored (no top-k pruning). The search page takes shortcuts (top k from the rank
index, filters checked on the candidates only or ranked among a list of their cables, date
orders from the cable table); each page must be its slice, and each count the exhaustive one.
"""

import importlib
import re
from io import StringIO
from types import SimpleNamespace

import pytest
import tantivy
from django.core.management import call_command
from django.db import connection
from django.http import QueryDict

from cables.entities.loading import load_starter_list
from cables.ingest.incremental import delete_cables, ingest_paths
from cables.lib.archive_version import current_version
from cables.lib.index_generation import index_dir, read_stamp
from cables.models import Cable, Paragraph
from cables.search import get_backend, index_store, matching, thresholds
from cables.search.exhaustive import exhaustive_counts, exhaustive_ranking
from cables.search.facet_values import all_values
from cables.search.index_schema import CABLE_WORDS, open_index
from cables.search.index_store import differing_cables
from cables.search.paragraph_export import matched_paragraphs
from cables.search.query import parse_query
from cables.search.rank_index import rank_index
from cables.search.service import search
from cables.search.thresholds import PER_PAGE
from cables.search.words import archive_words

from .conftest import CABLEGATE_HTML, MIRROR_PAGES
from .helpers import sample_csv_rows, write_csv

mark_lost_places = importlib.import_module(
    "cables.migrations.0022_mark_search_vectors_that_lost_places"
).mark_lost_places
INPUTS = [CABLEGATE_HTML[0].parent, *MIRROR_PAGES]

SEARCHES = [
    # (query, facet filters, sort, page)
    ("government", {}, "", 1),
    ("government", {}, "", 3),
    ("said", {}, "", 2),
    ("Nazarbayev", {}, "", 1),
    ("election fraud", {}, "", 1),
    ('"prime minister"', {}, "", 1),
    ('"the united states"', {}, "", 1),
    ('"secretary of state"', {}, "", 1),
    ("elect*", {}, "", 1),
    ("elect*", {}, "", 2),
    ("oil OR gas OR pipeline", {}, "", 1),
    ("government -minister", {}, "", 1),
    ("embassy -the", {}, "", 1),
    ("government -U.S.", {}, "", 1),  # a word the index splits: checked per paragraph
    ('minister -"prime minister"', {}, "", 1),
    ("U.S. -embassy", {}, "", 1),
    ("minister", {"tag": ["PGOV"]}, "", 1),
    ("government", {"classification": ["SECRET"], "year": ["2009"]}, "", 1),
    ("government", {"origin": ["Embassy Astana"]}, "", 1),
    ("election tag:PREL", {}, "", 1),
    ("government from:2008 to:2009", {}, "", 1),
    ("government", {}, "-created", 1),
    ("government", {}, "created", 2),
    ("said", {}, "-released", 1),
    ("elect* -fraud", {"year": ["2007"]}, "-created", 1),
    ("", {"tag": ["PGOV"]}, "", 1),
    ("", {"tag": ["PREL", "PGOV"]}, "", 1),
    ("", {"tag": ["PGOV"], "year": ["2008"]}, "", 1),
    ("government", {"tag": ["PGOV"], "classification": ["CONFIDENTIAL"]}, "", 1),
    ("minister", {"tag": ["PREL", "PGOV"], "year": ["2009"]}, "-created", 1),
    ("election", {"tag": ["PGOV"]}, "", 1),
    ("", {}, "created", 3),
    ("election origin:astana", {}, "", 1),
    ("government class:confidential year:2008", {}, "", 1),
    ("origin:astana -election", {}, "", 1),  # exclusions without text
    ("tag:pgov -said", {}, "-created", 1),
    ("election ref:07ASTANA2223", {}, "", 1),
]


def shown(results) -> list[int]:
    return [hit.cable.id for hit in results.page.object_list]


@pytest.mark.django_db
class TestPagesAreSlicesOfTheExhaustiveOrder:
    @pytest.fixture(autouse=True)
    def archive(self):
        assert ingest_paths(INPUTS).created > 100

    @pytest.mark.parametrize(("query", "filters", "sort", "page"), SEARCHES)
    def test_each_page_is_its_slice_of_the_order_over_every_match(self, query, filters, sort, page):
        everything = exhaustive_ranking(query, filters, sort)
        first = (page - 1) * PER_PAGE
        if first >= len(everything):
            pytest.fail(f"{query!r} {filters} has {len(everything)} cables: pick another page")
        results = search(query, filters, sort, page)
        # The paginator's slice (with orphans: a short last page joins the one before).
        bottom, top = results.page.start_index() - 1, results.page.end_index()
        assert bottom == first
        assert shown(results) == everything[bottom:top]
        assert results.total == len(everything)

    @pytest.mark.parametrize(
        ("query", "filters", "sort", "page"), [s for s in SEARCHES if s[1] or ":" in s[0]]
    )
    @pytest.mark.parametrize(("limit", "share"), [(3, matching.WITHIN_SHARE), (10_000, 1.0)])
    def test_filters_ranked_either_way_give_the_same_pages(
        self, query, filters, sort, page, limit, share, monkeypatch
    ):
        # Filters keeping more cables than are listed: the filters checked on the ranking's
        # candidates; keeping few: ranked among a list of them inside the rank index.
        monkeypatch.setattr(thresholds, "RANK_WITHIN_LIMIT", limit)
        monkeypatch.setattr(matching, "WITHIN_SHARE", share)
        everything = exhaustive_ranking(query, filters, sort)
        results = search(query, filters, sort, page)
        bottom, top = results.page.start_index() - 1, results.page.end_index()
        assert bottom == (page - 1) * PER_PAGE
        assert shown(results) == everything[bottom:top]
        assert results.total == len(everything)

    @pytest.mark.parametrize(
        ("filters", "sort", "page"),
        [
            ({"tag": ["PGOV"]}, "", 1),
            ({"tag": ["PREL", "PGOV"]}, "created", 2),
            ({"tag": ["PGOV"], "year": ["2008"]}, "-released", 1),
            ({"classification": ["CONFIDENTIAL"]}, "", 3),
        ],
    )
    def test_wide_filters_in_date_order_give_the_same_pages(self, filters, sort, page):
        everything = exhaustive_ranking("", filters, sort)
        results = search("", filters, sort, page)
        bottom, top = results.page.start_index() - 1, results.page.end_index()
        assert bottom == (page - 1) * PER_PAGE
        assert shown(results) == everything[bottom:top]
        assert results.total == len(everything)

    @pytest.mark.parametrize(
        "query, data",
        [
            ("minister", {"tag": ["PGOV"]}),
            ("said", {}),
            ('"prime minister"', {"classification": ["CONFIDENTIAL"]}),
            ("government -minister", {"year": ["2007", "2009"]}),
            ("election origin:astana tag:pgov", {}),
            ("origin:embassy -oil", {"year": ["2007", "2008"]}),
        ],
    )
    def test_every_total_and_facet_count_equals_the_databases_exhaustive_count(self, query, data):
        results = search(query, data)
        assert results.total == len(exhaustive_ranking(query, data, ""))
        params = QueryDict(mutable=True)
        for key, values in data.items():
            params.setlist(key, values)
        checked = 0
        for facet in results.facets:
            every = exhaustive_counts([facet.name], query, params)[facet.name]
            assert {item.value: item.count for item in facet.items if item.count} == {
                value: n for value, n in every.items() if value in {i.value for i in facet.items}
            }
            checked += len(facet.items)
        assert checked > 10

    @pytest.mark.parametrize(
        "query, data, name",
        [
            ("said", {}, "origin"),
            ("election", {"year": ["2007"]}, "tag"),
            ("origin:astana", {}, "year"),
        ],
    )
    def test_show_all_gives_every_value_with_the_databases_exhaustive_count(
        self, query, data, name
    ):
        params = QueryDict(mutable=True)
        for key, values in data.items():
            params.setlist(key, values)
        listed = all_values(name, query, params)
        expected = exhaustive_counts([name], query, params)[name]
        assert len(expected) > 1
        assert {value.value: value.count for value in listed.values} == expected

    def test_equal_scores_rank_by_cable_id(self):
        index = rank_index()
        scores = index.all_best_scores(index.compile(parse_query("government").text))
        by_score: dict[float, list[int]] = {}
        for cable_id, score in scores.items():
            by_score.setdefault(score, []).append(cable_id)
        tied = [ids for ids in by_score.values() if len(ids) > 1]
        order = exhaustive_ranking("government", {}, "")
        for ids in tied:
            positions = [order.index(cable_id) for cable_id in sorted(ids)]
            assert positions == sorted(positions)

    def test_the_best_paragraphs_shown_are_the_best_scoring_of_each_cable(self):
        results = search("government", {})
        index = rank_index()
        query = index.compile(parse_query("government").text)
        for hit in results.page.object_list:
            best = index.best_paragraphs(query, [hit.cable.id], 3)[hit.cable.id]
            numbers = dict(Paragraph.objects.filter(cable=hit.cable).values_list("id", "number"))
            assert [p.number for p in hit.paragraphs] == [numbers[pid] for pid, _ in best]


def database_matches(query: str) -> set[int]:
    """Paragraph ids the database's own full-text index matches."""
    node = parse_query(query).text
    return set(get_backend().matching_cable_ids(node).values_list("id", flat=True))


def rank_index_matches(query: str) -> set[int]:
    index = rank_index()
    compiled = index.compile(parse_query(query).text)
    if compiled is None:
        return set()
    searcher = index.searcher()
    return {pid for _, _, pid in index._hits(compiled, index.count_paragraphs(compiled), searcher)}


@pytest.mark.django_db
class TestTheRankIndexMatchesWhatTheDatabaseMatches:
    @pytest.fixture(autouse=True)
    def archive(self):
        assert ingest_paths(INPUTS).created > 100

    @pytest.mark.parametrize(
        "query",
        [
            "government",
            "elections",
            "Nazarbayev",
            "Ust-Kamenogorsk",
            "U.S.",
            '"human rights"',
            '"the united states"',
            '"secretary of state"',
            "elect*",
            "nucle*",
            "kazakh*",
            "ele*",  # stemmed as FTS5 stems it: el*, so "elder" too
            "agre*",
            "oil OR gas OR pipeline",
            "election fraud",
            "the",
            "café",
            "2007",
        ],
    )
    def test_the_same_paragraphs(self, query):
        assert rank_index_matches(query) == database_matches(query)

    def test_the_database_matches_something_for_these(self):
        # The comparison above must not be between two empty sets.
        for query in ("government", '"human rights"', "elect*", "Ust-Kamenogorsk"):
            assert database_matches(query)

    def test_a_prefix_is_stemmed_as_fts5_stems_it_on_every_index(self):
        # FTS5 reads `ele*` as `el*`: the paragraphs with "elder" or "else" but no word
        # starting "ele" match it, in the database and in the rank index alike.
        elder = {
            pid
            for pid, text in Paragraph.objects.values_list("id", "text")
            if re.search(r"\bel(?!e)", text, re.IGNORECASE)
            and not re.search(r"\bele", text, re.IGNORECASE)
        }
        assert elder and elder <= database_matches("ele*")
        assert elder <= rank_index_matches("ele*")


@pytest.mark.django_db
class TestTheRankIndexFollowsTheArchive:
    @pytest.fixture(autouse=True)
    def archive(self):
        assert ingest_paths(INPUTS).created > 100

    def test_a_deleted_cable_leaves_the_ranking(self):
        first = search("government", {}).page.object_list[0].cable
        delete_cables([first.id])
        assert first.id not in shown(search("government", {}))
        assert first.id not in rank_index().all_best_scores(
            rank_index().compile(parse_query("government").text)
        )

    def test_a_delete_publishes_a_generation_without_the_cable(self):
        cable = Cable.objects.filter(paragraphs__text__icontains="Nazarbayev").first()
        before = read_stamp()
        delete_cables([cable.id])
        after = read_stamp()
        assert after.generation > before.generation
        assert after.version == current_version().number
        index = rank_index()
        assert index.stamp == after
        assert cable.id not in index.all_best_scores(index.compile(parse_query("Nazarbayev").text))
        # What the table holds and what the index holds agree, without a repair.
        assert differing_cables() == []

    def test_a_search_does_not_repair_a_write_the_index_never_heard_of(self):
        with connection.cursor() as cursor:
            # A write never published (as after a crash between a commit and its publication).
            cursor.execute(
                "DELETE FROM cables_paragraph WHERE id = (SELECT MIN(id) FROM cables_paragraph)"
            )
        search("government", {})
        missed = differing_cables()
        assert len(missed) == 1
        # The explicit check finds it and publishes it.
        call_command("rank_index", stdout=StringIO())
        assert differing_cables() == []
        assert rank_index_matches("the") <= set(Paragraph.objects.values_list("id", flat=True))


@pytest.mark.django_db
class TestOneCableDocumentPerCable:
    @pytest.fixture(autouse=True)
    def archive(self, monkeypatch):
        assert ingest_paths(INPUTS).created > 100
        # Chunks of 7 paragraphs: most cables span two of them.
        monkeypatch.setattr(index_store, "BUILD_CHUNK", 7)
        index_store.build()

    def test_a_cable_spanning_two_build_chunks_is_counted_once(self):
        index = rank_index()
        searcher = index.searcher()
        cables = set(Paragraph.objects.values_list("cable_id", flat=True))
        assert searcher.num_docs == Paragraph.objects.count() + len(cables)
        node = parse_query("the").text
        documents = index.count_paragraphs(index.compile(node, field=CABLE_WORDS))
        assert documents == len(cables_whose_paragraph_holds(("the",)))
        assert search("the", {}).total == len(exhaustive_ranking("the", {}))

    def test_the_check_finds_a_second_cable_document_and_the_repair_removes_it(self, monkeypatch):
        # As an index built before chunks held whole cables has them. The check counts the
        # cables in ranges of ids (tantivy refuses 65,000 buckets at once): here of 10.
        monkeypatch.setattr(index_store, "CHECK_RANGE", 10)
        stamp = read_stamp("default")
        index = open_index(str(index_dir("default") / stamp.name))
        cable_id = Paragraph.objects.values_list("cable_id", flat=True).first()
        writer = index.writer(heap_size=15_000_000, num_threads=1)
        extra = tantivy.Document()
        extra.add_integer("cable", cable_id)
        extra.add_text(CABLE_WORDS, "the")
        writer.add_document(extra)
        writer.commit()
        writer.wait_merging_threads()
        assert differing_cables() == [cable_id]
        call_command("rank_index", stdout=StringIO())
        assert differing_cables() == []
        node = parse_query("the").text
        index = rank_index()
        documents = index.count_paragraphs(index.compile(node, field=CABLE_WORDS))
        assert documents == len(cables_whose_paragraph_holds(("the",)))


def cables_whose_paragraph_holds(*sequences: tuple[str, ...]) -> set[int]:
    """Exhaustively: the cables with a paragraph holding each run of terms (by the archive's
    tokenizer), consecutive."""
    words = archive_words()
    found = set()
    for cable_id, text in Paragraph.objects.values_list("cable_id", "text"):
        terms = words.index_texts([text])[0].split()
        runs = {
            tuple(terms[i : i + n]) for n in {len(q) for q in sequences} for i in range(len(terms))
        }
        if all(sequence in runs for sequence in sequences):
            found.add(cable_id)
    return found


@pytest.mark.django_db
class TestAPhraseFarIntoALongParagraph:
    """PostgreSQL keeps the first 256 places of a term in a tsvector: these real paragraphs
    hold 432-482 of one word, and each phrase below stands only past them."""

    LONG = {
        '"the UK economy"': ("09LONDON109", 1),
        '"the Japanese shipping"': ("09TOKYO1441", 21),
        '"and the OIC"': ("09STATE80163", 8),
    }

    @pytest.fixture(autouse=True)
    def archive(self, tmp_path):
        references = {reference for reference, _ in self.LONG.values()}
        rows = write_csv(tmp_path / "cables.csv", sample_csv_rows(references))
        assert ingest_paths([rows]).created == 3

    @pytest.mark.parametrize("query", list(LONG))
    def test_the_database_the_rank_index_and_the_export_match_the_paragraph(self, query):
        reference, number = self.LONG[query]
        paragraph = Paragraph.objects.get(cable__reference_id=reference, number=number)
        assert paragraph.id in database_matches(query)
        assert database_matches(query) == rank_index_matches(query)
        assert reference in {hit.cable.reference_id for hit in search(query, {}).page}
        exported = [row[:2] for chunk in matched_paragraphs(query, "", {}, 10) for row in chunk]
        assert (reference, number) in exported

    def test_the_stored_terms_are_sound_and_the_migration_marks_vectors_written_before(self):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE cables_paragraph "
                    "SET search_vector = ts_delete(search_vector, '_lost_places')"
                )
                assert cursor.rowcount > 0
            assert sum(r["wrong"] for r in get_backend().index_problems().values()) == 3
            mark_lost_places(None, SimpleNamespace(connection=connection))
        assert all(report["wrong"] == 0 for report in get_backend().index_problems().values())


@pytest.mark.django_db
class TestEveryWordIsIndexed:
    """One tokenizer on both backends (FTS5's terms): a common word is a word like any other."""

    @pytest.fixture(autouse=True)
    def archive(self):
        assert ingest_paths(MIRROR_PAGES + CABLEGATE_HTML[:20]).failed == 0

    def test_a_common_word_narrows_the_search_on_both_backends(self, client):
        api = client.get("/api/cables/", {"q": "the Nazarbayev"}).json()
        expected = cables_whose_paragraph_holds(("the",), ("nazarbayev",))
        assert "ignored_words" not in api
        assert api["count"] == search("the Nazarbayev", {}).total == len(expected) > 0
        assert api["count"] < len(cables_whose_paragraph_holds(("the",)))

    def test_a_phrase_matches_its_common_words_in_place(self):
        expected = cables_whose_paragraph_holds(("secretari", "of", "state"))
        found = search('"secretary of state"', {}, per_page=100)
        assert {hit.cable.id for hit in found.page} == expected
        assert found.total == len(expected) > 0


@pytest.mark.django_db
class TestEntitiesTypedInTheBox:
    @pytest.fixture(autouse=True)
    def archive(self):
        load_starter_list()
        assert ingest_paths(INPUTS).created > 100

    @pytest.mark.parametrize(
        "query",
        ["government person:nazarbayev", "person:nazarbayev -election", "person:nazarbayev"],
    )
    def test_the_page_and_its_counts_are_the_databases_exhaustive_ones(self, query):
        everything = exhaustive_ranking(query, {}, "")
        assert everything
        results = search(query, {})
        assert shown(results) == everything[:PER_PAGE]
        assert results.total == len(everything)
        person = next(facet for facet in results.facets if facet.name == "person")
        listed = all_values("person", query, QueryDict())
        expected = exhaustive_counts(["person"], query, QueryDict())["person"]
        assert {value.value: value.count for value in listed.values} == expected
        assert {item.value: item.count for item in person.items} == {
            value: n for value, n in expected.items() if value in {i.value for i in person.items}
        }
