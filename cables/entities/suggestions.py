"""Names the archive does not know yet: candidates for the curators' review queue."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .index import EntityIndex
from .matching import fold

TITLES = (
    r"Ambassador|Akim|akim|Chairman|chairman|Chairwoman|FM|Foreign Minister|Minister|minister"
    r"|leader|Leader|mayor|Mayor|Senator|Speaker|Governor|activist|magnate|candidate"
    r"|son-in-law|daughter|spokesman|Prime Minister|Deputy Prime Minister"
)
# A name word: `Abilov`, `McConnell`, `O'Brien`, `Zu'bi`, `al-Qadhafi`, `Kassym-Zhomart`.
NAME_WORD = r"(?:(?:al|el)-)?(?:Mc|Mac|O'|D')?[A-Z][a-z]+(?:[-'][A-Za-z]?[a-z]+)*"
# Lower-case particles inside names: `Mohammed bin Mubarak al Khalifa`, `Ahmed Ould Daddah`.
PARTICLES = {"al", "el", "bin", "ibn", "bint", "abu", "de", "da", "do", "dos", "das", "del",
             "della", "di", "du", "la", "le", "van", "von", "der", "den", "ter", "ould", "ben",
             "y", "e"}  # fmt: skip
PARTICLE = "(?:" + "|".join(sorted(PARTICLES, key=len, reverse=True)) + r")"
# The titles as plain strings: a paragraph naming none of them (most do not) skips the regex,
# which would otherwise try every title at every word.
TITLE_WORDS = tuple(TITLES.split("|"))
TITLED_NAME = re.compile(
    rf"\b(?:{TITLES})\s+(?P<name>{NAME_WORD}"
    rf"(?:[ \t]+(?:[A-Z]\.[ \t]+)?(?:{PARTICLE}[ \t]+)*{NAME_WORD}){{0,3}})\b"
)
PARTY_NAME = re.compile(
    r"\b(?P<name>(?:[A-Z][a-z]+(?:'s|s')?\s+){1,4}Party)\b(?:\s*\((?P<abbreviation>[A-Z]{2,8})\))?"
)
MONTHS = {"January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December", "Jan", "Feb", "Mar", "Apr", "Jun",
          "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec"}  # fmt: skip
WEEKDAYS = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}
# Words that follow a title but are not a name, including the cable's own section headings.
STOP_WORDS = {"The", "A", "An", "In", "On", "At", "Of", "For", "And", "But", "He", "She", "They",
              "It", "We", "Our", "His", "Her", "Their", "This", "That", "These", "Those", "Said",
              "Told", "Met", "Also", "Has", "Had", "Was", "Is", "Will", "Would", "Who", "Whose",
              "When", "While", "After", "Before", "Embassy", "Office", "Administration", "Oblast",
              "Party", "Committee", "Commission", "Council", "Government", "Conoff", "Poloff",
              "Econoff", "Emboffs", "Emboff", "DCM", "Summary", "Comment", "Note", "End",
              "Subject", "Ref", "Reftel", "Reftels", "Sipdis", "Action", "Request", "Begin",
              "Text", "Classified", "Reason", "Reasons", "Post", "Department", "Mission",
              "Ministry", "General", "Court", "Parliament", "Cabinet", "Assembly", "Senate",
              "State", "National", "Federal", "Regional", "Provincial", "Mr", "Mrs", "Ms", "Dr",
              "Sir", "Madam", "Excellency", "Today", "Yesterday"}  # fmt: skip
# Titles and offices that may follow the title we matched ("Minister Counselor Eitan Surkis",
# "Lieutenant Governor Claudio"): the name starts after them, or ends before them.
OFFICE_WORDS = {"Ambassador", "Minister", "Counselor", "Deputy", "Chief", "Director", "Captain",
                "Colonel", "General", "Major", "Lieutenant", "Commander", "Admiral", "Crown",
                "Prince", "Princess", "King", "Queen", "Sheikh", "Emir", "Sultan", "President",
                "Vice", "Secretary", "Governor", "Senator", "Mayor", "Chairman", "Chairwoman",
                "Leader", "Speaker", "Spokesman", "Elect", "Foreign", "Prime", "Defense",
                "Interior", "Finance", "Justice", "Health", "Trade", "Economy", "Energy",
                "Commissioner", "Representative", "Deputies", "Senior", "Acting", "Former",
                "Adviser", "Advisor", "Assistant", "Undersecretary", "Attorney", "Judge",
                "Coordinator", "Envoy", "Consul", "Officer", "Head", "Member",
                "Charge", "Akim", "Mullah", "Imam", "Bishop", "Cardinal", "Pope", "Team",
                "Party", "Opposition", "Coalition"}  # fmt: skip
NATIONALITIES = {"American", "British", "French", "German", "Dutch", "Italian", "Spanish",
                 "Russian", "Chinese", "Japanese", "Korean", "Indian", "Pakistani", "Iranian",
                 "Iraqi", "Israeli", "Palestinian", "Turkish", "Greek", "Egyptian", "Saudi",
                 "Syrian", "Lebanese", "Jordanian", "Afghan", "Kazakh", "Kazakhstani", "Uzbek",
                 "Tajik", "Kyrgyz", "Georgian", "Armenian", "Azerbaijani", "Ukrainian",
                 "Polish", "Czech", "Swiss", "Swedish", "Norwegian", "Danish", "Finnish",
                 "Icelandic", "Irish", "Scottish", "Canadian", "Mexican", "Brazilian",
                 "Argentine", "Chilean", "Peruvian", "Colombian", "Venezuelan", "Cuban",
                 "Australian", "Thai", "Vietnamese", "Indonesian", "Malaysian", "Filipino",
                 "Nigerian", "Kenyan", "Ethiopian", "Sudanese", "Libyan", "Moroccan",
                 "Algerian", "Tunisian", "European", "African", "Asian", "Arab", "Kurdish",
                 "Bahraini", "Qatari", "Emirati", "Yemeni", "Omani", "Kuwaiti", "Serbian",
                 "Croatian", "Bosnian", "Belgian", "Austrian", "Hungarian", "Romanian",
                 "Bulgarian", "Portuguese", "Belarusian", "Moldovan", "Latvian", "Lithuanian",
                 "Estonian", "Slovak", "Slovenian", "Macedonian", "Albanian",
                 "Chadian", "Rwandan", "Ugandan", "Zimbabwean", "Congolese", "Somali",
                 "Haitian", "Bolivian", "Ecuadorian", "Paraguayan", "Uruguayan",
                 "Nicaraguan", "Honduran", "Guatemalan", "Salvadoran", "Panamanian",
                 "Bangladeshi", "Nepali", "Sri", "Burmese", "Mongolian", "Taiwanese",
                 "Soviet", "Western", "Northern", "Southern", "Eastern"}  # fmt: skip
NOT_A_NAME = STOP_WORDS | MONTHS | WEEKDAYS | NATIONALITIES
GENERIC_PARTY_WORDS = {"the", "a", "one", "this", "that", "each", "every", "ruling", "opposition"}
COMMON_WORDS_FILE = Path(__file__).resolve().parent.parent / "data" / "common_words.txt"


@cache
def common_words() -> frozenset[str]:
    """Words the cables mostly write in lower case (see scripts/common_words.py)."""
    try:
        lines = COMMON_WORDS_FILE.read_text(encoding="utf-8").splitlines()
    except OSError:
        return frozenset()
    return frozenset(line.strip() for line in lines if line.strip() and line[0] != "#")


def clean_person_name(name: str, *, places: set[str] | frozenset = frozenset()) -> str | None:
    """The person's name in what followed a title, or None when it is not a name.

    Drops offices before or inside the name, trailing particles and initials; refuses stop
    words, months, nationalities, places (posts and countries), headline words the cables
    mostly write in lower case ("Asks", "Issues") and lone letters.
    """
    # "leader Muammar al-Qadhafi's Ifriqiyah Airways": the name ends at the possessive.
    words = re.split(r"(?<=\w)'s\b", name, maxsplit=1)[0].split()
    # "Minister Counselor Eitan Surkis": the name starts after the last leading office word.
    while words and (words[0] in OFFICE_WORDS or words[0] in NOT_A_NAME):
        words.pop(0)
    cut = False
    # "Claudio Governor of ...", "Ali Aujali Director": the name ends before an office word.
    for position, word in enumerate(words):
        if word in OFFICE_WORDS:
            words, cut = words[:position], True
            break
    kept: list[str] = []
    common = common_words()
    for position, word in enumerate(words):
        if word in PARTICLES:
            kept.append(word)
            continue
        lone_letter = len(word.rstrip(".")) == 1 and not (
            0 < position < len(words) - 1 and word.endswith(".")
        )
        # A given name may be an English word ("Bill Nelson"); a later word may not.
        headline = word.lower() in common and position > 0
        if lone_letter or headline or word in NOT_A_NAME or word.lower() in places:
            cut = True
            break
        kept.append(word)
    while kept and (kept[-1] in PARTICLES or re.fullmatch(r"[A-Z]\.?", kept[-1])):
        kept.pop()
    if not kept or kept[0] in PARTICLES:
        return None
    # "Dave Hall" cut to "Dave": a first name alone is not worth a curator's time.
    if len(kept) == 1 and (cut or kept[0].lower() in common):
        return None
    return " ".join(kept)


@dataclass(frozen=True)
class Candidate:
    kind: str  # person or party
    name: str
    reason: str
    start: int
    end: int
    abbreviation: str = ""


def find_candidates(
    text: str, *, index: EntityIndex, covered: list[tuple[int, int]]
) -> list[Candidate]:
    """Unknown people after titles and unknown `X Party` names in one paragraph."""

    def is_covered(start: int, end: int) -> bool:
        return any(start < c_end and c_start < end for c_start, c_end in covered)

    def is_known(name: str) -> bool:
        return any(word.lower() in index.known_words for word in name.split())

    found: list[Candidate] = []
    titled = any(title in text for title in TITLE_WORDS)
    for match in TITLED_NAME.finditer(text) if titled else ():
        start, end = match.span("name")
        name = clean_person_name(match.group("name"), places=index.place_words)
        if not name or is_covered(start, end) or is_known(name):
            continue
        found.append(Candidate("person", name, "title", start, end))
    for match in PARTY_NAME.finditer(text) if "Party" in text else ():
        start, end = match.span("name")
        words = match.group("name").split()
        # "Brazil's Green Party", "Bhutto's Pakistan People's Party": the owner is not the name.
        while len(words) > 2 and (words[0] in STOP_WORDS | MONTHS or words[0].endswith("'s")):
            words.pop(0)
        name = " ".join(words)
        first = name.split()[0]
        if len(name.split()) < 2 or first.lower() in GENERIC_PARTY_WORDS:
            continue
        # "District Party", "Kazakhstan Party": a common word or a place is not a party's name.
        if len(name.split()) == 2 and (
            first.lower() in common_words() or first.lower() in index.place_words
        ):
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
