"""JSON API and streamed CSV/JSON exports, with the search page's parameters."""

import csv
import io
import json

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse

from cables.models import Cable, Mention, Paragraph, Person
from cables.parsing import ParsedCable, SourceInfo
from cables.search import api
from cables.search.date_order import ordered
from cables.search.exhaustive import exhaustive_ranking
from tests.reading_corpus import cables_where, has

pytestmark = pytest.mark.django_db


def test_the_list_takes_the_search_parameters_and_pages(client, corpus):
    response = client.get(reverse("cables:api-cable-list"), {"q": "Gulnora", "page": 1})
    data = response.json()
    assert data["count"] == len(cables_where(has("Gulnora")))
    assert {r["reference_id"] for r in data["results"]} == cables_where(has("Gulnora"))
    first = data["results"][0]
    assert first["paragraphs"][0]["url"].startswith(
        f"http://testserver/cable/{first['reference_id']}/#par"
    )
    assert "<mark>" in first["paragraphs"][0]["snippet"].lower()
    assert data["facets"]["origin"] == [{"value": "Embassy Tashkent", "count": data["count"]}]


def test_the_list_links_its_next_page(client, corpus):
    data = client.get(reverse("cables:api-cable-list")).json()
    assert data["count"] == len(corpus)
    assert data["next"] == "http://testserver/api/cables/?page=2"
    second = client.get(data["next"]).json()
    assert second["previous"] == "http://testserver/api/cables/?page=1"
    assert not {r["reference_id"] for r in data["results"]} & {
        r["reference_id"] for r in second["results"]
    }


def test_a_bad_query_is_a_400_with_a_message(client, corpus):
    response = client.get(reverse("cables:api-cable-list"), {"q": "fraud OR"})
    assert response.status_code == 400
    assert "both sides" in response.json()["error"]


def test_a_cable_comes_in_the_parse_cables_schema_with_permalinks_and_mentions(client, corpus):
    cable = corpus["05TASHKENT284"]
    person = Person.objects.create(name="Gulnara Karimova", slug="gulnara-karimova")
    paragraph = Paragraph.objects.get(cable=cable, number=2)
    start = paragraph.text.index("Gulnora Karimova")
    Mention.objects.create(
        paragraph=paragraph,
        person=person,
        matched_text="Gulnora Karimova",
        start=start,
        end=start + len("Gulnora Karimova"),
        method=Mention.Method.FUZZY,
        status=Mention.Status.CONFIRMED,
    )
    Mention.objects.create(
        paragraph=paragraph,
        person=person,
        matched_text="Karimova",
        start=0,
        end=8,
        method=Mention.Method.SURNAME,
        status=Mention.Status.REJECTED,
    )
    data = client.get(reverse("cables:api-cable-detail", args=["05TASHKENT284"])).json()
    schema = set(ParsedCable("X", source=SourceInfo("x", "text")).to_json())
    assert schema <= set(data)
    assert data["created"] == "2005-01-28T13:01:00+00:00"
    assert data["tags"] == ["ECON", "PINR", "PREL", "UZ"]
    assert data["references"] == ["04TASHKENT3390", "04TASHKENT2574"]
    second = data["paragraphs"][1]
    assert second["number"] == 2 and second["classification"] == "C"
    assert second["permalink"] == "http://testserver/cable/05TASHKENT284/#par2"
    assert [m["text"] for m in second["mentions"]] == ["Gulnora Karimova"]  # not the rejected one
    assert second["mentions"][0]["url"] == "http://testserver/person/gulnara-karimova/"


def test_an_unknown_cable_is_404(client, corpus):
    assert client.get(reverse("cables:api-cable-detail", args=["99NOWHERE1"])).status_code == 404


def streamed(response) -> str:
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response.streaming_content).decode()


def test_csv_export_streams_the_whole_result_set(client, corpus):
    response = client.get(reverse("cables:api-export-csv"), {"q": "origin:tashkent"})
    rows = list(csv.DictReader(io.StringIO(streamed(response))))
    tashkent = {ref for ref, c in corpus.items() if c.origin == "Embassy Tashkent"}
    assert {row["reference_id"] for row in rows} == tashkent
    by_ref = {row["reference_id"]: row for row in rows}
    assert by_ref["05TASHKENT284"]["tags"] == "ECON PINR PREL UZ"
    assert by_ref["05TASHKENT284"]["url"] == "http://testserver/cable/05TASHKENT284/"


def test_json_export_streams_every_cable_beyond_one_page(client, corpus):
    response = client.get(reverse("cables:api-export-json"), {"sort": "created"})
    rows = json.loads(streamed(response))
    assert len(rows) == Cable.objects.count() > 20
    assert [r["created"] for r in rows] == sorted(r["created"] for r in rows)


@pytest.mark.parametrize("sort", ["-created", "created", "-released"])
def test_an_export_read_in_small_chunks_is_the_whole_result_set_in_order(
    client, corpus, monkeypatch, sort
):
    # Chunks of 7 cables: many keyset steps, across cables sharing a date and the undated.
    monkeypatch.setattr(api, "EXPORT_CHUNK", 7)
    response = client.get(reverse("cables:api-export-json"), {"sort": sort})
    exported = [row["reference_id"] for row in json.loads(streamed(response))]
    expected = list(ordered(Cable.objects.all(), sort).values_list("reference_id", flat=True))
    assert exported == expected
    assert len(exported) == Cable.objects.count() > 7 * 10


@pytest.mark.parametrize(
    "query", ["election", '"prime minister"', "elect*", "oil OR gas", "election -fraud"]
)
def test_an_export_of_a_text_query_holds_every_cable_the_database_matches_in_date_order(
    client, corpus, query
):
    # The export lists the text's cables through the rank index; the reference is the
    # database's own full-text match, in the documented date order.
    response = client.get(reverse("cables:api-export-json"), {"q": query, "sort": "created"})
    exported = [row["reference_id"] for row in json.loads(streamed(response))]
    ids = exhaustive_ranking(query, {}, "created")
    by_id = dict(Cable.objects.filter(id__in=ids).values_list("id", "reference_id"))
    assert exported == [by_id[i] for i in ids]
    assert len(exported) > 1


def test_api_views_run_a_fixed_number_of_queries(client, corpus, django_assert_max_num_queries):
    client.get(reverse("cables:api-cable-list"), {"q": "embassy"})  # the cable table, once
    # 6: the archive version (HTTP caching, the cable table), the page's cables, their
    # snippets and TAGS, and the rate limit's count; on PostgreSQL 3 more: the time budget's
    # SET LOCAL with its savepoint and release (a test runs inside a transaction).
    with django_assert_max_num_queries(9):
        client.get(reverse("cables:api-cable-list"), {"q": "election"})
    # With the rate limit's count (one upsert).
    with django_assert_max_num_queries(8):
        client.get(reverse("cables:api-cable-detail", args=["05TASHKENT284"]))
    # The export's 4, the archive version (twice: the stored file's name, and at the end
    # whether it may be kept), the rate limit's count and, on PostgreSQL, the budget's 3.
    with django_assert_max_num_queries(10):
        streamed(client.get(reverse("cables:api-export-json")))


@pytest.mark.parametrize("q", ["0", "election"])
def test_a_tag_no_cable_carries_finds_nothing_without_an_error(client, corpus, q):
    # Found by the fuzz test: a filter that can match no row compiled to `tag_id IN ()`,
    # which Django refuses to run (EmptyResultSet) when the ids are read directly.
    response = client.get(reverse("cables:api-cable-list"), {"q": q, "tag": "0", "date_to": ""})
    assert response.status_code == 200
    assert response.json()["count"] == 0
