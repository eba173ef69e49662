"""Curators' changes: confirm, reject, reassign (split), merge, new aliases, accepted names.

Every change of a mention is written to `MentionDecision` (with django-simple-history, so who
and when are kept) before the mention row itself is changed: mentions are rebuilt by every
re-tagging and re-ingest, decisions are what outlives them.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, F, Q, Window

from cables.archive_version import archive_changed
from cables.models import (
    Alias,
    Cable,
    Election,
    EntitySuggestion,
    Mention,
    MentionDecision,
    Party,
    Person,
)
from cables.search.index_store import publish_on_commit

from .keys import context_key, paragraph_key
from .tagging import TaggingStats, tag_cables

ENTITY_FIELDS = ("person", "party", "election")
ENTITY_MODELS = {"person": Person, "party": Party, "election": Election}


def entity_field(entity) -> str:
    return type(entity).__name__.lower()


def _as_user(obj, user):
    if user is not None and getattr(user, "is_authenticated", False):
        obj._history_user = user
    return obj


def decision_for(mention: Mention) -> MentionDecision:
    """The decision row about this mention: found by its stable key, else by its place."""
    paragraph = mention.paragraph
    reference_id = paragraph.cable.reference_id
    key = paragraph_key(paragraph.text)
    same_text = MentionDecision.objects.filter(
        reference_id=reference_id, matched_text=mention.matched_text
    )
    decision = (
        same_text.filter(paragraph_key=key, start=mention.start).first()
        or same_text.filter(paragraph_number=paragraph.number, start=mention.start).first()
        or MentionDecision(reference_id=reference_id, matched_text=mention.matched_text)
    )
    decision.paragraph_number = paragraph.number
    decision.start = mention.start
    decision.end = mention.end
    decision.paragraph_key = key
    decision.context = context_key(paragraph.text, mention.start, mention.end)
    return decision


@transaction.atomic
def decide(mention: Mention, status: str, *, user=None, entity=None, reason: str = "") -> Mention:
    """Record a curator's verdict on one mention (optionally moving it to another entity)."""
    target = entity or mention.entity
    decision = decision_for(mention)
    decision.status = status
    for name in ENTITY_FIELDS:
        setattr(decision, name, target if entity_field(target) == name else None)
    is_user = user is not None and getattr(user, "is_authenticated", False)
    if is_user:
        decision.decided_by = user
    _as_user(decision, user)
    decision._change_reason = reason or f"{status} as {target}"
    decision.save()
    mention.status = status
    mention.decided_by = user if is_user else None
    for name in ENTITY_FIELDS:
        setattr(mention, name, target if entity_field(target) == name else None)
    mention.save(update_fields=["status", "decided_by", *ENTITY_FIELDS, "updated_at"])
    archive_changed()
    publish_on_commit()  # the index stamped with the new version
    return mention


def decide_many(mentions, status: str, *, user=None) -> int:
    count = 0
    for mention in mentions.select_related("paragraph__cable", "person", "party", "election"):
        decide(mention, status, user=user)
        count += 1
    return count


def review_queue(mentions):
    """Suggested mentions, each with how many suggested mentions share its text and entity."""
    return mentions.filter(status=Mention.Status.SUGGESTED).annotate(
        same_text=Window(
            Count("id"), partition_by=[F("matched_text"), *(F(f"{n}_id") for n in ENTITY_FIELDS)]
        )
    )


def decide_same_text(selected, status: str, *, user=None) -> int:
    """Decide every suggested mention with the same text and entity as one of `selected`."""
    fields = [f"{name}_id" for name in ENTITY_FIELDS]
    groups = set(
        Mention.objects.filter(pk__in=[m.pk for m in selected]).values_list("matched_text", *fields)
    )
    query = Q()
    for text, *ids in groups:
        query |= Q(matched_text=text, **dict(zip(fields, ids, strict=True)))
    if not query:
        return 0
    same = Mention.objects.filter(query, status=Mention.Status.SUGGESTED)
    return decide_many(same, status, user=user)


def reassign(mention: Mention, entity, *, user=None) -> Mention:
    """Split a wrong mention off: it now names `entity`, confirmed by the curator."""
    return decide(
        mention,
        Mention.Status.CONFIRMED,
        user=user,
        entity=entity,
        reason=f"moved from {mention.entity} to {entity}",
    )


def merge_overview(entities) -> list[dict]:
    """What each entity would bring to a merge: for the curator choosing the survivor."""
    return [
        {
            "entity": entity,
            "aliases": list(entity.aliases.values_list("text", flat=True)),
            "mentions": entity.mentions.count(),
            "decisions": entity.decisions.count(),
        }
        for entity in entities
    ]


@transaction.atomic
def merge_entities(keep, others, *, user=None) -> int:
    """Move the mentions, aliases and decisions of `others` to `keep`, then delete them.

    The curator chooses `keep`; the merge is recorded in its history (who, when, whom).
    """
    field = entity_field(keep)
    merged = 0
    absorbed = []
    for other in others:
        if other.pk == keep.pk or entity_field(other) != field:
            continue
        Mention.objects.filter(**{field: other}).update(**{field: keep})
        for decision in MentionDecision.objects.filter(**{field: other}):
            setattr(decision, field, keep)
            _as_user(decision, user)._change_reason = f"merged {other} into {keep}"
            decision.save()
        for alias in Alias.objects.filter(**{field: other}):
            setattr(alias, field, keep)
            _as_user(alias, user)._change_reason = f"merged {other} into {keep}"
            alias.save()
        known = {
            text.lower()
            for text in Alias.objects.filter(**{field: keep}).values_list("text", flat=True)
        }
        if other.name.lower() not in known and other.name.lower() != keep.name.lower():
            alias = Alias(text=other.name, kind=Alias.Kind.NAME, **{field: keep})
            _as_user(alias, user)._change_reason = f"merged {other} into {keep}"
            alias.save()
        absorbed.append(str(other))
        _as_user(other, user)._change_reason = f"merged into {keep}"
        other.delete()
        merged += 1
    if absorbed:
        _as_user(keep, user)._change_reason = f"kept in a merge; absorbed {', '.join(absorbed)}"
        keep.save()
        archive_changed()
        publish_on_commit()  # the index stamped with the new version
    return merged


def cables_containing(texts: list[str]) -> list[int]:
    query = Q()
    for text in texts:
        if text.strip():
            query |= Q(paragraphs__text__icontains=text.strip())
    if not query:
        return []
    return list(Cable.objects.filter(query).values_list("pk", flat=True).distinct())


def retag_for_texts(texts: list[str]) -> TaggingStats:
    """Tag again every cable with a paragraph holding one of these names."""
    return tag_cables(cables_containing(texts))


@transaction.atomic
def accept_suggestion(suggestion: EntitySuggestion, *, user=None):
    """Create the suggested person or party, with its abbreviation, and tag the archive."""
    name = suggestion.name
    abbreviations = [e["abbreviation"] for e in suggestion.examples if e.get("abbreviation")]
    abbreviation = abbreviations[0] if abbreviations else ""
    model = Person if suggestion.kind == EntitySuggestion.Kind.PERSON else Party
    entity = model.objects.filter(name__iexact=name).first()
    if entity is None:
        entity = _as_user(model(name=name), user)
        entity.save()
    if abbreviation:
        alias = Alias(
            text=abbreviation, kind=Alias.Kind.ABBREVIATION, **{entity_field(entity): entity}
        )
        _as_user(alias, user).save()
    suggestion.status = EntitySuggestion.Status.ACCEPTED
    _as_user(suggestion, user).save()
    texts = [name.split()[-1] if model is Person else name] + (
        [abbreviation] if abbreviation else []
    )
    retag_for_texts(texts)
    archive_changed()  # the new entity's page, even where no cable names it yet
    publish_on_commit()  # the index stamped with the new version
    return entity


def dismiss_suggestions(suggestions, *, user=None) -> int:
    count = 0
    for suggestion in suggestions:
        suggestion.status = EntitySuggestion.Status.DISMISSED
        _as_user(suggestion, user).save()
        count += 1
    return count
