"""Collections pages: thin views over cables/collections/service.py.

Every page here is per user or per collection, and collections change without the archive
changing: none is cached (`never_cache`), unlike the reading room's `archive_cached` pages.
Owner pages answer 404 to anyone but the owner; the shared page and its exports are read-only
and need no sign-in, only the unguessable token.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cables.collections import exports, marks, service
from cables.collections.forms import NameForm, NoteForm, ParagraphForm, SaveForm
from cables.lib.rate_limits import rate_limited


def _detail_url(collection, **params) -> str:
    url = reverse("collections:detail", args=[collection.pk])
    return f"{url}?{urlencode(params)}" if params else url


@never_cache
@login_required
def collection_list(request):
    form = NameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            collection = service.create_collection(request.user, form.cleaned_data["name"])
        except service.CollectionError as error:
            form.add_error("name", str(error))
        else:
            return redirect(_detail_url(collection))
    collections = service.collections_of(request.user).annotate(item_count=Count("items"))
    status = 400 if form.errors else 200
    return render(
        request,
        "collections/list.html",
        {"collections": collections, "form": form},
        status=status,
    )


@never_cache
@login_required
def collection_detail(request, pk):
    collection = service.owned(request.user, pk)
    items = service.resolve(collection.items.all())
    saved = next((i for i in items if str(i.item.pk) == request.GET.get("saved")), None)
    return render(
        request,
        "collections/detail.html",
        {
            "collection": collection,
            "items": items,
            "saved": saved,
            "rename_form": NameForm(initial={"name": collection.name}),
            "share_url": request.build_absolute_uri(
                reverse("collections:shared", args=[collection.token])
            ),
        },
    )


@never_cache
@login_required
@require_POST
def collection_rename(request, pk):
    collection = service.owned(request.user, pk)
    form = NameForm(request.POST)
    if form.is_valid():
        try:
            service.rename_collection(collection, form.cleaned_data["name"])
        except service.CollectionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"Renamed to “{collection.name}”.")
    else:
        messages.error(request, "Give the collection a name of at most 200 characters.")
    return redirect(_detail_url(collection))


@never_cache
@login_required
@require_POST
def share_link(request, pk):
    """Revoke the share link, or replace it with a new one: the old link answers 404."""
    collection = service.owned(request.user, pk)
    sharing = request.POST.get("sharing") != "off"
    service.renew_share_link(collection, sharing=sharing)
    if sharing:
        messages.success(request, "A new share link replaces the old one, which no longer works.")
    else:
        messages.success(request, "The share link is revoked: it no longer works.")
    return redirect(_detail_url(collection))


@never_cache
@login_required
def collection_delete(request, pk):
    collection = service.owned(request.user, pk)
    if request.method == "POST":
        name = collection.name
        service.delete_collection(collection)
        messages.success(request, f"Deleted the collection “{name}”.")
        return redirect("collections:list")
    return render(request, "collections/delete.html", {"collection": collection})


@never_cache
@login_required
@require_POST
def item_note(request, pk, item_pk):
    collection = service.owned(request.user, pk)
    item = service.owned_item(collection, item_pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        service.update_note(item, form.cleaned_data["note"])
        messages.success(request, f"Note on {item} saved.")
    else:
        messages.error(request, form.errors["note"][0])
    return redirect(f"{_detail_url(collection)}#item-{item.pk}")


@never_cache
@login_required
@require_POST
def item_remove(request, pk, item_pk):
    collection = service.owned(request.user, pk)
    item = service.owned_item(collection, item_pk)
    service.remove_item(item)
    messages.success(request, f"Removed {item} from the collection.")
    return redirect(_detail_url(collection))


@never_cache
@login_required
def save(request):
    """/collections/save/?cable=07ASTANA2223&par=4: save that paragraph with a note."""
    where = ParagraphForm(request.GET)
    if not where.is_valid():
        return render(
            request, "collections/save.html", {"error": where.error_message()}, status=400
        )
    paragraph = service.find_paragraph(where.cleaned_data["cable"], where.cleaned_data["par"])
    saves = marks.saves_of(request.user, paragraph)
    form = SaveForm(request.POST or None, user=request.user, saves=saves)
    if request.method == "POST" and form.is_valid():
        try:
            collection = form.chosen() or service.create_collection(
                request.user, form.cleaned_data["new_name"]
            )
            item, _ = service.save_paragraph(
                collection,
                paragraph,
                form.cleaned_data["note"],
                replace=form.cleaned_data["replace_note"],
            )
        except service.CollectionError as error:
            form.add_error(None, str(error))
        else:
            return redirect(f"{_detail_url(collection, saved=item.pk)}#item-{item.pk}")
    return render(
        request,
        "collections/save.html",
        {"paragraph": paragraph, "cable": paragraph.cable, "form": form, "saves": saves},
        status=400 if form.errors else 200,
    )


@never_cache
def shared(request, token):
    collection = service.shared(token)
    items = service.resolve(collection.items.all())
    return render(
        request,
        "collections/shared.html",
        {
            "collection": collection,
            "items": items,
            "is_owner": collection.owner_id == request.user.pk,
        },
    )


EXPORTS = {
    "csv": ("text/csv; charset=utf-8", lambda c, items, base: exports.as_csv(items, base)),
    "json": ("application/json", exports.as_json),
    "bib": ("application/x-bibtex; charset=utf-8", lambda c, i, b: exports.as_bibtex(i, b)),
}


@never_cache
@rate_limited("collection-export", "EXPORT_RATE")
def shared_export(request, token, fmt):
    collection = service.shared(token)
    content_type, build = EXPORTS[fmt]
    items = service.resolve(collection.items.all())
    base = request.build_absolute_uri("/").rstrip("/")
    response = HttpResponse(build(collection, items, base), content_type=content_type)
    filename = f"{slugify(collection.name) or 'collection'}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
