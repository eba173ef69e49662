"""The archive's one tokenizer: the words of a paragraph and of a query, on every backend.

Every index of the archive holds the same terms, so the same URL matches the same paragraphs
on SQLite and on PostgreSQL, and the rank index (`rank_index.py`) matches exactly what the
database matches. The terms are FTS5's (`porter unicode61 remove_diacritics 2`: Porter stems,
case and accents folded, every word indexed, no stop words): the text is split into runs of
letters and digits, and every distinct run is turned into its terms once by an in-memory FTS5
table and its `fts5vocab` instance table (`Ust` -> `ust`, `elections` -> `elect`), then
cached. Python's sqlite3 has FTS5 on every machine, so PostgreSQL gets them too:

- SQLite: the FTS5 tables tokenize the text themselves with the same tokenizer string.
- PostgreSQL: ingest writes each paragraph's terms into `search_vector` as a tsvector
  literal (`tsvector_literal`), and a query is a tsquery literal of the same terms
  (`tsquery_literal`): no text search configuration, parser or stemmer of PostgreSQL's.

The index text of a paragraph is its terms joined by spaces; the rank index splits on spaces.
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable

from .query import Node, Or, Phrase, Term

TOKENIZE = "porter unicode61 remove_diacritics 2"
RUN_RE = re.compile(r"[^\W_]+")
ORACLE_BATCH = 5_000
# PostgreSQL's largest tsvector position: a later word of a (very long) paragraph is stored
# at it, as to_tsvector does.
MAX_TSVECTOR_POSITION = 16_383
# PostgreSQL keeps the first 256 places of a term in a tsvector and drops the rest, so a phrase
# after them ("the united states" past a long paragraph's 256th "the") would not match there:
# a term used more often than this may have lost places.
MAX_TSVECTOR_PLACES = 255
# The mark of a tsvector that lost places: never an index term (runs hold no "_").
LOST_PLACES = "_lost_places"


class IndexWords:
    """Turns text into the archive's index terms (see the module doc)."""

    def __init__(self) -> None:
        self._terms: dict[str, tuple[str, ...]] = {}
        # A run's terms as they go into the index text: joined by spaces; a run FTS5 makes
        # nothing of is "" (no position).
        self._joined: dict[str, str] = {}
        self._lock = threading.Lock()  # runserver's threads share one oracle

    def _lookup(self, runs: list[str]) -> list[tuple[str, ...]]:
        raise NotImplementedError

    def learn(self, runs: Iterable[str]) -> None:
        """Ask the database's tokeniser for the runs not seen yet, in batches."""
        unknown = [run for run in set(runs) if run not in self._terms]
        if not unknown:
            return
        with self._lock:
            for start in range(0, len(unknown), ORACLE_BATCH):
                chunk = unknown[start : start + ORACLE_BATCH]
                for run, terms in zip(chunk, self._lookup(chunk), strict=True):
                    self._terms[run] = terms
                    self._joined[run] = " ".join(terms)

    def terms(self, run: str) -> tuple[str, ...]:
        """The index terms of one run."""
        if run not in self._terms:
            self.learn([run])
        return self._terms[run]

    def index_texts(self, texts: list[str]) -> list[str]:
        """Each text as its index terms joined by spaces."""
        split = [RUN_RE.findall(text) for text in texts]
        self.learn(set().union(*split).difference(self._joined))
        joined = self._joined.__getitem__
        # The index splits on spaces: the "" of a run without terms leaves no token.
        return [" ".join(map(joined, runs)) for runs in split]


class Fts5Words(IndexWords):
    """Terms as the archive's FTS5 index makes them (same tokenizer string)."""

    def __init__(self, tokenize: str = TOKENIZE) -> None:
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


_words: dict[int, Fts5Words] = {}


def archive_words() -> Fts5Words:
    """This process's tokenizer oracle (one per process: a forked worker makes its own)."""
    pid = os.getpid()
    words = _words.get(pid)
    if words is None:
        words = _words[pid] = Fts5Words()
    return words


def fold(text: str) -> str:
    """Lower case without diacritics, as FTS5's unicode61 folds a word."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def prefix_term(word: str, words: IndexWords) -> str:
    """What a prefix stands for: the start of every index term beginning with the stem of
    `word`. FTS5's porter tokenizer stems a prefix as it stems a word (`ele*` is `el*`, so it
    finds "elder"; `agre*` is `agr*`), and the SQLite index cannot be asked otherwise: so
    every index reads a prefix so, and a URL means the same cables on both backends. A word
    FTS5 splits (`U.S*`) or makes nothing of is only folded."""
    runs = RUN_RE.findall(word)
    if len(runs) == 1:
        terms = words.terms(runs[0])
        if len(terms) == 1:
            return terms[0]
    return fold(word)


def query_terms(node: Node | None, words: IndexWords):
    """A parsed query as index terms: ("term", t), ("prefix", p), ("phrase", [(position, t),
    ...]), ("and"|"or", [trees]); None when nothing of it is a term."""
    if node is None:
        return None
    if isinstance(node, Term):
        if node.prefix:
            prefix = prefix_term(node.word, words)
            return ("prefix", prefix) if prefix else None
        return _placed([node.word], words)
    if isinstance(node, Phrase):
        return _placed(list(node.words), words)
    items = [tree for tree in (query_terms(item, words) for item in node.items) if tree]
    if len(items) <= 1:
        return items[0] if items else None
    return ("or" if isinstance(node, Or) else "and", items)


def _placed(query_words: list[str], words: IndexWords):
    """Words as a term, or a phrase of terms in their places (a word FTS5 splits, `U.S.`, is a
    phrase of its parts)."""
    placed, offset = [], 0
    for word in query_words:
        for run in RUN_RE.findall(word):
            for term in words.terms(run):
                placed.append((offset, term))
                offset += 1
    if not placed:
        return None
    return ("term", placed[0][1]) if len(placed) == 1 else ("phrase", placed)


def _quoted(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(index_text: str) -> str:
    """An index text (`kazakhstan elect of elect`) as a PostgreSQL tsvector literal
    (`kazakhstan:1 elect:2 of:3 elect:4`; PostgreSQL merges a term's places): the same terms in
    the same places. Terms are runs of letters and digits, never a quote, a backslash or a
    colon, so they need no quoting (the bulk load makes 2 million of these)."""
    terms = index_text.split()
    if len(terms) > MAX_TSVECTOR_POSITION:
        literal = " ".join(
            f"{term}:{min(position, MAX_TSVECTOR_POSITION)}"
            for position, term in enumerate(terms, start=1)
        )
    else:
        literal = " ".join(f"{term}:{position}" for position, term in enumerate(terms, start=1))
    return f"{literal} {LOST_PLACES}" if loses_places(terms) else literal


def loses_places(terms: list[str]) -> bool:
    """Whether PostgreSQL's tsvector of these terms drops places a phrase may need (see
    MAX_TSVECTOR_PLACES and MAX_TSVECTOR_POSITION); such a vector carries LOST_PLACES, and its
    phrases are checked in the text (`phrase_matches`)."""
    if len(terms) <= MAX_TSVECTOR_PLACES:
        return False
    if len(terms) >= MAX_TSVECTOR_POSITION:
        return True
    return Counter(terms).most_common(1)[0][1] > MAX_TSVECTOR_PLACES


def phrase_terms(tree) -> set[str]:
    """The terms that stand in a phrase of the index terms (`query_terms`)."""
    kind, value = tree
    if kind == "phrase":
        return {term for _, term in value}
    if kind in ("and", "or"):
        return set().union(*(phrase_terms(item) for item in value))
    return set()


def without_places(tree):
    """The index terms with each phrase loosened to all of its terms: what a tsvector that
    lost places can still answer (a superset of the phrase's matches)."""
    kind, value = tree
    if kind == "phrase":
        return ("and", [("term", term) for _, term in value])
    if kind in ("and", "or"):
        return (kind, [without_places(item) for item in value])
    return tree


def phrase_matches(tree, index_text: str) -> bool:
    """Whether a paragraph's index text matches the index terms (`query_terms`), places and
    all: the answer for a tsvector that lost places."""
    places: dict[str, set[int]] = {}
    for position, term in enumerate(index_text.split()):
        places.setdefault(term, set()).add(position)
    return _matches(tree, places)


def _matches(tree, places: dict[str, set[int]]) -> bool:
    kind, value = tree
    if kind == "term":
        return value in places
    if kind == "prefix":
        return any(term.startswith(value) for term in places)
    if kind == "phrase":
        (first_offset, first), rest = value[0], value[1:]
        return any(
            all(start + offset - first_offset in places.get(term, ()) for offset, term in rest)
            for start in places.get(first, ())
        )
    found = (_matches(item, places) for item in value)
    return any(found) if kind == "or" else all(found)


def tsquery_literal(tree) -> str:
    """Index terms (`query_terms`) as a PostgreSQL tsquery literal; "" matches nothing."""
    if tree is None:
        return ""
    kind, value = tree
    if kind == "term":
        return _quoted(value)
    if kind == "prefix":
        return _quoted(value) + ":*"
    if kind == "phrase":
        parts, previous = [_quoted(value[0][1])], value[0][0]
        for position, term in value[1:]:
            distance = position - previous
            parts.append(("<->" if distance == 1 else f"<{distance}>") + " " + _quoted(term))
            previous = position
        return "(" + " ".join(parts) + ")"
    joiner = " | " if kind == "or" else " & "
    return "(" + joiner.join(tsquery_literal(item) for item in value) + ")"


def tsquery_of(node: Node | None) -> str:
    """A parsed query as a PostgreSQL tsquery literal of the archive's terms."""
    return tsquery_literal(query_terms(node, archive_words()))
