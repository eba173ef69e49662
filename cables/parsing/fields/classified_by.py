"""Who classified a cable (`Classified By: Ambassador John Ordway, reasons 1.4 (b) and (d)`): the
person's name only, and the reasons."""

from __future__ import annotations

import re
from pathlib import Path

from ..text import join_wrapped_lines
from .header import first_of

_CLASSIFIED_BY = re.compile(
    r"\bCLASSIFIED[ \t]+BY[ \t]*:?[ \t]*(?P<line>.*(?:\n(?![ \t]*\n)[^\n]*){0,2})",
    re.IGNORECASE | re.MULTILINE,
)
_REASON_SPLIT = re.compile(
    r"[,;.:]?\s*(?:(?:FOR\s+)?REASONS?\b|1\.\d\b|(?:PER\s+)?E\.\s?O\.|\bE\.O\b)", re.IGNORECASE
)
_REASON = re.compile(
    r"\b(1\.[45])\.?\s*\(?\s*([A-H](?:\s*(?:,|AND|&|/)\s*\(?[A-H]\b)*)\s*\)?", re.IGNORECASE
)
_EXTRA_LETTER = re.compile(r"(?:,|\bAND\b|&)\s*\(\s*([A-Ha-h])\s*\)", re.IGNORECASE)

# Rule (title before the name): words of a title are dropped from the front of the line, in any
# case and with the common misspellings (`Ambassodor`, `Abassador`, `Ambasador`), and so is a
# word with a slash (`A/S`, `D/Polcouns`, `SCI/C`) or an office's acronym before a name in
# title case (`NEA`, `EAP`, `WHA`).
TITLE_WORDS_FILE = Path(__file__).resolve().parents[2] / "data" / "title_words.txt"
_TITLE_WORDS = frozenset(
    word
    for word in TITLE_WORDS_FILE.read_text(encoding="utf-8").split("\n")
    if word and not word.startswith("#")
)
# Not a name: `CLASSIFIED BY SECTION 1.5`, `(ADDED CLASSIFIED BY LINE)`, `DERIVED FROM ...`.
_NOT_A_NAME = re.compile(r"^(?:SECTION\b|LINE\b|DERIVED\b|NARA\b|E\.\s?O\.)", re.IGNORECASE)
_NAME_SUFFIX = re.compile(r"^(?:JR|SR|II|III|IV)\.?$", re.IGNORECASE)


def _is_title_word(word: str, title_case_name: bool) -> bool:
    bare = word.strip(",.;:()").lower()
    if bare in _TITLE_WORDS or word.lower() in _TITLE_WORDS or "/" in word:
        return True
    # `NEA Assistant Secretary Jeffrey D. Feltman`: an office before a name in title case.
    return title_case_name and word.isupper() and word.isalpha() and 2 <= len(word) <= 5


_LEADING_MARK = re.compile(r"^\s*(?:\([A-Z/]{1,6}\)\s*)?(?:CLASSIFIED\s+BY\s*:?\s*)?", re.I)
_GLUED_AFFAIRES = re.compile(r"\b([Dd]),(?=Affaires)")
_PART_SPLIT = re.compile(r"\s*[,;:]\s*")


def name_only(who: str) -> str:
    """The person's name of a `Classified By` line, without the title before it or what follows.

    `Interagency Provincial Affairs Deputy Coordinator Hoyt Yee` -> `Hoyt Yee`; `Michael S. Owen,
    Consul General, ...` -> `Michael S. Owen`; `DEPUTY CHIEF OF MISSION, DAVID R. BURNETT` ->
    `DAVID R. BURNETT`; `Robert Blake, Jr` stays whole; `Martinez, Vilma, Ambassador` -> `Vilma
    Martinez`; `LEE 0. COLDREN` -> `LEE O. COLDREN` (a zero typed for the letter); `SECTION 1.5`
    -> "".
    """
    who = _LEADING_MARK.sub("", who)
    who = _GLUED_AFFAIRES.sub(r"\1'", who)  # `Charge d,Affaires`
    # What follows the name: `for rea sons`, `f or`, `FO R`, a lone `per` the wrap left.
    who = _AFTER_NAME.split(who, maxsplit=1)[0]
    if _NOT_A_NAME.match(who):
        return ""
    parts = [part.strip() for part in _PART_SPLIT.split(who) if part.strip()]
    for index, part in enumerate(parts):
        words = _without_titles(part.split())
        if not words:
            continue  # `DEPUTY CHIEF OF MISSION,` / `CDA, a.i.,`: the name comes after
        following = parts[index + 1] if index + 1 < len(parts) else ""
        if _NAME_SUFFIX.match(following):
            words.append(f", {following}")  # `Robert Blake, Jr`
        elif len(words) == 1 and _without_titles(following.split()) == following.split() != []:
            given = following.split()
            if len(given) <= 2 and all(w[:1].isupper() for w in given):
                words = [*given, *words]  # `Martinez, Vilma`: surname first
        name = " ".join(words).replace(" , ", ", ").strip(" ,.;:")
        name = re.sub(r"(?<=[A-Za-z] )0\.(?= ?[A-Za-z])", "O.", name)  # `LEE 0. COLDREN`
        if any(c.isdigit() for c in name) or not any(c.isalpha() for c in name):
            return ""
        return name
    return ""


_AFTER_NAME = re.compile(
    r"\s+(?:for|per|f\s?o\s?r)\b(?=\s*(?:r\s?e\s?a|$|E\.|1\.|\(|section|\\))|\s+per\s*$",
    re.IGNORECASE,
)


def _without_titles(words: list[str]) -> list[str]:
    """The words of a name, title words dropped from its front (and, where the wrap left them,
    from its end)."""
    title_case = any(word[:1].isupper() and not word.isupper() for word in words)
    start = 0
    while start < len(words) and _is_title_word(words[start], title_case):
        start += 1
    end = len(words)
    while end > start and words[end - 1].lower().strip(",.") in _TITLE_WORDS:
        end -= 1
    return words[start:end]


_NAME_PIECE_AT_END = re.compile(r"(?:^|\s)[A-Z][a-z]{0,5}[ \t]*$")


def _rejoin_name_lines(lines: list[str]) -> list[str]:
    """Rule (a name broken by the line wrap): `... Hoyt Y` / `ee for reasons` is `Hoyt Yee`
    (09KABUL3068): a lower-case piece of one to three letters opening the next line after a
    capitalised piece of a name is its end."""
    joined: list[str] = []
    for line in lines:
        piece = re.match(r"[ \t]*([a-z]{1,3})(?=[\s,.;:]|$)", line)
        if (
            joined
            and piece
            and piece.group(1) not in ("for", "and", "per", "of", "the")
            and _NAME_PIECE_AT_END.search(joined[-1][-12:])
        ):
            joined[-1] = joined[-1].rstrip() + line[piece.end() - len(piece.group(1)) :]
            continue
        joined.append(line)
    return joined


def classified_by(text: str, limit: int = 12000) -> tuple[str, list[str]]:
    """(name, reasons) of the first `Classified By` line that names someone; a marker that names
    no one (`C O R R E C T E D COPY (ADDED CLASSIFIED BY LINE)`, 09LONDON2347) gives way to the
    next."""
    position = first_of(text, ("CLASSIFIED", "Classified", "classified"), limit)
    if position < 0:
        return "", []
    found: tuple[str, list[str]] | None = None
    for match in _CLASSIFIED_BY.finditer(text, max(position - 1, 0), limit):
        who, reasons = _read_line(match.group("line"))
        if who:
            return who, reasons
        found = found or (who, reasons)
    return found or ("", [])


_LINE_LIMIT = 500


def _read_line(written: str) -> tuple[str, list[str]]:
    # The name and reasons stand at the start: a line whose newlines were lost is cut short.
    lines = _rejoin_name_lines([line[:_LINE_LIMIT] for line in written.split("\n")])
    line = re.sub(r"\s+", " ", join_wrapped_lines(lines)).strip()
    # Stop at a paragraph start that followed without a blank line.
    line = re.split(r"\s¶?\d+\.\s*\(", line)[0]
    who = name_only(_REASON_SPLIT.split(line, maxsplit=1)[0].strip(" ,.;:"))
    reasons: list[str] = []
    for reason in _REASON.finditer(line):
        section = reason.group(1)
        letters = re.findall(r"\b[A-Ha-h]\b", reason.group(2))
        tail = line[reason.end() : reason.end() + 40]
        letters += _EXTRA_LETTER.findall(re.split(r"\b1\.\d", tail)[0])
        for letter in letters:
            code = f"{section}({letter.lower()})"
            if code not in reasons:
                reasons.append(code)
    return who, reasons
