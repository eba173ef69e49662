"""Input size bounds of every search request (the page, the API, the exports): a query too
long, too many terms, too many values of one facet, a page number out of range are each a
400 with a message, before any search runs. At the bound itself the request is served."""

import pytest
from django.urls import reverse

from cables.search.forms import MAX_FACET_VALUES, MAX_PAGE, MAX_TERMS
from cables.search.query import MAX_QUERY_LENGTH

pytestmark = pytest.mark.django_db

SEARCH = reverse("cables:search")
API = reverse("cables:api-cable-list")
EXPORTS = [reverse("cables:api-export-csv"), reverse("cables:api-export-json")]


def alternatives(count: int) -> str:
    """`aa OR ab OR ...`: one clause for the parser's own limit, `count` terms for ours."""
    words = [f"w{index}" for index in range(count)]
    return " OR ".join(words)


TOO_MUCH = [
    ({"q": "x" * (MAX_QUERY_LENGTH + 1)}, f"at most {MAX_QUERY_LENGTH}"),
    ({"q": alternatives(MAX_TERMS + 1)}, f"Too many search terms ({MAX_TERMS + 1}; at most"),
    (
        {"q": "election", "origin": [f"Embassy {n}" for n in range(MAX_FACET_VALUES + 1)]},
        f"Too many values for origin ({MAX_FACET_VALUES + 1}; at most {MAX_FACET_VALUES})",
    ),
    ({"page": MAX_PAGE + 1}, f"Only the first {MAX_PAGE} pages are shown"),
    ({"page": 0}, "Pages are numbered from 1"),
    ({"page": "x"}, "The page number must be a whole number"),
    ({"page": "9" * 40}, f"Only the first {MAX_PAGE} pages are shown"),
]
IDS = [
    "long-query",
    "many-terms",
    "many-facet-values",
    "page-past-bound",
    "page-0",
    "page-x",
    "huge-page",
]


@pytest.mark.parametrize(("params", "message"), TOO_MUCH, ids=IDS)
def test_the_search_page_answers_400_with_the_reason(client, corpus, params, message):
    response = client.get(SEARCH, params)
    assert response.status_code == 400
    assert message in response.content.decode()


@pytest.mark.parametrize(("params", "message"), TOO_MUCH, ids=IDS)
def test_the_api_answers_400_with_the_reason_in_json(client, corpus, params, message):
    response = client.get(API, params)
    assert response.status_code == 400
    assert message in response.json()["error"]


@pytest.mark.parametrize(("params", "message"), TOO_MUCH[:3], ids=IDS[:3])
@pytest.mark.parametrize("export", EXPORTS)
def test_the_exports_answer_400_before_streaming(client, corpus, export, params, message):
    response = client.get(export, params)
    assert response.status_code == 400
    assert not response.streaming
    assert message in response.json()["error"]


def test_at_the_bounds_the_search_is_served(client, corpus):
    assert client.get(SEARCH, {"q": alternatives(MAX_TERMS)}).status_code == 200
    values = ["Embassy Tashkent", *[f"Embassy {n}" for n in range(MAX_FACET_VALUES - 1)]]
    response = client.get(SEARCH, {"q": "Gulnora", "origin": values})
    assert response.status_code == 200
    assert response.context["results"].total > 0
    assert client.get(API, {"q": "x" * MAX_QUERY_LENGTH}).status_code == 200
    # A page within the bound that the results do not reach is still a plain 404.
    assert client.get(SEARCH, {"page": MAX_PAGE}).status_code == 404
