"""Read replicas: reads go to a replica, writes and the admin to the primary.

Read-your-writes: a curator who has just changed something must see the change at once, but a
streaming replica lags a little behind the primary. So:

- inside a request, the first write pins the rest of that request to the primary;
- `PrimaryPinMiddleware` sends every unsafe request (POST, PUT, PATCH, DELETE) and every admin
  request to the primary, and after an unsafe request sets a short-lived cookie that keeps that
  browser on the primary for `DATABASE_REPLICA_PIN_SECONDS` (default 10 s, longer than the lag);
- `use_primary()` pins code outside requests (commands, curation services) explicitly;
- `reading_from(alias)` sends a block's reads to one database (a search page's, chosen once:
  `cables/search/read_alias.py`), so the page is read from one snapshot.

With no replica configured (`DATABASE_REPLICA_URLS` empty) everything is the default database
and the router is not installed at all.
"""

from __future__ import annotations

import contextvars
import random
import time
from contextlib import contextmanager

from django.conf import settings
from django.db import connections

PRIMARY = "default"
REPLICA_PREFIX = "replica"
PIN_COOKIE = "ca_primary_until"
# Apps whose reads must never lag: logins, sessions, permissions, curation history, and the
# failed sign-ins a lockout counts (django-axes).
PRIMARY_ONLY_APPS = {"admin", "auth", "sessions", "contenttypes", "simple_history", "axes"}

_pinned: contextvars.ContextVar[bool] = contextvars.ContextVar("pinned_to_primary", default=False)
_wrote: contextvars.ContextVar[bool] = contextvars.ContextVar("wrote_to_primary", default=False)
_reading: contextvars.ContextVar[str | None] = contextvars.ContextVar("read_alias", default=None)


def replica_aliases() -> list[str]:
    # `connections.settings` is settings.DATABASES as Django completed it.
    return sorted(alias for alias in connections.settings if alias.startswith(REPLICA_PREFIX))


def is_pinned() -> bool:
    return _pinned.get()


@contextmanager
def use_primary():
    """Send every query of the block, reads included, to the primary."""
    token = _pinned.set(True)
    try:
        yield
    finally:
        _pinned.reset(token)


@contextmanager
def reading_from(alias: str):
    """Send every read of the block that is not pinned to the primary to `alias`."""
    token = _reading.set(alias)
    try:
        yield alias
    finally:
        _reading.reset(token)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        replicas = replica_aliases()
        if not replicas or _pinned.get() or model._meta.app_label in PRIMARY_ONLY_APPS:
            return PRIMARY
        if _reading.get() is not None:
            return _reading.get()
        instance = hints.get("instance")
        if instance is not None and instance._state.db == PRIMARY:
            # Related objects of a row read from the primary come from the primary too.
            return PRIMARY
        return random.choice(replicas)  # noqa: S311 - load spreading, not security

    def db_for_write(self, model, **hints):
        # A write pins the rest of this request (or context) to the primary: read your writes.
        _pinned.set(True)
        _wrote.set(True)
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        databases = {PRIMARY, *replica_aliases()}
        if obj1._state.db in databases and obj2._state.db in databases:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # Replicas get the schema by replication, never by migrate.
        return db == PRIMARY


class PrimaryPinMiddleware:
    """Pin unsafe requests, the admin, and a browser that has just written, to the primary."""

    SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        writing = request.method not in self.SAFE_METHODS
        pin_token = _pinned.set(writing or self._wants_primary(request))
        wrote_token = _wrote.set(False)
        try:
            response = self.get_response(request)
            wrote = _wrote.get()
        finally:
            _pinned.reset(pin_token)
            _wrote.reset(wrote_token)
        if wrote or (writing and response.status_code < 400):
            seconds = settings.DATABASE_REPLICA_PIN_SECONDS
            response.set_cookie(
                PIN_COOKIE,
                str(int(time.time()) + seconds),
                max_age=seconds,
                httponly=True,
                samesite="Lax",
            )
        return response

    @staticmethod
    def _wants_primary(request) -> bool:
        if request.path.startswith("/admin/"):
            return True
        try:
            return int(request.COOKIES.get(PIN_COOKIE, "0")) > time.time()
        except ValueError:
            return False
