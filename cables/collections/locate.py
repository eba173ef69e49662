"""Where a saved paragraph stands in a cable's current text (plain Python, no Django).

Re-ingest recreates a cable's paragraphs, and a fuller text replacing an extract may renumber
them, rewrap them or complete a truncated one. A saved paragraph is found again the way a
curator's decision is (cables/entities/keys.py): by the hash of its normalised words first,
then by its words, never by its old number alone (after renumbering that number belongs to
another paragraph).
"""

from __future__ import annotations

from collections.abc import Sequence
from difflib import SequenceMatcher
from typing import NamedTuple

from cables.entities.keys import normalise, paragraph_key

CONTEXT_WORDS = 12
# Below this many words, shared words say too little about being the same paragraph.
MIN_WORDS = 6
SIMILAR = 0.8


class Saved(NamedTuple):
    number: int
    key: str
    text: str


class Current(NamedTuple):
    number: int
    text: str


def opening_words(text: str) -> str:
    """The `context` of a saved paragraph: its first normalised words."""
    return " ".join(normalise(text).split()[:CONTEXT_WORDS])


def locate(saved: Saved, paragraphs: Sequence[Current]) -> Current | None:
    """The current paragraph that is the saved one, or None if the cable no longer has it.

    Order: the same normalised text (nearest to the old number when repeated); one text
    holding the other (an extract cut short, a paragraph split); the same opening or closing
    words (a clause cut out); most of the words in order.
    """
    if not paragraphs:
        return None

    def nearest(candidates: list[Current]) -> Current | None:
        return min(candidates, key=lambda p: abs(p.number - saved.number), default=None)

    same = nearest([p for p in paragraphs if paragraph_key(p.text) == saved.key])
    if same is not None:
        return same
    words = normalise(saved.text).split()
    if len(words) < MIN_WORDS:
        return None
    padded = f" {' '.join(words)} "
    normalised = {p.number: normalise(p.text).split() for p in paragraphs}

    def holds(p: Current) -> bool:
        other = normalised[p.number]
        if len(other) < MIN_WORDS:
            return False
        other_padded = f" {' '.join(other)} "
        return padded in other_padded or other_padded in padded

    found = nearest([p for p in paragraphs if holds(p)])
    if found is not None:
        return found
    head, tail = words[:CONTEXT_WORDS], words[-CONTEXT_WORDS:]
    found = nearest(
        [
            p
            for p in paragraphs
            if len(normalised[p.number]) >= len(head)
            and (
                normalised[p.number][: len(head)] == head
                or normalised[p.number][-len(tail) :] == tail
            )
        ]
    )
    if found is not None:
        return found
    best, best_ratio = None, SIMILAR
    for p in paragraphs:
        matcher = SequenceMatcher(None, words, normalised[p.number], autojunk=False)
        if matcher.real_quick_ratio() < best_ratio or matcher.quick_ratio() < best_ratio:
            continue
        ratio = matcher.ratio()
        if ratio > best_ratio or (
            ratio == best_ratio
            and best is not None
            and abs(p.number - saved.number) < abs(best.number - saved.number)
        ):
            best, best_ratio = p, ratio
    return best
