"""Curators' changes: confirm, reject, reassign (split), merge, new aliases, accepted names.

Every change of a mention is written to `MentionDecision` (with django-simple-history, so who
and when are kept) before the mention row itself is changed: mentions are rebuilt by every
re-tagging and re-ingest, decisions are what outlives them.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, F, Q, Window

from cables.lib.archive_version import archive_changed
from cables.models import (
    Alias,
    Cable,
    Election,
    EntitySuggestion,
    Mention,
    MentionDecision,
    MergedEntity,
    Party,
    Person,
)
from cables.search.index_store import publish_on_commit

from . import bulk_decisions
from .keys import context_key, paragraph_key
from .tagging import TaggingStats, tag_cables
from .upkeep import curation_changed

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
    _decide(mention, status, user=user, entity=entity, reason=reason)
    curation_changed()
    return mention


def _decide(mention, status, *, user=None, entity=None, reason="") -> MentionDecision:
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
    return decision


@transaction.atomic
def decide_many(mentions, status: str, *, user=None, description: str = "") -> int:
    """Decide every one of `mentions`, as one bulk decision that the history can undo."""
    mentions = list(mentions.select_related("paragraph__cable", "person", "party", "election"))
    if not mentions:
        return 0
    batch = bulk_decisions.start(mentions, status, user=user, description=description)
    for mention in mentions:
        previous = bulk_decisions.snapshot(decision_for(mention))
        reason = f"{status} as {mention.entity} (bulk decision #{batch.pk})"
        decision = _decide(mention, status, user=user, reason=reason)
        batch.items.append({"decision": decision.pk, "before": previous})
    bulk_decisions.finish(batch)
    curation_changed()
    return len(mentions)


def review_queue(mentions):
    """Suggested mentions, each with how many suggested mentions share its text and entity."""
    return mentions.filter(status=Mention.Status.SUGGESTED).annotate(
        same_text=Window(
            Count("id"), partition_by=[F("matched_text"), *(F(f"{n}_id") for n in ENTITY_FIELDS)]
        )
    )


def same_text_mentions(selected, *, origins=None):
    """Every suggested mention with the same text and entity as one of `selected` (only in
    cables from `origins`, when given)."""
    fields = [f"{name}_id" for name in ENTITY_FIELDS]
    groups = set(
        Mention.objects.filter(pk__in=[m.pk for m in selected]).values_list("matched_text", *fields)
    )
    query = Q()
    for text, *ids in groups:
        query |= Q(matched_text=text, **dict(zip(fields, ids, strict=True)))
    if not query:
        return Mention.objects.none()
    same = Mention.objects.filter(query, status=Mention.Status.SUGGESTED)
    if origins is not None:
        same = same.filter(cable__origin__in=list(origins))
    return same


def decide_same_text(selected, status: str, *, user=None, origins=None) -> int:
    """Decide every suggested mention with the same text and entity as one of `selected`."""
    same = same_text_mentions(selected, origins=origins)
    texts = sorted(set(same.values_list("matched_text", flat=True)))
    description = f"{status} every suggested “{'”, “'.join(texts)}”"
    if origins is not None:
        description += f" in cables from {', '.join(sorted(origins))}"
    return decide_many(same, status, user=user, description=description)


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

    The curator chooses `keep`; the merge is recorded in its history (who, when, whom). A
    merged name becomes an alias of `keep`, except a bare surname ("Amorim" into "Celso
    Amorim"): as an exact alias it would tag every Amorim (Jaime Amorim too) as `keep`, while
    the surname rule already finds it where `keep` is named. The cables of the merged
    mentions are tagged again, so what the merged entity's own name had tagged follows
    `keep`'s rules. The merged entities' addresses lead to `keep` (`MergedEntity`).
    """
    field = entity_field(keep)
    merged = 0
    absorbed = []
    cables = set()
    for other in others:
        if other.pk == keep.pk or entity_field(other) != field:
            continue
        reason = f"merged {other} into {keep}"
        mentions = Mention.objects.filter(**{field: other})
        cables.update(mentions.values_list("cable_id", flat=True))
        mentions.update(**{field: keep})
        for decision in MentionDecision.objects.filter(**{field: other}):
            setattr(decision, field, keep)
            _as_user(decision, user)._change_reason = reason
            decision.save()
        for alias in Alias.objects.filter(**{field: other}):
            if is_bare_surname(keep, alias.text):
                _as_user(alias, user)._change_reason = f"{reason}: a bare surname, not an alias"
                alias.delete()
                continue
            setattr(alias, field, keep)
            _as_user(alias, user)._change_reason = reason
            alias.save()
        known = {
            text.lower()
            for text in Alias.objects.filter(**{field: keep}).values_list("text", flat=True)
        }
        if (
            other.name.lower() not in known
            and other.name.lower() != keep.name.lower()
            and not is_bare_surname(keep, other.name)
        ):
            alias = Alias(text=other.name, kind=Alias.Kind.NAME, **{field: keep})
            _as_user(alias, user)._change_reason = reason
            alias.save()
        MergedEntity.objects.filter(**{field: other}).update(**{field: keep})
        MergedEntity.objects.update_or_create(
            kind=field, slug=other.slug, defaults={"name": other.name, field: keep}
        )
        absorbed.append(str(other))
        _as_user(other, user)._change_reason = f"merged into {keep}"
        other.delete()
        merged += 1
    if absorbed:
        _as_user(keep, user)._change_reason = f"kept in a merge; absorbed {', '.join(absorbed)}"
        keep.save()
        tag_cables(sorted(cables))
        archive_changed()
        curation_changed()
        publish_on_commit()  # the index stamped with the new version
    return merged


def is_bare_surname(keep, text: str) -> bool:
    """One word that is the last word of a person's name: the surname rule's, not an alias."""
    words = keep.name.split()
    return (
        entity_field(keep) == "person"
        and len(text.split()) == 1
        and len(words) > 1
        and text.strip().lower() == words[-1].lower()
    )


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
    stats = tag_cables(cables_containing(texts))
    curation_changed()
    return stats


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
