"""The windows relevance ranking looks at first for a very common query (`cables.search.bands`).

On SQLite a window is a sample index (the paragraphs of every n-th cable, kept in FTS5 tables of
their own by ingest); on PostgreSQL a window is slices of the paragraph ids. Either way a band
must hold exactly the matches of the main index that fall in its window, and the bands together
every match. The main index's own matches are the reference here; that index is checked against
the texts elsewhere (`test_ingest.py`, `test_counts_facets.py`).
"""

import json
import re

import pytest
from django.db import connection

from cables.ingest.incremental import ingest_paths
from cables.models import Cable, Paragraph
from cables.search import bands, get_backend, sqlite
from cables.search.query import parse_query
from cables.search.rank_index import rank_index

from .conftest import CABLEGATE_HTML, MIRROR_PAGES
from .helpers import partial_extract_of

INPUTS = [CABLEGATE_HTML[0].parent, *MIRROR_PAGES]
QUERIES = ["Nazarbayev", "government", '"prime minister"', "elect*", "oil OR gas"]


@pytest.fixture
def small_windows(monkeypatch):
    # Sized for 140 cables: samples of every 2nd, 4th and 8th cable (set before ingest indexes
    # anything), bands from a handful of matches.
    monkeypatch.setattr(sqlite, "SAMPLE_MODULI", (2, 4, 8))
    monkeypatch.setattr(sqlite, "SAMPLE_HITS", 2)
    monkeypatch.setattr(bands, "EXACT_HITS", 5)
    monkeypatch.setattr(bands, "CANDIDATE_HITS", 3)


def in_window(window, cable_id: int, paragraph_id: int) -> bool:
    if window is None:
        return True
    if isinstance(window, bands.CableSample):
        return cable_id % window.modulus == 0
    offset = (paragraph_id - window.first) % window.stride
    return window.first <= paragraph_id <= window.last and window.lo <= offset < window.hi


def matches(backend, node, window=None) -> set[tuple[int, int]]:
    return set(backend.matched_paragraphs(node, window))


@pytest.mark.django_db
class TestBandWindows:
    @pytest.fixture(autouse=True)
    def archive(self, small_windows):
        assert ingest_paths(INPUTS).created > 100

    @pytest.mark.parametrize("query", QUERIES)
    def test_each_band_holds_exactly_the_matches_of_its_window(self, query):
        backend = get_backend()
        node = parse_query(query).text
        everything = matches(backend, node)
        windows = list(backend.band_windows(node))
        assert len(windows) > 1, "the query should take the banded path"
        for window, _ in windows:
            expected = {(c, p) for c, p in everything if in_window(window, c, p)}
            assert matches(backend, node, window) == expected

    @pytest.mark.parametrize("query", QUERIES)
    def test_the_bands_hold_every_match_and_only_the_last_is_complete(self, query):
        backend = get_backend()
        node = parse_query(query).text
        windows = list(backend.band_windows(node))
        assert [complete for _, complete in windows] == [False] * (len(windows) - 1) + [True]
        found = set().union(*(matches(backend, node, window) for window, _ in windows))
        assert found == matches(backend, node)
        shares = [1.0 if window is None else window.share for window, _ in windows]
        assert shares == sorted(shares) and shares[-1] == 1.0

    def test_below_the_exact_bound_every_match_is_one_complete_band(self, monkeypatch):
        # SQLite: the matches counted in the first sample that holds enough of them, scaled up;
        # PostgreSQL: the planner's estimate. Either way under EXACT_HITS: ranked exactly.
        monkeypatch.setattr(bands, "EXACT_HITS", 1_000_000)
        for query in QUERIES:
            assert list(get_backend().band_windows(parse_query(query).text)) == [(None, True)]

    @pytest.mark.parametrize("query", [*QUERIES, "government -minister", "Nazarbayev -Tuyakbay"])
    def test_cables_in_a_sample_get_the_snippets_and_exclusions_of_the_main_index(
        self, query, monkeypatch
    ):
        # SQLite reads the snippets and the excluded words of a page whose cables are all in a
        # sample from that sample's index: the same as from the main index.
        backend = get_backend()
        parsed = parse_query(query)
        matching = {c for c, _ in matches(backend, parsed.text)}
        moduli = sqlite.SAMPLE_MODULI if connection.vendor == "sqlite" else (1,)
        # The smallest sample holding some of the matching cables.
        modulus = max(m for m in moduli if any(c % m == 0 for c in matching))
        cables = sorted(c for c in matching if c % modulus == 0)[:4]
        assert cables
        index = rank_index()
        chosen = index.best_paragraphs(index.compile(parsed.text), cables, 3)

        def read():
            snippets = backend.snippets(parsed.text, chosen)
            return (
                {c: [(h.number, str(h.snippet)) for h in hits] for c, hits in snippets.items()},
                [backend.cables_matching(node, cables) for node in parsed.excluded],
            )

        from_samples = read()
        assert from_samples[0] and all(from_samples[0].values())
        if connection.vendor == "sqlite":
            assert sqlite._narrowest_index(cables) != sqlite.FTS_TABLE
        monkeypatch.setattr(sqlite, "_narrowest_index", lambda cable_ids: sqlite.FTS_TABLE)
        assert read() == from_samples


@pytest.mark.django_db
def test_at_the_real_bounds_a_small_archive_is_one_complete_band_over_every_match():
    ingest_paths(INPUTS)
    for query in QUERIES:
        assert list(get_backend().band_windows(parse_query(query).text)) == [(None, True)]


def indexed_ids(table: str, paragraph_ids) -> set[int]:
    """Which of these paragraph ids an SQLite FTS5 index holds (its own rows, not the content
    table's)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {table}_docsize WHERE id IN (SELECT value FROM json_each(%s))",
            [json.dumps(sorted(paragraph_ids))],
        )
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.django_db
def test_a_cable_replaced_by_its_full_text_is_found_in_its_bands_by_the_new_text(
    tmp_path, monkeypatch, small_windows
):
    # Every cable is in the first sample (modulus 1), whatever ids the database hands out, and
    # one match is enough for a band.
    monkeypatch.setattr(sqlite, "SAMPLE_MODULI", (1, 2, 4))
    monkeypatch.setattr(sqlite, "SAMPLE_HITS", 1)
    (full_page,) = [path for path in CABLEGATE_HTML if path.stem == "05TASHKENT2473"]
    ingest_paths([*MIRROR_PAGES, partial_extract_of(full_page, 2, tmp_path)])
    cable = Cable.objects.get(reference_id="05TASHKENT2473")
    extract_ids = set(cable.paragraphs.values_list("id", flat=True))
    assert ingest_paths([full_page]).updated == 1
    full_ids = set(cable.paragraphs.values_list("id", flat=True))
    later = Paragraph.objects.get(cable=cable, number=3).text
    word = max(re.findall(r"[A-Za-z]{6,}", later), key=len)
    backend = get_backend()
    node = parse_query(word).text
    mine = {(c, p) for c, p in matches(backend, node) if c == cable.id}
    assert mine, f"{word!r} of paragraph 3 should match"
    for window, _ in backend.band_windows(node):
        inside = {(c, p) for c, p in mine if in_window(window, c, p)}
        assert {(c, p) for c, p in matches(backend, node, window) if c == cable.id} == inside
    if connection.vendor == "sqlite":
        # The extract's paragraphs left every index; the full text's are in each one that
        # samples the cable.
        for index in [bands.CableSample(sqlite.FTS_TABLE, 1), *sqlite._samples()]:
            assert not indexed_ids(index.table, extract_ids)
            expected = full_ids if cable.id % index.modulus == 0 else set()
            assert indexed_ids(index.table, full_ids) == expected


@pytest.mark.django_db
def test_after_a_rebuild_each_band_still_holds_exactly_the_matches_of_its_window(small_windows):
    # The bulk load builds the indexes once at the end (`rebuild`), samples included.
    ingest_paths(INPUTS)
    backend = get_backend()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:  # as if the load had written no index at all
            for table in [sqlite.FTS_TABLE, *sqlite.SAMPLE_TABLES]:
                cursor.execute(f"INSERT INTO {table}({table}) VALUES('delete-all')")
    backend.rebuild()
    for query in QUERIES:
        node = parse_query(query).text
        everything = matches(backend, node)
        windows = list(backend.band_windows(node))
        assert len(windows) > 1
        for window, _ in windows:
            expected = {(c, p) for c, p in everything if in_window(window, c, p)}
            assert matches(backend, node, window) == expected
