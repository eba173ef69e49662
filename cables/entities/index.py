"""The known entities, loaded once per tagging run: automaton, surnames, elections, countries."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from django.db.models import Count

from cables.models import Alias, Cable, Election, Party, Person, Tag
from cables.parsing.tag_table import TAG_DEFINITIONS_FILE

from .matching import (
    ELECTION,
    PARTY,
    PERSON,
    AliasMatcher,
    EntityRef,
    Pattern,
    fold,
    is_abbreviation,
)

STARTER_LIST = Path(__file__).resolve().parent.parent / "data" / "entities.json"
TAG_DEFINITIONS = TAG_DEFINITIONS_FILE
# A post belongs to a country when at least this share of its cables carry that country's tag.
ORIGIN_COUNTRY_SHARE = 0.5
# Words of origins that are not place names ("Embassy Astana", "USUN New York").
POST_WORDS = {"embassy", "consulate", "mission", "office", "usun", "usnato", "useu", "usosce",
              "usmission", "secretary", "state", "of", "the", "american", "institute", "branch",
              "general", "us", "u.s.", "interests", "section", "delegation", "to", "for", "and",
              "new", "city", "san", "santo", "port", "el", "la", "le", "st.", "saint", "de",
              "cape", "town"}  # fmt: skip


@dataclass(frozen=True)
class ElectionInfo:
    ref: EntityRef
    kind: str
    date: date | None
    country: str


@cache
def country_hints() -> dict[str, dict[str, list[str]]]:
    """Country -> the TAGS codes and posts (cable origins) that place a cable there."""
    try:
        return json.loads(STARTER_LIST.read_text(encoding="utf-8")).get("countries", {})
    except (OSError, ValueError):
        return {}


@cache
def _tag_definition_file() -> dict[str, str]:
    try:
        with TAG_DEFINITIONS.open(encoding="utf-8") as handle:
            return {
                row["code"]: row["definition"]
                for row in csv.DictReader(handle)
                if row.get("kind") == "geographic" and row.get("definition")
            }
    except (OSError, KeyError, csv.Error):
        return {}


def geographic_tags() -> dict[str, str]:
    """TAGS country code -> country name: the shipped definitions, as edited in the admin."""
    names = dict(_tag_definition_file())
    names.update(
        Tag.objects.filter(kind=Tag.Kind.GEOGRAPHIC)
        .exclude(definition="")
        .values_list("code", "definition")
    )
    return names


def surname_of(name: str) -> str | None:
    words = name.split()
    if len(words) < 2 or len(words[-1]) < 3:
        return None
    return words[-1]


class EntityIndex:
    def __init__(self) -> None:
        self.patterns: dict[str, Pattern] = {}
        self.names: dict[EntityRef, str] = {}
        self.surnames: dict[str, list[EntityRef]] = {}  # lower-cased surname -> people
        self.elections: dict[EntityRef, ElectionInfo] = {}
        self.known_words: set[str] = set()  # lower-cased words of every name and alias
        self.full_name_keys: dict[EntityRef, set[str]] = {}
        self.entity_country: dict[EntityRef, str] = {}
        # (pattern key, entity) pairs that only count in cables about the entity's country:
        # generic phrases such as "Communist Party" or "Mazhilis elections".
        self.country_scoped: set[tuple[str, EntityRef]] = set()
        # Countries come from the data: the TAGS definitions of country codes, and each post's
        # country read off the tags of the cables it sent (`prepare_origins`).
        self.country_codes = geographic_tags()
        self.origin_countries: dict[str, str | None] = {}
        self._place_words: set[str] | None = None
        # Pending multi-word names of the review queue, kept for the run (see tagging).
        self.suggestion_full_names: set[str] | None = None

        explicit: list[tuple[EntityRef, str, bool]] = []
        phrases: list[tuple[EntityRef, str]] = []
        for person in Person.objects.only("pk", "name", "country"):
            ref = EntityRef(PERSON, person.pk)
            self.names[ref] = person.name
            self.entity_country[ref] = person.country
            explicit.append((ref, person.name, False))
            surname = surname_of(person.name)
            if surname:
                self.surnames.setdefault(surname.lower(), []).append(ref)
        for party in Party.objects.only("pk", "name", "country"):
            ref = EntityRef(PARTY, party.pk)
            self.names[ref] = party.name
            self.entity_country[ref] = party.country
            explicit.append((ref, party.name, is_abbreviation(party.name)))
        for election in Election.objects.only("pk", "name", "kind", "date", "country"):
            ref = EntityRef(ELECTION, election.pk)
            self.names[ref] = election.name
            self.entity_country[ref] = election.country
            self.elections[ref] = ElectionInfo(ref, election.kind, election.date, election.country)
            explicit.append((ref, election.name, False))
        for alias in Alias.objects.only("text", "kind", "person_id", "party_id", "election_id"):
            if alias.person_id:
                ref = EntityRef(PERSON, alias.person_id)
            elif alias.party_id:
                ref = EntityRef(PARTY, alias.party_id)
            else:
                ref = EntityRef(ELECTION, alias.election_id)
            abbreviation = alias.kind == Alias.Kind.ABBREVIATION or is_abbreviation(alias.text)
            explicit.append((ref, alias.text, abbreviation))
            if alias.kind == Alias.Kind.PHRASE:
                phrases.append((ref, alias.text))

        for ref, text, abbreviation in explicit:
            self._add(text, ref, case_sensitive=abbreviation, derived=False)
            if ref.kind == PERSON and len(text.split()) > 1:
                self.full_name_keys.setdefault(ref, set()).add(fold(text))
        for surname, refs in self.surnames.items():
            for ref in refs:
                self._add(self.names[ref].split()[-1], ref, case_sensitive=False, derived=True)
            self.known_words.add(surname)
        for ref, text in phrases:
            self.country_scoped.add((fold(text), ref))
        self.matcher = AliasMatcher(self.patterns)

    def _add(self, text: str, ref: EntityRef, *, case_sensitive: bool, derived: bool) -> None:
        text = " ".join(text.split())
        if not text:
            return
        key = fold(text)
        pattern = self.patterns.get(key)
        if pattern is None:
            pattern = self.patterns[key] = Pattern(text, case_sensitive)
        elif case_sensitive and not pattern.case_sensitive and pattern.text != text:
            # The same letters as a name and as an abbreviation: the name rule is the looser.
            pass
        if any(
            existing == ref and not existing_derived
            for existing, existing_derived in pattern.targets
        ):
            return
        if derived and any(existing == ref for existing, _ in pattern.targets):
            return
        pattern.targets = [t for t in pattern.targets if t[0] != ref] + [(ref, derived)]
        self.known_words.update(word.lower().strip(".,'") for word in text.split())

    def is_full_name(self, ref: EntityRef, key: str) -> bool:
        return key in self.full_name_keys.get(ref, ())

    def prepare_origins(self, origins) -> None:
        """Learn the country of each post not seen yet: the country tag most of its cables carry.

        One grouped query for the new posts of a batch; the answer is kept for the run.
        """
        missing = {origin for origin in origins if origin and origin not in self.origin_countries}
        if not missing:
            return
        totals = dict(
            Cable.objects.filter(origin__in=missing)
            .values_list("origin")
            .annotate(n=Count("id"))
            .order_by()
        )
        best: dict[str, tuple[int, str]] = {}
        rows = (
            Cable.tags.through.objects.filter(
                cable__origin__in=missing, tag__code__in=list(self.country_codes)
            )
            .values_list("cable__origin", "tag__code")
            .annotate(n=Count("id"))
            .order_by()
        )
        for origin, code, n in rows:
            if n > best.get(origin, (0, ""))[0]:
                best[origin] = (n, code)
        for origin in missing:
            n, code = best.get(origin, (0, ""))
            share = n / totals[origin] if totals.get(origin) else 0.0
            self.origin_countries[origin] = (
                self.country_codes[code] if share >= ORIGIN_COUNTRY_SHARE else None
            )
        if self._place_words is not None:
            self._place_words.update(_origin_place_words(missing))

    def countries_of_cable(self, origin: str, tag_codes: list[str]) -> set[str]:
        """The countries a cable is about (lower-cased names): its country TAGS, its post's
        country, and the starter list's extra hints (e.g. Washington for the United States)."""
        found = {
            self.country_codes[code].lower() for code in tag_codes if code in self.country_codes
        }
        if origin and origin not in self.origin_countries:
            self.prepare_origins([origin])
        if self.origin_countries.get(origin):
            found.add(self.origin_countries[origin].lower())
        origin_lower = origin.lower()
        for country, hints in country_hints().items():
            by_tag = any(code in tag_codes for code in hints.get("tags", []))
            by_post = bool(origin_lower) and (
                country.lower() in origin_lower
                or any(post.lower() in origin_lower for post in hints.get("posts", []))
            )
            if by_tag or by_post:
                found.add(country.lower())
        return found

    def about_its_country(self, ref: EntityRef, countries: set[str]) -> bool:
        country = self.entity_country.get(ref, "")
        return not country or country.lower() in countries

    @property
    def place_words(self) -> set[str]:
        """Lower-cased words of every post (origin) and country name: not people's names."""
        if self._place_words is None:
            origins = Cable.objects.order_by().values_list("origin", flat=True).distinct()
            words = _origin_place_words(origins)
            for name in self.country_codes.values():
                words.update(word.lower() for word in name.replace(",", " ").split())
            self._place_words = words - POST_WORDS
        return self._place_words


def _origin_place_words(origins) -> set[str]:
    words = set()
    for origin in origins:
        words.update(word.lower().strip(",.") for word in str(origin).replace(",", " ").split())
    return words - POST_WORDS
