"""Who a request comes from, for the login throttling and the rate limits."""

from django.conf import settings


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or the header a reverse proxy sets to the real peer
    (settings.CLIENT_IP_HEADER, e.g. HTTP_X_REAL_IP). Never empty: "unknown" when missing, so
    that the limits still count such requests together."""
    value = request.META.get(settings.CLIENT_IP_HEADER) or request.META.get("REMOTE_ADDR")
    # X-Forwarded-For lists "claimed, ..., peer": only the right-most entry, added by our own
    # proxy, cannot be forged by the client.
    return (value or "unknown").split(",")[-1].strip() or "unknown"
