"""Curators' decisions re-applied to fresh mentions: each found again by its paragraph and context."""

from __future__ import annotations

import re
from collections import defaultdict

from cables.models import (
    Cable,
    MentionDecision,
    Paragraph,
)

from .keys import context_key, paragraph_key
from .matching import EntityRef
from .tagger import Found, Method, Status


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
