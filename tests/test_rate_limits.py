"""Per-client rate limits of the API and the exports: 429 with Retry-After and a message.

The rates are per hour here so that a test never straddles the end of a counting window.
"""

import pytest
from django.urls import reverse

from cables.lib.rate_limits import count_request
from cables.models import RateCount

from .helpers import run_settings

pytestmark = pytest.mark.django_db

API = reverse("cables:api-cable-list")
EXPORT_CSV = reverse("cables:api-export-csv")
EXPORT_JSON = reverse("cables:api-export-json")


def read(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def assert_limited(response, per: str):
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 3600
    message = response.json()["error"]
    assert f"at most {per} from one client" in message
    assert f"Retry in {response['Retry-After']} s." in message


def test_the_api_answers_429_with_retry_after_past_its_rate(client, corpus, settings):
    settings.API_RATE = "3/h"
    for _ in range(3):
        assert client.get(API, {"q": "Gulnora"}).status_code == 200
    assert_limited(client.get(API, {"q": "Gulnora"}), "3 per hour")
    # A cable from the API counts against the same budget.
    detail = reverse("cables:api-cable-detail", args=["05TASHKENT284"])
    assert_limited(client.get(detail), "3 per hour")


def test_another_client_keeps_its_own_budget(client, corpus, settings):
    settings.API_RATE = "1/h"
    assert client.get(API).status_code == 200
    assert client.get(API).status_code == 429
    assert client.get(API, REMOTE_ADDR="198.51.100.9").status_code == 200


def status(response) -> int:
    """The status of a response read to the end: a streamed export reads its rows in an open
    transaction, and one left unread is ended by the garbage collector in the middle of
    another query. (Not response.close(): in the test client that closes the test's database
    connection.)"""
    if response.streaming:
        b"".join(response.streaming_content)
    return response.status_code


def test_the_exports_have_their_own_rate(client, corpus, settings):
    settings.EXPORT_RATE = "2/h"
    csv_response = client.get(EXPORT_CSV)
    assert csv_response.status_code == 200 and read(csv_response).startswith(b"reference_id,")
    assert status(client.get(EXPORT_JSON)) == 200
    assert_limited(client.get(EXPORT_CSV), "2 per hour")
    assert_limited(client.get(EXPORT_JSON), "2 per hour")
    # The API is counted apart.
    assert client.get(API).status_code == 200


def test_behind_a_proxy_the_address_it_forwards_is_the_client(client, corpus, settings):
    settings.API_RATE = "1/h"
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    assert client.get(API, HTTP_X_REAL_IP="192.0.2.1").status_code == 200
    assert client.get(API, HTTP_X_REAL_IP="192.0.2.1").status_code == 429
    # Same proxy (REMOTE_ADDR), another client behind it.
    assert client.get(API, HTTP_X_REAL_IP="192.0.2.2").status_code == 200


def test_ratelimit_enable_off_lifts_every_limit(client, corpus, settings):
    settings.API_RATE = settings.EXPORT_RATE = "1/h"
    settings.RATELIMIT_ENABLE = False
    for _ in range(3):
        assert client.get(API).status_code == 200
        assert status(client.get(EXPORT_CSV)) == 200


def test_the_html_pages_are_not_rate_limited(client, corpus, settings):
    settings.API_RATE = settings.EXPORT_RATE = "1/h"
    for _ in range(3):
        assert client.get(reverse("cables:search"), {"q": "Gulnora"}).status_code == 200


def test_the_rates_come_from_the_environment_and_a_bad_one_fails_loudly():
    code = "from django.conf import settings as s; print(s.API_RATE, s.EXPORT_RATE, s.RATELIMIT_ENABLE)"
    result = run_settings(
        {"API_RATE": "30/5m", "EXPORT_RATE": "4/h", "RATELIMIT_ENABLE": "0"}, code
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["30/5m", "4/h", "False"]
    result = run_settings({"API_RATE": "lots"}, code)
    assert result.returncode != 0
    assert "API_RATE='lots' is not a rate" in result.stderr


def test_a_clients_first_request_of_a_window_clears_the_closed_windows():
    # A window of the past, two of the present: only the closed one goes, and only when a
    # client opens a new window (a request inside an open window deletes nothing).
    start = 1_800_000_000
    count_request("api:120/m:10.0.0.1", 60, now=start + 5)
    count_request("api:120/m:10.0.0.2", 60, now=start + 10)
    assert RateCount.objects.count() == 2
    assert count_request("api:120/m:10.0.0.2", 60, now=start + 70) == (1, 50)
    assert set(RateCount.objects.values_list("window_start", "count")) == {(start + 60, 1)}
    assert count_request("api:120/m:10.0.0.2", 60, now=start + 80) == (2, 40)
    assert RateCount.objects.count() == 1
