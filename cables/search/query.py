"""The archive's query syntax, parsed into a small AST and compiled per backend.

Syntax (documented on the search help page):

- ``election fraud``: every word must appear (in one paragraph, see below).
- ``"vote counting"``: an exact phrase.
- ``Abilov OR Zhandosov``: either word; OR binds tighter than the implicit AND, so
  ``fraud Abilov OR Zhandosov`` means fraud AND (Abilov OR Zhandosov).
- ``-Russia`` / ``-"Nur Otan"``: leave out every cable that mentions it anywhere.
- ``Kazakh*``: words starting with the prefix.
- Field filters: ``origin:astana``, ``tag:PGOV``, ``class:confidential``, ``from:2007-07``,
  ``to:2007-09``, ``year:2007``, ``ref:07ASTANA2223``, ``person:``/``party:``/``election:``
  (an entity's slug). A value with spaces is quoted: ``origin:"Embassy Astana"``.

Matching is per paragraph: all the words of the query must occur in the same paragraph. Cables
are the paragraphs' hits grouped; exclusions work on the whole cable.

Words are split the way both indexes tokenise them (letters and digits), so ``U.S.`` or
``Ust-Kamenogorsk`` are searched as the phrase of their parts.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

MAX_QUERY_LENGTH = 500
MAX_CLAUSES = 40

FIELD_NAMES = {
    "origin": "origin",
    "tag": "tag",
    "tags": "tag",
    "class": "class",
    "classification": "class",
    "from": "from",
    "to": "to",
    "year": "year",
    "ref": "ref",
    "person": "person",
    "party": "party",
    "election": "election",
}

WORD_RE = re.compile(r"\w+", re.UNICODE)
# One token: an optional minus, an optional field name, then a quoted string or a bare run.
TOKEN_RE = re.compile(
    r"""
    (?P<neg>-)?
    (?:(?P<field>[A-Za-z]+):)?
    (?:"(?P<quoted>[^"]*)(?P<closed>")?|(?P<bare>[^\s"]+))
    """,
    re.VERBOSE,
)


class QuerySyntaxError(ValueError):
    """The query cannot be understood; the message is shown to the user as is."""


# --- AST ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    word: str
    prefix: bool = False


@dataclass(frozen=True)
class Phrase:
    words: tuple[str, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class And:
    items: tuple[Node, ...]


Node = Term | Phrase | Or | And


@dataclass
class ParsedQuery:
    """What the user typed: text to match, text to exclude, and field filters."""

    text: Node | None = None
    excluded: list[Node] = field(default_factory=list)
    filters: dict[str, list[str]] = field(default_factory=dict)
    date_from: date | None = None
    date_before: date | None = None  # exclusive upper bound

    @property
    def is_empty(self) -> bool:
        return self.text is None and not self.excluded and not self.filters

    @property
    def has_field_filters(self) -> bool:
        """Typed filters or dates: they narrow the cables whatever the text matches."""
        return bool(self.filters or self.date_from or self.date_before)

    def highlight_terms(self) -> list[str]:
        """Words and phrases to highlight on a cable page (prefixes end with '*')."""
        terms: list[str] = []

        def walk(node):
            if isinstance(node, Term):
                terms.append(node.word + ("*" if node.prefix else ""))
            elif isinstance(node, Phrase):
                terms.append(" ".join(node.words))
            else:
                for item in node.items:
                    walk(item)

        if self.text is not None:
            walk(self.text)
        return terms


# --- parsing --------------------------------------------------------------------------


def _text_node(raw: str, quoted: bool) -> Node | None:
    """A bare word or quoted phrase as a Term, a prefix Term or a Phrase (None if no words)."""
    prefix = not quoted and raw.endswith("*")
    words = [w.lower() for w in WORD_RE.findall(raw)]
    if not words:
        return None
    if quoted or len(words) > 1:
        if prefix:
            raise QuerySyntaxError(
                f"“{raw}”: a prefix search (*) works on a single word, not on a phrase."
            )
        return Phrase(tuple(words)) if len(words) > 1 else Term(words[0])
    if prefix and len(words[0]) < 2:
        raise QuerySyntaxError(f"“{raw}”: a prefix needs at least two letters before the *.")
    return Term(words[0], prefix=prefix)


def _parse_date(value: str, field_name: str) -> tuple[date, date]:
    """The first day of a YYYY, YYYY-MM or YYYY-MM-DD value and the day after its last day."""
    match = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", value)
    if not match:
        raise QuerySyntaxError(
            f"{field_name}:{value}: write dates as YYYY, YYYY-MM or YYYY-MM-DD (e.g. {field_name}:2007-08)."
        )
    year, month, day = (int(g) if g else None for g in match.groups())
    try:
        if day is not None:
            start = date(year, month, day)
            return start, start + timedelta(days=1)
        if month is not None:
            start = date(year, month, 1)
            return start, start + timedelta(days=calendar.monthrange(year, month)[1])
        return date(year, 1, 1), date(year + 1, 1, 1)
    except ValueError:
        raise QuerySyntaxError(f"{field_name}:{value} is not a real date.") from None


def parse_query(text: str) -> ParsedQuery:
    """Parse the query box. Raises QuerySyntaxError with a message for the user."""
    text = (text or "").strip()
    if len(text) > MAX_QUERY_LENGTH:
        raise QuerySyntaxError(f"The query is too long (over {MAX_QUERY_LENGTH} characters).")
    parsed = ParsedQuery()
    groups: list[list[Node]] = []  # AND of OR-groups
    pending_or = False
    position = 0
    while position < len(text):
        if text[position].isspace():
            position += 1
            continue
        match = TOKEN_RE.match(text, position)
        if match is None:  # a lone quote or minus: treat as a stray character
            raise QuerySyntaxError(f"Unexpected “{text[position]}” at position {position + 1}.")
        position = match.end()
        negated = bool(match["neg"])
        field_name = match["field"]
        quoted = match["quoted"] is not None
        raw = match["quoted"] if quoted else match["bare"]
        if quoted and not match["closed"]:
            raise QuerySyntaxError(
                'A phrase is missing its closing quote ("). Close it or remove the quote.'
            )
        if quoted and text.startswith("*", position):
            raise QuerySyntaxError(
                f'“"{raw}"*”: a prefix search (*) works on a single word, not on a phrase.'
            )

        if field_name is not None:
            key = FIELD_NAMES.get(field_name.lower())
            if key is None:
                if quoted:
                    raise QuerySyntaxError(
                        f"Unknown field “{field_name}:”. Known fields: {', '.join(sorted(set(FIELD_NAMES.values())))}."
                    )
                # Not a field ("note:" or "12:30" in pasted text): search the words.
                raw = f"{field_name}:{raw}"
            else:
                if negated:
                    raise QuerySyntaxError(
                        f"-{field_name}: cannot be excluded; choose the values you want instead."
                    )
                if pending_or:
                    raise QuerySyntaxError("OR joins words or phrases, not field filters.")
                value = raw.strip()
                if not value:
                    raise QuerySyntaxError(f"{field_name}: needs a value, e.g. {field_name}:…")
                if key in ("from", "to"):
                    start, after = _parse_date(value, key)
                    if key == "from":
                        parsed.date_from = start
                    else:
                        parsed.date_before = after
                elif key == "year" and not re.fullmatch(r"\d{4}", value):
                    raise QuerySyntaxError(f"year:{value}: a year is four digits, e.g. year:2007.")
                parsed.filters.setdefault(key, []).append(value)
                continue

        if not quoted and raw == "OR" and not negated:
            if not groups or pending_or:
                raise QuerySyntaxError("OR needs a word or phrase on both sides.")
            pending_or = True
            continue

        node = _text_node(raw, quoted)
        if node is None:
            if pending_or:
                raise QuerySyntaxError("OR needs a word or phrase on both sides.")
            continue  # punctuation only: nothing to search
        if negated:
            if pending_or:
                raise QuerySyntaxError("An excluded word (-word) cannot be part of an OR.")
            parsed.excluded.append(node)
            continue
        if pending_or:
            groups[-1].append(node)
            pending_or = False
        else:
            groups.append([node])

    if pending_or:
        raise QuerySyntaxError("OR needs a word or phrase on both sides.")
    if parsed.date_from and parsed.date_before and parsed.date_from >= parsed.date_before:
        raise QuerySyntaxError("from: is after to:, so nothing can match. Swap the dates.")
    if len(groups) + len(parsed.excluded) > MAX_CLAUSES:
        raise QuerySyntaxError(f"Too many words (over {MAX_CLAUSES}).")
    if parsed.excluded and not groups and not parsed.filters:
        raise QuerySyntaxError(
            "Excluded words (-word) need something to search for: add a word or a field filter."
        )
    items = tuple(group[0] if len(group) == 1 else Or(tuple(group)) for group in groups)
    if items:
        parsed.text = items[0] if len(items) == 1 else And(items)
    return parsed


# --- compiling ------------------------------------------------------------------------


def _fts5_string(words) -> str:
    return '"' + " ".join(words).replace('"', '""') + '"'


def to_fts5(node: Node) -> str:
    """An FTS5 MATCH expression. Every word is a quoted string, so no user text is syntax."""
    if isinstance(node, Term):
        return _fts5_string([node.word]) + ("*" if node.prefix else "")
    if isinstance(node, Phrase):
        return _fts5_string(node.words)
    joiner = " OR " if isinstance(node, Or) else " AND "
    return "(" + joiner.join(to_fts5(item) for item in node.items) + ")"
