"""The cables read from several sources (an original page and a cables.csv row, a mirror's
extract...), for the page that lists them: each links to its versions page, where the texts
are compared."""

from __future__ import annotations

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Count, Q
from django.http import Http404

from cables.models import Cable

PER_PAGE = 100


def several_sources(params) -> dict:
    """{"page", "total"}: the cables with two sources or more, by reference ID,
    with their number of sources and of sources whose text differs from the shown one.
    Raises Http404 for a page past the end."""
    cables = (
        Cable.objects.annotate(
            source_count=Count("sources"),
            differing=Count("sources", filter=Q(sources__kept_text__isnull=False)),
        )
        .filter(source_count__gte=2)
        .only("reference_id", "subject", "created", "origin")
        .order_by("reference_id")
    )
    paginator = Paginator(cables, PER_PAGE)
    try:
        page = paginator.page(params.get("page") or 1)
    except (EmptyPage, PageNotAnInteger) as error:
        raise Http404(str(error)) from None
    return {"page": page, "total": paginator.count}
