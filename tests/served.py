"""Real servers for the tests that need them: a scratch archive (a SQLite file, or a scratch
PostgreSQL database beside the one DATABASE_URL names), set up by the project's own commands,
and gunicorn started with the README's production command (`-c gunicorn.conf.py`) on a
loopback port. Only 127.0.0.1 is ever contacted."""

from __future__ import annotations

import atexit
import functools
import http.client
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

from .conftest import ROOT

HOST = "127.0.0.1"
PORTS = range(8120, 8140)
SECRET_KEY = secrets.token_urlsafe(50)


def free_port() -> int:
    """A free port of 8120-8139 (this project's), else any the system gives."""
    for port in PORTS:
        with socket.socket() as sock:
            try:
                sock.bind((HOST, port))
            except OSError:
                continue
            return port
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def manage(env: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if check:
        assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stderr[-3000:]}"
    return result


def postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def _admin(url: str, sql: str) -> None:
    with psycopg.connect(_with_database(url, "postgres"), autocommit=True) as connection:
        connection.execute(sql)


def create_database(name: str) -> str:
    """A fresh scratch PostgreSQL database `<DATABASE_URL's name>_<name>`; its URL."""
    url = postgres_url()
    database = f"{urlsplit(url).path.lstrip('/')}_{name}"
    drop_database(_with_database(url, database))
    _admin(url, f'CREATE DATABASE "{database}"')
    return _with_database(url, database)


def drop_database(url: str) -> None:
    database = urlsplit(url).path.lstrip("/")
    _admin(url, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@functools.cache
def static_root() -> Path:
    """collectstatic once per test session, as a deployment does before it starts."""
    path = Path(tempfile.mkdtemp(prefix="ca-static-"))
    atexit.register(shutil.rmtree, path, True)
    manage({**base_env(path), "STATIC_ROOT": str(path)}, "collectstatic", "--no-input", "-v0")
    return path


def base_env(folder: Path) -> dict:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/root"),
        "DJANGO_SETTINGS_MODULE": "cablearchive.settings",
        "DEBUG": "0",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SQLITE_PATH": str(folder / "archive.sqlite3"),
        "RANK_INDEX_DIR": str(folder / "rank-index"),
        "EXPORT_DIR": str(folder / "exports"),
        "SUMMARIES_IN_BACKGROUND": "0",
    }


def scratch_archive(folder: Path, name: str, **extra: str) -> dict:
    """The environment of an empty, migrated archive in `folder` (SQLite) or in the scratch
    PostgreSQL database `<name>` when DATABASE_URL is PostgreSQL (drop it with `discard`)."""
    env = {**base_env(folder), "STATIC_ROOT": str(static_root()), **extra}
    if postgres_url():
        env["DATABASE_URL"] = create_database(name)
    manage(env, "migrate", "--no-input", "-v0")
    return env


def discard(env: dict) -> None:
    if "DATABASE_URL" in env:
        drop_database(env["DATABASE_URL"])


@functools.cache
def sample_archive() -> dict:
    """The bundled sample ingested in bulk into a scratch archive, once per test session."""
    folder = Path(tempfile.mkdtemp(prefix="ca-served-"))
    env = scratch_archive(folder, "served")
    manage(env, "ingest", "--bulk", "--progress", "never", str(ROOT / "sample_corpus"))
    atexit.register(shutil.rmtree, folder, True)
    atexit.register(discard, env)
    return env


def get(port: int, path: str, headers: dict | None = None, timeout: float = 60):
    """(status, headers, body) of one GET; the body read whole."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


@contextmanager
def gunicorn(env: dict, *options: str, ready_path: str = "/healthz", log: Path | None = None):
    """gunicorn as the README starts it (`-c gunicorn.conf.py`, with `options` after, which
    override it) on a free port of 127.0.0.1; yields (port, process), stops it after."""
    port = free_port()
    log_path = log or Path(tempfile.mkstemp(prefix="gunicorn-", suffix=".log")[1])
    with open(log_path, "w") as log_file:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "gunicorn.conf.py",
                "--bind",
                f"{HOST}:{port}",
                *options,
            ],
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 180
        while True:
            assert process.poll() is None, log_path.read_text()[-3000:]
            try:
                if get(port, ready_path, timeout=5)[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, log_path.read_text()[-3000:]
            time.sleep(0.2)
        yield port, process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if log is None:
            log_path.unlink(missing_ok=True)


def worker_pids(master: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{master}/task").glob("*/children"):
        found += [int(child) for child in task.read_text().split()]
    return sorted(found)
