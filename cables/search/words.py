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

RUN_RE = re.compile(r"[^\W_]+")
FILLER = "_"  # a stop word's place: never a term of a query (runs never hold "_")
ORACLE_BATCH = 5_000


class IndexWords:
    """Turns text into the terms of the database's full-text index (see the module doc)."""

    stop_words = False  # whether some runs have no term (PostgreSQL's stop words)

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


TSVECTOR_LEXEME_RE = re.compile(r"'((?:[^']|'')*)':(\d+)")


class PostgresWords(IndexWords):
    """Lexemes as `to_tsvector(config, run)` makes them; stop words have none."""

    stop_words = True

    def __init__(self, using: str, config: str) -> None:
        super().__init__()
        self.using = using
        self.config = config

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
