"""The query syntax, run on whichever database the suite runs on (SQLite FTS5 or PostgreSQL).

Expected answers are computed from the stored paragraph text with plain regular expressions,
not from either index, so the same expectations hold on both backends.
"""

from datetime import date

import pytest

from cables.search.query import (
    And,
    Or,
    Phrase,
    QuerySyntaxError,
    Term,
    parse_query,
    to_fts5,
)
from cables.search.service import search
from cables.search.words import tsquery_literal, tsquery_of
from tests.reading_corpus import cables_where, has

pytestmark = pytest.mark.django_db


def found(query: str, **filters) -> set[str]:
    results = search(query, {k: [v] for k, v in filters.items()}, "", 1, per_page=200)
    return {hit.cable.reference_id for hit in results.page}


# --- parsing (no database) ---------------------------------------------------------------


def test_it_parses_words_phrases_or_and_prefixes_into_one_tree():
    parsed = parse_query('fraud "Nur Otan" Abilov OR Zhandosov Kazakh*')
    assert parsed.text == And(
        (
            Term("fraud"),
            Phrase(("nur", "otan")),
            Or((Term("abilov"), Term("zhandosov"))),
            Term("kazakh", prefix=True),
        )
    )


def test_it_reads_field_filters_and_month_ranges():
    parsed = parse_query(
        "election origin:astana tag:PGOV from:2007-07 to:2007-09 class:confidential"
    )
    assert parsed.filters["origin"] == ["astana"]
    assert parsed.filters["tag"] == ["PGOV"]
    assert parsed.filters["class"] == ["confidential"]
    assert parsed.date_from == date(2007, 7, 1)
    assert parsed.date_before == date(2007, 10, 1)


def test_it_keeps_excluded_words_apart():
    parsed = parse_query('Gulnora -Skytel -"Coca Cola"')
    assert parsed.text == Term("gulnora")
    assert parsed.excluded == [Term("skytel"), Phrase(("coca", "cola"))]


def test_it_searches_punctuated_words_as_phrases_of_their_parts():
    assert parse_query("Ust-Kamenogorsk").text == Phrase(("ust", "kamenogorsk"))


@pytest.mark.parametrize(
    "query, message",
    [
        ('"vote counting', "closing quote"),
        ("fraud OR", "both sides"),
        ("OR fraud", "both sides"),
        ("-Skytel", "need something to search for"),
        ("fraud from:2007-13", "not a real date"),
        ("fraud from:last-week", "YYYY"),
        ("fraud from:2008 to:2007", "Swap"),
        ('subjectline:"x"', "Unknown field"),
        ("Gulnora OR -Skytel", "cannot be part of an OR"),
        ('"vote count"*', "single word"),
        ("year:07", "four digits"),
    ],
)
def test_it_explains_syntax_errors(query, message):
    with pytest.raises(QuerySyntaxError, match=message):
        parse_query(query)


def test_user_text_never_becomes_fts5_or_tsquery_syntax():
    node = parse_query("NEAR AND NOT col:x").text
    assert to_fts5(node) == '("near" AND "and" AND "not" AND "col" "x")'.replace(
        '"col" "x"', '"col x"'
    )
    # PostgreSQL gets a tsquery literal of the archive's terms: quotes doubled, never syntax.
    assert tsquery_of(parse_query("o'brien & x:y").text) == "(('o' <-> 'brien') & ('x' <-> 'y'))"
    assert tsquery_literal(("term", "o'b\\c")) == "'o''b\\\\c'"


# --- searching the real corpus ----------------------------------------------------------


def test_a_word_finds_every_cable_that_has_it(corpus):
    expected = cables_where(has("Gulnora"))
    assert len(expected) >= 5
    assert found("Gulnora") == expected


def test_all_words_must_be_in_one_paragraph(corpus):
    expected = cables_where(lambda t: has("Gulnora")(t) and has("Skytel")(t))
    assert expected == {"05TASHKENT284"}
    assert found("Gulnora Skytel") == expected
    # Both words occur in 10TASHKENT27 too, but never in the same paragraph.
    assert found("Gulnora Skytel") < found("Gulnora") | found("Skytel")


def test_a_phrase_needs_its_words_in_order(corpus):
    expected = cables_where(has(r"Nur\W+Otan"))
    assert expected
    assert found('"Nur Otan"') == expected
    assert found('"Otan Nur"') == cables_where(has(r"Otan\W+Nur"))


def test_or_finds_either_word(corpus):
    expected = cables_where(has("Gulnora")) | cables_where(has("Nazarbayev"))
    assert found("Gulnora OR Nazarbayev") == expected
    assert len(expected) > len(found("Gulnora"))


def test_an_excluded_word_removes_cables_that_mention_it_anywhere(corpus):
    expected = cables_where(has("Gulnora")) - cables_where(has("Skytel"))
    assert expected and expected != cables_where(has("Gulnora"))
    assert found("Gulnora -Skytel") == expected


def test_a_prefix_finds_the_word_family(corpus):
    expected = cables_where(has(r"Karimov\w*"))
    assert expected > cables_where(has("Karimov"))
    assert found("Karimov*") == expected


def test_words_are_stemmed_on_both_backends(corpus):
    assert found("elections") == found("election")
    assert cables_where(has("elections")) <= found("election")


def test_field_filters_narrow_by_origin_class_and_dates(corpus):
    tashkent = {ref for ref, c in corpus.items() if "tashkent" in c.origin.lower()}
    assert found("origin:tashkent") == tashkent
    secret = {ref for ref, c in corpus.items() if "SECRET" in c.classification}
    assert found("Nazarbayev class:secret") == found("Nazarbayev") & secret
    in_2009 = {ref for ref, c in corpus.items() if c.created.year == 2009}
    assert found("from:2009-01 to:2009-12") == in_2009
    assert found("year:2009") == in_2009


def test_a_tag_filter_typed_in_the_box_matches_the_tag_facet(corpus):
    pgov = {ref for ref, c in corpus.items() if any(t.code == "PGOV" for t in c.tags.all())}
    assert pgov
    assert found("tag:pgov") == pgov == found("", tag="PGOV")


def test_nothing_found_offers_ways_to_relax(corpus):
    results = search("Gulnora Nazarbayev", {}, "", 1)
    assert results.total == 0
    assert any(s.changes == {"q": "gulnora OR nazarbayev"} for s in results.suggestions)
