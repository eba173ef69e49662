"""Admin steps that show a curator what a change will do before it is applied.

* merge: choose the survivor, see what it will newly tag (count, examples, the names that
  become aliases and the bare surnames that do not), then confirm;
* "confirm/reject every suggested mention with the same text": the mentions grouped by the
  cables' origin, each group ticked or not, then confirm;
* a new or changed alias: what it will tag (count, examples), then confirm;
* the entity's history lists aliases and mention decisions too, and undoes bulk decisions.
"""

from __future__ import annotations

from collections import defaultdict

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from cables.models import Alias, BulkDecision, Mention

from . import bulk_decisions, curation, previews
from .history import curation_entries
from .previews import examples_of

GROUP_EXAMPLES = 5


def _context(modeladmin, request, **extra):
    return {
        **modeladmin.admin_site.each_context(request),
        "opts": modeladmin.model._meta,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        **extra,
    }


# --- Merge ---------------------------------------------------------------------------------


@admin.action(
    permissions=["change"],
    description="Merge the selected (choose the one to keep, see what it will tag, confirm)",
)
def merge_selected(modeladmin, request, queryset):
    """A page with a radio for the survivor; then the preview of the merge; then the merge."""
    entities = list(queryset.order_by("pk"))
    if len(entities) < 2:
        modeladmin.message_user(request, "Select at least two to merge.", messages.WARNING)
        return None
    keep = next((e for e in entities if str(e.pk) == request.POST.get("keep")), None)
    step = request.POST.get("post")
    if step == "yes" and keep is None:
        modeladmin.message_user(request, "Choose the one to keep.", messages.ERROR)
        return None
    others = [e for e in entities if keep is not None and e.pk != keep.pk]
    previewed = request.POST.get("previewed")
    # Merging straight away is for a survivor whose preview the curator has seen (or a
    # script that says post=yes without a preview step).
    if step != "yes" or (previewed is not None and previewed != str(keep.pk)):
        preview = previews.preview_merge(keep, others, user=request.user) if keep else None
        return TemplateResponse(
            request,
            "admin/cables/merge_entities.html",
            _context(
                modeladmin, request,
                entities=curation.merge_overview(entities),
                keep=keep, others=others, preview=preview, title="Merge",
            ),
        )  # fmt: skip
    names = ", ".join(str(other) for other in others)
    merged = curation.merge_entities(keep, others, user=request.user)
    modeladmin.message_user(request, f"Merged {merged} ({names}) into {keep}.", messages.SUCCESS)
    return None


# --- Same-text groups ----------------------------------------------------------------------


def by_origin(mentions) -> list[dict]:
    """The mentions grouped by their cable's origin, the largest group first."""
    groups: dict[str, list[Mention]] = defaultdict(list)
    for mention in mentions.select_related(
        "paragraph__cable", "person", "party", "election", "decided_by"
    ).order_by("cable__reference_id", "paragraph__number", "start"):
        groups[mention.paragraph.cable.origin].append(mention)
    return [
        {
            "origin": origin,
            "count": len(rows),
            "cables": len({m.cable_id for m in rows}),
            "examples": examples_of(rows[:GROUP_EXAMPLES]),
        }
        for origin, rows in sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
    ]


def _same_text(modeladmin, request, queryset, status):
    verb = "Confirm" if status == Mention.Status.CONFIRMED else "Reject"
    if request.POST.get("post") == "yes":
        origins = request.POST.getlist("origin")
        if not origins:
            modeladmin.message_user(
                request, "No origin was ticked: nothing decided.", messages.WARNING
            )
            return None
        count = curation.decide_same_text(queryset, status, user=request.user, origins=origins)
        modeladmin.message_user(
            request,
            f"{verb}ed {count} mentions in cables from {', '.join(origins)}."
            " The entity's history can undo it.",
            messages.SUCCESS,
        )
        return None
    same = curation.same_text_mentions(queryset)
    texts = sorted(set(same.values_list("matched_text", flat=True)))
    entities = sorted({str(m.entity) for m in same.select_related("person", "party", "election")})
    return TemplateResponse(
        request,
        "admin/cables/same_text_preview.html",
        _context(
            modeladmin, request,
            title=f"{verb} every suggested mention with the same text",
            verb=verb, status=status, texts=texts, entities=entities,
            total=same.count(), groups=by_origin(same),
            selected=[m.pk for m in queryset],
            action=request.POST.get("action"),
        ),
    )  # fmt: skip


@admin.action(
    permissions=["change"],
    description="Confirm every suggested mention with the same text and entity as the selected",
)
def confirm_same_text(modeladmin, request, queryset):
    return _same_text(modeladmin, request, queryset, Mention.Status.CONFIRMED)


@admin.action(
    permissions=["change"],
    description="Reject every suggested mention with the same text and entity as the selected",
)
def reject_same_text(modeladmin, request, queryset):
    return _same_text(modeladmin, request, queryset, Mention.Status.REJECTED)


# --- New aliases ---------------------------------------------------------------------------


def new_inline_aliases(post, entity) -> list[tuple[str, str]]:
    """(text, kind) of the alias rows an entity's change form adds or changes."""
    existing = {str(a.pk): (a.text, a.kind) for a in entity.aliases.all()} if entity else {}
    total = post.get("aliases-TOTAL_FORMS", "0")
    found = []
    for number in range(int(total) if total.isdigit() else 0):
        prefix = f"aliases-{number}-"
        text = post.get(prefix + "text", "").strip()
        kind = post.get(prefix + "kind", Alias.Kind.NAME)
        if not text or post.get(prefix + "DELETE"):
            continue
        if existing.get(post.get(prefix + "id", "")) != (text, kind):
            found.append((text, kind))
    return found


def alias_confirmation(modeladmin, request, entity, aliases):
    """The page that shows what the new aliases will tag, re-posting the form on confirm."""
    preview = previews.preview_aliases(entity, aliases)
    fields = [
        (name, value)
        for name, values in request.POST.lists()
        if name != "csrfmiddlewaretoken"
        for value in values
    ]
    return TemplateResponse(
        request,
        "admin/cables/alias_preview.html",
        _context(
            modeladmin, request,
            title=f"New aliases of {entity}", entity=entity, aliases=aliases,
            preview=preview, fields=fields,
        ),
    )  # fmt: skip


CONFIRMED = "_aliases_confirmed"


class AliasPreviewMixin:
    """An entity's change form that adds or changes aliases asks first (see module doc)."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and object_id and CONFIRMED not in request.POST:
            entity = self.get_object(request, admin.utils.unquote(object_id))
            if entity is not None and self.has_change_permission(request, entity):
                aliases = new_inline_aliases(request.POST, entity)
                if aliases:
                    return alias_confirmation(self, request, entity, aliases)
        return super().changeform_view(request, object_id, form_url, extra_context)


class AliasAdminPreviewMixin:
    """The alias admin's own form asks first too."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and CONFIRMED not in request.POST:
            form = self.get_form(request)(request.POST)
            if form.is_valid() and form.cleaned_data.get("text"):
                data = form.cleaned_data
                entity = data.get("person") or data.get("party") or data.get("election")
                old = Alias.objects.filter(pk=object_id).first() if object_id else None
                changed = old is None or (old.text, old.kind) != (data["text"], data["kind"])
                if entity is not None and changed:
                    return alias_confirmation(self, request, entity, [(data["text"], data["kind"])])
        return super().changeform_view(request, object_id, form_url, extra_context)


# --- History -------------------------------------------------------------------------------


class CurationHistoryMixin:
    """The entity's History page and its "curation history" field: every kind of change."""

    object_history_template = "admin/cables/entity_history.html"

    def history_view(self, request, object_id, extra_context=None):
        entity = self.get_object(request, admin.utils.unquote(object_id))
        extra = {"curation_entries": curation_entries(entity) if entity else []}
        return super().history_view(request, object_id, {**extra, **(extra_context or {})})

    def get_urls(self):
        name = f"{self.model._meta.app_label}_{self.model._meta.model_name}_undo_bulk"
        return [
            path(
                "<path:object_id>/undo-bulk/<int:batch_id>/",
                self.admin_site.admin_view(self.undo_bulk_view),
                name=name,
            ),
            *super().get_urls(),
        ]

    def undo_bulk_view(self, request, object_id, batch_id):
        entity = self.get_object(request, admin.utils.unquote(object_id))
        if request.method != "POST" or entity is None:
            raise PermissionDenied
        if not self.has_change_permission(request, entity):
            raise PermissionDenied
        batch = get_object_or_404(BulkDecision, pk=batch_id)
        count = bulk_decisions.undo(batch, user=request.user)
        self.message_user(request, f"Undid bulk decision #{batch.pk} ({count} mentions).")
        opts = self.model._meta
        return redirect(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[entity.pk])
        )

    @admin.display(description="curation history (who, when)")
    def curation_log(self, obj):
        if not obj.pk:
            return "-"
        entries = curation_entries(obj, limit=50)
        if not entries:
            return "no changes recorded"
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "", "<li>{} · {} · {}{}</li>",
                ((e.when.strftime("%Y-%m-%d %H:%M"), e.who, e.what, f" ({e.why})" if e.why else "")
                 for e in entries),
            ),
        )  # fmt: skip
