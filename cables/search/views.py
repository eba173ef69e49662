"""The search page and its help: a thin view that validates input, calls one function and renders."""

from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import InvalidPage
from django.http import Http404
from django.shortcuts import redirect, render

from cables.lib.http_cache import archive_cached
from cables.search.budget import SearchTooBroad, time_budget, too_broad_headers
from cables.search.facet_values import active_filters, all_values
from cables.search.filters import FACET_PARAMETERS, CableFilter
from cables.search.forms import SearchForm
from cables.search.lookup import entity_offers, field_notes, reference_of
from cables.search.query import QuerySyntaxError
from cables.search.service import search
from cables.search.thresholds import FACET_LIMIT


@archive_cached
def search_view(request):
    try:
        with time_budget(settings.SEARCH_TIME_BUDGET):
            return _search_page(request)
    except SearchTooBroad as error:
        context = {"form": SearchForm(request.GET), "facet_parameters": FACET_PARAMETERS}
        context["error"] = str(error)
        return too_broad_headers(render(request, "cables/search.html", context, status=503))


def _search_page(request):
    form = SearchForm(request.GET)
    context = {"form": form, "facet_parameters": FACET_PARAMETERS}
    if not form.is_valid():
        context["error"] = form.error_message()
        return render(request, "cables/search.html", context, status=400)
    query = form.cleaned_data["q"]
    reference = reference_of(query) if query else None
    if reference:  # a reference ID pasted in a search box: the cable itself
        return redirect("cables:cable-detail", reference)
    try:
        results = search(
            query,
            request.GET,
            form.cleaned_data["sort"],
            form.cleaned_data["page"],
            with_months=True,
        )
    except QuerySyntaxError as error:
        context["error"] = str(error)
        return render(request, "cables/search.html", context, status=400)
    except InvalidPage as error:
        raise Http404(str(error)) from None
    _facet_hrefs(request.GET, results.facets)
    context.update(
        results=results,
        query=query,
        date_form=CableFilter.bound_form(request.GET),
        selected=[(f.name, v) for f in results.facets for v in f.selected],
        active=active_filters(request.GET, results.facets),
        offers=entity_offers(results.parsed),
        field_notes=field_notes(results.parsed),
        facet_limit=FACET_LIMIT,
    )
    return render(request, "cables/search.html", context)


def _facet_hrefs(query_dict, facets) -> None:
    """Each facet item's link: the current parameters with the item toggled and no page.

    What `{% querystring request.GET item.params %}` gives, built without copying a QueryDict
    per link (a page has up to 200 of them).
    """
    current = dict(query_dict.lists())
    current.pop("page", None)
    # Each parameter encoded once, as urlencode would; a link swaps in its facet's values.
    encoded = {
        key: urlencode([(key, value) for value in values]) for key, values in current.items()
    }
    for facet in facets:
        for item in facet.items:
            toggled = urlencode([(item.name, value) for value in item.toggle])
            parts = [toggled if key == item.name else part for key, part in encoded.items()]
            if item.name not in encoded:
                parts.append(toggled)
            item.href = "?" + "&".join(part for part in parts if part)


@archive_cached
def facet_values(request, name):
    """Every value of one facet for the current search ("Show all" under a facet list)."""
    if name not in FACET_PARAMETERS or name == "partial":
        raise Http404("No such facet.")
    form = SearchForm(request.GET)
    context = {"form": form, "name": name}
    if not form.is_valid():
        context["error"] = form.error_message()
        return render(request, "cables/facet_values.html", context, status=400)
    try:
        with time_budget(settings.SEARCH_TIME_BUDGET):
            context["facet"] = all_values(name, form.cleaned_data["q"], request.GET)
    except QuerySyntaxError as error:
        context["error"] = str(error)
        return render(request, "cables/facet_values.html", context, status=400)
    except SearchTooBroad as error:
        context["error"] = str(error)
        return too_broad_headers(render(request, "cables/facet_values.html", context, status=503))
    context["query"] = form.cleaned_data["q"]
    return render(request, "cables/facet_values.html", context)


@archive_cached
def search_help(request):
    return render(request, "cables/search_help.html")
