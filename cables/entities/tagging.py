"""Tag paragraphs with the people, parties and elections they mention.

`tag_cables` is called by ingest for every cable whose paragraphs it (re)wrote, inside the
ingest transaction, and by `manage.py tag_entities` for the whole archive. It replaces the
cables' mentions with fresh ones and then re-applies the curators' decisions
(`MentionDecision`), so re-tagging never duplicates a mention and a confirmed or rejected
mention keeps its status.
"""

from __future__ import annotations

import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count
from rapidfuzz.distance import JaroWinkler

from cables.archive_version import archive_changed
from cables.models import (
    Cable,
    EntitySuggestion,
    Mention,
    MentionDecision,
    Paragraph,
    SuggestionPlace,
)
from cables.search.index_store import publish_on_commit

from .elections import find_elections
from .index import EntityIndex
from .keys import context_key, paragraph_key
from .matching import PERSON, EntityRef, fold
from .suggestions import find_candidates, person_from_tag

CAPITALISED_WORD = re.compile(r"\b[A-Z][a-z]{5,}(?:-[A-Z]?[a-z]+)?\b")
FUZZY_THRESHOLD = 0.93
FUZZY_MIN_LENGTH = 6
EXAMPLES_KEPT = 5
CONTEXT_CHARS = 80

Method = Mention.Method
Status = Mention.Status


@dataclass
class TaggingStats:
    cables: int = 0
    paragraphs: int = 0
    mentions: int = 0
    suggestions: int = 0
    decisions_applied: int = 0
    seconds: float = 0.0
    by_method: Counter = field(default_factory=Counter)

    def add(self, other: TaggingStats) -> None:
        self.cables += other.cables
        self.paragraphs += other.paragraphs
        self.mentions += other.mentions
        self.suggestions += other.suggestions
        self.decisions_applied += other.decisions_applied
        self.seconds += other.seconds
        self.by_method.update(other.by_method)

    @property
    def paragraphs_per_second(self) -> float:
        return self.paragraphs / self.seconds if self.seconds else 0.0

    def line(self) -> str:
        methods = ", ".join(f"{name} {count}" for name, count in sorted(self.by_method.items()))
        return (
            f"{self.cables} cables, {self.paragraphs} paragraphs, {self.mentions} mentions"
            f" ({methods or 'none'}), {self.suggestions} new names for review,"
            f" {self.decisions_applied} curator decisions applied,"
            f" {self.paragraphs_per_second:.0f} paragraphs/second"
        )


@dataclass
class Found:
    """A mention before it becomes a row."""

    paragraph: Paragraph
    ref: EntityRef
    start: int
    end: int
    text: str
    method: str
    status: str
    decided_by_id: int | None = None

    def to_mention(self) -> Mention:
        return Mention(
            paragraph=self.paragraph,
            cable_id=self.paragraph.cable_id,
            matched_text=self.text[:300],
            start=self.start,
            end=self.end,
            method=self.method,
            status=self.status,
            decided_by_id=self.decided_by_id,
            **{f"{self.ref.kind}_id": self.ref.pk},
        )


class FuzzyNames:
    """Spelling variants of known surnames (`Dzhakysebekov` for Dzhaksybekov)."""

    def __init__(self, index: EntityIndex):
        self.index = index
        self.surnames = {
            surname: refs for surname, refs in index.surnames.items() if len(refs) == 1
        }
        self.cache: dict[str, EntityRef | None] = {}

    def lookup(self, word: str) -> EntityRef | None:
        if word in self.cache:
            return self.cache[word]
        key = word.lower()
        best: tuple[float, EntityRef | None] = (0.0, None)
        if len(key) >= FUZZY_MIN_LENGTH and key not in self.index.known_words:
            for surname, refs in self.surnames.items():
                if surname[0] != key[0] or abs(len(surname) - len(key)) > 2:
                    continue
                score = JaroWinkler.normalized_similarity(key, surname)
                if score >= FUZZY_THRESHOLD and score > best[0]:
                    best = (score, refs[0])
        self.cache[word] = best[1]
        return best[1]


class CableTagger:
    def __init__(self, index: EntityIndex):
        self.index = index
        self.fuzzy = FuzzyNames(index)

    def tag(
        self, cable: Cable, paragraphs: list[Paragraph], tag_codes: list[str]
    ) -> tuple[list[Found], list[tuple[str, str, str, dict]]]:
        index = self.index
        found: list[Found] = []
        suggestions: list[tuple[str, str, str, dict]] = []
        named_in_full: set[EntityRef] = set()
        countries = index.countries_of_cable(cable.origin, tag_codes)
        cable_year = year_of_reference(cable.reference_id)
        for paragraph in paragraphs:
            text = paragraph.text
            covered: list[tuple[int, int]] = []
            in_paragraph: list[Found] = []
            for hit in index.matcher.find(text):
                resolved = self._resolve(hit, named_in_full, cable, countries)
                covered.append((hit.start, hit.end))
                if resolved is None:
                    continue
                ref, method, status = resolved
                in_paragraph.append(
                    Found(paragraph, ref, hit.start, hit.end, hit.text, method, status)
                )
            # Most paragraphs hold no spelling variant: look each distinct word up once and
            # walk the matches only when one is found.
            words = set(CAPITALISED_WORD.findall(text))
            variants = any(self.fuzzy.lookup(word) for word in words)
            for match in CAPITALISED_WORD.finditer(text) if variants else ():
                ref = self.fuzzy.lookup(match.group())
                # A spelling variant counts only where the person belongs: in a cable about
                # their country, or one that names them in full.
                if ref is None or not (
                    ref in named_in_full or index.about_its_country(ref, countries)
                ):
                    continue
                start, end = match.span()
                if not any(start < c_end and c_start < end for c_start, c_end in covered):
                    covered.append((start, end))
                    in_paragraph.append(
                        Found(
                            paragraph,
                            ref,
                            start,
                            end,
                            match.group(),
                            Method.FUZZY,
                            Status.SUGGESTED,
                        )
                    )
            mentioned = {f.ref for f in in_paragraph}
            for hit in find_elections(
                text, index=index, countries=countries, created=cable.created, cable_year=cable_year
            ):
                overlaps = any(
                    hit.start < c_end and c_start < hit.end for c_start, c_end in covered
                )
                if hit.election.ref in mentioned or overlaps:
                    continue
                status = Status.CONFIRMED if hit.explicit_date else Status.SUGGESTED
                in_paragraph.append(
                    Found(
                        paragraph,
                        hit.election.ref,
                        hit.start,
                        hit.end,
                        hit.text,
                        Method.CONTEXT,
                        status,
                    )
                )
            for candidate in find_candidates(text, index=index, covered=covered):
                example = self._example(cable, paragraph, candidate.start, candidate.end)
                if candidate.abbreviation:
                    example["abbreviation"] = candidate.abbreviation
                suggestions.append((candidate.kind, candidate.name, candidate.reason, example))
            found.extend(sorted(in_paragraph, key=lambda f: f.start))
        if paragraphs:
            found.extend(self._signatures(cable, paragraphs[-1], found))
        for code in tag_codes:
            name = person_from_tag(code)
            if name and name.split()[-1].lower() not in index.surnames:
                example = {"reference_id": cable.reference_id, "paragraph": None, "context": code}
                suggestions.append(("person", name, "tag", example))
        return found, suggestions

    def _resolve(self, hit, named_in_full: set[EntityRef], cable: Cable, countries: set[str]):
        """Which entity a hit stands for, how it was found, and its status.

        The choice (issue 5, "nothing unreviewed is shown as confirmed"):

        * a name or alias a curator entered (the starter list is curated too) matched exactly
          is confirmed automatically: the alias *is* the curator's decision. Pages say
          "auto: exact alias" for it, never "confirmed by" (`Mention.review_label`). This
          includes single-word aliases a curator wrote down on purpose ("Tokayev", "Putin");
        * a surname merely derived from a full name is confirmed only when the full name
          appears earlier in the same cable (method `surname`); alone, in a cable about the
          person's country, it is suggested; elsewhere it is not tagged;
        * spelling variants are always suggested (`FuzzyNames`).
        """
        index = self.index
        key = fold(hit.text)
        explicit = [
            ref
            for ref, derived in hit.pattern.targets
            if not derived
            and ((key, ref) not in index.country_scoped or index.about_its_country(ref, countries))
        ]
        derived = [ref for ref, is_derived in hit.pattern.targets if is_derived]
        if explicit:
            refs = explicit
            if refs[0].kind == "election" and len(refs) > 1:
                refs = self._nearest_election(refs, cable)
            if len(refs) != 1:
                return None
            ref = refs[0]
            if ref.kind == PERSON and index.is_full_name(ref, fold(hit.text)):
                named_in_full.add(ref)
            return ref, Method.EXACT, Status.CONFIRMED
        earlier = [ref for ref in derived if ref in named_in_full]
        if len(earlier) == 1:
            return earlier[0], Method.SURNAME, Status.CONFIRMED
        if len(derived) == 1 and index.about_its_country(derived[0], countries):
            # A surname with no full name earlier in the cable, in a cable about their
            # country: probably them, not certainly.
            return derived[0], Method.SURNAME, Status.SUGGESTED
        return None

    def _nearest_election(self, refs: list[EntityRef], cable: Cable) -> list[EntityRef]:
        if not cable.created:
            return []
        day = cable.created.date()
        dated = [
            (abs((self.index.elections[ref].date - day).days), ref)
            for ref in refs
            if self.index.elections[ref].date
        ]
        dated.sort(key=lambda pair: pair[0])
        return [dated[0][1]] if dated and dated[0][0] <= 400 else []

    def _signatures(self, cable: Cable, last: Paragraph, found: list[Found]) -> list[Found]:
        """Signers and the classified-by line, attached to the last paragraph, zero-width."""
        people: dict[EntityRef, str] = {}
        for signer in cable.signers or []:
            refs = self.index.surnames.get(str(signer).strip().lower(), [])
            if len(refs) == 1:
                people.setdefault(refs[0], str(signer).strip())
        if cable.classified_by:
            for hit in self.index.matcher.find(cable.classified_by):
                refs = [ref for ref, _ in hit.pattern.targets if ref.kind == PERSON]
                if len(refs) == 1:
                    people.setdefault(refs[0], hit.text)
        end = len(last.text)
        return [
            Found(last, ref, end, end, text, Method.SIGNATURE, Status.CONFIRMED)
            for ref, text in people.items()
        ]

    @staticmethod
    def _example(cable: Cable, paragraph: Paragraph, start: int, end: int) -> dict:
        text = paragraph.text
        context = " ".join(text[max(0, start - CONTEXT_CHARS) : end + CONTEXT_CHARS].split())
        return {
            "reference_id": cable.reference_id,
            "paragraph": paragraph.number,
            "context": context,
        }


def year_of_reference(reference_id: str) -> int | None:
    """`05ALMATY4123` -> 2005 (cables run from 1966 to 2010)."""
    digits = reference_id[:2]
    if not digits.isdigit():
        return None
    year = int(digits)
    return 2000 + year if year <= 10 else 1900 + year


def sentence_around(text: str, start: int, end: int) -> str:
    """The sentence holding text[start:end], whitespace folded."""
    left = max(text.rfind(". ", 0, start), text.rfind("\n\n", 0, start))
    right_candidates = [i for i in (text.find(". ", end), text.find("\n\n", end)) if i != -1]
    right = min(right_candidates) + 1 if right_candidates else len(text)
    return " ".join(text[left + 1 if left >= 0 else 0 : right].split())


class _CableText:
    """A cable's paragraphs with their stable keys, computed only when a decision asks."""

    def __init__(self, paragraphs: list[Paragraph]):
        self.paragraphs = paragraphs
        self._keys: dict[int, str] = {}

    def key(self, paragraph: Paragraph) -> str:
        if paragraph.pk not in self._keys:
            self._keys[paragraph.pk] = paragraph_key(paragraph.text)
        return self._keys[paragraph.pk]

    def by_number(self, number: int) -> Paragraph | None:
        return next((p for p in self.paragraphs if p.number == number), None)


def _locate(decision: MentionDecision, items: list[Found], text: _CableText) -> Found | None:
    """The fresh mention a decision is about: same words, found by the stable key first.

    Order: the same paragraph text (hash), then the same words around the match (the
    paragraph was edited or split), then, for decisions older than the stable keys, the
    paragraph number. A keyed decision never falls back to the number: after renumbering the
    old number points at another paragraph.
    """
    if not items:
        return None
    if decision.paragraph_key:
        same = [f for f in items if text.key(f.paragraph) == decision.paragraph_key]
        if same:
            return min(same, key=lambda f: abs(f.start - decision.start))
        if decision.context:
            same = [
                f
                for f in items
                if context_key(f.paragraph.text, f.start, f.end) == decision.context
            ]
            if same:
                return min(same, key=lambda f: abs(f.paragraph.number - decision.paragraph_number))
        return None
    same = [f for f in items if f.paragraph.number == decision.paragraph_number]
    return min(same, key=lambda f: abs(f.start - decision.start)) if same else None


def _locate_text(decision: MentionDecision, text: _CableText) -> tuple[Paragraph, int] | None:
    """Where a curator-added mention (nothing automatic found it) stands in the new text."""
    needle = decision.matched_text
    if decision.paragraph_key:
        for paragraph in text.paragraphs:
            if text.key(paragraph) == decision.paragraph_key:
                start = _nearest_occurrence(paragraph.text, needle, decision.start)
                if start is not None:
                    return paragraph, start
        for paragraph in text.paragraphs:
            for match in re.finditer(re.escape(needle), paragraph.text) if needle else ():
                if context_key(paragraph.text, match.start(), match.end()) == decision.context:
                    return paragraph, match.start()
        return None
    paragraph = text.by_number(decision.paragraph_number)
    if paragraph is None:
        return None
    start = _nearest_occurrence(paragraph.text, needle, decision.start)
    return (paragraph, start) if start is not None else None


def apply_decisions(found: list[Found], cables: list[Cable], by_cable: dict) -> int:
    """Re-apply curator decisions to freshly found mentions; add curator-only mentions.

    A decision that now sits in another paragraph or at another offset (a fuller text
    renumbered the paragraphs) is moved there, so the next curator action finds it.
    """
    by_reference = {cable.reference_id: cable for cable in cables}
    decisions = list(MentionDecision.objects.filter(reference_id__in=list(by_reference)))
    if not decisions:
        return 0
    by_text: dict[tuple[int, str], list[Found]] = defaultdict(list)
    for item in found:
        by_text[(item.paragraph.cable_id, item.text)].append(item)
    texts: dict[int, _CableText] = {}
    taken: set[int] = set()
    occupied = {(d.reference_id, d.paragraph_number, d.start, d.matched_text) for d in decisions}
    moved: list[MentionDecision] = []
    applied = 0
    # Legacy decisions (no key) last: keyed ones claim their mentions first.
    for decision in sorted(decisions, key=lambda d: (not d.paragraph_key, d.pk)):
        cable = by_reference[decision.reference_id]
        text = texts.setdefault(cable.pk, _CableText(by_cable.get(cable.pk, [])))
        ref = decision_ref(decision)
        items = [
            f for f in by_text.get((cable.pk, decision.matched_text), []) if id(f) not in taken
        ]
        item = _locate(decision, items, text)
        if item is not None:
            taken.add(id(item))
            item.ref = ref
            item.status = decision.status
            item.decided_by_id = decision.decided_by_id
            paragraph, start = item.paragraph, item.start
        elif decision.status == Status.CONFIRMED and (where := _locate_text(decision, text)):
            paragraph, start = where
            end = start + len(decision.matched_text)
            if start >= len(paragraph.text):
                end = start  # a signer added by hand: zero-width at the paragraph's end
            found.append(
                Found(paragraph, ref, start, end, decision.matched_text, Method.CURATOR,
                      Status.CONFIRMED, decision.decided_by_id)
            )  # fmt: skip
        else:
            continue
        applied += 1
        place = (decision.reference_id, paragraph.number, start, decision.matched_text)
        if (decision.paragraph_number, decision.start) != (paragraph.number, start) or not (
            decision.paragraph_key
        ):
            if place in occupied and place[1:3] != (decision.paragraph_number, decision.start):
                continue  # another decision holds that place; keep this one where it was
            occupied.add(place)
            length = decision.end - decision.start
            decision.paragraph_number, decision.start, decision.end = (
                paragraph.number,
                start,
                start + length,
            )
            decision.paragraph_key = text.key(paragraph)
            decision.context = context_key(paragraph.text, start, start + length)
            moved.append(decision)
    if moved:
        # Bookkeeping, not a curator's change: no history rows (bulk_update skips signals).
        MentionDecision.objects.bulk_update(
            moved, ["paragraph_number", "start", "end", "paragraph_key", "context"]
        )
    return applied


def decision_ref(decision: MentionDecision) -> EntityRef:
    if decision.person_id:
        return EntityRef("person", decision.person_id)
    if decision.party_id:
        return EntityRef("party", decision.party_id)
    return EntityRef("election", decision.election_id)


def _nearest_occurrence(text: str, needle: str, near: int) -> int | None:
    positions = [m.start() for m in re.finditer(re.escape(needle), text)]
    if not positions:
        return len(text) if needle and near >= len(text) else None
    return min(positions, key=lambda p: abs(p - near))


def store_suggestions(
    suggestions: list[tuple[str, str, str, dict]],
    cables: list[Cable],
    *,
    full_names: set[str] | None = None,
    recount_later: set[int] | None = None,
) -> int:
    """Add new names to the review queue and count where each pending name was seen.

    The places of these cables are replaced, so re-tagging never inflates a count; a pending
    name no longer found anywhere (the rules got stricter, the text changed) leaves the queue.
    With `recount_later`, the names whose places changed are added to it instead of being
    counted now: a bulk load stores its names group by group and counts them once at the end
    (`recount_suggestions`), not again for every group a common name appears in.
    """
    cable_ids = {cable.reference_id: cable.pk for cable in cables}
    # Only the difference is written: re-tagging unchanged cables writes nothing here.
    stored = {
        (suggestion_id, cable_id, number): pk
        for pk, suggestion_id, cable_id, number in SuggestionPlace.objects.filter(
            cable_id__in=list(cable_ids.values())
        ).values_list("pk", "suggestion_id", "cable_id", "paragraph_number")
    }
    wanted: set[tuple[int, int, int | None]] = set()
    touched: set[int] = set()
    grouped: dict[tuple[str, str], tuple[str, list[dict]]] = {}
    for kind, name, reason, example in suggestions:
        name = name[:200]
        entry = grouped.setdefault((kind, name), (reason, []))
        entry[1].append(example)
    if full_names is None:
        full_names = pending_full_names()
    folded = _fold_surnames(grouped, full_names)
    existing = {
        (s.kind, s.name): s
        for s in EntitySuggestion.objects.filter(name__in={name for _, name in grouped})
    }
    created = []
    changed = []
    for (kind, name), (reason, examples) in grouped.items():
        suggestion = existing.get((kind, name))
        if suggestion is None:
            created.append(
                EntitySuggestion(kind=kind, name=name, reason=reason, examples=_dedupe(examples))
            )
        elif suggestion.status == EntitySuggestion.Status.PENDING:
            merged = _dedupe(suggestion.examples + examples)
            if merged != suggestion.examples:
                suggestion.examples = merged
                changed.append(suggestion)
    EntitySuggestion.objects.bulk_create(created, ignore_conflicts=True)
    if changed:
        EntitySuggestion.objects.bulk_update(changed, ["examples"])
    if grouped:
        pending = {
            (s.kind, s.name): s.pk
            for s in EntitySuggestion.objects.filter(
                name__in={name for _, name in grouped}, status=EntitySuggestion.Status.PENDING
            ).only("pk", "kind", "name")
        }
        for key, (_, examples) in grouped.items():
            if key in pending:
                wanted.update(
                    (pending[key], cable_ids[e["reference_id"]], e.get("paragraph"))
                    for e in examples
                    if e["reference_id"] in cable_ids
                )
    gone = [pk for place, pk in stored.items() if place not in wanted]
    new = [place for place in wanted if place not in stored]
    touched.update(place[0] for place in stored if place not in wanted)
    touched.update(place[0] for place in new)
    if gone:
        SuggestionPlace.objects.filter(pk__in=gone).delete()
    SuggestionPlace.objects.bulk_create(
        [SuggestionPlace(suggestion_id=s, cable_id=c, paragraph_number=n) for s, c, n in new],
        batch_size=1000,
    )
    if folded:
        # Places already counted under a bare surname move to the full name.
        full_ids = dict(
            EntitySuggestion.objects.filter(
                kind="person", name__in=set(folded.values())
            ).values_list("name", "pk")
        )
        for single in EntitySuggestion.objects.filter(
            kind="person", name__in=list(folded), status=EntitySuggestion.Status.PENDING
        ):
            target = full_ids.get(folded[single.name])
            if target:
                SuggestionPlace.objects.filter(suggestion=single).update(suggestion_id=target)
                touched.update({single.pk, target})
    if recount_later is not None:
        recount_later.update(touched)
    else:
        recount_suggestions(touched)
    return len(created)


RECOUNT_CHUNK = 5000  # ids per query, well under SQLite's limit on bound parameters


def recount_suggestions(suggestion_ids) -> None:
    """Store how many places each of these names has; pending names left with none go."""
    ids = sorted(suggestion_ids)
    for offset in range(0, len(ids), RECOUNT_CHUNK):
        chunk = ids[offset : offset + RECOUNT_CHUNK]
        counts = dict(
            EntitySuggestion.objects.filter(pk__in=chunk)
            .annotate(n=Count("places"))
            .values_list("pk", "n")
        )
        rows = [
            row
            for row in EntitySuggestion.objects.filter(pk__in=chunk).only("pk", "occurrences")
            if row.occurrences != counts.get(row.pk, 0)
        ]
        for row in rows:
            row.occurrences = counts.get(row.pk, 0)
        EntitySuggestion.objects.bulk_update(rows, ["occurrences"], batch_size=1000)
        EntitySuggestion.objects.filter(
            pk__in=chunk, status=EntitySuggestion.Status.PENDING, occurrences=0
        ).delete()


def pending_full_names() -> set[str]:
    """Pending person names of more than one word (loaded once per tagging run)."""
    return set(
        EntitySuggestion.objects.filter(
            kind="person", status=EntitySuggestion.Status.PENDING, name__contains=" "
        ).values_list("name", flat=True)
    )


def _fold_surnames(grouped: dict, full_names: set[str]) -> dict[str, str]:
    """Count a bare surname ("Sobel") under the one full name ending in it ("Clifford Sobel").

    Only when exactly one pending or newly found full name ends in that word: "Singh" after
    titles stays on its own when the queue holds several Singhs. Changes `grouped` in place
    and adds this batch's full names to `full_names`; returns surname -> full name.
    """
    full_names.update(name for kind, name in grouped if kind == "person" and " " in name)
    singles = {name for kind, name in grouped if kind == "person" and " " not in name}
    if not singles:
        return {}
    by_surname: dict[str, set[str]] = defaultdict(set)
    for name in full_names:
        if name.split()[-1] in singles:
            by_surname[name.split()[-1]].add(name)
    folded = {}
    for word in singles:
        if len(by_surname.get(word, ())) == 1:
            (full,) = by_surname[word]
            reason, examples = grouped.pop(("person", word))
            grouped.setdefault(("person", full), (reason, []))[1].extend(examples)
            folded[word] = full
    return folded


def _dedupe(examples: list[dict]) -> list[dict]:
    seen = set()
    kept = []
    for example in examples:
        key = (example.get("reference_id"), example.get("paragraph"))
        if key not in seen:
            seen.add(key)
            kept.append(example)
    return kept[:EXAMPLES_KEPT]


def tag_cables(cable_ids: list[int], *, index: EntityIndex | None = None) -> TaggingStats:
    """Replace the mentions of these cables; curator decisions are re-applied. Idempotent."""
    began = time.perf_counter()
    stats = TaggingStats()
    cable_ids = list(cable_ids)
    if not cable_ids:
        return stats
    index = index or EntityIndex()
    tagger = CableTagger(index)
    cables = list(
        Cable.objects.filter(pk__in=cable_ids).only(
            "pk", "reference_id", "origin", "created", "signers", "classified_by"
        )
    )
    index.prepare_origins({cable.origin for cable in cables})
    tag_codes: dict[int, list[str]] = defaultdict(list)
    for cable_id, code in Cable.tags.through.objects.filter(cable_id__in=cable_ids).values_list(
        "cable_id", "tag__code"
    ):
        tag_codes[cable_id].append(code)
    by_cable: dict[int, list[Paragraph]] = defaultdict(list)
    paragraphs: dict[tuple[int, int], Paragraph] = {}
    for paragraph in (
        Paragraph.objects.filter(cable_id__in=cable_ids)
        .only("pk", "cable_id", "number", "text")
        .order_by("cable_id", "number")
    ):
        by_cable[paragraph.cable_id].append(paragraph)
        paragraphs[(paragraph.cable_id, paragraph.number)] = paragraph
    found: list[Found] = []
    suggestions: list[tuple[str, str, str, dict]] = []
    for cable in cables:
        cable_found, cable_suggestions = tagger.tag(cable, by_cable[cable.pk], tag_codes[cable.pk])
        found.extend(cable_found)
        suggestions.extend(cable_suggestions)
    with transaction.atomic():
        stats.decisions_applied = apply_decisions(found, cables, by_cable)
        Mention.objects.filter(cable_id__in=cable_ids).delete()
        Mention.objects.bulk_create([item.to_mention() for item in found], batch_size=1000)
        if index.suggestion_full_names is None:
            index.suggestion_full_names = pending_full_names()
        stats.suggestions = store_suggestions(
            suggestions, cables, full_names=index.suggestion_full_names
        )
        archive_changed()
        publish_on_commit()  # the index stamped with the new version
    stats.cables = len(cables)
    stats.paragraphs = len(paragraphs)
    stats.mentions = len(found)
    stats.by_method.update(item.method for item in found)
    stats.seconds = time.perf_counter() - began
    return stats


def tag_archive(*, batch_size: int = 500, progress=None) -> TaggingStats:
    """Re-tag every cable, in batches; `progress(cables_done)` is called after each batch."""
    index = EntityIndex()
    total = TaggingStats()
    ids = list(Cable.objects.order_by("pk").values_list("pk", flat=True))
    for offset in range(0, len(ids), batch_size):
        batch = ids[offset : offset + batch_size]
        total.add(tag_cables(batch, index=index))
        if progress:
            progress(len(batch))
    fold_pending_surnames()
    # After the whole archive, a pending name seen nowhere (older, looser rules) leaves the queue.
    EntitySuggestion.objects.filter(
        status=EntitySuggestion.Status.PENDING, places__isnull=True
    ).delete()
    return total


def fold_pending_surnames() -> int:
    """Fold every pending bare surname into the one pending full name ending in it.

    Batches see names in corpus order, so "Amorim" may be queued before "Celso Amorim"
    appears; after a whole-archive run this catches up.
    """
    pending = EntitySuggestion.objects.filter(kind="person", status=EntitySuggestion.Status.PENDING)
    by_surname: dict[str, list[int]] = defaultdict(list)
    singles: dict[str, int] = {}
    for pk, name in pending.values_list("pk", "name"):
        if " " in name:
            by_surname[name.split()[-1]].append(pk)
        else:
            singles[name] = pk
    moves = {pk: by_surname[name][0] for name, pk in singles.items() if len(by_surname[name]) == 1}
    for single, full in moves.items():
        SuggestionPlace.objects.filter(suggestion_id=single).update(suggestion_id=full)
    targets = EntitySuggestion.objects.filter(pk__in=set(moves.values()))
    counts = dict(targets.annotate(n=Count("places")).values_list("pk", "n"))
    rows = list(targets.only("pk", "occurrences"))
    for row in rows:
        row.occurrences = counts.get(row.pk, 0)
    EntitySuggestion.objects.bulk_update(rows, ["occurrences"], batch_size=1000)
    EntitySuggestion.objects.filter(pk__in=list(moves)).delete()
    return len(moves)
