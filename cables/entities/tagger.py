"""Finding mentions in one cable's paragraphs: names from the entity index, fuzzy spellings, elections."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz.distance import JaroWinkler

from cables.models import (
    Cable,
    Mention,
    Paragraph,
)

from .elections import find_elections
from .index import EntityIndex
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
