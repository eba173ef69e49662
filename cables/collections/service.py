"""Collections: save a paragraph with a note, rename, delete, and read items back resolved.

Only the owner changes a collection: every function that writes takes the owner and looks
the collection up through them, so another user's collection is simply not found (404).
Collections change no page anonymous readers see: the archive version is left alone.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse

from cables.collections.locate import Current, Saved, locate, opening_words
from cables.entities.keys import normalise, paragraph_key
from cables.models import Cable, Collection, Paragraph, SavedParagraph
from cables.models.collections import new_token

MAX_COLLECTIONS = 200
MAX_ITEMS = 2000
# The largest primary key either backend stores: a longer number in a URL is simply not found
# (instead of an overflow error from the database driver).
MAX_PK = 2**63 - 1


class CollectionError(ValueError):
    """A request the reader can correct; the message says how."""


def collections_of(user):
    return Collection.objects.filter(owner=user)


def owned(user, pk) -> Collection:
    """The user's collection `pk`; anyone else's, or none, is a 404."""
    try:
        if not 0 < int(pk) <= MAX_PK:
            raise Collection.DoesNotExist
        return collections_of(user).get(pk=pk)
    except (Collection.DoesNotExist, ValueError):
        raise Http404("No such collection.") from None


def shared(token: str) -> Collection:
    try:
        return Collection.objects.get(token=token, sharing=True)
    except Collection.DoesNotExist:
        raise Http404("No such collection.") from None


def create_collection(user, name: str) -> Collection:
    name = name.strip()
    if not name:
        raise CollectionError("Give the collection a name.")
    if collections_of(user).count() >= MAX_COLLECTIONS:
        raise CollectionError(f"You have {MAX_COLLECTIONS} collections, the most allowed.")
    try:
        with transaction.atomic():
            return Collection.objects.create(owner=user, name=name)
    except IntegrityError:
        raise CollectionError(f"You already have a collection named “{name}”.") from None


def rename_collection(collection: Collection, name: str) -> Collection:
    name = name.strip()
    if not name:
        raise CollectionError("Give the collection a name.")
    if collections_of(collection.owner).filter(name=name).exclude(pk=collection.pk).exists():
        raise CollectionError(f"You already have a collection named “{name}”.")
    collection.name = name
    collection.save(update_fields=["name", "updated_at"])
    return collection


def renew_share_link(collection: Collection, *, sharing: bool = True) -> Collection:
    """A new share token (the old link answers 404 from now on); `sharing=False` revokes the
    link without giving a new one."""
    collection.token = new_token()
    collection.sharing = sharing
    collection.save(update_fields=["token", "sharing", "updated_at"])
    return collection


def delete_collection(collection: Collection) -> None:
    collection.delete()


def find_paragraph(reference_id: str, number: int) -> Paragraph:
    paragraph = (
        Paragraph.objects.select_related("cable")
        .filter(cable__reference_id=reference_id, number=number)
        .first()
    )
    if paragraph is None:
        raise Http404(f"The archive has no paragraph {number} in cable {reference_id}.")
    return paragraph


class NoteConflict(CollectionError):
    """The paragraph is saved there already with another note: replacing it needs a yes."""


@transaction.atomic
def save_paragraph(collection: Collection, paragraph: Paragraph, note: str, *, replace=False):
    """Save `paragraph` to `collection` with `note`; the same paragraph saved again keeps one
    item. A new note replaces a different saved one only with `replace` (else NoteConflict);
    an empty note keeps the saved one. Returns (item, created)."""
    cable = paragraph.cable
    for item in resolve(collection.items.filter(reference_id=cable.reference_id)):
        if item.paragraph is not None and item.paragraph.pk == paragraph.pk:
            saved, note = item.item.note, note.strip()
            if note and saved and note != saved and not replace:
                raise NoteConflict(
                    f"¶{paragraph.number} is already in “{collection.name}” with the note"
                    f" “{saved}”. Tick “Replace the saved note” to replace it."
                )
            if note and note != saved:
                item.item.note = note
                item.item.save(update_fields=["note", "updated_at"])
            return item.item, False
    if collection.items.count() >= MAX_ITEMS:
        raise CollectionError(f"A collection holds at most {MAX_ITEMS} paragraphs.")
    item = SavedParagraph.objects.create(
        collection=collection,
        reference_id=cable.reference_id,
        paragraph_number=paragraph.number,
        paragraph_key=paragraph_key(paragraph.text),
        context=opening_words(paragraph.text),
        text=paragraph.text,
        subject=cable.subject,
        origin=cable.origin,
        cable_created=cable.created,
        note=note.strip(),
    )
    collection.save(update_fields=["updated_at"])
    return item, True


def update_note(item: SavedParagraph, note: str) -> SavedParagraph:
    item.note = note.strip()
    item.save(update_fields=["note", "updated_at"])
    return item


def remove_item(item: SavedParagraph) -> None:
    item.delete()


def owned_item(collection: Collection, pk) -> SavedParagraph:
    try:
        if not 0 < int(pk) <= MAX_PK:
            raise SavedParagraph.DoesNotExist
        return collection.items.get(pk=pk)
    except (SavedParagraph.DoesNotExist, ValueError):
        raise Http404("No such paragraph in this collection.") from None


@dataclass
class Resolved:
    """A saved item with where it stands now: its cable and paragraph, or None when gone."""

    item: SavedParagraph
    cable: Cable | None
    paragraph: Paragraph | None

    @property
    def number(self) -> int:
        return self.paragraph.number if self.paragraph else self.item.paragraph_number

    @property
    def text(self) -> str:
        """The paragraph's text now, or as saved when the cable no longer has it."""
        return self.paragraph.text if self.paragraph else self.item.text

    @property
    def changed(self) -> bool:
        """The text now differs in its words from the text saved (a fuller source)."""
        return self.paragraph is not None and normalise(self.paragraph.text) != normalise(
            self.item.text
        )

    @property
    def subject(self) -> str:
        return self.cable.subject if self.cable else self.item.subject

    @property
    def origin(self) -> str:
        return self.cable.origin if self.cable else self.item.origin

    @property
    def created(self):
        return self.cable.created if self.cable else self.item.cable_created

    @property
    def classification(self) -> str:
        return self.cable.classification if self.cable else ""

    @property
    def path(self) -> str:
        """The paragraph's permalink path (the cable's page when the paragraph is gone)."""
        cable_path = reverse("cables:cable-detail", args=[self.item.reference_id])
        return f"{cable_path}#par{self.number}" if self.paragraph else cable_path


def resolve(items) -> list[Resolved]:
    """Each item with its current paragraph: two queries however many items."""
    items = list(items)
    references = {item.reference_id for item in items}
    cables = {
        cable.reference_id: cable
        for cable in Cable.objects.filter(reference_id__in=references).only(
            "reference_id", "subject", "origin", "created", "classification"
        )
    }
    paragraphs: dict[int, list[Paragraph]] = defaultdict(list)
    rows = Paragraph.objects.filter(cable__in=list(cables.values())).order_by("cable_id", "number")
    for paragraph in rows.only("cable_id", "number", "text", "classification"):
        paragraphs[paragraph.cable_id].append(paragraph)
    resolved = []
    for item in items:
        cable = cables.get(item.reference_id)
        paragraph = None
        if cable is not None:
            current = {p.number: p for p in paragraphs[cable.pk]}
            found = locate(
                Saved(item.paragraph_number, item.paragraph_key, item.text),
                [Current(p.number, p.text) for p in current.values()],
            )
            paragraph = current[found.number] if found else None
        resolved.append(Resolved(item, cable, paragraph))
    return resolved
