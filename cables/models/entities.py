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
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["paragraph", "start"]
        constraints = [
            models.CheckConstraint(
                condition=ONE_ENTITY,
                name="mention_exactly_one_entity",
            )
        ]

    def __str__(self):
        return f"{self.matched_text} in {self.paragraph_id}"

    @property
    def entity(self):
        return self.person or self.party or self.election


class MentionDecision(models.Model):
    """A curator's verdict on a mention, kept apart from the mentions themselves.

    Tagging (at ingest, `tag_entities`) deletes and recreates automatic mentions, and ingest
    recreates paragraphs when a cable's text changes. Decisions are keyed by what survives
    both, the cable's reference ID, the paragraph number and the matched text near a
    character offset, and are re-applied every time the cable is tagged.
    """

    reference_id = models.CharField(max_length=64, db_index=True)
    paragraph_number = models.PositiveIntegerField()
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
    history = HistoricalRecords()

    class Meta:
        ordering = ["status", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "name"], name="suggestion_unique_name")
        ]

    def __str__(self):
        return f"{self.name} ({self.kind})"


class ReviewQueueMention(Mention):
    """Suggested mentions, waiting for a curator: the admin's review queue."""

    class Meta:
        proxy = True
        verbose_name = "mention to review"
        verbose_name_plural = "review queue: suggested mentions"
