"""The coverage pages (`/coverage/`, `/coverage/<post>/`) and the page of a missing cable."""

from django import forms
from django.http import Http404
from django.shortcuts import render

from cables.coverage import selectors as coverage
from cables.lib.http_cache import archive_cached


class CoverageForm(forms.Form):
    name = forms.CharField(
        label="Post",
        required=False,
        max_length=100,
        error_messages={"max_length": "A post name has at most %(limit_value)d characters."},
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "e.g. astana"}),
    )
    year = forms.TypedChoiceField(
        label="Year",
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": "The release has no cables of that year."},
    )
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=list(coverage.SORTS.items()),
        error_messages={"invalid_choice": "Unknown order: choose one of the list."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", "All years")] + [
            (year, year) for year in coverage.release_years()
        ]

    def error_message(self) -> str:
        return " ".join(error for errors in self.errors.values() for error in errors)


@archive_cached
def coverage_page(request):
    form = CoverageForm(request.GET)
    if not form.is_valid():
        return render(
            request,
            "cables/coverage.html",
            {"form": form, "error": form.error_message()},
            status=400,
        )
    data = form.cleaned_data
    context = {
        "form": form,
        "coverage": coverage.overview(data["name"], data["year"], data["sort"] or "cables"),
        "year": data["year"],
    }
    return render(request, "cables/coverage.html", context)


class PostYearForm(forms.Form):
    year = forms.IntegerField(
        required=False,
        min_value=1900,
        max_value=2100,
        error_messages={"invalid": "The year must be a number, e.g. 2007."},
    )


@archive_cached
def coverage_post(request, post):
    form = PostYearForm(request.GET)
    if not form.is_valid():
        message = " ".join(error for errors in form.errors.values() for error in errors)
        return render(request, "cables/coverage_post.html", {"error": message}, status=400)
    found = coverage.post_coverage(post.upper(), form.cleaned_data["year"])
    if found is None:
        raise Http404(f"The release has no post named {post}.")
    return render(request, "cables/coverage_post.html", {"post": found})


def missing_cable_page(request, reference_id):
    """The page of a cable of the release the archive does not hold (404, with what is known);
    a plain not-found for an ID the release does not have either."""
    missing = coverage.missing_cable(reference_id)
    if missing is None:
        raise Http404("No cable with this reference ID.")
    return render(request, "cables/cable_missing.html", {"missing": missing}, status=404)
