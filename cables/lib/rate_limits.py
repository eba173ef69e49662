"""Per-client rate limits of the API and the exports, counted in the database.

A client over its rate gets 429 with Retry-After (the seconds until its window ends) and a
short JSON message. The rates are settings (API_RATE, EXPORT_RATE, SUGGEST_RATE), read per
request so that they can be changed in tests; RATELIMIT_ENABLE=0 turns every limit off.

Requests are counted in fixed windows (a rate of 120/m: the minute that started at a multiple
of 60 s) in the table `cables_ratecount`, one row per client, group and window, by one atomic
upsert (`INSERT ... ON CONFLICT DO UPDATE ... RETURNING`, on PostgreSQL and SQLite alike): every
gunicorn worker, and every application server on the same database, counts in the same row, so
a rate means what it says whatever the number of processes. It always runs on the primary
("default"), never a replica.
"""

import logging
import re
import time
from functools import wraps

from django.conf import settings
from django.db import DatabaseError, connections
from django.http import JsonResponse

from cablearchive.clients import client_ip
from cables.models import RateCount

log = logging.getLogger(__name__)

PRIMARY = "default"
UNITS = {"s": "second", "m": "minute", "h": "hour", "d": "day"}
SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
RATE = re.compile(r"^(\d+)/(\d*)([smhd])$")


def parse_rate(rate: str) -> tuple[int, int]:
    """(requests, seconds) of a rate such as `120/m` or `600/10m`."""
    match = RATE.match(rate)
    if not match:
        raise ValueError(f"{rate!r} is not a rate (e.g. 120/m, 600/10m)")
    count, multiple, unit = match.groups()
    return int(count), int(multiple or 1) * SECONDS[unit]


def count_request(key: str, period: int, now: float | None = None) -> tuple[int, int]:
    """Count one request for `key` in the current window of `period` seconds: (the requests in
    this window so far, this one included; the seconds until the window closes)."""
    now = time.time() if now is None else now
    window_start = int(now // period * period)
    expires = window_start + period
    connection = connections[PRIMARY]
    table, key_, start, end, count_ = map(
        connection.ops.quote_name,
        [RateCount._meta.db_table, "key", "window_start", "expires", "count"],
    )
    sql = (
        f"INSERT INTO {table} ({key_}, {start}, {end}, {count_}) VALUES (%s, %s, %s, 1) "
        f"ON CONFLICT ({key_}, {start}) DO UPDATE SET {count_} = {table}.{count_} + 1 "
        f"RETURNING {count_}"
    )
    # One statement, atomic by itself (autocommit; a request runs in no transaction here).
    with connection.cursor() as cursor:
        cursor.execute(sql, [key, window_start, expires])
        (count,) = cursor.fetchone()
        # A client's first request of a window clears the closed ones: deterministic, and
        # at most once per client and window (`expires` is indexed).
        if count == 1:
            cursor.execute(f"DELETE FROM {table} WHERE {end} < %s", [int(now)])
    return count, max(1, int(expires - now))


def rate_limited(group: str, rate_setting: str):
    """Count the view's requests per client in `group` at the rate settings.<rate_setting>."""

    def decorator(view):
        @wraps(view)
        def limited_view(request, *args, **kwargs):
            if not settings.RATELIMIT_ENABLE:
                return view(request, *args, **kwargs)
            rate = getattr(settings, rate_setting)
            limit, period = parse_rate(rate)
            key = f"{group}:{rate}:{client_ip(request) or 'unknown'}"
            try:
                count, time_left = count_request(key, period)
            except DatabaseError as error:
                # A limit protects the archive; a database too busy to count must not turn
                # every request away with it.
                log.warning("rate limit %s not counted: %s", group, error)
                return view(request, *args, **kwargs)
            if count > limit:
                return too_many_requests(time_left, rate)
            return view(request, *args, **kwargs)

        return limited_view

    return decorator


def too_many_requests(retry_after: int, rate: str) -> JsonResponse:
    count, _, period = rate.partition("/")
    unit = UNITS.get(period[-1:], period)
    per = f"{period[:-1]} {unit}s" if period[:-1] else unit
    response = JsonResponse(
        {
            "error": (
                f"Too many requests: at most {count} per {per} from one client. "
                f"Retry in {retry_after} s."
            ),
            "retry_after": retry_after,
        },
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response
