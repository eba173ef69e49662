"""HTTP caching of the reading room: ETag, Last-Modified and Cache-Control on every read.

The validators derive from the archive version (one primary-key read), the request's full path
and who asks, so Django's `condition` answers a conditional GET with 304 before the view runs
any of its queries. Anonymous readers get `public, max-age=CACHE_MAX_AGE` (a proxy or CDN in
front serves the repeats); signed-in users `private, no-cache`, since their pages differ.

Without a proxy in front, the server keeps the anonymous pages it rendered itself, under the same
key as the ETag (settings.PAGE_CACHE_SECONDS, the "pages" cache): a page asked for again in the
same archive version is not rendered again, and any change of the archive makes a new key.
Both are keyed to the rank index's published generation too (`cables/lib/index_generation.py`): a
page is kept only when it was read from the generation of its key, and that generation holds
the archive version of its key (a writer's publication still to come: the page is not stored).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import lru_cache, wraps

from django.conf import settings
from django.core.cache import caches
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import condition

from cables.lib.archive_version import Version, current_version
from cables.lib.index_generation import Stamp, read_stamp, stamp_read
from cables.lib.summaries import stale_served

CACHED_STATUSES = {200, 304}


@lru_cache(maxsize=1)
def deployment() -> str:
    """What the code and templates of this deployment are: a new release is a new ETag, since
    it may render the same archive differently (all workers of one release agree)."""
    roots = [settings.BASE_DIR / "cables", settings.BASE_DIR / "templates"]
    stamps = sorted(
        f"{path.relative_to(settings.BASE_DIR)}:{path.stat().st_mtime_ns}"
        for root in roots
        for path in root.rglob("*")
        if path.suffix in {".py", ".html"}
    )
    return hashlib.sha256("\n".join(stamps).encode()).hexdigest()[:12]


def _version(request) -> Version:
    if not hasattr(request, "_archive_version"):
        request._archive_version = current_version()
    return request._archive_version


# What a signed-in reader's pages show of their own (collections' marks, the sign-out form's
# token): stamps registered by the slices that draw it (`cables.apps`), so lib imports no slice.
READER_STATES: list[Callable[[object], str]] = []


def register_reader_state(stamp: Callable[[object], str]) -> None:
    if stamp not in READER_STATES:
        READER_STATES.append(stamp)


def _stamp(request) -> Stamp | None:
    if not hasattr(request, "_index_stamp"):
        request._index_stamp = read_stamp()
    return request._index_stamp


def _reader(request) -> str:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return "anonymous"
    return ":".join([f"user{user.pk}", *(stamp(request) for stamp in READER_STATES)])


def _etag(request, *args, **kwargs) -> str:
    stamp = _stamp(request)
    index = f"{stamp.name}.{stamp.version}" if stamp else "no index"
    key = "\n".join(
        [
            deployment(),
            str(_version(request).number),
            index,
            request.get_full_path(),
            _reader(request),
        ]
    )
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _last_modified(request, *args, **kwargs):
    # Signed-in pages are revalidated by ETag only: a date would not tell them apart.
    if _reader(request) != "anonymous":
        return None
    return _version(request).changed_at


def _storable(request, response) -> bool:
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        # A page holding a CSRF token is one reader's.
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        # Answered from an older archive version's counts or index while new ones are made.
        and "no-store" not in cache_control
        and "private" not in cache_control
        and not stale_served.get()
        and _read_from_its_generation(request)
    )


def _read_from_its_generation(request) -> bool:
    """Whether the page read no rank index, or the one of its key, holding its key's
    archive version."""
    read = stamp_read.get()
    if read is None:
        return True
    return read == _stamp(request) and read.version >= _version(request).number


def stored_pages(view):
    """Serve an anonymous GET from the pages the server rendered before in this archive
    version (the ETag is the key), and keep what it renders."""

    @wraps(view)
    def stored(request, *args, **kwargs):
        seconds = settings.PAGE_CACHE_SECONDS
        if not seconds or request.method != "GET" or _reader(request) != "anonymous":
            return view(request, *args, **kwargs)
        key = "page:" + _etag(request)
        pages = caches["pages"]
        response = pages.get(key)
        if response is not None:
            return response
        token = stale_served.set(False)
        read = stamp_read.set(None)
        try:
            response = view(request, *args, **kwargs)
            if _storable(request, response):
                pages.set(key, response, seconds)
        finally:
            stale_served.reset(token)
            stamp_read.reset(read)
        return response

    return stored


def archive_cached(view):
    """Cache a reading-room view until the archive changes (see the module docstring)."""
    conditional = condition(etag_func=_etag, last_modified_func=_last_modified)(stored_pages(view))

    @wraps(view)
    def cached(request, *args, **kwargs):
        response = conditional(request, *args, **kwargs)
        if request.method not in ("GET", "HEAD"):
            return response
        if response.status_code not in CACHED_STATUSES:
            # An error page (400, 404, 503) is not the page the validators stand for.
            del response["ETag"]
            del response["Last-Modified"]
            return response
        patch_vary_headers(response, ["Cookie"])
        if _reader(request) == "anonymous":
            patch_cache_control(response, public=True, max_age=settings.CACHE_MAX_AGE)
        else:
            patch_cache_control(response, private=True, no_cache=True)
        return response

    return cached
