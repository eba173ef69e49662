"""Liveness, readiness and the warm-up a server does before it takes traffic.

- `/healthz`: the process answers (no database, no index): for a supervisor's "is it alive".
- `/readyz`: 200 with the archive version once this process has warmed up and, now, its
  database answers and its rank index is open; 503 with the reason otherwise. For a load
  balancer or docker-compose's healthcheck: traffic only to a process that is ready.

`warm_up()` opens what the first requests need (the database connection, the rank index, the
release index of /coverage/, the suggestions, the templates and the query plans of the common
pages) by sending a few requests through this process's own WSGI application. gunicorn calls
it in every worker before the worker accepts a connection (`post_worker_init` in
`gunicorn.conf.py`), so no reader meets a cold worker. Under another server the first
`/readyz` does it (and answers 503 if it fails).
"""

from __future__ import annotations

import io
import logging
import time

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.db import DatabaseError, connections
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.cache import never_cache

from cables.lib.archive_version import current_version
from cables.search.rank_index import rank_index

log = logging.getLogger(__name__)

# Pages whose first request in a process is the slowest: each opens something the others
# share (index, release index, suggestions, summaries, templates).
WARM_PATHS = [
    "/",
    "/cables/?q=election",
    "/cables/?q=%22united+states%22&sort=-created",
    "/api/cables/?year=2009&tag=PREL",
    "/api/suggest/?q=naz",
    "/coverage/",
    "/cables/help/",
]


class _State:
    def __init__(self) -> None:
        self.warmed_at: float | None = None
        self.seconds: float | None = None
        self.error = ""


_state = _State()


def check_index() -> None:
    """Open this process's rank index (raises if it cannot be opened or is not built)."""
    rank_index()


def _host() -> str:
    hosts = [host for host in settings.ALLOWED_HOSTS if host not in ("*", "") and host[0] != "."]
    return hosts[0] if hosts else "localhost"


def _request(application, path: str) -> str:
    """One GET through the WSGI application, as a reader's would come; its status line."""
    route, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": route,
        "QUERY_STRING": query,
        "SERVER_NAME": _host(),
        "SERVER_PORT": "443" if settings.SECURE_SSL_REDIRECT else "80",
        "HTTP_HOST": _host(),
        "HTTP_X_FORWARDED_PROTO": "https",
        # No client has this address: the warm-up is never counted against one's rate.
        "REMOTE_ADDR": "0.0.0.0",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": io.StringIO(),
        "wsgi.version": (1, 0),
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    status = []
    response = application(environ, lambda line, headers, exc_info=None: status.append(line))
    try:
        for _ in response:
            pass
    finally:
        getattr(response, "close", lambda: None)()
    return status[0] if status else "no answer"


def warm_up(application=None) -> float:
    """Open the index and the database and send WARM_PATHS through the application; the
    seconds it took. Marks this process ready; raises if the index or database cannot open
    (the process then stays not ready)."""
    start = time.monotonic()
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
        check_index()
        application = application or get_wsgi_application()
        for path in WARM_PATHS:
            status = _request(application, path)
            if not status.startswith(("2", "3", "4")):
                log.warning("warm-up: %s answered %s", path, status)
    except Exception as error:
        _state.error = f"{type(error).__name__}: {error}"
        raise
    _state.seconds = time.monotonic() - start
    _state.warmed_at = time.time()
    _state.error = ""
    return _state.seconds


def readiness() -> tuple[bool, dict]:
    """(ready, what /readyz says): warmed, the database reachable, the rank index open."""
    if _state.warmed_at is None:
        try:
            warm_up()
        except Exception as error:  # noqa: BLE001 - any failure to warm up is "not ready"
            return False, {"ready": False, "reason": f"warm-up failed: {_state.error or error}"}
    try:
        version = current_version()
    except DatabaseError as error:
        return False, {"ready": False, "reason": f"database unreachable: {error}"}
    try:
        check_index()
    except Exception as error:  # noqa: BLE001 - any failure to open is "not ready"
        return False, {"ready": False, "reason": f"rank index not open: {error}"}
    return True, {
        "ready": True,
        "archive_version": version.number,
        "archive_changed_at": version.changed_at.isoformat(),
        "database": connections["default"].vendor,
        "index": "open",
        "warm_up_seconds": round(_state.seconds or 0, 3),
    }


@never_cache
def healthz(request):
    return JsonResponse({"alive": True})


@never_cache
def readyz(request):
    ready, body = readiness()
    return JsonResponse(body, status=200 if ready else 503)


# Included by the project's URLconf without a namespace: a probe asks for /healthz, /readyz.
urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
]
