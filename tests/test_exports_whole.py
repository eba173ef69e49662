"""Exports that are whole or say they are not, under gunicorn started as the README says
(`-c gunicorn.conf.py`) on the bundled sample archive.

The worker timeout is cut to 2 s here and the exports are read by slow readers, so each
download lasts longer than the timeout: with gunicorn's default sync worker such a request was
killed at the timeout and the client got a 200 cut short; threaded workers let it finish. A stream that is cut anyway (its
worker killed) ends without HTTP's closing chunk, which the client sees; a large export is then
served from its file with Content-Length and byte ranges, so a cut download is resumed."""

import csv
import gc
import http.client
import io
import json
import os
import signal
import socket
import threading
import time

import pytest

from cables.ingest.incremental import ingest_paths

from . import served
from .conftest import CABLEGATE_HTML

TIMEOUT = "2"


@pytest.fixture(scope="module")
def archive():
    return served.sample_archive()


@pytest.fixture(scope="module")
def cable_count(archive) -> int:
    result = served.manage(
        archive,
        "shell",
        "--no-imports",
        "-c",
        "from cables.models import Cable; print(Cable.objects.count())",
    )
    return int(result.stdout.strip())


class Load:
    """Readers on the search pages in threads, and the reading room's answer times."""

    SEARCHES = ["/cables/?q=election", "/cables/?q=government&page=2", "/api/cables/?q=oil"]

    def __init__(self, port: int, clients: int) -> None:
        self.port = port
        self.stop = threading.Event()
        self.statuses: list[int] = []
        self.reading_room: list[float] = []
        self.threads = [threading.Thread(target=self.reader, args=(n,)) for n in range(clients)]
        self.threads.append(threading.Thread(target=self.probe))

    def reader(self, number: int) -> None:
        while not self.stop.is_set():
            path = self.SEARCHES[number % len(self.SEARCHES)]
            self.statuses.append(served.get(self.port, path)[0])

    def probe(self) -> None:
        while not self.stop.is_set():
            start = time.monotonic()
            status = served.get(self.port, "/cables/help/")[0]
            self.reading_room.append(time.monotonic() - start)
            self.statuses.append(status)
            time.sleep(0.2)

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(60)


class SlowConnection(http.client.HTTPConnection):
    """A reader on a slow line: a small receive buffer, read 8 KiB at a time with pauses
    (about 270 KB/s), so the server cannot hand the whole export to the kernel at once and
    its request lasts as long as the download."""

    def connect(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
        self.sock.settimeout(self.timeout)
        self.sock.connect((self.host, self.port))


def read_slowly(response) -> bytes:
    parts = []
    while chunk := response.read(8192):
        parts.append(chunk)
        time.sleep(0.03)
    return b"".join(parts)


def download(port: int, path: str, slow: bool = False) -> dict:
    """One export read to its end: status, headers, body, seconds, and whether HTTP says it
    ended whole (an exception reading it says it did not)."""
    start = time.monotonic()
    kind = SlowConnection if slow else http.client.HTTPConnection
    connection = kind(served.HOST, port, timeout=120)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        try:
            body, whole = (read_slowly(response) if slow else response.read()), True
        except (http.client.IncompleteRead, ConnectionError):
            body, whole = b"", False
        return {
            "status": response.status,
            "headers": dict(response.getheaders()),
            "body": body,
            "whole": whole,
            "seconds": time.monotonic() - start,
        }
    finally:
        connection.close()


def download_retrying(port: int, path: str) -> dict:
    """Slowly, as a client honouring 503's Retry-After would (sooner here), up to 60 tries."""
    for _ in range(60):
        result = download(port, path, slow=True)
        if result["status"] != 503:
            return result
        assert int(result["headers"]["Retry-After"]) > 0
        time.sleep(1)
    return result


def test_concurrent_whole_exports_under_load_arrive_whole_and_the_reading_room_answers(
    archive, cable_count
):
    env = {**archive, "RATELIMIT_ENABLE": "0", "EXPORT_FILE_MIN_BYTES": str(10**12)}
    paths = [
        "/api/cables/export.json",
        "/api/cables/export.json?sort=created",
        "/api/cables/export.csv",
    ]
    with served.gunicorn(env, "--timeout", TIMEOUT) as (port, _), Load(port, clients=4) as load:
        results: dict[str, dict] = {}
        threads = [
            threading.Thread(target=lambda p=p: results.__setitem__(p, download_retrying(port, p)))
            for p in paths
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(180)
    assert set(results) == set(paths)
    for path, result in results.items():
        # Whole (after a 503 with Retry-After while every export slot was busy), never a
        # 200 cut short, though each took longer than the worker timeout.
        assert result["status"] == 200 and result["whole"], (path, result["seconds"])
        text = result["body"].decode()
        rows = json.loads(text) if "json" in path else list(csv.DictReader(io.StringIO(text)))
        assert len(rows) == cable_count, path
    # Each JSON download lasted longer than the worker timeout (a sync worker cut them).
    assert min(results[p]["seconds"] for p in paths[:2]) > 2 * float(TIMEOUT)
    assert load.statuses and all(status < 500 for status in load.statuses)
    assert load.reading_room and max(load.reading_room) < 1.0, sorted(load.reading_room)[-5:]


def test_a_stream_cut_short_is_seen_by_the_client(archive):
    env = {**archive, "RATELIMIT_ENABLE": "0", "EXPORT_FILE_MIN_BYTES": str(10**12)}
    with served.gunicorn(env, "--workers", "1") as (port, master):
        connection = http.client.HTTPConnection(served.HOST, port, timeout=60)
        connection.request("GET", "/api/cables/export.json")
        response = connection.getresponse()
        assert response.status == 200 and response.getheader("Content-Length") is None
        first = response.read(4096)
        (worker,) = served.worker_pids(master.pid)
        os.kill(worker, signal.SIGKILL)
        with pytest.raises((http.client.IncompleteRead, ConnectionError)):
            response.read()
        connection.close()
    assert first.startswith(b"[\n")


def test_a_large_export_is_kept_and_served_with_its_length_and_byte_ranges(archive):
    env = {**archive, "RATELIMIT_ENABLE": "0"}
    with served.gunicorn(env, "--workers", "1") as (port, _):
        first = download(port, "/api/cables/export.csv?q=government")
        assert first["status"] == 200 and first["whole"]
        assert "Content-Length" not in first["headers"]  # streamed the first time
        whole = first["body"]
        assert len(whole) > 256 * 1024
        status, headers, body = served.get(port, "/api/cables/export.csv?q=government")
        assert status == 200 and body == whole
        assert headers["Content-Length"] == str(len(whole))
        assert headers["Accept-Ranges"] == "bytes"
        # A download cut at 100,000 bytes is resumed where it stopped.
        status, headers, tail = served.get(
            port, "/api/cables/export.csv?q=government", {"Range": "bytes=100000-"}
        )
        assert status == 206
        assert headers["Content-Range"] == f"bytes 100000-{len(whole) - 1}/{len(whole)}"
        assert whole[:100000] + tail == whole
        status, headers, _ = served.get(
            port, "/api/cables/export.csv?q=government", {"Range": f"bytes={len(whole)}-"}
        )
        assert status == 416 and headers["Content-Range"] == f"bytes */{len(whole)}"
        # Another export, another file.
        other = download(port, "/api/cables/export.csv?q=embassy")
        assert other["status"] == 200 and other["body"] != whole


def test_exports_past_the_slots_of_a_worker_are_refused_and_the_reading_room_answers(archive):
    env = {**archive, "RATELIMIT_ENABLE": "0", "EXPORT_FILE_MIN_BYTES": str(10**12)}
    with served.gunicorn(env, "--workers", "1") as (port, _):
        connection = http.client.HTTPConnection(served.HOST, port, timeout=60)
        connection.request("GET", "/api/cables/export.json")
        streaming = connection.getresponse()
        assert streaming.status == 200
        streaming.read(1024)  # the first export holds the worker's only slot
        status, headers, body = served.get(port, "/api/cables/export.csv")
        assert status == 503 and int(headers["Retry-After"]) == 30
        assert b"export slot" in body
        start = time.monotonic()
        assert served.get(port, "/cables/help/")[0] == 200
        assert time.monotonic() - start < 1.0
        streaming.read()
        connection.close()
        # The slot is free again once the stream ended.
        assert download(port, "/api/cables/export.csv")["status"] == 200


@pytest.mark.django_db
def test_an_export_dropped_unread_gives_its_slot_back(client, settings):
    settings.EXPORT_STREAMS = 1
    ingest_paths(CABLEGATE_HTML[:3])
    unread = client.get("/api/cables/export.csv")
    assert unread.status_code == 200
    # While it could still be sent, it holds the process's only export slot.
    assert client.get("/api/cables/export.json").status_code == 503
    del unread
    gc.collect()
    response = client.get("/api/cables/export.json")
    assert response.status_code == 200
    assert len(json.loads(b"".join(response.streaming_content))) == 3
