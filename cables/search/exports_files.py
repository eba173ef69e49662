"""Exports that arrive whole or are seen not to: files written once per archive version, served
with Content-Length and byte ranges; a bounded number of streams per process.

The first request for an export streams it from the database (chunked: a stream cut short
has no closing chunk, which every HTTP client reports as an error, and a JSON export cut short
is not valid JSON) and writes the same bytes to a temporary file beside. When the stream ends
whole, in the archive version it started in, and is at least EXPORT_FILE_MIN_BYTES long, the
file is renamed into place (atomic): every later request for the same export in that archive
version is served from it, with `Content-Length` (a client knows at once whether it got all of
it), `Accept-Ranges: bytes` and single byte ranges (206), so a cut download is resumed where
it stopped. Small exports are streamed each time. Files of earlier archive versions are
deleted when a new one is written.

A stream from the database holds one of EXPORT_STREAMS slots of its process until it ends;
past them the export answers 503 with Retry-After, so exports never take every thread of a
worker and the reading room keeps answering (`gunicorn.conf.py`: 4 threads per worker).
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import threading
import time
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.http import FileResponse, HttpResponse, JsonResponse

from cables.lib.archive_version import Version, current_version

RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
RETRY_SECONDS = 30
PARTIAL_SECONDS = 3600


class _Slots:
    """At most settings.EXPORT_STREAMS exports streaming from the database in this process."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.busy = 0

    def take(self) -> bool:
        with self.lock:
            if self.busy >= settings.EXPORT_STREAMS:
                return False
            self.busy += 1
            return True

    def give_back(self) -> None:
        with self.lock:
            self.busy -= 1


slots = _Slots()


def busy() -> JsonResponse:
    response = JsonResponse(
        {
            "error": (
                "Every export slot of this server is busy with a download: "
                f"retry in {RETRY_SECONDS} s."
            ),
            "retry_after": RETRY_SECONDS,
        },
        status=503,
    )
    response["Retry-After"] = str(RETRY_SECONDS)
    return response


def _version_tag(version: Version) -> str:
    # The change's time as well as its number: a number can come back (a rolled-back change).
    return f"v{version.number}-{int(version.changed_at.timestamp() * 1000)}"


def file_name(request, filename: str, version: Version) -> str:
    """The stored file of this export (format and parameters) in this archive version of
    this database."""
    database = connections["default"].settings_dict
    key = "\n".join(
        [
            str(database.get("HOST") or ""),
            str(database.get("NAME") or ""),
            filename,
            request.build_absolute_uri("/"),
            *sorted(f"{name}={value}" for name, value in request.GET.lists()),
        ]
    )
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"{_version_tag(version)}-{digest}{Path(filename).suffix}"


def stored_file(request, filename: str) -> tuple[Path | None, Path, Version]:
    """(the stored file if there is one, where it goes, the archive version now)."""
    version = current_version()
    path = Path(settings.EXPORT_DIR) / file_name(request, filename, version)
    return (path if path.is_file() else None), path, version


def file_response(request, path: Path, content_type: str, filename: str) -> HttpResponse:
    """The stored export, whole (Content-Length) or the one byte range asked for (206)."""
    size = path.stat().st_size
    first, last = 0, size - 1
    status = 200
    asked = RANGE.match(request.headers.get("Range", "").replace(" ", ""))
    if asked and (asked.group(1) or asked.group(2)):
        start, end = asked.groups()
        if start:
            first, last = int(start), min(int(end) if end else size - 1, size - 1)
        else:  # the last N bytes
            first = max(0, size - int(end))
        if first > last or first >= size:
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
        status = 206
    handle = open(path, "rb")  # noqa: SIM115 - closed by the response
    handle.seek(first)
    length = last - first + 1
    body = handle if status == 200 else _limited(handle, length)
    response = FileResponse(body, content_type=content_type, status=status)
    response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    if status == 206:
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
    return response


def _limited(handle, length: int, block: int = 64 * 1024):
    try:
        while length > 0:
            data = handle.read(min(block, length))
            if not data:
                return
            length -= len(data)
            yield data
    finally:
        handle.close()


class KeptStream:
    """The export's chunks (str) as bytes, written to a temporary file as they go out; the file
    is published at `path` if the stream ended whole, in `version`, and large enough. The
    export slot is given back when the response is closed, however the stream ended (or if
    it never started)."""

    def __init__(self, chunks, path: Path, version: Version) -> None:
        self.chunks = chunks
        self.path = path
        self.version = version
        self.handle = None
        self.closed = False

    def __iter__(self):
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed in close()
                dir=self.path.parent, prefix=".partial-", suffix=self.path.suffix, delete=False
            )
        except OSError:
            self.handle = None  # no file this time: the stream still goes out
        for chunk in self.chunks:
            data = chunk.encode()
            if self.handle is not None:
                self.handle.write(data)
            yield data
        self._publish()

    def _publish(self) -> None:
        if self.handle is None:
            return
        self.handle.close()
        size = os.path.getsize(self.handle.name)
        if size >= settings.EXPORT_FILE_MIN_BYTES and current_version() == self.version:
            os.replace(self.handle.name, self.path)
            _forget_older(self.path.parent, self.path.name)

    def __del__(self) -> None:
        # A response dropped without being closed (never sent) must not keep its slot.
        if not self.closed:
            self.closed = True
            slots.give_back()
            if self.handle is not None and os.path.exists(self.handle.name):
                os.unlink(self.handle.name)

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        slots.give_back()
        getattr(self.chunks, "close", lambda: None)()
        if self.handle is not None:
            self.handle.close()
            if os.path.exists(self.handle.name):
                os.unlink(self.handle.name)


def _forget_older(directory: Path, kept: str) -> None:
    """Delete the stored exports of earlier archive versions, and what a killed process left
    half written an hour ago or more."""
    tag = kept.rsplit("-", 1)[0]
    for other in directory.glob("v*-*"):
        if other.is_file() and not other.name.startswith(tag + "-"):
            other.unlink(missing_ok=True)
    for partial in directory.glob(".partial-*"):
        try:
            if time.time() - partial.stat().st_mtime > PARTIAL_SECONDS:
                partial.unlink(missing_ok=True)
        except OSError:
            pass
