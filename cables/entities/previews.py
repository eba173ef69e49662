"""What a merge or a new alias would tag, shown to the curator before it is applied.

The change is made for real inside a transaction that is then rolled back (a dry run): the
preview is exactly what the tagger will do, with no second set of rules to keep in step.
Nothing of it outlives the preview: rows, history, the archive version and the upkeep that
waits for a commit all go with the rollback.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction

from cables.models import Alias, Mention

from . import curation
from .tagger import sentence_around

EXAMPLES = 8
VISIBLE = (Mention.Status.CONFIRMED, Mention.Status.SUGGESTED)


@dataclass
class Example:
    reference_id: str
    paragraph: int
    url: str
    origin: str
    text: str
    label: str
    before: str
    after: str


@dataclass
class TaggingPreview:
    """Mentions the entity gains (and the merged entities lose) when the change is applied."""

    entity: object
    gained: int = 0
    gained_cables: int = 0
    confirmed: int = 0  # of the gained, tagged without review ("auto: exact alias")
    examples: list[Example] = field(default_factory=list)
    by_method: Counter = field(default_factory=Counter)
    lost: int = 0
    lost_examples: list[Example] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def methods(self) -> list[tuple[str, int]]:
        return self.by_method.most_common()


class _RollBack(Exception):
    pass


def _keys(field_name: str, pks) -> set[tuple]:
    return set(
        Mention.objects.filter(**{f"{field_name}_id__in": list(pks)}, status__in=VISIBLE)
        .values_list("paragraph_id", "start", "end")
    )  # fmt: skip


def examples_of(mentions) -> list[Example]:
    examples = []
    for mention in mentions:
        paragraph = mention.paragraph
        if mention.end > mention.start:
            sentence = sentence_around(paragraph.text, mention.start, mention.end)
            shown = " ".join(mention.matched_text.split())
            before, _, after = sentence.partition(shown)
        else:
            shown, before, after = mention.matched_text, "signature or classified-by line: ", ""
        examples.append(
            Example(
                reference_id=paragraph.cable.reference_id,
                paragraph=paragraph.number,
                url=paragraph.get_absolute_url(),
                origin=paragraph.cable.origin,
                text=shown,
                label=mention.review_label,
                before=before,
                after=after,
            )
        )
    return examples


def _mentions(field_name: str, pks, keys: set[tuple]):
    rows = (
        Mention.objects.filter(**{f"{field_name}_id__in": list(pks)}, status__in=VISIBLE)
        .select_related("paragraph__cable", "decided_by", "person", "party", "election")
        .order_by("-status", "cable__reference_id", "paragraph__number", "start")
    )  # confirmed first: what would be shown without review
    return [m for m in rows if (m.paragraph_id, m.start, m.end) in keys]


def _dry_run(entity, change, before_pks) -> TaggingPreview:
    kind = curation.entity_field(entity)
    before = _keys(kind, [entity.pk])
    before_others = _keys(kind, set(before_pks) - {entity.pk})
    preview = TaggingPreview(entity=entity)
    try:
        with transaction.atomic():
            change()
            after = _keys(kind, [entity.pk])
            gained = _mentions(kind, [entity.pk], after - before)
            preview.gained = len(gained)
            preview.gained_cables = len({m.cable_id for m in gained})
            preview.confirmed = sum(m.status == Mention.Status.CONFIRMED for m in gained)
            preview.by_method.update(m.review_label for m in gained)
            preview.examples = examples_of(gained[:EXAMPLES])
            lost_keys = before_others - after
            preview.lost = len(lost_keys)
            raise _RollBack
    except _RollBack:
        pass
    if preview.lost:
        lost = _mentions(kind, set(before_pks) - {entity.pk}, lost_keys)
        preview.lost_examples = examples_of(lost[:EXAMPLES])
    return preview


def preview_merge(keep, others, *, user=None) -> TaggingPreview:
    """What merging `others` into `keep` would tag as `keep`."""
    model = type(keep)

    def change():
        # Copies: a merge deletes the others and saves the survivor, in memory too.
        copies = list(model.objects.filter(pk__in=[other.pk for other in others]))
        curation.merge_entities(model.objects.get(pk=keep.pk), copies, user=user)

    preview = _dry_run(keep, change, [keep.pk, *(other.pk for other in others)])
    for other in others:
        if curation.is_bare_surname(keep, other.name):
            preview.notes.append(
                f"“{other.name}” is a bare surname: it will not become an alias of {keep} (it"
                f" would tag every {other.name} as {keep}); the surname rule finds {keep}"
                " where the full name comes first."
            )
        elif other.name.lower() != keep.name.lower():
            preview.notes.append(f"“{other.name}” will become an alias of {keep}.")
    return preview


def preview_aliases(entity, aliases: list[tuple[str, str]]) -> TaggingPreview:
    """What adding these aliases (text, kind) to `entity` would tag as it."""
    kind = curation.entity_field(entity)

    def change():
        for text, alias_kind in aliases:
            Alias.objects.create(text=text, kind=alias_kind or Alias.Kind.NAME, **{kind: entity})
        curation.retag_for_texts([text for text, _ in aliases])

    return _dry_run(entity, change, [entity.pk])
