"""The words of a paragraph as the database's own full-text index sees them.

The rank index (`rank_index.py`) must match exactly what the database matches, or a page of
results would rank cables the count does not hold (or miss some it does). So it does not
tokenise on its own: the text is split into runs of letters and digits (as FTS5's unicode61
and PostgreSQL's parser do for plain words) and every distinct run is turned into its index
terms by the database's own tokeniser, once, then cached:

- SQLite: an in-memory FTS5 table with the archive's tokenizer (`porter unicode61
  remove_diacritics 2`) and its `fts5vocab` instance table say which terms FTS5 makes of a run
  (`Ust` -> `ust`, `elections` -> `elect`).
- PostgreSQL: `to_tsvector(<config>, run)`; a stop word gives no lexeme and becomes FILLER, so
  that the positions of the other words stay those of the database's tsvector (a phrase across
  a stop word, "secretary of state", is `secretari <2> state` there too).

The index text of a paragraph is its terms joined by spaces; the rank index splits on spaces.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterable

from django.db import connections

from .query import to_tsquery

RUN_RE = re.compile(r"[^\W_]+")
FILLER = "_"  # a stop word's place: never a term of a query (runs never hold "_")
ORACLE_BATCH = 5_000


class IndexWords:
    """Turns text into the terms of the database's full-text index (see the module doc)."""

    stop_words = False  # whether some runs have no term (PostgreSQL's stop words)
    source_column = "text"  # what `index_texts` reads of each paragraph

    def __init__(self) -> None:
        self._terms: dict[str, tuple[str, ...]] = {}
        # A run's terms as they go into the index text: joined by spaces; a stop word FILLER
        # (PostgreSQL counts it in positions), a run FTS5 makes nothing of "" (no position).
        self._joined: dict[str, str] = {}
        self._lock = threading.Lock()  # runserver's threads share one oracle

    def _lookup(self, runs: list[str]) -> list[tuple[str, ...]]:
        raise NotImplementedError

    def learn(self, runs: Iterable[str]) -> None:
        """Ask the database's tokeniser for the runs not seen yet, in batches."""
        unknown = [run for run in set(runs) if run not in self._terms]
        if not unknown:
            return
        empty = FILLER if self.stop_words else ""
        with self._lock:
            for start in range(0, len(unknown), ORACLE_BATCH):
                chunk = unknown[start : start + ORACLE_BATCH]
                for run, terms in zip(chunk, self._lookup(chunk), strict=True):
                    self._terms[run] = terms
                    self._joined[run] = " ".join(terms) or empty

    def terms(self, run: str) -> tuple[str, ...]:
        """The index terms of one run (empty: a stop word)."""
        if run not in self._terms:
            self.learn([run])
        return self._terms[run]

    def index_texts(self, texts: list[str]) -> list[str]:
        """Each text as its index terms joined by spaces (FILLER for a stop word)."""
        split = [RUN_RE.findall(text) for text in texts]
        self.learn(set().union(*split).difference(self._joined))
        joined = self._joined.__getitem__
        # The index splits on spaces: the "" of a run without terms leaves no token.
        return [" ".join(map(joined, runs)) for runs in split]


class Fts5Words(IndexWords):
    """Terms as the archive's FTS5 index makes them (same tokenizer string)."""

    def __init__(self, tokenize: str) -> None:
        super().__init__()
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.execute(f"CREATE VIRTUAL TABLE runs USING fts5(text, tokenize={tokenize!r})")
        self._db.execute("CREATE VIRTUAL TABLE run_terms USING fts5vocab(runs, 'instance')")

    def _lookup(self, runs: list[str]) -> list[tuple[str, ...]]:
        db = self._db
        db.execute("DELETE FROM runs")
        db.executemany("INSERT INTO runs(rowid, text) VALUES (?, ?)", enumerate(runs))
        found: list[list[str]] = [[] for _ in runs]
        for term, doc in db.execute("SELECT term, doc FROM run_terms ORDER BY doc, offset"):
            found[doc].append(term)
        return [tuple(terms) for terms in found]


TSVECTOR_LEXEME_RE = re.compile(r"'((?:[^']|'')*)'(?::([0-9A-D,]+))?")
TSQUERY_TOKEN_RE = re.compile(r"\s*(?:'((?:[^']|'')*)'(:[*A-D]+)?|(<->|<\d+>|[&|!()]))")


class PostgresWords(IndexWords):
    """Lexemes as `to_tsvector(config, run)` makes them; stop words have none."""

    stop_words = True

    # The paragraphs' words are read from the stored tsvector, not from their text.
    source_column = "search_vector::text"

    def __init__(self, using: str, config: str) -> None:
        super().__init__()
        self.using = using
        self.config = config
        self._trees: dict[str, object] = {}

    def index_texts(self, texts: list[str]) -> list[str]:
        """Each paragraph's stored tsvector (as text) as its lexemes in their positions, a
        FILLER where the database left a stop word out: exactly what the database matches,
        compounds (`ust-kamenogorsk`), hosts and numbers as its parser made them."""
        return [_tsvector_words(vector) for vector in texts]

    def query_tree(self, node):
        """The query as the database itself normalises it (`to_tsquery`: stems, drops stop
        words and keeps their places in phrases, stems prefixes), as a tree of terms."""
        source = to_tsquery(node)
        tree = self._trees.get(source)
        if tree is None and source not in self._trees:
            with connections[self.using].cursor() as cursor:
                cursor.execute(f"SELECT to_tsquery('{self.config}', %s)::text", [source])
                tree = parse_tsquery(cursor.fetchone()[0])
            self._trees[source] = tree
        return tree

    def _lookup(self, runs: list[str]) -> list[tuple[str, ...]]:
        with connections[self.using].cursor() as cursor:
            cursor.execute(
                f"SELECT to_tsvector('{self.config}', run)::text "
                "FROM unnest(%s::text[]) WITH ORDINALITY AS r(run, n) ORDER BY n",
                [runs],
            )
            vectors = [row[0] for row in cursor.fetchall()]
        found = []
        for vector in vectors:
            by_position = sorted(
                (int(position), lexeme.replace("''", "'"))
                for lexeme, position in TSVECTOR_LEXEME_RE.findall(vector)
            )
            found.append(tuple(lexeme for _, lexeme in by_position))
        return found


def _tsvector_words(vector: str) -> str:
    """`'elect':2,7 'kazakhstan':1` as `kazakhstan elect _ _ _ _ elect`."""
    placed: dict[int, str] = {}
    for lexeme, positions in TSVECTOR_LEXEME_RE.findall(vector):
        lexeme = lexeme.replace("''", "'")
        for position in positions.split(",") if positions else ["1"]:
            placed.setdefault(int(position.rstrip("ABCD")), lexeme.replace(" ", FILLER))
    if not placed:
        return ""
    return " ".join(placed.get(p, FILLER) for p in range(1, max(placed) + 1))


def parse_tsquery(text: str):
    """A normalised tsquery (`'oil' | 'ga' & 'pipelin'`, `'secretari' <2> 'state'`,
    `'nucl':*`) as a tree: ("term", lexeme), ("prefix", lexeme), ("phrase", [(position,
    lexeme), ...]), ("and"|"or", [trees]); None for an empty query (stop words only)."""
    tokens = []
    position = 0
    text = text.strip()
    while position < len(text):
        match = TSQUERY_TOKEN_RE.match(text, position)
        if match is None:
            raise ValueError(f"unexpected tsquery text at {position}: {text!r}")
        lexeme, flags, operator = match.groups()
        tokens.append(
            ("lexeme", lexeme.replace("''", "'"), flags or "")
            if operator is None
            else ("op", operator, "")
        )
        position = match.end()
        while position < len(text) and text[position].isspace():
            position += 1
    if not tokens:
        return None
    tree, rest = _or(tokens)
    if rest:
        raise ValueError(f"unexpected tsquery text: {text!r}")
    return tree


def _or(tokens):
    left, tokens = _and(tokens)
    items = [left]
    while tokens and tokens[0][:2] == ("op", "|"):
        right, tokens = _and(tokens[1:])
        items.append(right)
    return (items[0] if len(items) == 1 else ("or", items)), tokens


def _and(tokens):
    left, tokens = _phrase(tokens)
    items = [left]
    while tokens and tokens[0][:2] == ("op", "&"):
        right, tokens = _phrase(tokens[1:])
        items.append(right)
    return (items[0] if len(items) == 1 else ("and", items)), tokens


def _phrase(tokens):
    first, tokens = _operand(tokens)
    placed = [(0, first)]
    while tokens and tokens[0][0] == "op" and tokens[0][1].startswith("<"):
        distance = 1 if tokens[0][1] == "<->" else int(tokens[0][1][1:-1])
        operand, tokens = _operand(tokens[1:])
        placed.append((placed[-1][0] + distance, operand))
    if len(placed) == 1:
        return first, tokens
    if any(operand[0] != "term" for _, operand in placed):
        raise ValueError("a phrase of more than plain words")
    return ("phrase", [(position, operand[1]) for position, operand in placed]), tokens


def _operand(tokens):
    kind, value, flags = tokens[0]
    if kind == "lexeme":
        return (("prefix" if "*" in flags else "term"), value), tokens[1:]
    if value == "(":
        tree, tokens = _or(tokens[1:])
        if not tokens or tokens[0][:2] != ("op", ")"):
            raise ValueError("unbalanced parentheses in a tsquery")
        return tree, tokens[1:]
    raise ValueError(f"unexpected {value!r} in a tsquery")
