"""Numbered paragraphs of a cable body, read as a sequence.

A line starting with a number only opens a paragraph when the number is the next one expected:
a list `1. Fight corruption` inside paragraph 20 stays there. Mirrors that turned `¶1` into `11.`
are recognised by their first paragraph `11.` and renumbered 1, 2, 3 ... with a warning.
"""

from __future__ import annotations

import re

from .records import ParsedParagraph, Warning_
from .text import clean_display, is_noise_line, rejoins_wrapped_word, wrap_fragment

PARAGRAPH_START = re.compile(
    r"^[ \t]*¶?[ \t]*(?P<number>\d{1,3})[ \t]*[.,)](?![\d])[ \t]*"
    r"(?:\((?P<marking>[A-Z]{1,4}(?:/[A-Z]{1,6})*)\)[ \t]*)?(?P<text>.*)$"
)
_SENTENCE_END = re.compile(r"""[.?!:;"')\]]\s*$""")
_SENTENCE_END_CHARS = frozenset(".?!:;\"')]")
_OPENING_LINE = re.compile(r"\n[^\S\n]*[\d¶]")
_LIST_FIRST = frozenset("0123456789-*•(")
_LIST_ITEM = re.compile(r"^(?:\d{1,2}[.)]|[-*•]|\([a-z0-9]\))\s")
_ODD_SPACE = re.compile(r"[\t\r\x0b\x0c\x1c-\x1f]")
_TRAILING_RULE = re.compile(r"\s*[-=_]{4,}\s*$")
_HEADING_TEXT = re.compile(r"^[A-Z0-9\"'(][^\n]{0,110}$")
_MARKINGS = {"U", "C", "S", "SBU", "S/NF", "C/NF", "TS", "LOU", "FOUO", "NF", "U/FOUO", "S/REL"}


# Lines with no lower-case ASCII letter: the only ones that can be noise (see `is_noise_line`).
# (Anchored on the line break, not `^`: a literal start makes the scan several times faster.)
_NO_LOWER_CASE_LINE = re.compile(r"\n([^a-z\n]+)(?=\n)")


def drop_noise_lines(lines: list[str]) -> list[str]:
    """The lines without page breaks, rules and SIPDIS lines; `is_noise_line` is asked only about
    the few lines without lower-case letters, found in one pass over the text."""
    candidates = set(_NO_LOWER_CASE_LINE.findall("\n" + "\n".join(lines) + "\n"))
    noise = {line for line in candidates if is_noise_line(line)}
    if not noise:
        return list(lines)
    return [line for line in lines if line not in noise]


def _expected_numbers(count: int, last: int, mangled: bool) -> set[int]:
    """The numbers that may open the paragraph after `count` found ones (last written `last`)."""
    if not mangled:
        return {last + 1}
    position = count + 1  # the true paragraph number in a mangled mirror
    accepted = {position, int(f"1{position}")}
    if position < 10:
        accepted.add(10 + position)
    return accepted


def _is_heading(lines: list[str], index: int) -> bool:
    """Whether lines[index] is a section heading (it is the last text line before a paragraph)."""
    line = lines[index].strip()
    if not line or len(line) > 110 or not _HEADING_TEXT.match(line):
        return False
    if line[-1] in ".,;" and not line.endswith("..."):
        return False
    if PARAGRAPH_START.match(line):
        return False
    # Between paragraphs: preceded by a blank line or by the end of a sentence.
    previous = index - 1
    while previous >= 0 and is_noise_line(lines[previous]):
        previous -= 1
    if previous < 0 or not lines[previous].strip():
        return True
    return bool(_SENTENCE_END.search(lines[previous]))


def _last_word(piece: str) -> str:
    """The letters a piece of text ends with (`a large majorit` -> `majorit`)."""
    start = len(piece)
    while start > 0 and piece[start - 1].isalpha():
        start -= 1
    # Only a whole word: not the end of `U.S`, `don't` or `al-Abd`.
    if start > 0 and not piece[start - 1].isspace():
        return ""
    return piece[start:]


# Whitespace to fold within a line: runs of two or more, or any kind but a plain space.
_FOLD_SPACE = re.compile(r"[^\S\n]{2,}|[^\S \n]")
# Every whitespace character `str.split` folds, but the plain space and the line break (all below
# U+3001; `test_parsing_speedups` checks the list against `str.isspace`).
ODD_SPACES = "".join(c for c in map(chr, range(0x3001)) if c.isspace() and c not in " \n")
_ODD_ASCII_SPACES = "".join(c for c in ODD_SPACES if c.isascii())
_LINE_EDGE_SPACE = re.compile(r" ?\n ?")
# A mirror's line-continuation backslash at a line end (`... and \`), not text.
_CONTINUATION = re.compile(r"[\\ ]*\\(?=\n|\Z)")
# Line breaks that need a look: blank lines, and breaks before a list item or a 1-2 letter word.
_SPECIAL_BREAK = re.compile(
    # (Every branch starts with the line break: a literal start keeps the scan fast.)
    r"\n(?:\n+|(?=(?:\d{1,2}[.)]|[-*•]|\([a-z0-9]\)) )|(?<=[A-Za-z]\n)(?=[a-z][a-z]?[ ,;:.][^\n]))"
)
_KEPT_BREAK = "\x00"  # stands for a kept line break while the others become spaces


def _break(text: str, match: re.Match) -> str:
    """What a special line break becomes: a paragraph break, a list line, nothing or a space."""
    before = text[match.start() - 1]
    line = text[match.end() : text.find("\n", match.end()) % (len(text) + 1)]
    if len(match.group()) > 1 and before in _SENTENCE_END_CHARS and line[0].isupper():
        return _KEPT_BREAK * 2
    if line[0] in _LIST_FIRST and _LIST_ITEM.match(line):
        return _KEPT_BREAK
    fragment = wrap_fragment(line) if "a" <= line[0] <= "z" else ""
    previous_word = _last_word(text[max(0, match.start() - 60) : match.start()])
    if fragment and rejoins_wrapped_word(previous_word, fragment):
        return ""  # a word the wrap broke (`majorit` / `y, of the`): joined, no space
    return " "


def _fold_spaces(text: str) -> str:
    """Runs of whitespace within lines as one space (what `" ".join(line.split())` does)."""
    odd_spaces = _ODD_ASCII_SPACES if text.isascii() else ODD_SPACES
    if any(space in text for space in odd_spaces):
        return _FOLD_SPACE.sub(" ", text)
    # Plain spaces only: string replacement is many times faster than a regular expression.
    while "  " in text:
        text = text.replace("  ", " ")
    return text


def _join(lines: list[str]) -> str:
    """Paragraph text: wrapped lines joined, blank-line breaks kept only between sentences.

    Works on the whole paragraph at once (regular expressions, not a loop over lines): this is
    the parser's hottest path.
    """
    text = "\n".join(lines)
    if _KEPT_BREAK in text:
        text = text.replace(_KEPT_BREAK, "")
    text = _fold_spaces(text)
    text = text.replace(" \n", "\n").replace("\n ", "\n").strip(" ")
    if "\\\n" in text or text.endswith("\\"):
        text = _CONTINUATION.sub("", text)
        text = _LINE_EDGE_SPACE.sub("\n", text)
    text = text.strip("\n")
    if "\n" in text:
        text = _SPECIAL_BREAK.sub(lambda match: _break(text, match), text)
        text = text.replace("\n", " ").replace(_KEPT_BREAK, "\n")
    # The site's paragraph anchor sign left inside text (`¶2007.`): keep the text, drop the sign.
    return clean_display(text.replace("¶", "")).strip()


def split_paragraphs(
    lines: list[str], start: int = 0
) -> tuple[list[ParsedParagraph], list[Warning_]]:
    """Paragraphs of `lines[start:]` (noise lines already allowed: they are dropped here)."""
    warnings: list[Warning_] = []
    body = drop_noise_lines(lines[start:])
    openings: list[tuple[int, int, str]] = []  # (line index, written number, marking)
    first: int | None = None
    mangled = False
    # Only lines starting (after spaces) with a digit or `¶` can open a paragraph: found by one
    # scan of the text, their line numbers counted on the way.
    joined = "\n" + "\n".join(body)
    index, counted_to = -1, 0
    for candidate in _OPENING_LINE.finditer(joined):
        index += joined.count("\n", counted_to, candidate.start() + 1)
        counted_to = candidate.start() + 1
        line = body[index]
        stripped = line.lstrip()
        match = PARAGRAPH_START.match(line)
        if not match:
            continue
        number = int(match.group("number"))
        marking = match.group("marking") or ""
        marking_ok = not marking or marking in _MARKINGS
        if first is None:
            if not marking_ok or number > 30:
                continue
            first = number
            mangled = number == 11
            openings.append((index, number, marking))
            continue
        last = openings[-1][1]
        if number in _expected_numbers(len(openings), last, mangled) and marking_ok:
            openings.append((index, number, marking))
        elif (
            not mangled
            and marking in _MARKINGS
            and (number == last + 2 or (stripped[0] == "¶" and last + 2 < number < last + 10))
        ):
            # One paragraph lost in transmission: keep the written number, say so.
            missing = f"{last + 1}" if number == last + 2 else f"{last + 1}-{number - 1}"
            warnings.append(Warning_("paragraph-number-gap", f"paragraph {missing} missing"))
            openings.append((index, number, marking))
    if not openings:
        return [], warnings
    if mangled:
        warnings.append(
            Warning_(
                "paragraphs-renumbered",
                "paragraph numbers mangled by a mirror (11., 12., ...) renumbered 1, 2, 3 ...",
            )
        )
    paragraphs: list[ParsedParagraph] = []
    chunks: list[list[str]] = []
    for position, (index, number, marking) in enumerate(openings):
        end = openings[position + 1][0] if position + 1 < len(openings) else len(body)
        chunk = body[index:end]
        match = PARAGRAPH_START.match(chunk[0])
        chunk = [match.group("text") if match else chunk[0], *chunk[1:]]
        heading = ""
        paragraphs.append(
            ParsedParagraph(
                number=position + 1 if mangled else number,
                classification=marking if marking in _MARKINGS else "",
                heading=heading,
                text="",
            )
        )
        chunks.append(chunk)  # joined below, after headings are taken out
    # Headings: the trailing heading line of a paragraph belongs to the next one.
    for position, chunk in enumerate(chunks):
        if position + 1 < len(paragraphs):
            last = len(chunk) - 1
            while last > 0 and not chunk[last].strip():
                last -= 1
            if last > 0 and _is_heading(chunk, last):
                heading = _TRAILING_RULE.sub("", chunk[last].strip())
                paragraphs[position + 1].heading = clean_display(heading)
                chunk = chunk[:last]
        paragraphs[position].text = _join(chunk)
    return paragraphs, warnings


def split_blocks(lines: list[str], start: int = 0) -> list[ParsedParagraph]:
    """Fallback for cables without numbered paragraphs: blocks separated by blank lines."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in drop_noise_lines(lines[start:]):
        if line.strip():
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    texts = [text for text in map(_join, blocks) if text]
    return [
        ParsedParagraph(number=n, classification="", heading="", text=text)
        for n, text in enumerate(texts, 1)
    ]
