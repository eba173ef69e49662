"""Stable keys for curator decisions: they must find their mention again after re-ingest.

A fuller text of a cable may number its paragraphs differently from the partial extract it
replaces (an extract that starts at the third paragraph calls it 1; mirrors write `11.` for
`¶1`), and page-break lines or wrapping differ between sources. Neither a paragraph number nor
a character offset survives that; the words of the paragraph, and the words around a match, do.
"""

from __future__ import annotations

import hashlib
import re

NON_WORD = re.compile(r"[^0-9a-z]+")
CONTEXT_WORDS = 6


def normalise(text: str) -> str:
    """Lower-case words and digits only, one space apart: wrapping and punctuation drop out."""
    return " ".join(NON_WORD.sub(" ", text.lower()).split())


def paragraph_key(text: str) -> str:
    return hashlib.sha1(normalise(text).encode()).hexdigest()


def context_key(text: str, start: int, end: int) -> str:
    """Up to six normalised words either side of text[start:end], the match in brackets."""
    before = normalise(text[:start]).split()[-CONTEXT_WORDS:]
    after = normalise(text[end:]).split()[:CONTEXT_WORDS]
    return f"{' '.join(before)} [{normalise(text[start:end])}] {' '.join(after)}".strip()[:400]
