"""Per-client rate limits of the API and the exports (django-ratelimit, cache-based).

A client over its rate gets 429 with Retry-After (the seconds until its window ends) and a
short JSON message. The rates are settings (API_RATE, EXPORT_RATE), read per request so that
they can be changed in tests; RATELIMIT_ENABLE=0 turns every limit off.
"""

from functools import wraps

from django.conf import settings
from django.http import JsonResponse
from django_ratelimit.core import get_usage

from cablearchive.clients import client_ip


def _client(group, request) -> str:
    return client_ip(request) or "unknown"


def rate_limited(group: str, rate_setting: str):
    """Count the view's requests per client in `group` at the rate settings.<rate_setting>."""

    def rate(group, request):
        return getattr(settings, rate_setting)

    def decorator(view):
        @wraps(view)
        def limited_view(request, *args, **kwargs):
            usage = get_usage(request, group=group, key=_client, rate=rate, increment=True)
            if usage is not None and usage["should_limit"]:
                return too_many_requests(
                    max(1, usage["time_left"]), getattr(settings, rate_setting)
                )
            return view(request, *args, **kwargs)

        return limited_view

    return decorator


UNITS = {"s": "second", "m": "minute", "h": "hour", "d": "day"}


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
