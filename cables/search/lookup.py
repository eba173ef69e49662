"""What a person types, resolved to what the archive holds.

- A reference ID typed alone in a search box (`07ASTANA2223`, `07astana2223`) is the cable:
  the search page goes straight to its page, or to its "not in the archive" page when the
  release has it and the archive does not.
- A field value (`person:abilov`, `person:"Bulat Abilov"`, `person:Nazarbaev`) names entities
  by slug, name, alias or surname, in any case. A surname shared by several people matches
  all of them (as a field typed twice matches either value) and the page lists them, each a
  link to search for that one alone.
- Text that is exactly an entity's name or alias (`Nazarbaev`) is offered as a search for
  the entity's cables: a "Search as person: …" line beside the text results, never an
  expansion of the text search itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Q
from django.utils.text import slugify

from cables.lib.release import release_entry
from cables.models import Cable, Election, Mention, Party, Person

from .query import ParsedQuery, Phrase, Term

# Two digits of year, letters (the post), then the serial: what the release's IDs look like
# (`07ASTANA2223`, `06SECTION01OF02HARARE628`, and `7575LIBREVILLE1895`, garbled).
REFERENCE_RE = re.compile(r"\d{2,4}[A-Z][A-Z0-9-]*\d")
ENTITY_MODELS = {"person": Person, "party": Party, "election": Election}
ENTITY_LABELS = {"person": "person", "party": "party", "election": "election"}


def reference_of(query: str) -> str | None:
    """The reference ID a query is, written as the release writes it (upper case), if the
    archive or the release has a cable of that ID; else None (the query is searched)."""
    candidate = query.strip().upper()
    if not REFERENCE_RE.fullmatch(candidate):
        return None
    if Cable.objects.filter(reference_id=candidate).exists():
        return candidate
    if release_entry(candidate) is not None:
        return candidate
    return None


def canonical_reference(reference_id: str) -> str | None:
    """The ID as the release writes it (upper case) when it was typed in another case and the
    archive or the release has it; else None."""
    upper = reference_id.upper()
    if upper == reference_id:
        return None
    if Cable.objects.filter(reference_id=upper).exists() or release_entry(upper) is not None:
        return upper
    return None


def matching_entities(kind: str, value: str, using: str = "default") -> list:
    """The entities of `kind` a typed value names: by slug, name or alias in any case; failing
    those, by surname (the last word of the name). Ordered by name."""
    model = ENTITY_MODELS[kind]
    text = " ".join(value.split())
    slug = slugify(text)
    if not text:
        return []
    entities = model.objects.using(using)
    exact = Q(name__iexact=text) | Q(aliases__text__iexact=text) | Q(slug__iexact=text)
    if slug:
        exact |= Q(slug=slug)
    found = list(entities.filter(exact).distinct().order_by("name"))
    if found or not slug:
        return found
    by_surname = Q(name__iendswith=f" {text}") | Q(slug__endswith=f"-{slug}")
    return list(entities.filter(by_surname).distinct().order_by("name"))


def named_entity_ids(kind: str, values, using: str = "default") -> list[int]:
    """The ids of every entity the typed values name (see `matching_entities`)."""
    return sorted({e.id for value in values for e in matching_entities(kind, value, using)})


@dataclass
class FieldNote:
    """A typed entity field that named no entity or several, said on the search page."""

    kind: str
    typed: str
    entities: list

    @property
    def label(self) -> str:
        return ENTITY_LABELS[self.kind]


def field_notes(parsed: ParsedQuery) -> list[FieldNote]:
    notes = []
    for kind in ENTITY_MODELS:
        for value in parsed.filters.get(kind, []):
            entities = matching_entities(kind, value)
            if len(entities) != 1:
                notes.append(FieldNote(kind, value, entities))
    return notes


@dataclass
class EntityOffer:
    """The "Search as person: Nursultan Nazarbayev (N cables)" line: the facet link for an entity
    whose name or alias is the whole text of the query."""

    kind: str
    entity: object
    cables: int

    @property
    def label(self) -> str:
        return ENTITY_LABELS[self.kind]


def entity_offers(parsed: ParsedQuery) -> list[EntityOffer]:
    """The entities whose name or alias is exactly the query's text (one word or one phrase,
    nothing else typed), with their cables (confirmed or suggested mentions)."""
    text = parsed.text
    if parsed.excluded or parsed.has_field_filters:
        return []
    if isinstance(text, Term) and not text.prefix:
        words = text.word
    elif isinstance(text, Phrase):
        words = " ".join(text.words)
    else:
        return []
    offers = []
    for kind, model in ENTITY_MODELS.items():
        named = Q(name__iexact=words) | Q(aliases__text__iexact=words)
        for entity in model.objects.filter(named).distinct().order_by("name")[:5]:
            cables = (
                Mention.objects.visible()
                .filter(**{kind: entity})
                .values("cable_id")
                .distinct()
                .count()
            )
            if cables:
                offers.append(EntityOffer(kind, entity, cables))
    return offers
