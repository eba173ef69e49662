"""Production by environment: HTTPS=1 makes `check --deploy` clean, and a server started with
DEBUG=0 and no static files manifest refuses to start instead of answering 500 everywhere."""

import os
import secrets
import subprocess
import sys

import pytest

from .conftest import ROOT

SECRET_KEY = secrets.token_urlsafe(50)


def production_env(tmp_path, **extra) -> dict:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin"),
        "DJANGO_SETTINGS_MODULE": "cablearchive.settings",
        "DEBUG": "0",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "example.org",
        "STATIC_ROOT": str(tmp_path / "static"),
        "SQLITE_PATH": str(tmp_path / "archive.sqlite3"),
        **extra,
    }
    if os.environ.get("DATABASE_URL"):
        env["DATABASE_URL"] = os.environ["DATABASE_URL"]
    return env


def manage(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """A STATIC_ROOT filled by collectstatic, as a deployment does before starting."""
    tmp_path = tmp_path_factory.mktemp("deploy")
    result = manage(production_env(tmp_path), "collectstatic", "--no-input", "-v", "0")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "static" / "staticfiles.json").exists()
    return tmp_path


def test_check_deploy_is_clean_with_https_on(collected):
    result = manage(production_env(collected, HTTPS="1"), "check", "--deploy")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNINGS" not in result.stderr


def test_without_https_check_deploy_names_what_https_would_turn_on(collected):
    result = manage(production_env(collected), "check", "--deploy")
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr


def test_https_sets_the_proxy_header_hsts_and_secure_cookies(collected):
    code = (
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.SECURE_PROXY_SSL_HEADER, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS,"
        " s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=production_env(collected, HTTPS="1"),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "('HTTP_X_FORWARDED_PROTO', 'https') True 31536000 True True"


def test_check_deploy_reports_a_missing_static_manifest(tmp_path):
    result = manage(production_env(tmp_path, HTTPS="1"), "check", "--deploy")
    assert result.returncode != 0
    assert "cablearchive.E001" in result.stderr
    assert "staticfiles.json is missing" in result.stderr
    assert "collectstatic" in result.stderr


def test_gunicorn_refuses_to_start_without_the_static_manifest(tmp_path):
    gunicorn = [sys.executable, "-m", "gunicorn", "--bind", "127.0.0.1:0", "--workers", "1"]
    result = subprocess.run(
        [*gunicorn, "cablearchive.wsgi"],
        cwd=ROOT,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "staticfiles.json is missing" in result.stderr
    assert "Run `python manage.py collectstatic --no-input`" in result.stderr


def test_the_wsgi_application_loads_once_the_manifest_is_there(collected):
    result = subprocess.run(
        [sys.executable, "-c", "import cablearchive.wsgi; print('loaded')"],
        cwd=ROOT,
        env=production_env(collected),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "loaded"
