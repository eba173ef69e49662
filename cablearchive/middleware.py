"""Requests no view can answer sensibly, refused before any view runs."""

from django.http import HttpResponseBadRequest, JsonResponse

NUL_MESSAGE = "The address or a parameter contains a NUL character (%00), which no cable holds."


class RejectNulCharactersMiddleware:
    """A NUL character in the path or a query parameter is a 400.

    PostgreSQL cannot hold NUL in text: a reference ID or facet value with one would fail in
    the database (a 500) instead of simply matching nothing. No real input contains one.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            if request.path_info.startswith("/api/"):
                return JsonResponse({"error": NUL_MESSAGE}, status=400)
            return HttpResponseBadRequest(NUL_MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
