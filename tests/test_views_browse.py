"""Home, origins and TAGS pages: the corpus at a glance."""

import pytest
from django.urls import reverse

from cables.models import Tag

pytestmark = pytest.mark.django_db


def origin_count(corpus, origin: str) -> int:
    return sum(1 for cable in corpus.values() if cable.origin == origin)


def test_home_counts_the_corpus_by_year_classification_and_origin(client, corpus):
    response = client.get(reverse("cables:home"))
    context = response.context
    assert context["total"] == len(corpus)
    assert sum(n for _, n, _ in context["years"]) == len(corpus)
    assert dict(context["classifications"])["CONFIDENTIAL"] == sum(
        1 for c in corpus.values() if c.classification == "CONFIDENTIAL"
    )
    assert ("Embassy Tashkent", origin_count(corpus, "Embassy Tashkent")) in context["origins"]
    assert len(context["newest"]) == 10
    assert 'href="/cables/?year=2009"' in response.content.decode()


def test_origins_are_grouped_by_the_country_tag_their_cables_carry(client, corpus):
    response = client.get(reverse("cables:origins"))
    groups = dict(response.context["groups"])
    assert ("Embassy Tashkent", origin_count(corpus, "Embassy Tashkent")) in groups["Uzbekistan"]
    assert ("Embassy Astana", origin_count(corpus, "Embassy Astana")) in groups["Kazakhstan"]


def test_washington_and_the_missions_to_organisations_are_not_filed_under_a_country(client, corpus):
    response = client.get(reverse("cables:origins"))
    groups = dict(response.context["groups"])
    assert ("Secretary of State", origin_count(corpus, "Secretary of State")) in groups[
        "Washington"
    ]
    assert ("UNVIE", origin_count(corpus, "UNVIE")) in groups[
        "Missions to international organisations"
    ]
    filed_under_countries = {
        origin
        for group, origins in groups.items()
        if group not in {"Washington", "Missions to international organisations"}
        for origin, _ in origins
    }
    assert not filed_under_countries & {"Secretary of State", "UNVIE"}


def test_tags_page_lists_definitions_and_counts(client, corpus):
    response = client.get(reverse("cables:tags"))
    tags = {t["code"]: t for t in response.context["tags"]}
    assert tags["PGOV"]["definition"] == (
        "Political Affairs--Government; Internal Governmental Affairs"
    )
    assert tags["PGOV"]["n"] == Tag.objects.get(code="PGOV").cables.count()
    assert (
        "Political Affairs--Government; Internal Governmental Affairs" in response.content.decode()
    )


def test_the_help_page_documents_paragraph_matching(client):
    response = client.get(reverse("cables:search-help"))
    assert "all the words of a query must occur in one paragraph" in response.content.decode()
