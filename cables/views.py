"""Reading-room pages: thin views that validate input, call one function and render."""

from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import InvalidPage
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse

from cables import browse
from cables.coverage_views import missing_cable_page
from cables.entities.markup import marked_paragraph_html
from cables.entities.pictures import most_mentioned
from cables.filters import FACET_PARAMETERS, CableFilter
from cables.forms import SearchForm
from cables.http_cache import archive_cached
from cables.models import Cable, Mention
from cables.search.budget import SearchTooBroad, time_budget, too_broad_headers
from cables.search.facet_values import active_filters, all_values
from cables.search.lookup import canonical_reference, entity_offers, field_notes, reference_of
from cables.search.query import QuerySyntaxError, parse_query
from cables.search.service import FACET_LIMIT, search
from cables.versions import versions_of
from cables.versions.listing import several_sources


@archive_cached
def home(request):
    return render(request, "cables/home.html", {**browse.overview(), "mentioned": most_mentioned()})


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
def cables_with_versions(request):
    """Cables read from several sources, each linking to its versions page."""
    return render(request, "cables/several_sources.html", several_sources(request.GET))


@archive_cached
def search_help(request):
    return render(request, "cables/search_help.html")


@archive_cached
def cable_detail(request, reference_id):
    visible_mentions = Mention.objects.exclude(status=Mention.Status.REJECTED).select_related(
        "person", "party", "election", "decided_by"
    )
    try:
        cable = Cable.objects.prefetch_related(
            "tags", "paragraphs", Prefetch("paragraphs__mentions", queryset=visible_mentions)
        ).get(reference_id=reference_id)
    except Cable.DoesNotExist:
        canonical = canonical_reference(reference_id)  # /cable/07astana2223/
        if canonical:
            return redirect("cables:cable-detail", canonical, permanent=True)
        return missing_cable_page(request, reference_id)  # 404: in the release or not at all
    terms = []
    if request.GET.get("q"):
        try:
            terms = parse_query(request.GET["q"][:500]).highlight_terms()
        except QuerySyntaxError:
            terms = []  # a broken query only loses the highlighting
    context = browse.cable_context(cable)
    for paragraph in context["paragraphs"]:
        # Escaped text with each mention linked to its entity page.
        paragraph.marked_text = linebreaksbr(
            marked_paragraph_html(paragraph, paragraph.mentions.all()), autoescape=False
        )
    context.update(
        terms=terms,
        query=request.GET.get("q", ""),
        permalink=request.build_absolute_uri(cable.get_absolute_url()),
        versions=versions_of(cable),  # the sources it was read from (cables/versions)
    )
    return render(request, "cables/cable_detail.html", context)


def old_cable_address(request, reference_id, year=None, month=None):
    """The original site's /cable/2007/08/07ASTANA2223.html and a bare /07ASTANA2223."""
    return redirect(reverse("cables:cable-detail", args=[reference_id]), permanent=True)


@archive_cached
def origins(request):
    return render(request, "cables/origins.html", {"groups": browse.origins_by_country()})


@archive_cached
def tags(request):
    return render(request, "cables/tags.html", {"tags": browse.tag_counts()})
