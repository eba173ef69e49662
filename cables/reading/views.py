"""Reading-room pages: thin views that validate input, call one function and render."""

from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse

from cables.coverage.views import missing_cable_page
from cables.entities.markup import marked_paragraph_html
from cables.entities.pictures import most_mentioned
from cables.lib.http_cache import archive_cached
from cables.models import Cable, Mention
from cables.reading import selectors as browse
from cables.search.lookup import canonical_reference
from cables.search.query import QuerySyntaxError, parse_query
from cables.versions import versions_of


@archive_cached
def home(request):
    return render(request, "cables/home.html", {**browse.overview(), "mentioned": most_mentioned()})


@archive_cached
def cable_detail(request, reference_id):
    visible_mentions = Mention.objects.visible().select_related(
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
