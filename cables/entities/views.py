"""Entity pages of the reading room: readable by anyone, curated in the admin."""

from django import forms
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import select_template

from cables.lib.http_cache import archive_cached
from cables.models import Election, MergedEntity, Party, Person

from . import pages, pictures

PER_PAGE = 25


class EntityPageForm(forms.Form):
    order = forms.ChoiceField(
        choices=[("newest", "Newest first"), ("oldest", "Oldest first")], required=False
    )
    page = forms.IntegerField(min_value=1, required=False)


def _entity_detail(request, model, slug):
    entity = model.objects.filter(slug=slug).first()
    if entity is None:
        # A merged entity's address leads to the survivor. 302, not 301: a curator may later
        # give the address to a new entity, and browsers keep a 301 for good.
        merged = get_object_or_404(MergedEntity, kind=pages.kind_of(model()), slug=slug)
        query = request.META.get("QUERY_STRING", "")
        return redirect(merged.entity.get_absolute_url() + (f"?{query}" if query else ""))
    form = EntityPageForm(request.GET or None)
    order, page_number = "newest", 1
    if form.is_valid():
        order = form.cleaned_data["order"] or "newest"
        page_number = form.cleaned_data["page"] or 1
    drawn = pictures.entity_pictures(entity)
    paragraphs = pages.entity_paragraphs(entity, newest_first=order == "newest")
    counted = pages.CountedParagraphs(paragraphs, drawn.paragraphs)
    page = Paginator(counted, PER_PAGE).get_page(page_number)
    context = {
        "base_template": select_template(["base.html", "entities/_base.html"]),
        "entity": entity,
        "kind": pages.kind_of(entity),
        "aliases": entity.aliases.all(),
        "form": form,
        "order": order,
        "page": page,
        "rows": pages.page_rows(entity, page.object_list),
        "co_mentioned": drawn.co_mentioned,
        "timeline": drawn.timeline,
        "timeline_max": pages.max_count(drawn.timeline),
        "timeline_chart": pictures.timeline_chart(entity, drawn),
        "pictures": drawn,
    }
    return render(request, "entities/entity_detail.html", context)


@archive_cached
def person_detail(request, slug):
    return _entity_detail(request, Person, slug)


@archive_cached
def party_detail(request, slug):
    return _entity_detail(request, Party, slug)


@archive_cached
def election_detail(request, slug):
    return _entity_detail(request, Election, slug)
