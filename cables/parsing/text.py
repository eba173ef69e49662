"""Text helpers shared by every format: display cleaning and line classification.

The raw header and body are stored untouched; everything here only builds the displayed text.
"""

from __future__ import annotations

import html
import re

# Markdown escapes left by mirrors (`\$50 million`), never meaningful in a telegram.
_MARKDOWN_ESCAPE = re.compile(r"\\([$*_#\[\]()`>])")
# Telegraph transmission turned apostrophes into `Q` (`GeorgiaQs`, `donQt`): an uppercase Q glued
# between a lowercase letter and a lowercase `s`/`t`/`ll`/`re`/`ve`/`d`/`m` at a word end.
_Q_APOSTROPHE = re.compile(r"(?<=[a-z])Q(?=(?:s|t|ll|re|ve|d|m)\b)")
_TAG = re.compile(r"<[^>]{0,2000}>")
_SPACES = re.compile(r"[ \t\f\v\u00a0]+")

# Page-break lines: `ASTANA 00002223  001.2 OF 002`, `ASTANA 00001848 002 OF 003`,
# `PAGE 02 HARARE 06677 01 OF 03 291400Z`.
PAGE_BREAK = re.compile(
    r"^\s*(?:PAGE\s+\d+\s+.*\d+\s+OF\s+\d+.*"
    r"|[A-Z][A-Z .'-]{1,40}?\s+\d{5,8}\s+\d{3}(?:\.\d+)?\s+OF\s+\d{3}\s*)$"
)
DASH_RULE = re.compile(r"^\s*(?:[-=_*~]\s*){4,}\s*$")
SIPDIS = re.compile(r"^\s*(?:SIPDIS|NNNN|BT|#+)\s*$")

BOILERPLATE_START = re.compile(
    r"^(?:Post a comment or leave a trackback|Leave a Reply|Fill in your details below"
    r"|%d bloggers like this|Share this:|Like this:|Related posts?|Comments are closed"
    r"|You are commenting using|Connecting to %s)",
    re.IGNORECASE,
)


def strip_tags(markup: str) -> str:
    return _TAG.sub("", markup)


def unescape_html(markup: str) -> str:
    """Tags removed, entities decoded (`&#x000A;` is the site's newline)."""
    return html.unescape(strip_tags(markup))


def clean_display(text: str) -> str:
    """The displayed form of a piece of cable text: escapes undone, apostrophes repaired."""
    if "\\" in text:
        text = _MARKDOWN_ESCAPE.sub(r"\1", text)
    if "&" in text:
        text = html.unescape(text)
    if "Q" in text:
        text = _Q_APOSTROPHE.sub("'", text)
    return text


def squash_spaces(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


_NOISE = re.compile("|".join(f"(?:{p.pattern})" for p in (PAGE_BREAK, DASH_RULE, SIPDIS)))
_NOISE_FIRST = frozenset("PABCDEFGHIJKLMNOQRSTUVWXYZ-=_*~#")


def is_noise_line(line: str) -> bool:
    """Lines that belong to the transmission or the page, never to paragraph text."""
    stripped = line.lstrip()
    if not stripped or stripped[0] not in _NOISE_FIRST:
        return False
    return _NOISE.match(stripped) is not None


def cut_boilerplate(text: str) -> str:
    """The cable text without the blog/site chrome that followed it on a mirror page."""
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if BOILERPLATE_START.match(line.strip()):
            return "\n".join(lines[:index]).rstrip()
    return text
