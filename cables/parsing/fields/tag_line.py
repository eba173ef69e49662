"""The TAGS line of a cable's header: where it starts, where it ends, its codes."""

from __future__ import annotations

import re

from ..tag_table import tag_codes
from ..text import is_noise_line
from ..text import is_word as is_prose_word
from .header import CLASSIFICATION_LINE
from .tag_words import (
    PERSON_TAG_PREFIXES,
    corrected_code,
    is_name_word,
    opens_with_phrase,
    person,
    persons,
    phrase_across,
    placeholder,
    placeholder_index,
    take_phrases,
)

# --- TAGS ----------------------------------------------------------------------------------------

# Rule (TAGS anywhere in the header): the field starts wherever the word stands, not only at the
# start of a line: `E.O. 12958: DECL: 11/14/2012 TAGS: PTER TU` (02ANKARA8305), `E.O. 12958: N/A
# TAGS: ECON EFIN` (05BRASILIA1682), `DOE FOR MCLELLANDKERR E.O. 12958: N/A TAGS: ...` (09CAIRO200),
# `\u2028TAGS:` (08MEXICO886). Spellings: `TAGS`, `TAGS:`, `Tags:` and `tags:` (07DAMASCUS389,
# 08STATE43817), `TAG`. Lower case (`Tags:`, `tag`) only with its colon: `the price tag XXXX gave`
# (05SANAA1352) is prose. The first word after it must look like a code.
# Rule (misspelt and glued markers): `TAGS;`, `TAGS,`, `TAS:`, `TABS:`, `TGS:`, `TAGES:` with their
# colon, `TAGS:` glued to the date before it (`DECL: 12/02/2019TAGS: OVIP`, 09MANAMA...), `AGS:`
# after a date (`DECL: 08/22/2017 AGS: PGOV`, 07BUENOSAIRES1673).
_TAGS_START = re.compile(
    r"(?:(?<![\w/.\-])(?:TAGS?|[Tt]ags?(?=[ \t]*:)|(?:TAS|TABS|TGS|TAGES)(?=[ \t]*[:;]))"
    r"|(?<=\d)(?:TAGS|AGS)(?=[ \t]*:)|(?<=\d[ \t])AGS(?=[ \t]*:))"
    r"\b[ \t]*[:;,]?[ \t]*"
)
# A field that follows TAGS on the same line (a header whose newlines were lost: `TAGS: PTER TU
# SUBJECT: ...`, `TAGS: KNNP ... EG SUBJECT:`).
_TAGS_LINE_END = re.compile(
    r"(?:^|(?<=[\s,]))(?:SUBJ(?:ECT)?\b|REFS?\b|REFTELS?\b|PROGRAM\s+REF\b|CLASSIFIED\s+BY\b|"
    r"E\.O\.|SIPDIS\b|¶?\d{1,2}\s*\.\s*\()"
    r"|SUBJ(?:ECT)?\s*:"  # glued: `TAGS: PREL PGOVSUBJECT: ...`
    # Rule (page headers): the list stops at a classification word or a page header it ran
    # into (`... PARM, IT   SECRET   PAGE 02   ROME 03067 211833Z`).
    r"|(?-i:\b(?:UNCLASSIFIED|UNCLAS|CONFIDENTIAL|SECRET|LIMITED OFFICIAL USE)\b|\bPAGE\s+\d{1,3}\b)",
    re.IGNORECASE,
)
_FIELD_START = re.compile(
    r"^\s*(?:SUBJECT|SUBJ|REF|REFS|PROGRAM REF|CLASSIFIED BY|E\.O\.|SIPDIS|\d+\.)", re.I
)
_MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_PARENTHESES = re.compile(r"\(([^()]*)\)")
# Four-letter codes written alone in at least two cables of the 4,533-cable sample that
# `tag_definitions.csv` does not define: pieces a run-together TAGS word may split into.
_CODES_SEEN_ALONE = frozenset(
    [
        "MNUC",
        "KPAL",
        "AORC",
        "KSCA",
        "KIPR",
        "EWWT",
        "TRGY",
        "KWBG",
        "KGHG",
        "KTIA",
        "KFRD",
        "PHSA",
        "KSUM",
        "ECIN",
        "KOMC",
        "OPRC",
        "AFIN",
        "KHLS",
        "OPDC",
        "EFIS",
        "KUNR",
        "BEXP",
        "KGIC",
        "FTAA",
        "OIIP",
        "ABLD",
        "KAWC",
        "TSPA",
        "USTR",
        "AEMR",
        "CJAN",
        "KDRG",
        "KSTH",
        "BTIO",
        "KTDB",
        "CPAS",
        "ODIP",
        "ELTN",
        "TPHY",
        "OPIC",
        "KCFE",
        "OFDP",
        "EINT",
        "KFLO",
        "KSPR",
        "KAWK",
        "WTRO",
        "KVPR",
        "KSTC",
        "KSEP",
        "KRAD",
        "KBIO",
        "KMPI",
        "KOLY",
        "MAPP",
        "ICTY",
        "KMCA",
        "ICAO",
        "KLIG",
        "KBCT",
        "KBTR",
        "KICC",
        "GTIP",
        "KCIP",
        "HSTC",
        "TNGD",
        "AMED",
        "KPRV",
        "PINT",
        "MPOS",
        "KNPP",
        "NIPP",
        "NSSP",
        "ASIG",
        "TINT",
        "KGIT",
        "OPAD",
        "ASUP",
        "KIRC",
        "KACT",
        "MASC",
        "KBTS",
        "OPCW",
        "OSCI",
        "KVIR",
        "PMAR",
    ]
)
_known_codes: frozenset[str] | None = None


def known_tag_codes() -> frozenset[str]:
    """Codes of `cables/data/tag_definitions.csv` plus four-letter codes seen alone."""
    global _known_codes
    if _known_codes is None:
        _known_codes = _CODES_SEEN_ALONE | tag_codes()
    return _known_codes


def _is_tag_code(token: str) -> bool:
    if len(token) == 2 and token.isalpha():
        return True
    return len(token) == 4 and token.isalpha() and token[0] in "ABCEKMOPST"


def split_run_together(token: str) -> list[str]:
    """`IZPREL` -> [`IZ`, `PREL`]; a word that is no run of codes comes back as it is.

    Pieces are two- or four-letter codes, all known but at most one code-shaped unknown
    four-letter one (`KOCI` in 09CAIRO2291's `KFRDCVISCMGTCASCKOCIASECPHUMSMIGEG`). Words of the
    prose (`POLITICS`, `ECONOMIC`) are never split.
    """
    if len(token) < 6 or not token.isalpha() or token in known_tag_codes() or is_prose_word(token):
        return [token]
    known = known_tag_codes()
    # best[i]: (unknown pieces, pieces, split) for token[:i]; shortest-path over 2/4-letter steps.
    best: list[tuple[int, int, list[str]] | None] = [None] * (len(token) + 1)
    best[0] = (0, 0, [])
    for end in range(2, len(token) + 1):
        options = []
        for size in (2, 4):
            start = end - size
            if start < 0 or best[start] is None:
                continue
            piece = token[start:end]
            unknown = piece not in known
            if unknown and not (size == 4 and _is_tag_code(piece)):
                continue
            unknowns, count, pieces = best[start]
            options.append((unknowns + unknown, count + 1, [*pieces, piece]))
        best[end] = min(options, default=None, key=lambda option: option[:2])
    found = best[len(token)]
    if found is None or found[0] > 1:
        return [token]
    return found[2]


def _group_tag_tokens(
    piece: str, taken: list[str], corrections: list[tuple[str, str]]
) -> list[str]:
    """Space-separated codes; the name words after a person code are its persons."""
    tags: list[str] = []
    names: list[str] = []
    in_person_tag = False
    for token in [*piece.split(), ""]:
        token = token.strip(".;:")
        if in_person_tag and token and is_name_word(token, _is_code_word):
            names.append(token)
            continue
        if names:
            tags.extend(persons(names))
            names = []
        if not token:
            continue
        index = placeholder_index(token)
        if index is not None:
            tags.append(taken[index])
            in_person_tag = False
            continue
        for code in split_run_together(token):
            fixed = corrected_code(code, known_tag_codes())
            if fixed:
                corrections.append((code, fixed))
            tags.append(fixed or code)
        in_person_tag = token in PERSON_TAG_PREFIXES
    return tags


def _is_code_word(token: str) -> bool:
    return (
        token in known_tag_codes()
        or _is_tag_code(token)
        or corrected_code(token, known_tag_codes()) is not None
    )


def _is_tags_continuation(line: str, previous: str) -> bool:
    """A wrapped TAGS line: codes only (`UNO IR LE`, `AU-I CD SU LY`, `KN` after a trailing comma).

    Rule (subject words are no tags): not a page-break line, the classification line of a second
    copy of the header (06MEXICO456), nor a subject written without `SUBJECT:` (05BRASILIA2231:
    `DISCUSS HAITI AND OTHER ISSUES`; 06LIMA1452: `RUN-OFF,` then `SEEKS EMBASSY'S ASSISTANCE`),
    even after a trailing comma.
    """
    if not line.strip() or _FIELD_START.match(line) or ":" in line:
        return False
    if CLASSIFICATION_LINE.match(line) or is_noise_line(line):
        return False
    words = _MARKDOWN_LINK.sub(r"\1", line).replace(",", " ").replace("\\", " ").split()
    if any(word.upper() in PERSON_TAG_PREFIXES for word in words):
        return True  # `OVIP RICE CONDOLEEZZA`: a person tag wrapped onto its own line
    if previous.rstrip().endswith(","):
        # `... MNUC, ECON, SN, CH,` then `KN` (09SINGAPORE529); `prel, pgov,` in lower case.
        return all(_looks_like_code(word.upper()) for word in words)
    return all(_looks_like_code(word) for word in words)


def _looks_like_code(word: str) -> bool:
    if word in known_tag_codes() or _is_tag_code(word):
        return True
    if len(word) > 10 or not word.isupper() or word.isdigit() or "'" in word:
        return False
    if "-" in word:  # `AU-I` is a code, `RUN-OFF` two words of a subject
        return not all(is_prose_word(part) for part in word.split("-") if part)
    return not is_prose_word(word)  # `DISCUSS`, `AND`, `OTHER`: a sentence, not codes


def _opens_tags(following: str) -> bool:
    """Whether the text after a `TAGS` marker starts like a list of codes: a known code among its
    first four words (`MTCRE, PARM, ...`: a first code may be unknown), a subject tag of several
    words (`ISRAELI PALESTINIAN AFFAIRS GOI EXTERNAL ECON`), or a first word shaped like a code
    or codes run together (`ETRDECONWTOCS`)."""
    if following[:1] in ",;)" or following[:4].upper() in ("AND ", "OR T", "THE "):
        return False  # `ADDED E.O., TAGS, AND CLASS BY` (08TBILISI1349): the word, not the field
    words = re.split(r"[\s,;\[\]]+", following.upper(), maxsplit=4)[:4]
    words = [word.strip(".:()") for word in words if word.strip(".:()")]
    if not words:
        return False
    known = known_tag_codes()
    if any(word in known for word in words) or opens_with_phrase(following):
        return True
    first = words[0]
    if len(first) >= 6 and first.isalpha() and not is_prose_word(first):
        return True
    return _looks_like_code(first) and not is_prose_word(first)


def _tags_line(text: str, limit: int) -> tuple[re.Match, str, list[str]] | None:
    """The first `TAGS` marker followed by codes: (match, rest of its line, next lines)."""
    position = 0
    while True:
        match = _TAGS_START.search(text, position, limit)
        if match is None:
            return None
        position = match.end()
        line_end = text.find("\n", position)
        line_end = len(text) if line_end < 0 else line_end
        first = text[position:line_end]
        following = text[line_end + 1 : line_end + 400].split("\n")[:3]
        if not first.strip():
            # `TAGS:` alone, the codes on the next line; not `CORRECTED COPY - TAG` (08MADRID308).
            if not following or not match.group(0).rstrip().endswith(":"):
                continue
            first, following = following[0], following[1:]
        if _opens_tags(first.lstrip(" \t\u2028\"'") if first[:1] != "," else first):
            return match, first, following


def tags(text: str, limit: int = 8000) -> list[str]:
    return tags_and_corrections(text, limit)[0]


def tags_and_corrections(text: str, limit: int = 8000) -> tuple[list[str], list[tuple[str, str]]]:
    """The TAGS of the header, and the misspelt codes corrected on the way (written, known)."""
    found_line = _tags_line(text, limit)
    if not found_line:
        return [], []
    _, first, following = found_line
    # Rule: a field written after TAGS on the same line ends it (`TAGS: PTER TU SUBJECT: ...`).
    cut = _TAGS_LINE_END.search(first)
    parts = [first[: cut.start()] if cut else first]
    if cut is None:
        # Rule: the list goes on over wrapped lines of codes, or after a trailing comma, or
        # with the rest of a tag of several words (`... GM COUNTRY` / `CLEARANCE`).
        for line in following:
            cut = _TAGS_LINE_END.search(line)
            line = line[: cut.start()] if cut else line
            rest = line
            across = phrase_across(parts[-1], line)
            if across:
                rest = " ".join(line.replace(",", " ").split()[across:])
            if not (across and not rest.strip()) and not _is_tags_continuation(rest, parts[-1]):
                break
            parts.append(line)
            if cut:
                break
    written = _MARKDOWN_LINK.sub(r"\1", " ".join(parts)).upper()
    taken: list[str] = []
    # Rule (person TAGS): `OVIP (STEINBERG, JAMES B.)` is two tags, `OVIP` and the person as the
    # release writes one, `STEINBERG, JAMES B.`; other brackets lose their brackets and commas.
    written = _PERSON_BRACKET.sub(lambda m: _take(m.group(1), [person(m.group(2))], taken), written)
    written = _PARENTHESES.sub(lambda m: " " + m.group(1).replace(",", " ") + " ", written)
    written = take_phrases(written, taken)
    found: list[str] = []
    corrections: list[tuple[str, str]] = []
    # Rule: commas and/or spaces separate the codes (`Tags: prel, pgov, sy`), upper-cased.
    pieces = written.split(",") if "," in written else [written]
    for piece in pieces:
        for tag in _group_tag_tokens(piece, taken, corrections):
            if tag not in found:
                found.append(tag)
    return found, corrections


_PERSON_BRACKET = re.compile(r"\b(" + "|".join(PERSON_TAG_PREFIXES) + r")\s*\(([^()]*)\)")


def _take(code: str, names: list[str], taken: list[str]) -> str:
    """`OVIP` and a placeholder per person, the persons appended to `taken`."""
    marks = []
    for name in names:
        taken.append(name)
        marks.append(placeholder(len(taken) - 1))
    return f" {code} {' '.join(marks)} "
