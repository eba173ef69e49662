"""Text helpers shared by every format: display cleaning and line classification.

The raw header and body are stored untouched; everything here only builds the displayed text.
"""

from __future__ import annotations

import gzip
import html
import re
from pathlib import Path

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
_RULE_FIRST = frozenset("-=_*~#")


def is_noise_line(line: str) -> bool:
    """Lines that belong to the transmission or the page, never to paragraph text."""
    stripped = line.lstrip()
    if not stripped or stripped[0] not in _NOISE_FIRST:
        return False
    # Page-break and SIPDIS lines are all capitals; only rules have no letters. Most prose
    # lines are ruled out here, before the regular expression.
    if stripped[0] not in _RULE_FIRST and not stripped.isupper():
        return False
    return _NOISE.match(stripped) is not None


def cut_boilerplate(text: str) -> str:
    """The cable text without the blog/site chrome that followed it on a mirror page."""
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if BOILERPLATE_START.match(line.strip()):
            return "\n".join(lines[:index]).rstrip()
    return text


# --- words broken by a line wrap --------------------------------------------------------------------

PROSE_WORDS_FILE = Path(__file__).resolve().parents[1] / "data" / "prose_words.txt.gz"
# Short pieces are judged by a fixed list: the corpus list holds wrap fragments like `nd` (`a`/`nd`).
_SHORT_WORDS = frozenset(
    [
        "a",
        "i",
        "am",
        "an",
        "as",
        "at",
        "be",
        "by",
        "do",
        "go",
        "he",
        "hi",
        "if",
        "in",
        "is",
        "it",
        "me",
        "my",
        "no",
        "of",
        "oh",
        "ok",
        "on",
        "or",
        "so",
        "to",
        "up",
        "us",
        "we",
    ]
)
_prose_words: frozenset[str] | None = None


def is_word(piece: str) -> bool:
    """Whether a piece is a word of the corpus's prose (two letters and less: a fixed list)."""
    global _prose_words
    piece = piece.lower()
    if len(piece) <= 2:
        return piece in _SHORT_WORDS
    if _prose_words is None:
        try:
            with gzip.open(PROSE_WORDS_FILE, "rt", encoding="utf-8") as lines:
                _prose_words = frozenset(line.strip() for line in lines)
        except OSError:
            _prose_words = frozenset()
    return piece in _prose_words


def wrap_fragment(line: str) -> str:
    """The 1-2 lower-case letters a line starts with when they stand alone (`y, of the`), or ""."""
    if not line or not ("a" <= line[0] <= "z"):
        return ""
    size = 2 if len(line) > 1 and line[1].isalpha() else 1
    # The rest of a sentence follows (`y, of the`): not `re-election`, `d'Affaires`, a list item
    # `d) reinsertion`, an ellipsis `n...` or a letter alone on its line.
    follower = line[size : size + 2]
    if len(follower) < 2 or follower[0] not in " ,;:." or follower == "..":
        return ""
    return line[:size] if line[:size].islower() else ""


def rejoins_wrapped_word(left: str, fragment: str) -> bool:
    """Whether `left` + `fragment`, split by a line break, is one word broken by the wrap.

    Conservative: the joined form must be a corpus word and one of the pieces must not be a word
    (`majorit`+`y`, `a`+`nd`, `participati`+`on`), so `follow`/`up` and `in`/`to` stay apart.
    """
    if not left.isalpha() or (len(left) == 1 and left != "a") or left.isupper():
        return False  # acronyms (`UN`), capitals, `degrees F` are not broken prose words
    return is_word(left + fragment) and not (is_word(left) and is_word(fragment))


def join_wrapped_lines(lines: list[str]) -> str:
    """Lines of a header field joined with spaces, but a word the wrap broke joined whole
    (`reasons 1.5 (B) a` / `nd (D).` -> `... (B) and (D).`, 04MADRID3914)."""
    joined = ""
    for line in lines:
        line = line.strip()
        if not line:
            continue
        fragment = wrap_fragment(line) if joined else ""
        left = joined[len(joined.rstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")) :]
        whole_word = len(left) == len(joined) or joined[-len(left) - 1].isspace()
        if fragment and left and whole_word and rejoins_wrapped_word(left, fragment):
            joined += line
        else:
            joined = f"{joined} {line}" if joined else line
    return joined
