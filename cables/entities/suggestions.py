"""Names the archive does not know yet: candidates for the curators' review queue."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .index import EntityIndex
from .matching import fold

TITLES = (
    r"Ambassador|Akim|akim|Chairman|chairman|Chairwoman|FM|Foreign Minister|Minister|minister"
    r"|leader|Leader|mayor|Mayor|Senator|Speaker|Governor|activist|magnate|candidate"
    r"|son-in-law|daughter|spokesman|Prime Minister|Deputy Prime Minister"
)
NAME_WORD = r"[A-Z][a-z]+(?:-[A-Z]?[a-z]+)?"
TITLED_NAME = re.compile(
    rf"\b(?:{TITLES})\s+(?P<name>{NAME_WORD}(?:[ \t]+(?:[A-Z]\.[ \t]+)?{NAME_WORD}){{0,2}})\b"
)
PARTY_NAME = re.compile(
    r"\b(?P<name>(?:[A-Z][a-z]+(?:'s|s')?\s+){1,4}Party)\b(?:\s*\((?P<abbreviation>[A-Z]{2,8})\))?"
)
NOT_A_NAME = set(
    ["The", "A", "An", "In", "On", "At", "Of", "For", "And", "But", "He", "She", "They", "It", "We", "Our", "His", "Her", "Their", "This", "That", "These", "Those", "Said", "Told", "Met", "Also", "Has", "Had", "Was", "Is", "Will", "Would", "Who", "Whose", "When", "While", "After", "Before", "Embassy", "Office", "Administration", "Oblast", "Party", "Committee", "Commission", "Council", "Government", "Kazakhstan", "Kazakhstani", "Russia", "Russian", "China", "Astana", "Almaty", "Washington", "Conoff", "Poloff", "DCM", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
) | {
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
}  # fmt: skip
GENERIC_PARTY_WORDS = {"the", "a", "one", "this", "that", "each", "every", "ruling", "opposition"}


@dataclass(frozen=True)
class Candidate:
    kind: str  # person or party
    name: str
    reason: str
    start: int
    end: int
    abbreviation: str = ""


def _clean_person(name: str) -> str | None:
    words = name.split()
    while words and words[0] in NOT_A_NAME:
        words.pop(0)
    while words and words[-1] in NOT_A_NAME:
        words.pop()
    if not words or any(word in NOT_A_NAME for word in words):
        return None
    return " ".join(words)


def find_candidates(
    text: str, *, index: EntityIndex, covered: list[tuple[int, int]]
) -> list[Candidate]:
    """Unknown people after titles and unknown `X Party` names in one paragraph."""

    def is_covered(start: int, end: int) -> bool:
        return any(start < c_end and c_start < end for c_start, c_end in covered)

    def is_known(name: str) -> bool:
        return any(word.lower() in index.known_words for word in name.split())

    found: list[Candidate] = []
    for match in TITLED_NAME.finditer(text):
        start, end = match.span("name")
        name = _clean_person(match.group("name"))
        if not name or is_covered(start, end) or is_known(name):
            continue
        found.append(Candidate("person", name, "title", start, end))
    for match in PARTY_NAME.finditer(text) if "Party" in text else ():
        start, end = match.span("name")
        words = match.group("name").split()
        # "Brazil's Green Party", "Bhutto's Pakistan People's Party": the owner is not the name.
        while len(words) > 2 and (words[0] in NOT_A_NAME or words[0].endswith("'s")):
            words.pop(0)
        name = " ".join(words)
        if len(name.split()) < 2 or name.split()[0].lower() in GENERIC_PARTY_WORDS:
            continue
        if is_covered(start, end) or fold(name) in index.patterns:
            continue
        abbreviation = match.group("abbreviation") or ""
        reason = "abbreviation" if abbreviation else "party-name"
        found.append(Candidate("party", name, reason, start, end, abbreviation))
    return found


PERSON_TAG = re.compile(
    r"^(?:OVIP|OREP|PINR|ASEC|KPAO)\s+\(?(?P<surname>[A-Z'-]+)\)?,?\s+(?P<given>[A-Z ,.'-]+)$"
)


def person_from_tag(code: str) -> str | None:
    """`OVIP STEINBERG JAMES` -> `James Steinberg`."""
    match = PERSON_TAG.match(code.strip())
    if not match:
        return None
    given = " ".join(word.capitalize() for word in match.group("given").replace(",", " ").split())
    return f"{given} {match.group('surname').capitalize()}".strip()
