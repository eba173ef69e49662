"""TAGS written in words: persons on a person code, subjects of several words, misspelt codes.

The release's own tag list is the model: a person tag is two tags, the code and the person as
`SURNAME, GIVEN NAMES`; a subject of several words (`HUMAN RIGHTS`) is one tag; a code written
one letter wrong (`MOPPS`) is the known code it stands for.
"""

from __future__ import annotations

import functools
import re

from ..tag_table import multi_word_tags
from ..text import is_word as is_prose_word

PERSON_TAG_PREFIXES = ("OVIP", "OREP")
# A stand-in for a tag already read (a bracketed person, a subject of several words): a word of
# its own that no cable writes, so that the list can still be split at commas and spaces.
_PLACEHOLDER = re.compile(r"^\x00(\d+)$")


def placeholder(index: int) -> str:
    return f"\x00{index}"


def placeholder_index(token: str) -> int | None:
    match = _PLACEHOLDER.match(token)
    return int(match.group(1)) if match else None


@functools.cache
def _phrase_pattern() -> re.Pattern | None:
    written = sorted(multi_word_tags(), key=len, reverse=True)
    if not written:
        return None
    alternatives = "|".join(r"\s+".join(map(re.escape, w.split())) for w in written)
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")


def take_phrases(written: str, taken: list[str]) -> str:
    """Rule (subject tags of several words): `HUMAN RIGHTS`, `IRAQI FREEDOM`, `TIP IN TURKEY`
    (data: `cables/data/multi_word_tags.csv`, owned by `tag_table`) are one tag each, even across
    a line break; `COUNTER TERRORISM` is `COUNTERTERRORISM`. Each is replaced by a placeholder
    and its tag appended to `taken`."""
    pattern = _phrase_pattern()
    if pattern is None:
        return written

    def replace(match: re.Match) -> str:
        taken.append(multi_word_tags()[" ".join(match.group(0).split())])
        return f" {placeholder(len(taken) - 1)} "

    return pattern.sub(replace, written)


def opens_with_phrase(text: str) -> bool:
    """Whether `text` starts with a multi-word tag (`HUMAN RIGHTS, IRAQI FREEDOM, PREL`)."""
    pattern = _phrase_pattern()
    return pattern is not None and pattern.match(text.upper().lstrip(" :;,")) is not None


@functools.cache
def _phrase_words() -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(w.split()) for w in multi_word_tags() if " " in w)


@functools.cache
def _phrase_heads() -> frozenset[str]:
    """Words a line may end with in the middle of a multi-word tag."""
    return frozenset(word for words in _phrase_words() for word in words[:-1])


def phrase_across(previous: str, line: str) -> int:
    """How many words at the start of `line` finish a multi-word tag begun at the end of
    `previous` (`... GM COUNTRY` / `CLEARANCE`), or 0."""
    before = previous.upper().replace(",", " ").split()
    if not before or before[-1] not in _phrase_heads():
        return 0
    after = line.upper().replace(",", " ").split()
    for words in _phrase_words():
        for split in range(1, len(words)):
            head, tail = words[:split], words[split:]
            if tuple(before[-split:]) == head and tuple(after[: len(tail)]) == tail:
                return len(tail)
    return 0


def person(bracketed: str) -> str:
    """`STEINBERG, JAMES B.` as the release writes a person: surname, comma, given names."""
    return ", ".join(" ".join(part.split()) for part in bracketed.split(",") if part.strip())


def persons(words: list[str]) -> list[str]:
    """Rule (person TAGS): the name words after `OVIP`/`OREP`, written without brackets, as the
    release's persons: `BIDEN JOSEPH` -> `BIDEN, JOSEPH`; `STEINBERG JAMES B` -> `STEINBERG, JAMES
    B.`; one word stays as it is (`MQADHAFI`); four or more words without an initial are pairs of
    surname and given name (`NOVO GUILLERMO REMON PEDRO JIMENEZ GASPAR` -> three persons)."""
    if len(words) == 1:
        return list(words)
    initials = [len(word) == 1 for word in words]
    if len(words) >= 4 and len(words) % 2 == 0 and not any(initials):
        return [f"{words[i]}, {words[i + 1]}" for i in range(0, len(words), 2)]
    given = " ".join(
        word + "." if initial else word
        for word, initial in zip(words[1:], initials[1:], strict=False)
    )
    return [f"{words[0]}, {given}"]


def is_name_word(token: str, is_code) -> bool:
    """A word of a person's name on a person code: letters, not a code."""
    return token.replace("-", "").replace("'", "").isalpha() and not is_code(token)


def _one_edit(a: str, b: str) -> bool:
    """Whether `a` becomes `b` by one letter inserted, dropped or changed."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=False)) == 1
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:index] + long[index + 1 :] == short for index in range(len(long)))


@functools.cache
def corrected_code(token: str, known: frozenset[str]) -> str | None:
    """Rule (misspelt codes): a word of five letters or more that is no known code and no word of
    the prose, one edit away from exactly one known code of four letters or more, is that code
    (`MOPPS` -> `MOPS`, `UNDESCO` -> `UNESCO`, `POGOV` -> `PGOV`). None otherwise."""
    if len(token) < 5 or not token.isalpha() or is_prose_word(token):
        return None
    if token in known:
        return None
    found = [code for code in known if len(code) >= 4 and _one_edit(token, code)]
    return found[0] if len(found) == 1 else None
