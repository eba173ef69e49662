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
from cables.search import thresholds
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


@pytest.fixture
def small_bounds(monkeypatch):
    # Pages of 4, and filters ranked among a list of their cables only up to 3 of them.
    monkeypatch.setattr(thresholds, "PER_PAGE", 4)
    monkeypatch.setattr(thresholds, "ORPHANS", 0)
    monkeypatch.setattr(thresholds, "RANK_WITHIN_LIMIT", 3)


@pytest.mark.django_db
class TestBoundedSearch:
    @pytest.fixture(autouse=True)
    def archive(self):
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
def test_the_api_counts_exactly_above_the_bound(client, small_bounds):
    ingest_paths(INPUTS)
    url = reverse("cables:api-cable-list")
    count = len(together(COMMON, "president"))
    for sort in ("relevance", "-created"):
        body = client.get(url, {"q": TOGETHER, "sort": sort}).json()
        assert (body["count"], body["count_exact"], body["facets_estimated"]) == (count, True, [])
    assert client.get(url, {"q": COMMON}).json()["count_exact"] is True
    assert client.get(url, {"q": "Qwzxy", "sort": "-created"}).json()["count_exact"] is True
