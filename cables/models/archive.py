"""Cables, their paragraphs, TAGS, references and provenance."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.backends.ddl_references import Statement
from django.urls import reverse

from cables.parsing.records import CLASSIFICATIONS


class ParagraphSearchVector(SearchVector):
    """The generated column of migration 0001 (`to_tsvector('english', text)`); since 0020 the
    column holds the archive's own terms, written by ingest (cables/search/words.py)."""

    def as_sqlite(self, compiler, connection, **extra_context):
        return "NULL", []


class OneVendorIndex:
    """An index made on `vendor`'s databases only; elsewhere its DDL is a no-op."""

    vendor = ""

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor != self.vendor:
            return Statement("SELECT 1")
        return super().create_sql(model, schema_editor, using=using, **kwargs)

    def remove_sql(self, model, schema_editor, **kwargs):
        if schema_editor.connection.vendor != self.vendor:
            return Statement("SELECT 1")
        return super().remove_sql(model, schema_editor, **kwargs)


class PostgresGinIndex(OneVendorIndex, GinIndex):
    """A GIN index on PostgreSQL; nothing on other backends (SQLite searches with FTS5)."""

    vendor = "postgresql"


class SqliteIndex(OneVendorIndex, models.Index):
    """A plain index on SQLite; nothing on other backends (PostgreSQL has no use for it)."""

    vendor = "sqlite"


class NewestFirstIndex(models.Index):
    """(created DESC NULLS LAST, reference_id). SQLite accepts no NULLS LAST in an index, and
    needs none: its NULLs sort first, so DESC already puts them last."""

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor == "sqlite":
            plain = models.Index(
                models.F("created").desc(), models.F("reference_id"), name=self.name
            )
            return plain.create_sql(model, schema_editor, using=using, **kwargs)
        return super().create_sql(model, schema_editor, using=using, **kwargs)


class Tag(models.Model):
    """A TAGS code (PGOV, KZ, OVIP STEINBERG JAMES) with its definition, editable in the admin."""

    class Kind(models.TextChoices):
        SUBJECT = "subject", "Subject"
        GEOGRAPHIC = "geographic", "Country or region"
        ORGANISATION = "organisation", "Organisation"
        PERSON = "person", "Person"
        PROGRAM = "program", "Program"
        OTHER = "other", "Other"

    code = models.CharField(max_length=100, unique=True)
    definition = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.code


class Cable(models.Model):
    class Classification(models.TextChoices):
        UNCLASSIFIED = CLASSIFICATIONS[0]
        UNCLASSIFIED_FOUO = CLASSIFICATIONS[1]
        CONFIDENTIAL = CLASSIFICATIONS[2]
        CONFIDENTIAL_NOFORN = CLASSIFICATIONS[3]
        SECRET = CLASSIFICATIONS[4]
        SECRET_NOFORN = CLASSIFICATIONS[5]

    reference_id = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(null=True, blank=True)
    # As the release published it, before the date-time group correction of `created`.
    created_published = models.DateTimeField(null=True, blank=True)
    released = models.DateTimeField(null=True, blank=True)
    # Denormalised from `created` for facets and per-year browsing.
    year = models.PositiveSmallIntegerField(null=True, blank=True, db_index=True)
    classification = models.CharField(
        max_length=40, choices=Classification.choices, blank=True, db_index=True
    )
    origin = models.CharField(max_length=150, blank=True, db_index=True)
    subject = models.TextField(blank=True)
    tags = models.ManyToManyField(Tag, related_name="cables", blank=True)
    signers = models.JSONField(default=list, blank=True)
    classified_by = models.TextField(blank=True)
    classification_reasons = models.JSONField(default=list, blank=True)
    declassify_on = models.DateField(null=True, blank=True)
    transmission_id = models.CharField(max_length=40, blank=True)
    precedence = models.CharField(max_length=20, blank=True)
    routing_to = models.JSONField(default=list, blank=True)
    routing_info = models.JSONField(default=list, blank=True)
    partial = models.BooleanField(default=False, db_index=True)
    summary = models.TextField(blank=True)
    header = models.TextField(blank=True, help_text="Raw routing header, as in the source.")
    body = models.TextField(blank=True, help_text="Raw body text, as in the source.")
    warnings = models.JSONField(default=list, blank=True)
    content_hash = models.CharField(
        max_length=64, blank=True, help_text="sha256 of the raw header and body stored here."
    )
    ingested_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created", "reference_id"]
        indexes = [
            models.Index(fields=["created"], name="cable_created_idx"),
            models.Index(fields=["origin", "created"], name="cable_origin_created_idx"),
            models.Index(fields=["released"], name="cable_released_idx"),
            # The search page's default order without a query (newest first, undated last):
            # the first page is read off this index instead of sorting every cable.
            NewestFirstIndex(
                models.F("created").desc(nulls_last=True),
                models.F("reference_id"),
                name="cable_newest_idx",
            ),
        ]

    def __str__(self):
        return self.reference_id

    def get_absolute_url(self):
        return reverse("cables:cable-detail", args=[self.reference_id])


class Paragraph(models.Model):
    cable = models.ForeignKey(Cable, on_delete=models.CASCADE, related_name="paragraphs")
    number = models.PositiveIntegerField()
    classification = models.CharField(max_length=12, blank=True)
    heading = models.CharField(max_length=500, blank=True)
    text = models.TextField()
    # PostgreSQL: the paragraph's terms by the archive's one tokenizer (FTS5's, words.py),
    # written with the text by ingest (`PostgresBackend.index_cables`, the bulk load's COPY).
    # SQLite: NULL (its FTS5 tables tokenize the text themselves).
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["cable", "number"]
        constraints = [
            models.UniqueConstraint(fields=["cable", "number"], name="paragraph_unique_number")
        ]
        indexes = [
            PostgresGinIndex(fields=["search_vector"], name="paragraph_search_gin"),
            # SQLite joins a search band's matches to their cables through it (it is named in
            # the band query's INDEXED BY: cables/search/sqlite.py).
            SqliteIndex(fields=["id", "cable"], name="cables_paragraph_id_cable"),
        ]

    def __str__(self):
        return f"{self.cable.reference_id} ¶{self.number}"

    def get_absolute_url(self):
        return f"{reverse('cables:cable-detail', args=[self.cable.reference_id])}#{self.anchor}"

    @property
    def anchor(self) -> str:
        return f"par{self.number}"


class Reference(models.Model):
    """A REF of a cable, by canonical reference ID; `target` is set when the archive holds it."""

    cable = models.ForeignKey(Cable, on_delete=models.CASCADE, related_name="references")
    position = models.PositiveSmallIntegerField()
    reference_id = models.CharField(max_length=64, db_index=True)
    target = models.ForeignKey(
        Cable, null=True, blank=True, on_delete=models.SET_NULL, related_name="referenced_by"
    )

    class Meta:
        ordering = ["cable", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["cable", "reference_id"], name="reference_unique_per_cable"
            )
        ]

    def __str__(self):
        return f"{self.cable.reference_id} -> {self.reference_id}"


class Source(models.Model):
    """Where a cable's text came from. A cable seen in two sources has two rows."""

    cable = models.ForeignKey(Cable, on_delete=models.CASCADE, related_name="sources")
    path = models.CharField(max_length=500)
    row = models.PositiveIntegerField(null=True, blank=True)
    format = models.CharField(max_length=30)
    sha256 = models.CharField(max_length=64)
    partial = models.BooleanField(default=False)
    is_primary = models.BooleanField(
        default=False, help_text="This source's text is the one the archive shows."
    )
    ingested_at = models.DateTimeField(auto_now=True)
    # The digest of this source's parse (`cables.ingest.incremental.content_hash`): equal to the cable's
    # `content_hash` when this source's text is the one the archive shows. Blank on rows
    # recorded before texts were kept (migration 0015).
    content_hash = models.CharField(max_length=64, blank=True)
    # This source's own text, {"header", "body", "paragraphs": [[number, marking, heading,
    # text], ...]}, kept only while it differs from the text the cable shows: a source whose
    # text is shown (every cable of a bulk load, the usual single source) costs no copy, and
    # ingest copies the shown text here before a fuller source replaces it (cables/versions.py).
    kept_text = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["cable", "-is_primary", "path"]
        indexes = [models.Index(fields=["path", "row"], name="source_path_row_idx")]

    def __str__(self):
        return f"{self.path}" + (f" row {self.row}" if self.row else "")


class ArchiveVersion(models.Model):
    """One row: a number every change readers can see raises (cables/archive_version.py).

    HTTP caching derives ETag and Last-Modified from it, so a conditional GET is answered from
    one primary-key read without running the page's queries.
    """

    number = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField()

    def __str__(self):
        return f"archive version {self.number} ({self.changed_at:%Y-%m-%d %H:%M:%S})"


class ArchiveSummary(models.Model):
    """Counts over the whole archive (per year, origin, TAG ...) as of one archive version:
    what the home, origins and TAGS pages and the facets of an unfiltered archive show, read
    in one query instead of grouping every cable (`cables/reading/selectors.py`)."""

    name = models.CharField(max_length=40, primary_key=True)
    version = models.PositiveBigIntegerField()
    data = models.JSONField()

    def __str__(self):
        return f"{self.name} (archive version {self.version})"
