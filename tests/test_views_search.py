"""The search page: results at two levels, disjunctive facets, sorting, pages, errors."""

import re

import pytest
from django.urls import reverse

from cables.search.service import search
from tests.reading_corpus import cables_where, has

pytestmark = pytest.mark.django_db
SEARCH = reverse("cables:search")


def facet(results, name):
    (found,) = [f for f in results.facets if f.name == name]
    return {item.value: item for item in found.items}


def test_results_link_their_best_paragraphs_with_highlighted_snippets(client, corpus):
    response = client.get(SEARCH, {"q": "Skytel"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "<mark>Skytel</mark>" in page
    # The snippet's link opens the cable at the paragraph, with the query carried along.
    assert 'href="/cable/05TASHKENT284/?q=Skytel#par2"' in page


@pytest.mark.parametrize("query", ["election", "elect*", '"prime minister"', "oil OR gas"])
def test_every_listed_paragraph_has_a_highlighted_snippet_whatever_the_query_kind(corpus, query):
    # Words, phrases and OR reach their snippets by one seek per paragraph on SQLite, a
    # prefix by one walk over the chosen paragraphs' range: both must find every one.
    results = search(query, {}, "", 1)
    hits = [hit for cable in results.page.object_list for hit in cable.paragraphs]
    assert len(results.page.object_list) > 1
    assert hits and all("<mark>" in hit.snippet for hit in hits)
    assert all(cable.paragraphs for cable in results.page.object_list)


def test_a_facet_counts_ignore_its_own_selection_so_it_can_be_widened(corpus):
    everything = search("Nazarbayev", {}, "", 1)
    origins = facet(everything, "origin")
    astana = search("Nazarbayev", {"origin": ["Embassy Astana"]}, "", 1)
    assert astana.total == origins["Embassy Astana"].count < everything.total
    # Other origins keep their counts, the chosen one is marked, and clicking it again removes it.
    assert {v: i.count for v, i in facet(astana, "origin").items()} == {
        v: i.count for v, i in origins.items()
    }
    assert facet(astana, "origin")["Embassy Astana"].selected
    assert facet(astana, "origin")["Embassy Astana"].toggle == []
    # Other facets are counted within the selection.
    assert sum(i.count for i in facet(astana, "year").values()) == astana.total


def test_two_values_of_one_facet_match_either(corpus):
    both = search("", {"origin": ["Embassy Astana", "Embassy Tashkent"]}, "", 1, per_page=100)
    origins = {hit.cable.origin for hit in both.page}
    assert origins == {"Embassy Astana", "Embassy Tashkent"}
    assert both.total == sum(1 for c in corpus.values() if c.origin in origins)


def test_the_tag_facet_shows_definitions_as_titles(client, corpus):
    response = client.get(SEARCH, {"q": "Gulnora"})
    assert 'title="Political Affairs--External Political Relations"' in response.content.decode()


def test_it_sorts_by_date_both_ways_and_by_release(corpus):
    newest = [h.cable.created for h in search("", {}, "-created", 1, per_page=50).page]
    oldest = [h.cable.created for h in search("", {}, "created", 1, per_page=50).page]
    released = [h.cable.released for h in search("", {}, "-released", 1, per_page=50).page]
    assert newest == sorted(newest, reverse=True)
    assert oldest == sorted(oldest)
    assert released == sorted(released, reverse=True)
    assert oldest[0] == min(c.created for c in corpus.values())


def test_relevance_ranks_the_cable_about_it_first(corpus):
    results = search("Gulnora", {}, "relevance", 1)
    assert {h.cable.reference_id for h in results.page} == cables_where(has("Gulnora"))
    # 05TASHKENT284 ("Gulnora Inc. strikes again") names her in every paragraph.
    assert results.page[0].cable.reference_id in {"05TASHKENT284", "05TASHKENT2473"}


def test_pages_keep_orphans_and_a_missing_page_is_404(client, corpus):
    total = len(corpus)
    first = client.get(SEARCH, {"page": 1})
    assert first.context["results"].total == total
    last_page = first.context["results"].page.paginator.num_pages
    assert client.get(SEARCH, {"page": last_page}).status_code == 200
    assert client.get(SEARCH, {"page": last_page + 1}).status_code == 404
    # Not a page number at all: a bad request with a message (tests/test_search_input_bounds.py).
    assert client.get(SEARCH, {"page": "x"}).status_code == 400


def test_a_syntax_error_is_explained_not_a_500(client, corpus):
    response = client.get(SEARCH, {"q": '"vote counting'})
    assert response.status_code == 400
    assert "closing quote" in response.content.decode()
    response = client.get(SEARCH, {"q": "fraud", "year": "20x7"})
    assert response.status_code == 400
    assert "not valid" in response.content.decode()


def test_no_results_suggests_what_to_relax(client, corpus):
    response = client.get(SEARCH, {"q": "Gulnora Nazarbayev", "origin": "Embassy Astana"})
    page = response.content.decode()
    assert "0 cables" in page
    assert "Remove the Origin filter" in page
    assert "Match any of the words" in page


def test_untrusted_text_in_the_query_is_escaped(client, corpus):
    response = client.get(SEARCH, {"q": '<script>alert(1)</script> "x'})
    page = response.content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_the_page_sends_a_content_security_policy_and_no_inline_script(client, corpus):
    response = client.get(SEARCH, {"q": "Skytel"})
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    scripts = re.findall(r"<script([^>]*)>", response.content.decode())
    assert scripts and all("src=" in attrs or "application/json" in attrs for attrs in scripts)


def test_the_search_page_runs_a_fixed_number_of_queries(
    client, corpus, django_assert_max_num_queries
):
    client.get(SEARCH, {"q": "embassy"})  # the cable table, read once per archive version
    # 8: the archive version twice (HTTP caching, the cable table), the page's cables, their
    # snippets and TAGS, and the entities the page names; on PostgreSQL 3 more: the time
    # budget's SET LOCAL with its savepoint and release.
    with django_assert_max_num_queries(11):
        response = client.get(SEARCH, {"q": "election", "tag": "PREL"})
    assert response.context["results"].total > 1


def test_person_facet_counts_confirmed_and_suggested_mentions_never_rejected(client, corpus):
    from cables.models import Mention, Paragraph, Person

    karimova = Person.objects.create(name="Gulnara Karimova", slug="gulnara-karimova")
    paragraphs = Paragraph.objects.filter(text__contains="Gulnora Karimova").select_related("cable")
    assert paragraphs.count() >= 2
    statuses = [Mention.Status.CONFIRMED, Mention.Status.SUGGESTED, Mention.Status.REJECTED]
    kept = set()
    for paragraph, status in zip(paragraphs, statuses, strict=False):
        start = paragraph.text.index("Gulnora Karimova")
        Mention.objects.create(
            paragraph=paragraph,
            person=karimova,
            matched_text="Gulnora Karimova",
            start=start,
            end=start + 16,
            method=Mention.Method.FUZZY,
            status=status,
        )
        if status != Mention.Status.REJECTED:
            kept.add(paragraph.cable.reference_id)
    results = search("Gulnora", {}, "", 1)
    assert facet(results, "person")["gulnara-karimova"].count == len(kept)
    assert facet(results, "person")["gulnara-karimova"].label == "Gulnara Karimova"
    narrowed = search("", {"person": ["gulnara-karimova"]}, "", 1)
    assert {hit.cable.reference_id for hit in narrowed.page} == kept
    typed = search("person:gulnara-karimova", {}, "", 1)
    assert {hit.cable.reference_id for hit in typed.page} == kept
    page = client.get(SEARCH, {"q": "Gulnora"}).content.decode()
    assert 'data-facet="person" data-value="gulnara-karimova"' in page
