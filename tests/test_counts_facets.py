"""Totals and facet counts of the search are exact, checked against answers worked out by hand.

The corpus is small and real: the 125 cablegate pages and the 5 mirror pages. The expected
answers come from the parser's records and from the stored paragraph texts with a plain regular
expression, never from the search code under test.
"""

import io
import re
from collections import Counter

import pytest
from django.core.management import call_command

from cables.ingest.incremental import ingest_paths
from cables.models import Cable, Mention, Paragraph
from cables.search.service import search

from .conftest import CABLEGATE_HTML, MIRROR_PAGES

INPUTS = [CABLEGATE_HTML[0].parent, *MIRROR_PAGES]
# A proper name: no stemming or stop-word question, and an apostrophe is a word boundary
# both for the indexes and for the regular expression.
NAME = "Nazarbayev"
OTHER_NAME = "Tuyakbay"


def facet_counts(results, name: str) -> dict[str, int]:
    for facet in results.facets:
        if facet.name == name:
            return {item.value: item.count for item in facet.items if item.count}
    return {}


def cables_mentioning(word: str) -> set[int]:
    pattern = re.compile(rf"\b{word}\b", re.IGNORECASE)
    return {
        cable_id
        for cable_id, text in Paragraph.objects.values_list("cable_id", "text")
        if pattern.search(text)
    }


def counter_of(field: str, ids=None) -> dict[str, int]:
    cables = Cable.objects.all() if ids is None else Cable.objects.filter(id__in=ids)
    return {
        str(value): n for value, n in Counter(cables.values_list(field, flat=True)).items() if value
    }


@pytest.mark.django_db
class TestCountsAndFacets:
    @pytest.fixture(autouse=True)
    def archive(self):
        summary = ingest_paths(INPUTS)
        assert summary.created > 100

    def test_with_no_query_the_total_and_facets_count_every_cable(self):
        results = search("", {})
        assert results.total == Cable.objects.count()
        assert facet_counts(results, "classification") == counter_of("classification")
        assert facet_counts(results, "year") == counter_of("year")
        origins = counter_of("origin")
        shown = facet_counts(results, "origin")
        assert shown and all(origins[value] == count for value, count in shown.items())
        # The facet lists the most frequent origins first.
        assert max(origins.values()) == max(shown.values())

    def test_a_word_counts_exactly_the_cables_that_contain_it(self):
        expected = cables_mentioning(NAME)
        assert len(expected) >= 3
        results = search(NAME, {})
        assert results.total == len(expected)
        assert facet_counts(results, "classification") == counter_of("classification", expected)
        assert facet_counts(results, "year") == counter_of("year", expected)
        page_ids = {hit.cable.id for hit in results.page.object_list}
        assert page_ids <= expected

    def test_a_tag_facet_counts_the_matching_cables_that_carry_each_tag(self):
        expected = cables_mentioning(NAME)
        results = search(NAME, {})
        for code, count in facet_counts(results, "tag").items():
            assert count == Cable.objects.filter(id__in=expected, tags__code=code).count()

    def test_a_selected_facet_narrows_the_total_and_keeps_its_own_counts(self):
        expected = cables_mentioning(NAME)
        by_year = counter_of("year", expected)
        year, count = max(by_year.items(), key=lambda item: item[1])
        results = search(NAME, {"year": [year]})
        assert results.total == count
        # Disjunctive facet: the year facet still counts the other years of the query.
        assert facet_counts(results, "year") == by_year
        narrowed = Cable.objects.filter(id__in=expected, year=int(year))
        assert facet_counts(results, "classification") == counter_of(
            "classification", narrowed.values_list("id", flat=True)
        )

    def test_an_exclusion_leaves_out_every_cable_that_mentions_the_word(self):
        expected = cables_mentioning(NAME) - cables_mentioning(OTHER_NAME)
        assert cables_mentioning(NAME) & cables_mentioning(OTHER_NAME)
        results = search(f"{NAME} -{OTHER_NAME}", {})
        assert results.total == len(expected)

    def test_or_counts_the_union(self):
        expected = cables_mentioning(NAME) | cables_mentioning(OTHER_NAME)
        assert search(f"{NAME} OR {OTHER_NAME}", {}).total == len(expected)

    @pytest.mark.parametrize("facet", ["person", "party", "election"])
    def test_an_entity_facet_counts_the_matching_cables_with_a_visible_mention(self, facet):
        call_command("load_entities", stdout=io.StringIO())  # the starter list, tagged
        expected = cables_mentioning(NAME)
        cables_per_entity: dict[str, set[int]] = {}
        for cable_id, slug, status in Mention.objects.values_list(
            "cable_id", f"{facet}__slug", "status"
        ):
            if slug and cable_id in expected and status != Mention.Status.REJECTED:
                cables_per_entity.setdefault(slug, set()).add(cable_id)
        counted = {slug: len(ids) for slug, ids in cables_per_entity.items()}
        assert counted, f"some {facet} is mentioned in the cables naming {NAME}"
        top = sorted(counted.items(), key=lambda item: -item[1])[:25]
        shown = facet_counts(search(NAME, {}), facet)
        assert shown == {slug: counted[slug] for slug in shown}
        assert sorted(shown.values(), reverse=True) == [n for _, n in top]

    def test_a_tag_alone_is_counted_from_its_links_as_every_cable_carrying_it(self):
        tags = Cable.tags.through.objects.values_list("tag__code", flat=True)
        first, second = [code for code, _ in Counter(tags).most_common(2)]
        one = search("", {"tag": [first]})
        assert one.total == Cable.objects.filter(tags__code=first).count()
        # Any of two TAGS: a cable carrying both counts once.
        both = search("", {"tag": [first, second]})
        carrying = Cable.objects.filter(tags__code__in=[first, second]).distinct()
        assert both.total == carrying.count()
        assert both.total < one.total + search("", {"tag": [second]}).total
        assert {hit.cable.id for hit in both.page} <= set(carrying.values_list("id", flat=True))

    def test_an_entity_alone_is_counted_as_the_cables_with_a_visible_mention(self):
        call_command("load_entities", stdout=io.StringIO())
        visible = Mention.objects.exclude(status=Mention.Status.REJECTED).exclude(person=None)
        slug, _ = Counter(visible.values_list("person__slug", flat=True)).most_common(1)[0]
        expected = set(visible.filter(person__slug=slug).values_list("cable_id", flat=True))
        assert len(expected) >= 2
        results = search("", {"person": [slug]})
        assert results.total == len(expected)
        assert {hit.cable.id for hit in results.page} <= expected
