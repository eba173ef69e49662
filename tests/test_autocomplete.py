"""`/api/suggest/`: people, parties, elections, TAGS and posts suggested as one types.

The archive is real: the starter list of entities, the five mirror pages and the 125 original
cablegate pages, ingested and tagged, with the TAGS definitions. Expected counts are read from
the archive's own tables, never from the suggestion code under test.
"""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from cables.entities.curation import retag_for_texts
from cables.entities.loading import load_starter_list
from cables.entities.upkeep import refresh_suggestions
from cables.ingest.incremental import ingest_paths
from cables.lib.archive_version import archive_changed
from cables.models import Alias, Cable, Mention, Person, Tag
from cables.suggest import index as autocomplete
from cables.suggest.index import DEFAULT_LIMIT, MAX_LENGTH, MAX_LIMIT, fold, forget_index
from cables.suggest.index import suggest as service_suggest
from tests.conftest import CABLEGATE_HTML, MIRROR_PAGES, rolled_back

pytestmark = pytest.mark.django_db

SUGGEST = reverse("cables:api-suggest")


@pytest.fixture(scope="module", autouse=True)
def archive(django_db_setup, django_db_blocker):
    """Ingested once per module; each test runs in a savepoint inside this transaction,
    rolled back at the module's end."""
    with rolled_back(django_db_blocker):
        forget_index()
        load_starter_list()
        assert ingest_paths([MIRROR_PAGES[0].parent, CABLEGATE_HTML[0].parent]).created > 100
        call_command("load_tag_definitions", stdout=io.StringIO())
        yield
    forget_index()


def suggest(client, q, **params):
    response = client.get(SUGGEST, {"q": q, **params})
    assert response.status_code == 200, response.content
    return response.json()["results"]


def labels(results) -> list[str]:
    return [item["label"] for item in results]


def cables_mentioning(**entity) -> int:
    return Mention.objects.visible().filter(**entity).values("cable_id").distinct().count()


class TestWhatIsSuggested:
    def test_naz_suggests_nazarbayev_with_his_role_his_cables_and_his_facet(self, client):
        first = suggest(client, "naz")[0]
        assert first["kind"] == "person" and first["kind_label"] == "Person"
        assert first["label"] == "Nursultan Nazarbayev"
        assert first["detail"] == "President of Kazakhstan · Kazakhstan"
        assert first["cables"] == cables_mentioning(person__slug="nursultan-nazarbayev") >= 3
        assert first["facet"] == {"name": "person", "value": "nursultan-nazarbayev"}
        assert first["search_url"] == "/cables/?person=nursultan-nazarbayev"
        assert first["url"] == "/person/nursultan-nazarbayev/"
        assert first["matched"] is None  # his surname is part of the label

    def test_pre_suggests_prel_with_its_definition(self, client):
        results = suggest(client, "PRE")
        first = results[0]
        assert (first["kind"], first["label"]) == ("tag", "PREL")
        definition = Tag.objects.get(code="PREL").definition
        assert definition == "Political Affairs--External Political Relations"
        assert first["detail"].startswith(definition)
        assert first["cables"] == Cable.objects.filter(tags__code="PREL").count()
        assert first["facet"] == {"name": "tag", "value": "PREL"}
        assert first["search_url"] == "/cables/?tag=PREL"
        assert "PREF" in labels(results)  # Political Affairs--Refugees, fewer cables

    def test_a_party_and_an_election_with_their_details(self, client):
        (party,) = suggest(client, "nur ot")
        assert (party["kind"], party["label"], party["detail"]) == (
            "party",
            "Nur Otan",
            "Kazakhstan",
        )
        assert party["url"] == "/party/nur-otan/"
        election = suggest(client, "2005 kaz")[0]
        assert election["label"] == "2005 Kazakhstan presidential election"
        assert election["detail"] == "presidential · 2005-12-04 · Kazakhstan"
        assert election["facet"]["name"] == "election"

    def test_a_post_prefix_suggests_the_origin_with_its_country_and_station(self, client):
        first = suggest(client, "tash")[0]
        assert (first["kind"], first["kind_label"], first["label"]) == (
            "origin",
            "Post",
            "Embassy Tashkent",
        )
        assert first["detail"] == "Uzbekistan · station TASHKENT"
        assert first["cables"] == Cable.objects.filter(origin="Embassy Tashkent").count()
        assert first["search_url"] == "/cables/?origin=Embassy+Tashkent"
        # The station as reference IDs write it (07SANJOSE…), and a later word of the name.
        assert suggest(client, "sanjo")[0]["label"] == "Embassy San Jose"
        assert "Embassy San Jose" in labels(suggest(client, "jose"))

    def test_words_of_a_tag_definition_find_the_tag(self, client):
        first = suggest(client, "human ri")[0]
        assert first["label"] == "PHUM"
        assert "Human Rights" in first["detail"]

    def test_case_and_accents_do_not_matter(self, client):
        assert labels(suggest(client, "São Pau")) == ["Consulate Sao Paulo"]
        assert labels(suggest(client, "Bogotá")) == ["Embassy Bogota"]
        assert labels(suggest(client, "NUR-OTAN")) == ["Nur Otan"]
        assert suggest(client, "nAzArBaYeV")[0]["label"] == "Nursultan Nazarbayev"

    def test_an_alias_finds_its_entity_and_the_suggestion_names_it(self, client):
        first = suggest(client, "Nazarbaev")[0]
        assert (first["label"], first["matched"]) == ("Nursultan Nazarbayev", "Nazarbaev")
        first = suggest(client, "NSDP")[0]
        assert (first["label"], first["matched"]) == ("National Social Democratic Party", "NSDP")

    def test_an_accented_alias_added_by_a_curator_is_found_without_its_accents(self, client):
        assert suggest(client, "tokaiev") == []
        tokayev = Person.objects.get(slug="kassymzhomart-tokayev")
        Alias.objects.create(person=tokayev, text="Kassym-Jomart Tokaïev")
        archive_changed()  # as the admin does on every save
        first = suggest(client, "tokaiev")[0]
        assert (first["label"], first["matched"]) == (
            "Kassymzhomart Tokayev",
            "Kassym-Jomart Tokaïev",
        )
        assert suggest(client, "kassym jom")[0]["label"] == "Kassymzhomart Tokayev"

    def test_a_new_entity_is_suggested_once_a_cable_names_it(self, client):
        assert suggest(client, "Steinmeier") == []
        Person.objects.create(name="Frank-Walter Steinmeier", role="Foreign Minister of Germany")
        archive_changed()
        assert suggest(client, "steinm") == []  # no cable names him: nothing to lead to
        karimova = Person.objects.create(name="Gulnora Karimova")
        retag_for_texts(["Gulnora Karimova"])
        refresh_suggestions()  # the upkeep a commit runs (this test's transaction never commits)
        (first,) = suggest(client, "gulnora")
        assert first["label"] == "Gulnora Karimova"
        assert (
            first["cables"]
            == Mention.objects.filter(person=karimova).values("cable").distinct().count()
            > 0
        )


class TestOrder:
    def test_an_exact_code_comes_before_more_frequent_tags_whose_definition_matches(self, client):
        results = suggest(client, "af")
        # AF (Afghanistan) is the whole code; PREL, PGOV ... only say "Affairs".
        assert results[0]["label"] == "AF"
        prel = Cable.objects.filter(tags__code="PREL").count()
        assert results[0]["cables"] < prel
        assert "PREL" in labels(results)

    def test_the_whole_name_comes_before_a_later_word_of_a_name(self, client):
        assert labels(suggest(client, "ak zhol"))[:2] == ["Ak Zhol", "True Ak Zhol"]

    def test_among_equal_matches_the_posts_with_more_cables_come_first(self, client):
        results = suggest(client, "embassy")
        counts = {
            origin: Cable.objects.filter(origin=origin).count()
            for origin in Cable.objects.filter(origin__startswith="Embassy ")
            .values_list("origin", flat=True)
            .distinct()
        }
        expected = sorted(counts.values(), reverse=True)[:DEFAULT_LIMIT]
        assert [item["cables"] for item in results] == expected
        assert all(item["cables"] == counts[item["label"]] for item in results)

    def test_ranks_never_go_back_and_counts_fall_within_a_rank(self):
        for q in ["ab", "al", "as", "el", "na", "pa", "pr", "se", "ta", "zh"]:
            found, current = service_suggest(q, MAX_LIMIT)
            assert found and current, q
            keys = [(item.rank, -item.entry.cables) for item in found]
            assert keys == sorted(keys), q
            assert len({(item.entry.kind, item.entry.label) for item in found}) == len(found)


class TestBounds:
    def test_ten_suggestions_unless_fewer_are_asked(self, client):
        assert len(suggest(client, "embassy")) == DEFAULT_LIMIT
        assert len(suggest(client, "embassy", limit=3)) == 3
        assert len(suggest(client, "embassy", limit=MAX_LIMIT)) == MAX_LIMIT

    def test_one_letter_or_only_punctuation_suggests_nothing(self, client):
        assert suggest(client, "n") == []
        assert suggest(client, "  é ") == []
        assert suggest(client, "--''") == []
        assert suggest(client, "zzzzqx") == []

    @pytest.mark.parametrize(
        ("params", "message"),
        [
            ({}, "Give the beginning of a name, TAG or post to complete"),
            ({"q": ""}, "Give the beginning of a name, TAG or post to complete"),
            ({"q": "   "}, "Give the beginning of a name, TAG or post to complete"),
            ({"q": "n" * (MAX_LENGTH + 1)}, f"too long ({MAX_LENGTH + 1} characters; at most"),
            ({"q": "naz", "limit": "0"}, "at least 1"),
            ({"q": "naz", "limit": str(MAX_LIMIT + 1)}, f"At most {MAX_LIMIT} suggestions"),
            ({"q": "naz", "limit": "ten"}, "whole number"),
            ({"q": "na\x00z"}, "NUL character"),
        ],
    )
    def test_bad_input_is_a_400_with_a_message(self, client, params, message):
        response = client.get(SUGGEST, params)
        assert response.status_code == 400
        assert response["Content-Type"] == "application/json"
        assert message in response.json()["error"]

    def test_markup_in_the_query_stays_inert(self, client):
        response = client.get(SUGGEST, {"q": "<script>naz"})
        assert response.status_code == 200
        assert b"<script>" not in response.content
        assert response.json()["query"] == "<script>naz"


class TestCachingAndRates:
    def test_answers_are_cached_until_the_archive_changes(self, client):
        first = client.get(SUGGEST, {"q": "naz"})
        assert first["Cache-Control"] == "public, max-age=60"
        again = client.get(SUGGEST, {"q": "naz"}, headers={"if-none-match": first["ETag"]})
        assert again.status_code == 304
        archive_changed()
        changed = client.get(SUGGEST, {"q": "naz"}, headers={"if-none-match": first["ETag"]})
        assert changed.status_code == 200 and changed["ETag"] != first["ETag"]

    def test_an_error_is_not_cached(self, client):
        response = client.get(SUGGEST, {"q": ""})
        assert response.status_code == 400
        assert not response.has_header("ETag")

    def test_after_a_change_the_previous_index_answers_uncached_while_a_thread_rebuilds(
        self, client, settings, monkeypatch
    ):
        started = []
        # The thread itself would read another connection, outside this test's transaction.
        monkeypatch.setattr(autocomplete, "_rebuild_in_background", lambda: started.append(1))
        forget_index()
        assert suggest(client, "gulnora") == []  # built in line: no index yet in the process
        settings.SUMMARIES_IN_BACKGROUND = True
        Person.objects.create(name="Gulnora Karimova")
        retag_for_texts(["Gulnora Karimova"])
        response = client.get(SUGGEST, {"q": "gulnora"})
        assert response.json()["results"] == [] and started == [1]
        assert response["Cache-Control"] == "no-store"
        assert not response.has_header("ETag") and not response.has_header("Last-Modified")
        settings.SUMMARIES_IN_BACKGROUND = False  # the summaries it reads counted in line too
        refresh_suggestions()  # what the thread does, after the upkeep stored the new counts
        response = client.get(SUGGEST, {"q": "gulnora"})
        assert labels(response.json()["results"]) == ["Gulnora Karimova"]
        assert response.has_header("ETag") and "public" in response["Cache-Control"]

    def test_past_its_rate_a_client_gets_429_with_retry_after(self, client, settings):
        settings.SUGGEST_RATE = "2/h"
        assert client.get(SUGGEST, {"q": "naz"}).status_code == 200
        assert client.get(SUGGEST, {"q": "nur"}).status_code == 200
        limited = client.get(SUGGEST, {"q": "ota"})
        assert limited.status_code == 429
        assert 1 <= int(limited["Retry-After"]) <= 3600
        assert "at most 2 per hour from one client" in limited.json()["error"]
        # Suggestions are counted on their own: the API's budget is untouched.
        assert client.get(reverse("cables:api-cable-list")).status_code == 200


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Nur-Otan", "nur otan"),
        ("São Paulo", "sao paulo"),
        ("Patriots' Party", "patriots party"),
        ("Tokaïev", "tokaiev"),
        ("Łódź ØRESUND", "lodz oresund"),
        ("  STRASSE  ", "strasse"),
        ("Straße", "strasse"),
    ],
)
def test_folding_drops_case_accents_and_punctuation(text, folded):
    assert fold(text) == folded
