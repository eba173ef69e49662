"""Paragraph-by-paragraph differences between two texts of a cable (plain Python, no Django).

Paragraphs are aligned by their number (the number is the permalink, `#parN`, so a reader
compares what each version says under the same anchor); inside a changed paragraph the words,
punctuation and whitespace that differ are found with difflib. The raw text (routing header,
body) is compared line by line, with the same word-level detail inside changed lines.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

# Words, runs of punctuation and runs of whitespace: a changed line break is a change too
# (the original pages and cables.csv differ mostly there).
TOKEN_RE = re.compile(r"\w+|\s+|[^\w\s]+")
# Past this many tokens on a side, a paragraph is compared line by line instead of word by
# word: difflib's matching is quadratic in the worst case, and the page must stay fast.
MAX_WORD_TOKENS = 6000
CONTEXT_LINES = 2

SAME, INSERTED, DELETED = "same", "ins", "del"
CHANGED, ADDED, REMOVED = "changed", "added", "removed"


@dataclass(slots=True)
class Segment:
    kind: str  # SAME, INSERTED (only in the second text) or DELETED (only in the first)
    text: str

    @property
    def whitespace_only(self) -> bool:
        """A changed run of spaces or line breaks, which the page makes visible."""
        return self.kind != SAME and self.text.isspace()


@dataclass(slots=True)
class Paragraph:
    number: int
    marking: str
    heading: str
    text: str


@dataclass
class ParagraphChange:
    number: int
    status: str  # SAME, CHANGED, ADDED (only in the second), REMOVED (only in the first)
    first: Paragraph | None
    second: Paragraph | None
    segments: list[Segment] = field(default_factory=list)
    heading_segments: list[Segment] = field(default_factory=list)

    @property
    def heading(self) -> str:
        """The heading to show above an unchanged heading's paragraph."""
        return (self.second or self.first).heading

    @property
    def heading_changed(self) -> bool:
        return any(segment.kind != SAME for segment in self.heading_segments)

    @property
    def marking_changed(self) -> bool:
        return bool(self.first and self.second and self.first.marking != self.second.marking)


@dataclass
class Hunk:
    """Changed lines of a raw text with a little context; line numbers count from 1."""

    first_line: int
    second_line: int
    segments: list[Segment]


def paragraphs_of(rows) -> list[Paragraph]:
    """[number, marking, heading, text] rows (stored JSON or a query) as paragraphs."""
    return [
        Paragraph(int(number), marking, heading, text) for number, marking, heading, text in rows
    ]


def compare_paragraphs(first: list[Paragraph], second: list[Paragraph]) -> list[ParagraphChange]:
    """Every paragraph number of either text, in order, with what changed under it."""
    by_number_first = {p.number: p for p in first}
    by_number_second = {p.number: p for p in second}
    changes = []
    for number in sorted(by_number_first.keys() | by_number_second.keys()):
        a, b = by_number_first.get(number), by_number_second.get(number)
        if a is None:
            changes.append(ParagraphChange(number, ADDED, None, b, [Segment(INSERTED, b.text)]))
        elif b is None:
            changes.append(ParagraphChange(number, REMOVED, a, None, [Segment(DELETED, a.text)]))
        elif (a.text, a.heading, a.marking) == (b.text, b.heading, b.marking):
            changes.append(
                ParagraphChange(
                    number, SAME, a, b, [Segment(SAME, b.text)], [Segment(SAME, b.heading)]
                )
            )
        else:
            changes.append(
                ParagraphChange(
                    number,
                    CHANGED,
                    a,
                    b,
                    word_diff(a.text, b.text),
                    word_diff(a.heading, b.heading),
                )
            )
    return changes


def word_diff(first: str, second: str) -> list[Segment]:
    """The second text as segments: unchanged, inserted, and deleted from the first."""
    if first == second:
        return [Segment(SAME, second)] if second else []
    a, b = TOKEN_RE.findall(first), TOKEN_RE.findall(second)
    if max(len(a), len(b)) > MAX_WORD_TOKENS:
        a, b = first.splitlines(keepends=True), second.splitlines(keepends=True)
    return _segments(a, b)


def line_diff(first: str, second: str, context: int = CONTEXT_LINES) -> list[Hunk]:
    """The changed regions of two raw texts, each with `context` unchanged lines around it and
    word-level changes inside; an empty list when the texts are the same."""
    if first == second:
        return []
    a, b = first.splitlines(keepends=True), second.splitlines(keepends=True)
    hunks = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        segments: list[Segment] = []
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                _append(segments, SAME, "".join(a[i1:i2]))
            elif tag == "replace":
                for segment in word_diff("".join(a[i1:i2]), "".join(b[j1:j2])):
                    _append(segments, segment.kind, segment.text)
            elif tag == "delete":
                _append(segments, DELETED, "".join(a[i1:i2]))
            else:
                _append(segments, INSERTED, "".join(b[j1:j2]))
        hunks.append(Hunk(group[0][1] + 1, group[0][3] + 1, segments))
    return hunks


def _segments(a: list[str], b: list[str]) -> list[Segment]:
    segments: list[Segment] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            _append(segments, SAME, "".join(b[j1:j2]))
            continue
        if tag in ("replace", "delete"):
            _append(segments, DELETED, "".join(a[i1:i2]))
        if tag in ("replace", "insert"):
            _append(segments, INSERTED, "".join(b[j1:j2]))
    return segments


def _append(segments: list[Segment], kind: str, text: str) -> None:
    if not text:
        return
    if segments and segments[-1].kind == kind:
        segments[-1].text += text
    else:
        segments.append(Segment(kind, text))


def summary(changes: list[ParagraphChange]) -> dict[str, int]:
    counts = {SAME: 0, CHANGED: 0, ADDED: 0, REMOVED: 0}
    for change in changes:
        counts[change.status] += 1
    return counts
