"""People, parties and elections, and their mentions in paragraphs."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.text import slugify
from simple_history.models import HistoricalRecords

ONE_ENTITY = (
    Q(person__isnull=False, party__isnull=True, election__isnull=True)
    | Q(person__isnull=True, party__isnull=False, election__isnull=True)
    | Q(person__isnull=True, party__isnull=True, election__isnull=False)
)


class Entity(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    country = models.CharField(max_length=100, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)[:200]
        super().save(*args, **kwargs)


class Person(Entity):
    role = models.CharField(max_length=200, blank=True, help_text="Role or title.")
    history = HistoricalRecords()

    def get_absolute_url(self):
        return reverse("entities:person-detail", args=[self.slug])


class Party(Entity):
    history = HistoricalRecords()

    class Meta(Entity.Meta):
        verbose_name_plural = "parties"

    def get_absolute_url(self):
        return reverse("entities:party-detail", args=[self.slug])


class Election(Entity):
    class Kind(models.TextChoices):
        PRESIDENTIAL = "presidential"
        PARLIAMENTARY = "parliamentary"
        LOCAL = "local"
        REFERENDUM = "referendum"
        OTHER = "other"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    date = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta(Entity.Meta):
        ordering = ["-date", "name"]

    def get_absolute_url(self):
        return reverse("entities:election-detail", args=[self.slug])


class Alias(models.Model):
    """Another name for an entity: a spelling, transliteration, abbreviation or former name."""

    class Kind(models.TextChoices):
        NAME = "name", "Name or spelling"
        ABBREVIATION = "abbreviation", "Abbreviation"
        FORMER = "former", "Former name"
        PHRASE = "phrase", "Phrase used in cables"

    text = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.NAME)
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="aliases"
    )
    party = models.ForeignKey(
        Party, null=True, blank=True, on_delete=models.CASCADE, related_name="aliases"
    )
    election = models.ForeignKey(
        Election, null=True, blank=True, on_delete=models.CASCADE, related_name="aliases"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "aliases"
        constraints = [
            models.CheckConstraint(
                condition=ONE_ENTITY,
                name="alias_exactly_one_entity",
            )
        ]

    def __str__(self):
        return self.text

    @property
    def entity(self):
        return self.person or self.party or self.election


class MentionQuerySet(models.QuerySet):
    def visible(self):
        """The mentions that pages, counts and filters show: every one but the rejected."""
        return self.filter(status__in=(Mention.Status.CONFIRMED, Mention.Status.SUGGESTED))


class Mention(models.Model):
    """A paragraph mentions an entity: found automatically or by a curator."""

    class Method(models.TextChoices):
        EXACT = "exact", "Exact alias"
        FUZZY = "fuzzy", "Fuzzy spelling"
        SURNAME = "surname", "Surname after full name"
        SIGNATURE = "signature", "Signer or classified-by line"
        CONTEXT = "context", "Election context"
        CURATOR = "curator", "Curator"

    class Status(models.TextChoices):
        SUGGESTED = "suggested"
        CONFIRMED = "confirmed"
        REJECTED = "rejected"

    paragraph = models.ForeignKey(
        "cables.Paragraph", on_delete=models.CASCADE, related_name="mentions"
    )
    # The paragraph's cable, kept here so that questions per cable (search facets and filters)
    # read the small mention table alone instead of joining millions of paragraphs.
    cable = models.ForeignKey(
        "cables.Cable", on_delete=models.CASCADE, related_name="+", editable=False
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="mentions"
    )
    party = models.ForeignKey(
        Party, null=True, blank=True, on_delete=models.CASCADE, related_name="mentions"
    )
    election = models.ForeignKey(
        Election, null=True, blank=True, on_delete=models.CASCADE, related_name="mentions"
    )
    matched_text = models.CharField(max_length=300)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    method = models.CharField(max_length=20, choices=Method.choices)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.SUGGESTED, db_index=True
    )
    # The curator whose decision this mention carries (copied from `MentionDecision` at every
    # re-tagging), so pages can say "confirmed by X" rather than a bare "confirmed".
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MentionQuerySet.as_manager()

    class Meta:
        ordering = ["paragraph", "start"]
        constraints = [
            models.CheckConstraint(
                condition=ONE_ENTITY,
                name="mention_exactly_one_entity",
            )
        ]
        indexes = [
            # The entity facets: the distinct (cable, entity) pairs of the matching cables, read
            # off the index in its order (no table rows, no sort for the DISTINCT). The foreign
            # key keeps its own index: without it the cable page on PostgreSQL was slower at
            # full size (p50 24 against 18 ms, one run each).
            models.Index(
                fields=["cable", "person", "party", "election", "status"],
                name="mention_cable_entity_idx",
            )
        ]

    def __str__(self):
        return f"{self.matched_text} in {self.paragraph_id}"

    def save(self, *args, **kwargs):
        if self.cable_id is None and self.paragraph_id is not None:
            self.cable_id = self.paragraph.cable_id
        super().save(*args, **kwargs)

    @property
    def entity(self):
        return self.person or self.party or self.election

    @property
    def review_label(self) -> str:
        """Who or what stands behind the status, in words a reader can trust.

        Exact matches on a name or alias a curator entered are confirmed automatically (the
        alias is the curator's decision); they say "auto: exact alias", not "confirmed by".
        Everything a curator decided says who did.
        """
        if self.decided_by_id:
            return f"{self.status} by {self.decided_by}"
        if self.method == self.Method.CURATOR:
            return f"{self.status} by a curator"
        if self.status == self.Status.SUGGESTED:
            return f"suggested ({self.get_method_display().lower()}), not reviewed"
        if self.status == self.Status.CONFIRMED:
            return f"auto: {AUTO_LABELS.get(self.method, self.get_method_display().lower())}"
        return self.status


AUTO_LABELS = {
    "exact": "exact alias",
    "surname": "surname after the full name",
    "signature": "signer or classified-by line",
    "context": "election date named in the text",
}


class MentionDecision(models.Model):
    """A curator's verdict on a mention, kept apart from the mentions themselves.

    Tagging (at ingest, `tag_entities`) deletes and recreates automatic mentions, and ingest
    recreates paragraphs when a cable's text changes, and a fuller text of a cable can number
    its paragraphs differently from the extract it replaces. Decisions are therefore found
    again by a stable key: the cable's reference ID, the matched text, and a hash of the
    paragraph's normalised text (`paragraph_key`) or, when the paragraph itself changed, the
    normalised words around the match (`context`). The paragraph number and offset are only
    where the decision was last seen; they are updated when it moves.
    """

    reference_id = models.CharField(max_length=64, db_index=True)
    paragraph_number = models.PositiveIntegerField()
    paragraph_key = models.CharField(
        max_length=40, blank=True, help_text="SHA-1 of the paragraph's normalised text."
    )
    context = models.CharField(
        max_length=400, blank=True, help_text="Normalised words around the matched text."
    )
    matched_text = models.CharField(max_length=300)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="decisions"
    )
    party = models.ForeignKey(
        Party, null=True, blank=True, on_delete=models.CASCADE, related_name="decisions"
    )
    election = models.ForeignKey(
        Election, null=True, blank=True, on_delete=models.CASCADE, related_name="decisions"
    )
    status = models.CharField(max_length=20, choices=Mention.Status.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    decided_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-decided_at"]
        constraints = [
            models.CheckConstraint(condition=ONE_ENTITY, name="decision_exactly_one_entity"),
            models.UniqueConstraint(
                fields=["reference_id", "paragraph_number", "start", "matched_text"],
                name="decision_unique_span",
            ),
        ]

    def __str__(self):
        return f"{self.matched_text} in {self.reference_id} ¶{self.paragraph_number}: {self.status}"

    @property
    def entity(self):
        return self.person or self.party or self.election


class EntitySuggestion(models.Model):
    """A name the archive does not know yet, waiting in the review queue."""

    class Kind(models.TextChoices):
        PERSON = "person"
        PARTY = "party"

    class Reason(models.TextChoices):
        TITLE = "title", "Name after a title"
        TAG = "tag", "Person TAG"
        PARTY_NAME = "party-name", "X Party"
        ABBREVIATION = "abbreviation", "Parenthesised abbreviation"

    class Status(models.TextChoices):
        PENDING = "pending"
        ACCEPTED = "accepted"
        DISMISSED = "dismissed"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    name = models.CharField(max_length=200)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    examples = models.JSONField(
        default=list, blank=True, help_text="Up to five places: reference ID, paragraph, context."
    )
    first_seen = models.DateTimeField(auto_now_add=True)
    occurrences = models.PositiveIntegerField(
        default=0, db_index=True, help_text="Paragraphs (or TAGS lines) the name was seen in."
    )
    history = HistoricalRecords(excluded_fields=["occurrences"])

    class Meta:
        ordering = ["status", "-occurrences", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "name"], name="suggestion_unique_name")
        ]

    def __str__(self):
        return f"{self.name} ({self.kind})"


class SuggestionPlace(models.Model):
    """One paragraph where a suggested name was seen: the queue's counts, idempotent.

    Re-tagging a cable replaces its places, so counts never grow by re-running the tagger.
    """

    suggestion = models.ForeignKey(
        EntitySuggestion, on_delete=models.CASCADE, related_name="places"
    )
    cable = models.ForeignKey(
        "cables.Cable", on_delete=models.CASCADE, related_name="suggestion_places"
    )
    paragraph_number = models.PositiveIntegerField(null=True, blank=True)

    def __str__(self):
        return f"{self.suggestion} in {self.cable_id} ¶{self.paragraph_number}"


class ReviewQueueMention(Mention):
    """Suggested mentions, waiting for a curator: the admin's review queue."""

    class Meta:
        proxy = True
        verbose_name = "mention to review"
        verbose_name_plural = "review queue: suggested mentions"


class MergedEntity(models.Model):
    """The address of an entity merged into another: `/person/amorim/` leads to the survivor.

    Merging the survivor later moves these rows on to the next survivor.
    """

    slug = models.SlugField(max_length=200)
    kind = models.CharField(max_length=20)  # person, party or election
    name = models.CharField(max_length=200)
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="merged_from"
    )
    party = models.ForeignKey(
        Party, null=True, blank=True, on_delete=models.CASCADE, related_name="merged_from"
    )
    election = models.ForeignKey(
        Election, null=True, blank=True, on_delete=models.CASCADE, related_name="merged_from"
    )
    merged_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=ONE_ENTITY, name="merged_exactly_one_entity"),
            models.UniqueConstraint(fields=["kind", "slug"], name="merged_unique_slug"),
        ]

    def __str__(self):
        return f"{self.kind}/{self.slug} -> {self.entity}"

    @property
    def entity(self):
        return self.person or self.party or self.election


class BulkDecision(models.Model):
    """One curator action that decided many mentions at once, kept so that it can be undone.

    `items` holds, per decision row it wrote, the row's state before (None when the action
    created it): undoing restores those states and tags the cables again.
    """

    description = models.CharField(max_length=300)
    status = models.CharField(max_length=20, choices=Mention.Status.choices)
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="bulk_decisions"
    )
    party = models.ForeignKey(
        Party, null=True, blank=True, on_delete=models.CASCADE, related_name="bulk_decisions"
    )
    election = models.ForeignKey(
        Election, null=True, blank=True, on_delete=models.CASCADE, related_name="bulk_decisions"
    )
    count = models.PositiveIntegerField(default=0)
    items = models.JSONField(default=list)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    decided_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip

    class Meta:
        ordering = ["-decided_at", "-pk"]

    def __str__(self):
        return self.description

    @property
    def entity(self):
        return self.person or self.party or self.election
