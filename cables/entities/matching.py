"""Exact alias matching in one pass over a text, with an Aho-Corasick automaton.

Every entity name and alias goes into one automaton over lower-cased text with whitespace runs
folded to one space, so that `Nur\\nOtan` in a wrapped cable matches `Nur Otan`. A hit counts
only on word boundaries and under the case rules:

* abbreviations (NSDP, OSDP, CEC) match exactly as written, case and all;
* every other alias must start with a capital letter in the text (`Alga`, `ALGA`), so the
  ordinary word "alga" never becomes the Alga party and "rice" never Secretary Rice.

Overlapping hits are resolved leftmost-longest.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

import ahocorasick

WHITESPACE_RUN = re.compile(r"\s+")

PERSON = "person"
PARTY = "party"
ELECTION = "election"


@dataclass(frozen=True)
class EntityRef:
    kind: str  # person, party or election
    pk: int

    @property
    def field(self) -> str:
        return self.kind


@dataclass
class Pattern:
    """One searchable text and the entities it may stand for."""

    text: str
    case_sensitive: bool
    # (entity, derived_surname): a surname taken from a person's full name is weaker evidence
    # than an alias a curator wrote down.
    targets: list[tuple[EntityRef, bool]] = field(default_factory=list)


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    text: str
    pattern: Pattern


def is_abbreviation(text: str) -> bool:
    compact = text.replace(".", "").replace("-", "")
    return compact.isupper() and " " not in text and len(compact) <= 8


def fold(text: str) -> str:
    return WHITESPACE_RUN.sub(" ", text.strip()).lower()


WHITESPACE_TO_SPACE = {ord(c): " " for c in "\t\n\r\f\v\u00a0"}
SPACE_RUN = re.compile(" {2,}")
RARE_WHITESPACE = re.compile("[\f\v\u00a0]")


class FoldedText:
    """Lower-cased text with whitespace runs folded, and the way back to original offsets."""

    def __init__(self, text: str):
        lowered = text.lower()
        if len(lowered) != len(text):  # a few Unicode letters grow when lower-cased
            lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
        # Every whitespace character becomes one space (same length, done in C); only runs of
        # two or more spaces change offsets, and they are rare enough to map in Python.
        spaced = lowered.replace("\n", " ").replace("\r", " ").replace("\t", " ")
        if RARE_WHITESPACE.search(spaced):
            spaced = spaced.translate(WHITESPACE_TO_SPACE)
        self._folded_starts: list[int] = []
        self._original_starts: list[int] = []
        runs = list(SPACE_RUN.finditer(spaced))
        if not runs:
            self.folded = spaced
            return
        pieces: list[str] = []
        position = 0
        folded_length = 0
        for run in runs:
            pieces.append(spaced[position : run.start()])
            folded_length += run.start() - position + 1
            pieces.append(" ")
            self._folded_starts.append(folded_length)
            self._original_starts.append(run.end())
            position = run.end()
        pieces.append(spaced[position:])
        self.folded = "".join(pieces)

    def original(self, folded_offset: int) -> int:
        """The original offset of a folded offset (runs map to their first character)."""
        index = bisect.bisect_right(self._folded_starts, folded_offset) - 1
        if index < 0:
            return folded_offset
        return self._original_starts[index] + (folded_offset - self._folded_starts[index])


def _boundary(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not before.isalnum() and not after.isalnum()


class AliasMatcher:
    """Finds every known name in a text; build once, use for many texts."""

    def __init__(self, patterns: dict[str, Pattern]):
        self.patterns = patterns
        self.automaton = ahocorasick.Automaton()
        for key, pattern in patterns.items():
            self.automaton.add_word(key, (len(key), pattern))
        if patterns:
            self.automaton.make_automaton()

    def find(self, text: str) -> list[Hit]:
        if not self.patterns or not text:
            return []
        folded = FoldedText(text)
        candidates: list[Hit] = []
        for folded_end, (length, pattern) in self.automaton.iter(folded.folded):
            folded_start = folded_end - length + 1
            start = folded.original(folded_start)
            # The end is the position after the last character of the match in the original.
            end = folded.original(folded_end) + 1
            if not _boundary(text, start, end):
                continue
            matched = text[start:end]
            if pattern.case_sensitive:
                if WHITESPACE_RUN.sub(" ", matched) != pattern.text:
                    continue
            elif not matched[0].isupper():
                continue
            candidates.append(Hit(start, end, matched, pattern))
        return leftmost_longest(candidates)


def leftmost_longest(hits: list[Hit]) -> list[Hit]:
    chosen: list[Hit] = []
    last_end = -1
    for hit in sorted(hits, key=lambda h: (h.start, -(h.end - h.start))):
        if hit.start >= last_end:
            chosen.append(hit)
            last_end = hit.end
    return chosen
