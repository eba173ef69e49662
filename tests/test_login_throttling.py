"""Admin login throttling (django-axes): a username and address pair is locked out after
AXES_FAILURE_LIMIT failures; even the right password is refused until the cool-off ends or an
administrator unlocks it with `manage.py axes_reset_username`."""

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse

from .helpers import run_settings

LOGIN = reverse("admin:login")
PASSWORD = "a-real-curator-password-1"


def sign_in(client, password, username="curator", address="203.0.113.7"):
    return client.post(
        LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


def signed_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == "/admin/"


@pytest.fixture
def curator(db):
    return User.objects.create_user("curator", password=PASSWORD, is_staff=True)


@pytest.fixture
def locked_out(client, curator):
    """The curator locked out from 203.0.113.7 by AXES_FAILURE_LIMIT wrong passwords."""
    responses = [sign_in(client, "wrong") for _ in range(settings.AXES_FAILURE_LIMIT)]
    return responses


def test_failures_below_the_limit_show_the_login_form_again(client, curator):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = sign_in(client, "wrong")
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.content.decode()
    assert signed_in(sign_in(client, PASSWORD))


def test_the_limit_th_failure_locks_out_with_a_page_that_says_why_and_how_to_unlock(locked_out):
    last = locked_out[-1]
    assert last.status_code == 429
    page = last.content.decode()
    assert "Sign-in temporarily locked" in page
    assert f"{settings.AXES_FAILURE_LIMIT} failed sign-in attempts" in page
    assert "manage.py axes_reset_username curator" in page
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert f"for {minutes} minutes" in page


def test_a_correct_password_is_refused_while_locked_out(client, locked_out):
    response = sign_in(client, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302  # still sent to the login page


def test_the_lockout_is_per_username_and_address(client, locked_out):
    # The same curator from another address, and another user from the locked address.
    assert signed_in(sign_in(client, PASSWORD, address="198.51.100.20"))
    client.logout()
    User.objects.create_user("archivist", password=PASSWORD, is_staff=True)
    assert signed_in(sign_in(client, PASSWORD, username="archivist"))


def test_the_unlock_command_lets_the_curator_in(client, locked_out, capsys):
    call_command("axes_reset_username", "curator")
    assert "attempts removed" in capsys.readouterr().out
    assert signed_in(sign_in(client, PASSWORD))


def test_the_limit_and_cool_off_come_from_the_environment():
    code = (
        "from django.conf import settings;"
        "print(settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME.total_seconds())"
    )
    result = run_settings({"AXES_FAILURE_LIMIT": "2", "AXES_COOLOFF_MINUTES": "7"}, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["2", "420.0"]
    result = run_settings({"AXES_FAILURE_LIMIT": "few"}, code)
    assert result.returncode != 0
    assert "AXES_FAILURE_LIMIT='few' is not an integer" in result.stderr
