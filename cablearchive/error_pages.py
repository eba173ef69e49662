"""The archive's own 404 and 500 pages, in its layout with a search box, whatever DEBUG says.

Django answers an unknown address or a view's Http404 with its technical page under DEBUG
(the run command's default), listing every URL pattern. This middleware renders
`404.html` instead (under /api/, a JSON `{"error": …}`) and `500.html` for an unhandled
exception, whose traceback still goes to the `django.request` log. With DEBUG off,
`handler404`/`handler500` (Django's defaults) render the same templates for anything else.
"""

import logging

from django.core import signals
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, JsonResponse
from django.shortcuts import render

logger = logging.getLogger("django.request")
# Answered by Django as 400/403, or JSON of their own.
PASSED_ON = (BadRequest, PermissionDenied, SuspiciousOperation)
NOT_OURS = "/static/"
API = "/api/"


def not_found(request, message: str = ""):
    if request.path_info.startswith(API):
        return JsonResponse({"error": message or "No such address in the API."}, status=404)
    return render(request, "404.html", {"message": message}, status=404)


def server_error(request):
    return render(request, "500.html", status=500)


class ArchiveErrorPagesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # No view matched the address (Django's own 404, technical under DEBUG).
        if (
            response.status_code == 404
            and getattr(request, "resolver_match", None) is None
            and not request.path_info.startswith(NOT_OURS)
        ):
            return not_found(request)
        return response

    def process_exception(self, request, exception):
        if request.path_info.startswith(NOT_OURS) or isinstance(exception, PASSED_ON):
            return None
        if isinstance(exception, Http404):
            return not_found(request, str(exception))  # messages written for the reader
        if request.path_info.startswith(API):
            return None  # the API's own errors: as Django answers them
        logger.error(
            "Internal Server Error: %s",
            request.path,
            exc_info=(type(exception), exception, exception.__traceback__),
            extra={"status_code": 500, "request": request},
        )
        signals.got_request_exception.send(sender=None, request=request)
        return server_error(request)
