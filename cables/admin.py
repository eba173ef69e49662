"""Admin: the archive (read-mostly) and the curation of people, parties and elections.

Only staff reach the admin; curating needs the change permission on mentions and entities.
Every curation change goes through `cables.entities.curation`, which records it as a
`MentionDecision` with history (who and when), so it outlives re-ingest and re-tagging.
"""

from django.contrib import admin, messages
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin

from cables.entities import bulk_decisions, curation
from cables.entities.admin_previews import (
    AliasAdminPreviewMixin,
    AliasPreviewMixin,
    CurationHistoryMixin,
    confirm_same_text,
    merge_selected,
    reject_same_text,
)
from cables.entities.tagger import sentence_around
from cables.entities.upkeep import curation_changed
from cables.ingest.incremental import delete_cables
from cables.lib.archive_version import archive_changed
from cables.models import (
    Alias,
    BulkDecision,
    Cable,
    Election,
    EntitySuggestion,
    Mention,
    MentionDecision,
    Paragraph,
    Party,
    Person,
    Reference,
    ReviewQueueMention,
    Source,
    Tag,
)
from cables.search.index_store import publish_on_commit

admin.site.site_header = "Cable archive curation"


class ArchiveChangeAdminMixin:
    """The admin's own writes (edits, inline aliases, deletes, history reverts) raise the
    archive version, as the curation services do for theirs: readers' cached pages go stale.

    The change form and the delete view run in a transaction: the version rises with the rows.
    The search-box suggestions are refreshed once it commits (`curation_changed`).
    """

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        archive_changed()
        curation_changed()
        publish_on_commit()  # the index stamped with the new version

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        archive_changed()
        curation_changed()
        publish_on_commit()  # the index stamped with the new version

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        archive_changed()
        curation_changed()
        publish_on_commit()  # the index stamped with the new version

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        archive_changed()
        curation_changed()
        publish_on_commit()  # the index stamped with the new version


# --- The archive, read-mostly --------------------------------------------------------------


class ParagraphInline(admin.TabularInline):
    model = Paragraph
    fields = ("number", "classification", "heading", "text")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Cable)
class CableAdmin(admin.ModelAdmin):
    list_display = ("reference_id", "created", "origin", "classification", "partial")
    list_filter = ("classification", "partial", "year")
    search_fields = ("reference_id", "subject", "origin")
    date_hierarchy = "created"
    inlines = [ParagraphInline]
    exclude = ("tags",)
    readonly_fields = [
        field.name
        for field in Cable._meta.get_fields()
        if getattr(field, "concrete", False) and not field.many_to_many and field.name != "id"
    ]

    def has_add_permission(self, request):
        return False

    # Deletes go through the ingest service, which keeps the search indexes in step.
    def delete_model(self, request, obj):
        delete_cables([obj.pk])

    def delete_queryset(self, request, queryset):
        delete_cables(queryset.values_list("pk", flat=True))


@admin.register(Tag)
class TagAdmin(ArchiveChangeAdminMixin, admin.ModelAdmin):
    list_display = ("code", "kind", "definition")
    list_filter = ("kind",)
    list_editable = ("definition",)
    search_fields = ("code", "definition")
    readonly_fields = ("code",)

    def has_add_permission(self, request):
        return False


@admin.register(Source)
class SourceAdmin(ArchiveChangeAdminMixin, admin.ModelAdmin):
    list_display = ("cable", "path", "row", "format", "partial", "is_primary", "ingested_at")
    list_filter = ("format", "partial", "is_primary")
    search_fields = ("cable__reference_id", "path")
    list_select_related = ("cable",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Reference)
class ReferenceAdmin(ArchiveChangeAdminMixin, admin.ModelAdmin):
    list_display = ("cable", "position", "reference_id", "target")
    search_fields = ("cable__reference_id", "reference_id")
    list_select_related = ("cable", "target")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# --- People, parties, elections ------------------------------------------------------------


class AliasInline(admin.TabularInline):
    model = Alias
    fields = ("text", "kind")
    extra = 1


class EntityAdmin(
    CurationHistoryMixin, AliasPreviewMixin, ArchiveChangeAdminMixin, SimpleHistoryAdmin
):
    inlines = [AliasInline]
    search_fields = ("name", "aliases__text", "note")
    prepopulated_fields = {"slug": ("name",)}
    actions = [merge_selected]
    readonly_fields = ("mention_counts", "curation_log")
    list_filter = ("country",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(mention_total=Count("mentions"))

    @admin.display(description="mentions", ordering="mention_total")
    def mention_total(self, obj):
        return obj.mention_total

    @admin.display(description="mentions by status")
    def mention_counts(self, obj):
        if not obj.pk:
            return "-"
        rows = obj.mentions.values_list("status").annotate(n=Count("id")).order_by("status")
        return ", ".join(f"{status}: {n}" for status, n in rows) or "none"

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is Alias:
            new_texts = [
                alias.text
                for alias in formset.new_objects + [a for a, _ in formset.changed_objects]
            ]
            if new_texts:
                stats = curation.retag_for_texts(new_texts)
                self.message_user(
                    request,
                    f"Tagged the archive again for {', '.join(new_texts)}: {stats.cables} cables,"
                    f" {stats.mentions} mentions.",
                    messages.INFO,
                )


@admin.register(Person)
class PersonAdmin(EntityAdmin):
    list_display = ("name", "role", "country", "mention_total")


@admin.register(Party)
class PartyAdmin(EntityAdmin):
    list_display = ("name", "country", "mention_total")


@admin.register(Election)
class ElectionAdmin(EntityAdmin):
    list_display = ("name", "kind", "date", "country", "mention_total")
    list_filter = ("kind", "country")


@admin.register(Alias)
class AliasAdmin(AliasAdminPreviewMixin, ArchiveChangeAdminMixin, SimpleHistoryAdmin):
    list_display = ("text", "kind", "entity")
    list_filter = ("kind",)
    search_fields = ("text", "person__name", "party__name", "election__name")
    autocomplete_fields = ("person", "party", "election")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        curation.retag_for_texts([obj.text])


# --- Mentions and the review queue ---------------------------------------------------------


class EntityTypeFilter(admin.SimpleListFilter):
    title = "entity type"
    parameter_name = "entity_type"

    def lookups(self, request, model_admin):
        return [("person", "Person"), ("party", "Party"), ("election", "Election")]

    def queryset(self, request, queryset):
        if self.value() in ("person", "party", "election"):
            return queryset.filter(**{f"{self.value()}__isnull": False})
        return queryset


class CableFilter(admin.SimpleListFilter):
    title = "cable"
    parameter_name = "cable"

    def lookups(self, request, model_admin):
        rows = (
            model_admin.get_queryset(request)
            .values_list("paragraph__cable__reference_id")
            .annotate(n=Count("id"))
            .order_by("-n")[:30]
        )
        return [(reference, f"{reference} ({n})") for reference, n in rows]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(paragraph__cable__reference_id=self.value())
        return queryset


@admin.action(permissions=["change"], description="Confirm the selected mentions")
def confirm_mentions(modeladmin, request, queryset):
    count = curation.decide_many(queryset, Mention.Status.CONFIRMED, user=request.user)
    modeladmin.message_user(request, f"Confirmed {count} mentions.", messages.SUCCESS)


@admin.action(permissions=["change"], description="Reject the selected mentions")
def reject_mentions(modeladmin, request, queryset):
    count = curation.decide_many(queryset, Mention.Status.REJECTED, user=request.user)
    modeladmin.message_user(request, f"Rejected {count} mentions.", messages.SUCCESS)


class MentionAdmin(ArchiveChangeAdminMixin, admin.ModelAdmin):
    list_display = ("matched_text", "entity_link", "method", "review", "sentence", "paragraph_link")
    list_filter = ("status", "method", EntityTypeFilter, "person", "party", "election", CableFilter)
    list_select_related = ("paragraph__cable", "person", "party", "election", "decided_by")
    search_fields = ("matched_text", "paragraph__cable__reference_id")
    actions = [confirm_mentions, reject_mentions]
    autocomplete_fields = ("person", "party", "election")
    raw_id_fields = ("paragraph",)
    list_per_page = 50

    def get_fields(self, request, obj=None):
        if obj is None:  # a curator adds a mention the tagger missed
            return ("paragraph", "person", "party", "election", "matched_text", "start", "end")
        return (
            "paragraph_link",
            "sentence",
            "matched_text",
            "method",
            "status",
            "person",
            "party",
            "election",
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("paragraph_link", "sentence", "matched_text", "method")

    @admin.display(description="status", ordering="status")
    def review(self, obj):
        return obj.review_label

    @admin.display(description="entity")
    def entity_link(self, obj):
        entity = obj.entity
        kind = type(entity).__name__.lower()
        url = reverse(f"admin:cables_{kind}_change", args=[entity.pk])
        return format_html('<a href="{}">{}</a> <small>({})</small>', url, entity, kind)

    @admin.display(description="sentence")
    def sentence(self, obj):
        text = obj.paragraph.text
        sentence = sentence_around(text, obj.start, obj.end)
        if obj.end <= obj.start:
            return format_html("<em>signature or classified-by line:</em> {}", obj.matched_text)
        before, _, after = sentence.partition(" ".join(obj.matched_text.split()))
        return format_html("{}<mark>{}</mark>{}", before, " ".join(obj.matched_text.split()), after)

    @admin.display(description="paragraph")
    def paragraph_link(self, obj):
        return format_html(
            '<a href="{}">{} ¶{}</a>',
            obj.paragraph.get_absolute_url(),
            obj.paragraph.cable.reference_id,
            obj.paragraph.number,
        )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.method = Mention.Method.CURATOR
            obj.matched_text = obj.matched_text or obj.paragraph.text[obj.start : obj.end]
            obj.status = Mention.Status.CONFIRMED
            obj.save()
            curation.decide(
                obj, Mention.Status.CONFIRMED, user=request.user, reason="added by curator"
            )
            return
        entity = obj.entity
        previous = Mention.objects.get(pk=obj.pk)
        if entity != previous.entity:
            curation.reassign(previous, entity, user=request.user)
        elif obj.status != previous.status:
            curation.decide(previous, obj.status, user=request.user)


admin.site.register(Mention, MentionAdmin)


@admin.register(ReviewQueueMention)
class ReviewQueueAdmin(MentionAdmin):
    """Suggested mentions, the most frequent text-and-entity pairs first.

    A curator confirms "Dzhakysebekov → Adilbek Dzhaksybekov (12 mentions)" once with the
    same-text actions instead of twelve times.
    """

    list_display = ("group", "method", "sentence", "paragraph_link")
    actions = [confirm_same_text, reject_same_text, confirm_mentions, reject_mentions]

    def get_queryset(self, request):
        # The frequency annotation must exist before the admin orders by it.
        queryset = curation.review_queue(self.model._default_manager.get_queryset())
        return queryset.order_by(*self.get_ordering(request))

    def get_ordering(self, request):
        return ("-same_text", "matched_text", "paragraph__cable__reference_id", "start")

    def has_add_permission(self, request):
        return False

    @admin.display(description="text → entity (suggested mentions)", ordering="-same_text")
    def group(self, obj):
        return format_html(
            "<strong>{}</strong> → {} <small>({} mention{})</small>",
            obj.matched_text,
            self.entity_link(obj),
            obj.same_text,
            "" if obj.same_text == 1 else "s",
        )


@admin.action(permissions=["change"], description="Undo the selected bulk decisions")
def undo_bulk_decisions(modeladmin, request, queryset):
    count = sum(bulk_decisions.undo(batch, user=request.user) for batch in queryset)
    modeladmin.message_user(request, f"Undid {count} decisions.", messages.SUCCESS)


@admin.register(BulkDecision)
class BulkDecisionAdmin(admin.ModelAdmin):
    """Bulk decisions, newest first; each can be undone (here or from the entity's history)."""

    list_display = ("description", "count", "entity", "decided_by", "decided_at", "undone_at")
    list_filter = ("status",)
    actions = [undo_bulk_decisions]
    readonly_fields = [f.name for f in BulkDecision._meta.fields if f.name != "id"]

    def has_add_permission(self, request):
        return False


@admin.register(MentionDecision)
class MentionDecisionAdmin(ArchiveChangeAdminMixin, SimpleHistoryAdmin):
    list_display = (
        "matched_text",
        "reference_id",
        "paragraph_number",
        "entity",
        "status",
        "decided_by",
        "decided_at",
    )
    list_filter = ("status",)
    search_fields = ("reference_id", "matched_text")
    readonly_fields = ("decided_by", "decided_at")


@admin.action(
    permissions=["change"], description="Accept: create the person or party and tag the archive"
)
def accept_suggestions(modeladmin, request, queryset):
    created = [
        curation.accept_suggestion(s, user=request.user) for s in queryset.filter(status="pending")
    ]
    modeladmin.message_user(
        request, f"Created {len(created)}: {', '.join(map(str, created))}.", messages.SUCCESS
    )


@admin.action(permissions=["change"], description="Dismiss the selected names")
def dismiss_suggestions(modeladmin, request, queryset):
    count = curation.dismiss_suggestions(queryset, user=request.user)
    modeladmin.message_user(request, f"Dismissed {count}.", messages.SUCCESS)


@admin.register(EntitySuggestion)
class EntitySuggestionAdmin(SimpleHistoryAdmin):
    """New names, most often seen first; accepting one creates the person or party."""

    list_display = ("name", "kind", "reason", "occurrences", "status", "where")
    readonly_fields = ("where", "occurrences")
    list_filter = ("status", "kind", "reason")
    search_fields = ("name",)
    actions = [accept_suggestions, dismiss_suggestions]

    @admin.display(description="seen in")
    def where(self, obj):
        return format_html_join(
            "",
            '<div><a href="{}">{} ¶{}</a>: {}</div>',
            (
                (
                    reverse("cables:cable-detail", args=[e["reference_id"]]) + (f"#par{e['paragraph']}" if e.get("paragraph") else ""),
                    e["reference_id"],
                    e.get("paragraph") or "TAGS",
                    e.get("context", ""),
                )
                for e in obj.examples
            ),
        )  # fmt: skip
