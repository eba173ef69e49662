"""Limits that mean what they say: two real server processes (two gunicorn masters, one worker
each, on one archive) count a client's API requests and failed admin sign-ins together, so a
rate or a lockout is the same whatever the number of workers or servers."""

import http.cookiejar
import re
import urllib.error
import urllib.request
from urllib.parse import urlencode, urlsplit

import pytest

from . import served

API_RATE = 4


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory):
    env = served.scratch_archive(
        tmp_path_factory.mktemp("limits"),
        "limits",
        API_RATE=f"{API_RATE}/h",
        AXES_FAILURE_LIMIT="3",
        WEB_CONCURRENCY="1",
    )
    served.manage(
        env,
        "shell",
        "-c",
        "from django.contrib.auth.models import User; "
        "User.objects.create_superuser('curator', 'c@example.org', 'the-right-password-1')",
    )
    try:
        with served.gunicorn(env) as (first, _), served.gunicorn(env) as (second, _):
            yield first, second
    finally:
        served.discard(env)


def api(port: int) -> int:
    return served.get(port, "/api/cables/")[0]


def test_the_api_rate_is_counted_across_both_processes(two_servers):
    first, second = two_servers
    # Each process alone is under the rate: together the client has used it up.
    statuses = [api(port) for port in (first, second, first, second)]
    assert statuses == [200] * API_RATE
    assert api(first) == 429
    assert api(second) == 429
    status, headers, body = served.get(second, "/api/cables/")
    assert status == 429 and 1 <= int(headers["Retry-After"]) <= 3600
    assert b"at most 4 per hour from one client" in body


class Browser:
    """A client with its own cookies (the admin's CSRF token) on one server."""

    def __init__(self, port: int) -> None:
        self.base = f"http://{served.HOST}:{port}"
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def sign_in(self, password: str) -> int:
        page = self.opener.open(f"{self.base}/admin/login/").read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        data = urlencode(
            {"csrfmiddlewaretoken": token, "username": "curator", "password": password}
        ).encode()
        request = urllib.request.Request(
            f"{self.base}/admin/login/?next=/admin/", data=data, headers={"Referer": self.base}
        )
        try:
            response = self.opener.open(request)
            signed_in = urlsplit(response.url).path == "/admin/"
            return 302 if signed_in else response.status
        except urllib.error.HTTPError as error:
            return error.code


def test_failed_admin_sign_ins_lock_out_across_both_processes(two_servers):
    first, second = two_servers
    # Failures shown as the form again (200): two on one server, the third on the other.
    assert [Browser(first).sign_in("wrong"), Browser(first).sign_in("wrong")] == [200, 200]
    assert Browser(second).sign_in("wrong") == 429
    # Locked out on both, even with the right password.
    assert Browser(first).sign_in("the-right-password-1") == 429
    assert Browser(second).sign_in("the-right-password-1") == 429
