"""Readers' collections: paragraphs saved with a note, shareable by an unguessable link."""

import secrets

from django.conf import settings
from django.db import models


def new_token() -> str:
    """The collection's share token: 32 URL-safe characters (192 random bits)."""
    return secrets.token_urlsafe(24)


class Collection(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cable_collections"
    )
    name = models.CharField(max_length=200)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    # Off when the owner revoked the share link (the token is renewed as well).
    sharing = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # Not by name: the two backends collate names differently; time orders alike.
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="collection_unique_name")
        ]

    def __str__(self):
        return self.name


class SavedParagraph(models.Model):
    """A paragraph in a collection, keyed the way curator decisions are (MentionDecision).

    Re-ingest deletes and recreates paragraph rows and a fuller text may renumber them, so no
    foreign key to the row: the cable's reference ID, the paragraph's number when saved, the
    hash of its normalised text (`paragraph_key`) and its opening words (`context`) find it
    again (cables/collections/locate.py). The text, subject, origin and date are kept as
    saved, shown when the paragraph or the cable is no longer there.
    """

    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="items")
    reference_id = models.CharField(max_length=64, db_index=True)
    paragraph_number = models.PositiveIntegerField()
    paragraph_key = models.CharField(
        max_length=40, help_text="SHA-1 of the paragraph's normalised text."
    )
    context = models.CharField(
        max_length=400, blank=True, help_text="The paragraph's first normalised words."
    )
    text = models.TextField(help_text="The paragraph's text when it was saved.")
    subject = models.TextField(blank=True)
    origin = models.CharField(max_length=150, blank=True)
    cable_created = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)
    saved_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["saved_at", "pk"]

    def __str__(self):
        return f"{self.reference_id} ¶{self.paragraph_number}"
