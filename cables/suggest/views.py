"""`/api/suggest/?q=naz`: what the search box suggests as one types (cables/suggest/index.py)."""

from django import forms

from cables.lib.http_cache import archive_cached
from cables.lib.inert_json import json_response as _json
from cables.lib.rate_limits import rate_limited
from cables.suggest.index import DEFAULT_LIMIT, MAX_LENGTH, MAX_LIMIT, suggest


class SuggestForm(forms.Form):
    q = forms.CharField(
        max_length=MAX_LENGTH,
        error_messages={
            "required": "Give the beginning of a name, TAG or post to complete: ?q=naz.",
            "max_length": "The text to complete is too long (%(show_value)d characters; at "
            "most %(limit_value)d).",
        },
    )
    limit = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_LIMIT,
        error_messages={
            "invalid": "The limit must be a whole number.",
            "min_value": "The limit must be at least 1.",
            "max_value": f"At most {MAX_LIMIT} suggestions are given at once.",
        },
    )

    def error_message(self) -> str:
        return " ".join(error for errors in self.errors.values() for error in errors)


@rate_limited("suggest", "SUGGEST_RATE")
def suggestions(request):
    response = _suggestions(request)
    if getattr(request, "_suggestions_outdated", False):
        # The previous archive version's answer while the index is rebuilt: validators of
        # the current version must not stand for it.
        del response["ETag"]
        del response["Last-Modified"]
        response["Cache-Control"] = "no-store"
    return response


@archive_cached
def _suggestions(request):
    form = SuggestForm(request.GET)
    if not form.is_valid():
        return _json({"error": form.error_message()}, status=400)
    query = form.cleaned_data["q"]
    found, current = suggest(query, form.cleaned_data["limit"] or DEFAULT_LIMIT)
    request._suggestions_outdated = not current
    return _json({"query": query, "results": [item.as_json() for item in found]})
