"""Where a reader's saved paragraphs are: marks on the cable page, the save page's warning,
and the stamp that makes a signed-in page's ETag change when the reader's collections do."""

from __future__ import annotations

import hashlib
from collections import defaultdict

from django.conf import settings
from django.db.models import Count, Max

from cables.collections.service import Resolved, resolve
from cables.models import Collection, SavedParagraph


def saves_in_cable(user, reference_id: str) -> list[Resolved]:
    if user is None or not user.is_authenticated:
        return []
    items = SavedParagraph.objects.filter(collection__owner=user, reference_id=reference_id)
    return [r for r in resolve(items.select_related("collection")) if r.paragraph is not None]


def saved_paragraphs(user, reference_id: str) -> dict[int, list[str]]:
    """Paragraph number (as the cable has it now) -> the names of the collections holding it."""
    marks: dict[int, list[str]] = defaultdict(list)
    for saved in saves_in_cable(user, reference_id):
        marks[saved.paragraph.number].append(saved.item.collection.name)
    return dict(marks)


def saves_of(user, paragraph) -> list[Resolved]:
    """Where the reader has saved this paragraph already (with the notes)."""
    return [
        saved
        for saved in saves_in_cable(user, paragraph.cable.reference_id)
        if saved.paragraph.pk == paragraph.pk
    ]


def reader_state(request) -> str:
    """A stamp of what a signed-in reader's pages show of their own: their collections (the
    marks of saved paragraphs) and their CSRF secret (the sign-out form's token, new at every
    sign-in)."""
    user = request.user
    items = SavedParagraph.objects.filter(collection__owner=user).aggregate(
        n=Count("id"), last=Max("updated_at")
    )
    collections = Collection.objects.filter(owner=user).aggregate(
        n=Count("id"), last=Max("updated_at")
    )
    csrf = request.COOKIES.get(settings.CSRF_COOKIE_NAME, "")
    key = f"{items}|{collections}|{csrf}"
    return hashlib.sha256(key.encode()).hexdigest()[:16]
