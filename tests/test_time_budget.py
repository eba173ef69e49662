"""A time budget per search: past it the reader is told to narrow the query (503), never a
500 or a hang; the database itself stops the running statement on both backends."""

import json
import time

import pytest
from django.db import DatabaseError, OperationalError, connection
from django.test import override_settings
from django.urls import reverse

from cables.search import cable_table
from cables.search.budget import TOO_BROAD, SearchTooBroad, outside_budget, time_budget

from .helpers import SLOW_STATEMENT

pytestmark = pytest.mark.django_db

TINY = 0.001
QUERY = {"q": "election OR government", "tag": "PREL"}


def test_the_database_stops_a_statement_past_the_budget():
    with pytest.raises(SearchTooBroad) as stopped, time_budget(0.2), connection.cursor() as cursor:
        cursor.execute(SLOW_STATEMENT[connection.vendor])
    # Stopped by the database (statement_timeout, progress handler), not between statements.
    assert isinstance(stopped.value.__cause__, OperationalError)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")  # the connection is usable again
        assert cursor.fetchone() == (1,)


def test_no_statement_starts_past_the_deadline():
    with pytest.raises(SearchTooBroad) as stopped, time_budget(0.05), connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        time.sleep(0.1)  # work outside the database uses up the budget
        cursor.execute("SELECT 1")
    assert stopped.value.__cause__ is None  # refused before it reached the database
    assert stopped.value.seconds == 0.05


# About 0.5 s on either backend: longer than the budgets below.
HALF_A_SECOND = {
    "postgresql": "SELECT pg_sleep(0.5)",
    "sqlite": (
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000000)"
        " SELECT count(*) FROM n"
    ),
}


def test_upkeep_outside_the_budget_is_neither_cut_short_nor_counted():
    with time_budget(0.2), connection.cursor() as cursor:
        with outside_budget():
            time.sleep(0.3)  # past the deadline: still no refusal
            started = time.monotonic()
            cursor.execute(HALF_A_SECOND[connection.vendor])  # longer than the budget
            assert time.monotonic() - started > 0.2
        cursor.execute("SELECT 1")  # the block's time was given back to the budget
    with pytest.raises(SearchTooBroad), time_budget(0.2), connection.cursor() as cursor:
        cursor.execute(HALF_A_SECOND[connection.vendor])  # outside the block: cut short


@override_settings(SEARCH_TIME_BUDGET=2)
def test_a_new_archive_versions_cable_table_is_read_outside_the_search_budget(
    client, corpus, monkeypatch
):
    read = cable_table._read_table

    def slow_read(using, version):
        time.sleep(2.5)  # the table of a full-size archive on a busy machine
        return read(using, version)

    monkeypatch.setattr(cable_table, "_read_table", slow_read)
    response = client.get(reverse("cables:search"), {"q": "election"})
    assert response.status_code == 200
    assert response.context["results"].total > 0


def test_other_database_errors_pass_through():
    with pytest.raises(DatabaseError) as error, time_budget(5), connection.cursor() as cursor:
        cursor.execute("SELECT * FROM no_such_table_here")
    assert not isinstance(error.value, SearchTooBroad)


@override_settings(SEARCH_TIME_BUDGET=TINY)
def test_a_search_past_the_budget_is_a_503_saying_how_to_narrow_it(client, corpus):
    response = client.get(reverse("cables:search"), QUERY)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Cache-Control"] == "no-store"
    assert not response.has_header("ETag")
    page = response.content.decode()
    assert "the query is too broad" in page
    assert "add a word, put words in quotes to search a phrase, choose a year or an origin" in page
    assert 'value="election OR government"' in page  # the query is kept in the box


@override_settings(SEARCH_TIME_BUDGET=TINY)
def test_the_api_past_the_budget_is_a_503_in_json(client, corpus):
    response = client.get(reverse("cables:api-cable-list"), QUERY)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert json.loads(response.content) == {"error": TOO_BROAD}


@override_settings(SEARCH_TIME_BUDGET=TINY)
def test_an_export_past_the_budget_is_a_503_before_any_row(client, corpus):
    response = client.get(reverse("cables:api-export-csv"), QUERY)
    assert response.status_code == 503
    assert not response.streaming
    assert json.loads(response.content) == {"error": TOO_BROAD}


@override_settings(SEARCH_TIME_BUDGET=5)
def test_a_normal_budget_answers_the_same_requests(client, corpus):
    page = client.get(reverse("cables:search"), QUERY)
    assert page.status_code == 200
    assert page.context["results"].total > 1
    api = client.get(reverse("cables:api-cable-list"), QUERY)
    assert api.status_code == 200
    assert json.loads(api.content)["count"] == page.context["results"].total
    export = client.get(reverse("cables:api-export-csv"), QUERY)
    lines = b"".join(export.streaming_content).decode().splitlines()
    assert export.status_code == 200
    assert len(lines) == 1 + page.context["results"].total


@override_settings(SEARCH_TIME_BUDGET=0.5)
def test_an_export_budget_is_per_statement_not_for_the_whole_stream(client, corpus):
    """Each step of the stream has the budget; a slow reader does not cut the export short."""
    response = client.get(reverse("cables:api-export-json"))
    chunks = iter(response.streaming_content)
    first = next(chunks)
    time.sleep(0.6)  # longer than the budget, between two steps of the stream
    rows = json.loads(b"".join([first, *chunks]))
    assert len(rows) == len(corpus)
