"""Bounded search work with exact answers: every total and facet count is exact whatever the
number of matches, and the order is the same on every run and page.

The bounds are made tiny here (a query above a handful of matching paragraphs counts as very
common) so that the small real corpus takes the paths of a full-size archive.
"""

import re
from collections import Counter

import pytest
from django.urls import reverse

from cables.ingest.incremental import ingest_paths
from cables.models import Cable, Paragraph
from cables.search import bands, sqlite, thresholds
from cables.search.service import search

from .conftest import CABLEGATE_HTML, MIRROR_PAGES

INPUTS = [CABLEGATE_HTML[0].parent, *MIRROR_PAGES]
COMMON = "Nazarbayev"  # a proper name: no stemming question in the expected answers
OTHER = "Tuyakbay"
BROAD = "government"  # in enough cables for several pages
TOGETHER = f"{COMMON} president"  # words in one paragraph


def cables_mentioning(word: str) -> set[int]:
    pattern = re.compile(rf"\b{word}\b", re.IGNORECASE)
    return {
        cable_id
        for cable_id, text in Paragraph.objects.values_list("cable_id", "text")
        if pattern.search(text)
    }


def together(*words: str) -> set[int]:
    """The cables with a paragraph holding every one of these words."""
    patterns = [re.compile(rf"\b{word}\b", re.IGNORECASE) for word in words]
    return {
        cable_id
        for cable_id, text in Paragraph.objects.values_list("cable_id", "text")
        if all(pattern.search(text) for pattern in patterns)
    }


def years_of(cable_ids) -> dict[str, int]:
    years = Counter(Cable.objects.filter(id__in=cable_ids).values_list("year", flat=True))
    return {str(year): n for year, n in years.items() if year is not None}


def facet_counts(results, name: str) -> dict[str, int]:
    (facet,) = [f for f in results.facets if f.name == name]
    return {item.value: item.count for item in facet.items}


def ranked_ids(results) -> list[int]:
    return [hit.cable.id for hit in results.page]


# SQLite's sample indexes hold every 2nd, 4th and 8th cable of the small corpus (instead of
# every 8th, 64th and 512th of a full archive): set before anything is indexed.
SMALL_MODULI = (2, 4, 8)


@pytest.fixture
def small_samples(monkeypatch):
    monkeypatch.setattr(sqlite, "SAMPLE_MODULI", SMALL_MODULI)


@pytest.fixture
def small_bounds(monkeypatch):
    monkeypatch.setattr(bands, "EXACT_HITS", 5)
    monkeypatch.setattr(bands, "CANDIDATE_HITS", 3)
    monkeypatch.setattr(thresholds, "PER_PAGE", 4)
    monkeypatch.setattr(thresholds, "ORPHANS", 0)
    monkeypatch.setattr(sqlite, "SAMPLE_HITS", 2)


@pytest.mark.django_db
class TestBoundedSearch:
    @pytest.fixture(autouse=True)
    def archive(self, small_samples):
        summary = ingest_paths(INPUTS)
        assert summary.created > 100

    def test_below_the_bound_the_total_and_facets_are_exact(self):
        results = search(COMMON, {})
        assert results.total == len(cables_mentioning(COMMON))

    def test_above_the_bound_a_words_total_and_facets_stay_exact(self, small_bounds):
        matching = cables_mentioning(COMMON)
        results = search(COMMON, {}, "relevance")
        assert results.total == len(matching)
        assert facet_counts(results, "year") == years_of(matching)

    def test_above_the_bound_words_together_are_counted_exactly(self, small_bounds):
        matching = together(COMMON, "president")
        results = search(TOGETHER, {}, "relevance")
        assert results.total == len(matching)
        assert len(results.page) == 4
        assert set(ranked_ids(results)) <= matching
        assert facet_counts(results, "year") == years_of(matching)

    def test_the_page_says_neither_about_nor_estimated_above_the_bound(self, client, small_bounds):
        page = client.get(reverse("cables:search"), {"q": TOGETHER}).content.decode()
        count = len(together(COMMON, "president"))
        assert re.search(rf'class="results-count">{count} cables', page)
        assert "(estimated)" not in page
        assert "About" not in page.split('class="results-count">')[1][:20]

    def test_an_exact_count_is_never_shown_for_an_estimate(self, client):
        page = client.get(reverse("cables:search"), {"q": COMMON}).content.decode()
        assert "About" not in page.split('class="results-count">')[1][:20]
        assert "(estimated)" not in page

    def test_the_order_is_the_same_on_every_run_and_across_pages(self, small_bounds):
        first = [ranked_ids(search(BROAD, {}, "relevance", page)) for page in (1, 2)]
        again = [ranked_ids(search(BROAD, {}, "relevance", page)) for page in (1, 2)]
        assert first == again
        assert not set(first[0]) & set(first[1])

    def test_a_band_read_by_id_ranks_exactly_as_one_found_through_the_index(
        self, small_bounds, monkeypatch
    ):
        # PostgreSQL reads a small band by id and a large one through the GIN index: the
        # two plans must give the same page (SQLite has one plan: the same page twice).
        from cables.search import postgres

        by_id = [ranked_ids(search(BROAD, {}, "relevance", page)) for page in (1, 2)]
        monkeypatch.setattr(postgres, "RANGE_SCAN_ROWS", -1)
        by_index = [ranked_ids(search(BROAD, {}, "relevance", page)) for page in (1, 2)]
        assert by_id == by_index
        assert by_id[0]

    def test_a_page_is_the_same_slice_of_the_ranking_whatever_the_page_size(self):
        long = ranked_ids(search(BROAD, {}, "relevance", 1, per_page=60))
        pages = [ranked_ids(search(BROAD, {}, "relevance", n, per_page=20)) for n in (1, 2)]
        assert pages[0] + pages[1] == long[:40]

    def test_excluded_words_stay_excluded_above_the_bound(self, small_bounds):
        results = search(f"{COMMON} -{OTHER}", {}, "relevance")
        assert results.page.object_list
        assert not set(ranked_ids(results)) & cables_mentioning(OTHER)

    def test_a_facet_filter_above_the_bound_widens_until_the_page_is_full(self, small_bounds):
        everything = search(COMMON, {}, "relevance")
        (years,) = [f for f in everything.facets if f.name == "year"]
        year = min(years.items, key=lambda item: item.count).value  # the rarest year
        narrowed = search(COMMON, {"year": [year]}, "relevance")
        assert narrowed.page.object_list
        assert all(hit.cable.year == int(year) for hit in narrowed.page)

    def test_a_filter_counts_its_matches_and_every_facet_exactly_above_the_bound(
        self, small_bounds
    ):
        matching = cables_mentioning(COMMON)
        everything = search(COMMON, {}, "relevance")
        year = max(facet_counts(everything, "year").items(), key=lambda item: item[1])[0]
        expected = set(
            Cable.objects.filter(id__in=matching, year=int(year)).values_list("id", flat=True)
        )
        results = search(COMMON, {"year": [year]}, "relevance")
        assert results.total == len(expected)
        # The other facets count those cables; the year facet, which leaves its own selection
        # out, counts the query's matches over all years.
        classifications = Counter(
            Cable.objects.filter(id__in=expected).values_list("classification", flat=True)
        )
        assert facet_counts(results, "classification") == classifications
        assert facet_counts(results, "year") == years_of(matching)

    def test_date_sorts_count_like_relevance_and_list_the_newest_matches(self, small_bounds):
        # The count is the same whatever the sort (a word's: exact); the page is exact: the
        # newest of every matching cable (tests/test_exact_ranking.py checks the order).
        results = search(COMMON, {}, "-created")
        assert results.total == search(COMMON, {}).total
        assert search(TOGETHER, {}, "-created").total == search(TOGETHER, {}).total
        dates = Cable.objects.filter(id__in=cables_mentioning(COMMON)).values_list(
            "created", flat=True
        )
        # Newest first, cables without a date last.
        newest = sorted((d for d in dates if d), reverse=True) + [d for d in dates if not d]
        assert [hit.cable.created for hit in results.page] == newest[: len(results.page)]


@pytest.mark.django_db
def test_facet_links_are_those_of_the_querystring_tag(client):
    from django.http import QueryDict
    from django.template.defaulttags import querystring

    ingest_paths(INPUTS)
    params = {"q": COMMON, "origin": ["Embassy Astana"], "page": "1", "sort": "relevance"}
    response = client.get(reverse("cables:search"), params)
    results = response.context["results"]
    request_get = QueryDict(mutable=True)
    for key, value in params.items():
        request_get.setlist(key, value if isinstance(value, list) else [value])
    page = response.content.decode()
    links = 0
    for facet in results.facets:
        for item in facet.items:
            expected = querystring(None, request_get, item.params)
            assert item.href == expected
            assert f'href="{expected.replace("&", "&amp;")}"' in page
            links += 1
    assert links > 5


@pytest.mark.django_db
def test_the_api_counts_exactly_above_the_bound(client, small_samples, small_bounds):
    ingest_paths(INPUTS)
    url = reverse("cables:api-cable-list")
    count = len(together(COMMON, "president"))
    for sort in ("relevance", "-created"):
        body = client.get(url, {"q": TOGETHER, "sort": sort}).json()
        assert (body["count"], body["count_exact"], body["facets_estimated"]) == (count, True, [])
    assert client.get(url, {"q": COMMON}).json()["count_exact"] is True
    assert client.get(url, {"q": "Qwzxy", "sort": "-created"}).json()["count_exact"] is True


class FakeBackend:
    """Matches every paragraph id in [first, last]."""

    def __init__(self, first, last, hits):
        self.first, self.last, self.hits = first, last, hits

    def paragraph_id_bounds(self):
        return self.first, self.last

    def count_hits(self, node, first, last):
        return self.hits

    def matched_paragraphs(self, node, slices=None):
        ids = range(self.first, self.last + 1)
        if slices is not None:
            ids = [p for p in ids if slices.lo <= (p - slices.first) % slices.stride < slices.hi]
        return [(p // 10, p) for p in ids]


def test_bands_cover_every_paragraph_once_each_spread_over_the_whole_archive():
    backend = FakeBackend(first=101, last=100_000, hits=60_000)
    seen = []
    windows = list(bands.sliced_windows(backend, None))
    assert windows[-1][1] and not any(complete for _, complete in windows[:-1])
    rows = [backend.matched_paragraphs(None, slices) for slices, _ in windows]
    for band, (slices, _) in zip(rows, windows, strict=True):
        ids = [p for _, p in band]
        seen.extend(ids)
        # Every band takes some of each of the SLICES parts of the archive.
        parts = {(p - backend.first) // slices.stride for p in ids}
        assert len(parts) >= bands.SLICES
    assert sorted(seen) == list(range(101, 100_001))
    # The first band holds about CANDIDATE_HITS of the 60,000 matches' worth of ids.
    first_band = len(rows[0]) * 60_000 / 99_900
    assert bands.CANDIDATE_HITS / 2 <= first_band <= bands.CANDIDATE_HITS * 2


def test_below_the_bound_one_band_holds_everything():
    backend = FakeBackend(first=1, last=1_000, hits=bands.EXACT_HITS)
    assert list(bands.sliced_windows(backend, None)) == [(None, True)]
