"""A search snippet as plain text with the offsets of its matched words, for API clients that
do not read HTML.

A snippet's HTML is the backend's text HTML-escaped, with `<mark>` and `</mark>` around the
matched words (`base.marked_snippet`): every `<` in it is a marker's, so splitting on the
markers and unescaping each piece gives back the text exactly.
"""

from __future__ import annotations

import html
import re

MARKERS = re.compile(r"(<mark>|</mark>)")


def plain_snippet(snippet: str) -> tuple[str, list[list[int]]]:
    """(text, [[start, end], ...]): the snippet's text and each matched word's offsets in it,
    in characters (Unicode code points, as Python indexes a string), `end` excluded."""
    pieces: list[str] = []
    matches: list[list[int]] = []
    length, start = 0, None
    for part in MARKERS.split(snippet):
        if part == "<mark>":
            start = length
        elif part == "</mark>":
            if start is not None and length > start:
                matches.append([start, length])
            start = None
        elif part:
            text = html.unescape(part)
            pieces.append(text)
            length += len(text)
    return "".join(pieces), matches


def snippet_fields(snippet: str) -> dict:
    """The API's plain-text fields of a snippet: `snippet_text` and its `matches`."""
    text, matches = plain_snippet(snippet)
    return {"snippet_text": text, "matches": matches}
