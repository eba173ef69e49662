"""Who a request comes from, for the login throttling and the rate limits."""

import ipaddress

from django.conf import settings


def _address(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The client's address: settings.CLIENT_IP_HEADER (REMOTE_ADDR, or behind a reverse proxy
    the header it sets, e.g. HTTP_X_REAL_IP), else REMOTE_ADDR; None when neither holds an
    address (a forged header never reaches the database as one)."""
    forwarded = request.META.get(settings.CLIENT_IP_HEADER) or ""
    # X-Forwarded-For lists "claimed, ..., peer": only the right-most entry, added by our own
    # proxy, cannot be forged by the client.
    return _address(forwarded.split(",")[-1]) or _address(request.META.get("REMOTE_ADDR"))
