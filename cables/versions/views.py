"""The versions page of a cable: two of its sources' texts compared paragraph by paragraph."""

from django.shortcuts import get_object_or_404, render

from cables.lib.http_cache import archive_cached
from cables.models import Cable
from cables.versions import SameVersion, VersionNotFound, comparison, versions_of
from cables.versions.forms import VersionsForm
from cables.versions.listing import several_sources

TEMPLATE = "cables/cable_versions.html"


@archive_cached
def cable_versions(request, reference_id):
    cable = get_object_or_404(Cable, reference_id=reference_id)
    form = VersionsForm(request.GET)
    context = {"cable": cable, "form": form}
    if not form.is_valid():
        context.update(error=form.error_message(), versions=versions_of(cable))
        return render(request, TEMPLATE, context, status=400)
    try:
        result = comparison(cable, form.cleaned_data["a"], form.cleaned_data["b"])
    except VersionNotFound as error:
        context.update(error=str(error), versions=versions_of(cable))
        return render(request, TEMPLATE, context, status=404)
    except SameVersion as error:
        context.update(error=str(error), versions=versions_of(cable))
        return render(request, TEMPLATE, context, status=400)
    if result is None:
        context["versions"] = versions_of(cable)
    else:
        context.update(comparison=result, versions=result.versions)
    return render(request, TEMPLATE, context)


@archive_cached
def cables_with_versions(request):
    """Cables read from several sources, each linking to its versions page."""
    return render(request, "cables/several_sources.html", several_sources(request.GET))
