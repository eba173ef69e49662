"""The rank index: relevance order over every match, exact, without scoring every match.

Relevance is documented as: a cable ranks by the BM25 score (k1 1.2, b 0.75) of its best
matching paragraph, higher first, equal scores by cable id. Computing that over the database's
own full-text index means scoring every match (2.5 s for "said" in FTS5 at full size, more with
PostgreSQL's ts_rank). A tantivy index of the paragraphs (Lucene's layout: block-max WAND, so
the top k of a query is found without scoring every match) gives the same ranking in a few
milliseconds. It holds, per paragraph, its id, its cable's id and its words *as the database's
index makes them* (see `words.py`), so it matches exactly the paragraphs the database matches:
the count, the facets and the filters stay the database's, the order comes from here.

It lives in a directory per database (settings.RANK_INDEX_DIR) and is kept in step with the
paragraph table explicitly: ingest calls `replace_cables` after its transaction commits, a bulk
load calls `rebuild`. A fingerprint of the paragraph table (count, sum of ids, sum of cable
ids) is stored with each commit; `ensure_current` compares it with the table's (at most every
settings.RANK_INDEX_CHECK_SECONDS) and repairs the cables that differ, so a crash between the
database's commit and the index's, or a rolled-back transaction, never leaves it wrong.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import multiprocessing
import os
import re
import shutil
import threading
import time
import unicodedata
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import tantivy
from django.conf import settings
from django.db import connections, transaction

from cables.lib.forked import detach_connections
from cables.models.archive import SEARCH_CONFIG

from .query import Node, Or, Phrase, QuerySyntaxError, Term
from .sqlite import FTS_TOKENIZE
from .words import RUN_RE, Fts5Words, IndexWords, PostgresWords

WORDS = "words"
CABLE_WORDS = "cable_words"
# A prefix expands to every index term it starts (as FTS5 and PostgreSQL do); past this many
# the query is refused with a message rather than run.
MAX_PREFIX_TERMS = 5_000
BUILD_CHUNK = 20_000
WRITER_HEAP = 200_000_000


def _schema():
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("pid", stored=False, indexed=True, fast=True)
    builder.add_integer_field("cable", stored=False, indexed=True, fast=True)
    # The paragraph's length in characters: with the ids, what `repair` compares per cable, so
    # a cable whose paragraphs kept their ids but not their text (SQLite hands a rolled-back
    # id out again) is seen to differ.
    builder.add_integer_field("chars", stored=False, indexed=False, fast=True)
    builder.add_text_field(WORDS, stored=False, tokenizer_name="spaces", index_option="position")
    # One more document per cable, with every word of its paragraphs: which cables hold a word
    # anywhere (an exclusion, `-the`) is then one hit per cable, not one per paragraph.
    builder.add_text_field(CABLE_WORDS, stored=False, tokenizer_name="spaces", index_option="basic")
    return builder.build()


SCHEMA = _schema()


def _analyzer():
    # The words are the database's terms already: split on spaces, nothing else.
    return tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()


@dataclass(frozen=True)
class Fingerprint:
    paragraphs: int
    id_sum: int
    cable_sum: int


@dataclass
class Ranking:
    """The first cables of the ranking that passed the filters, best first."""

    ids: list[int]
    scores: dict[int, float]  # cable id -> its best paragraph's score
    complete: bool  # every match was looked at (there are no more cables after `ids`)


def _fold(text: str) -> str:
    """Lower case without diacritics: how FTS5's unicode61 folds a prefix (unstemmed)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def index_dir(using: str = "default") -> Path:
    """The directory of the rank index of the database behind `using`."""
    if using.startswith("replica"):
        using = "default"  # a read replica holds the primary's paragraphs: the same index
    connection = connections[using]
    params = connection.settings_dict
    identity = f"{connection.vendor}:{params.get('HOST')}:{params.get('PORT')}:{params['NAME']}"
    if connection.vendor == "sqlite" and not str(params["NAME"]).startswith(("file:", ":")):
        identity = f"sqlite:{Path(params['NAME']).resolve()}"
    digest = hashlib.sha1(identity.encode()).hexdigest()[:12]
    name = re.sub(r"[^A-Za-z0-9]+", "-", Path(str(params["NAME"])).name).strip("-")[:40]
    return Path(settings.RANK_INDEX_DIR) / f"{connection.vendor}-{name}-{digest}"


@functools.lru_cache(maxsize=8)
def _cable_set(cable_ids: tuple[int, ...]):
    """A filter on these cables, built once: a search asks for the same set several times
    (the count, the ranking, the snippets), and 38,000 ids took 20-25 ms to turn into it."""
    return tantivy.Query.const_score_query(
        tantivy.Query.term_set_query(SCHEMA, "cable", list(cable_ids)), 0.0
    )


class RankIndex:
    def __init__(self, using: str = "default") -> None:
        self.using = using
        self.path = index_dir(using)
        self.path.mkdir(parents=True, exist_ok=True)
        try:
            self.index = tantivy.Index(SCHEMA, path=str(self.path), reuse=True)
        except ValueError as error:
            if "schema does not match" not in str(error):
                raise
            # Made by an earlier version of this code: start empty; the first check (no
            # fingerprint) rebuilds it from the paragraph table.
            shutil.rmtree(self.path)
            self.path.mkdir(parents=True)
            self.index = tantivy.Index(SCHEMA, path=str(self.path), reuse=True)
        self.index.register_tokenizer("spaces", _analyzer())
        self.words = _index_words(using)
        self._checked_at = -math.inf
        self._lock = threading.Lock()

    # --- upkeep ------------------------------------------------------------------------
    def _fingerprint_file(self) -> Path:
        return self.path / "fingerprint.json"

    def stored_fingerprint(self) -> Fingerprint | None:
        try:
            return Fingerprint(**json.loads(self._fingerprint_file().read_text()))
        except (OSError, ValueError, TypeError):
            return None

    def database_fingerprint(self) -> Fingerprint:
        with connections[self.using].cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*), COALESCE(SUM(id), 0), COALESCE(SUM(cable_id), 0) "
                "FROM cables_paragraph"
            )
            count, id_sum, cable_sum = cursor.fetchone()
        return Fingerprint(int(count), int(id_sum), int(cable_sum))

    def _store_fingerprint(self) -> None:
        temporary = self._fingerprint_file().with_suffix(".tmp")
        temporary.write_text(json.dumps(self.database_fingerprint().__dict__))
        temporary.replace(self._fingerprint_file())

    def _writer(self):
        # One writer at a time across processes (tantivy's lock file): wait for it briefly.
        for _ in range(100):
            try:
                return self.index.writer(heap_size=WRITER_HEAP, num_threads=1)
            except ValueError:
                time.sleep(0.1)
        return self.index.writer(heap_size=WRITER_HEAP, num_threads=1)

    def _add(self, writer, rows) -> int:
        """Add (paragraph id, cable id, length, text) rows; returns how many."""
        return self._add_worded(writer, _worded(self.words, rows))

    @staticmethod
    def _add_worded(writer, rows) -> int:
        """Add (paragraph id, cable id, length, index text) rows and a cable document for each cable
        among them; returns how many paragraphs."""
        by_cable: dict[int, list[str]] = {}
        for pid, cable_id, chars, words in rows:
            document = tantivy.Document()
            document.add_integer("pid", pid)
            document.add_integer("cable", cable_id)
            document.add_integer("chars", chars)
            document.add_text(WORDS, words)
            writer.add_document(document)
            by_cable.setdefault(cable_id, []).append(words)
        for cable_id, texts in by_cable.items():
            # A cable split over two chunks gets two such documents: "holds the word" is
            # still right.
            document = tantivy.Document()
            document.add_integer("cable", cable_id)
            document.add_text(CABLE_WORDS, " ".join(texts))
            writer.add_document(document)
        return len(rows)

    def _paragraph_rows(self, cable_ids=None):
        """(id, cable_id, length, text) of every paragraph, or of these cables', in chunks; the text
        as `self.words` reads it (PostgreSQL: the stored tsvector)."""
        connection = connections[self.using]
        column = self.words.source_column
        if cable_ids is None:
            last = 0
            while True:
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"SELECT id, cable_id, LENGTH(text), {column} FROM cables_paragraph "
                        "WHERE id > %s "
                        "ORDER BY id LIMIT %s",
                        [last, BUILD_CHUNK],
                    )
                    rows = cursor.fetchall()
                if not rows:
                    return
                yield rows
                last = rows[-1][0]
        ids = sorted(set(cable_ids))
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join(["%s"] * len(chunk))
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT id, cable_id, LENGTH(text), {column} FROM cables_paragraph "
                    f"WHERE cable_id IN ({marks})",
                    chunk,
                )
                yield cursor.fetchall()

    def rebuild(self, stdout=None, workers: int | None = None) -> int:
        """Index every paragraph anew (after a bulk load). The words of the paragraphs are
        worked out on `workers` processes (all cores by default): that is most of the cost."""
        began = time.perf_counter()
        writer = self._writer()
        writer.delete_all_documents()
        added = 0
        workers = workers or os.cpu_count() or 1
        chunks = self._paragraph_rows()
        if workers > 1:
            context = multiprocessing.get_context("fork")
            with context.Pool(
                workers, initializer=_start_rebuild_worker, initargs=(self.using,)
            ) as pool:
                # The chunks are read here, in this thread and on its connection (imap would
                # read them in the pool's own thread, on another connection, which does not
                # see this transaction), a few at a time in flight, added in order.
                pending: deque = deque()
                for rows in chunks:
                    pending.append(pool.apply_async(_worded_rows, (rows,)))
                    if len(pending) > 2 * workers:
                        added += self._add_worded(writer, pending.popleft().get())
                while pending:
                    added += self._add_worded(writer, pending.popleft().get())
        else:
            for rows in chunks:
                added += self._add(writer, rows)
        writer.commit()
        writer.wait_merging_threads()
        self._store_fingerprint()
        self.index.reload()
        if stdout is not None:
            stdout.write(
                f"  rank index: {added:,} paragraphs in {time.perf_counter() - began:.0f} s\n"
            )
        return added

    def replace_cables(self, cable_ids) -> None:
        """Index these cables' paragraphs as the table holds them now (none: removed)."""
        ids = sorted(set(cable_ids))
        if not ids:
            return
        writer = self._writer()
        for cable_id in ids:
            writer.delete_documents_by_term("cable", cable_id)
        for rows in self._paragraph_rows(ids):
            self._add(writer, rows)
        writer.commit()
        writer.wait_merging_threads()
        self._store_fingerprint()
        self.index.reload()

    def _indexed_cables(self) -> dict[int, tuple[int, int, int]]:
        """{cable id: (paragraphs, sum of their ids, sum of their lengths)} as the index
        holds them."""
        self.index.reload()
        searcher = self.index.searcher()
        if searcher.num_docs == 0:
            return {}
        result = searcher.aggregate(
            tantivy.Query.exists_query("pid"),  # the paragraphs, not the cable documents
            {
                "cables": {
                    "terms": {"field": "cable", "size": 10_000_000},
                    "aggs": {
                        "pids": {"sum": {"field": "pid"}},
                        "chars": {"sum": {"field": "chars"}},
                    },
                }
            },
        )
        return {
            int(bucket["key"]): (
                int(bucket["doc_count"]),
                int(bucket["pids"]["value"]),
                int(bucket["chars"]["value"]),
            )
            for bucket in result["cables"]["buckets"]
        }

    def _table_cables(self) -> dict[int, tuple[int, int, int]]:
        with connections[self.using].cursor() as cursor:
            cursor.execute(
                "SELECT cable_id, COUNT(*), SUM(id), SUM(LENGTH(text)) FROM cables_paragraph "
                "GROUP BY cable_id"
            )
            return {c: (int(n), int(ids), int(chars)) for c, n, ids, chars in cursor.fetchall()}

    def repair(self) -> int:
        """Re-index the cables whose paragraphs differ between the table and the index;
        returns how many."""
        indexed, table = self._indexed_cables(), self._table_cables()
        differing = [c for c in indexed.keys() | table.keys() if indexed.get(c) != table.get(c)]
        if len(differing) > max(1000, len(table) // 2):
            self.rebuild()
        else:
            self.replace_cables(differing)
            if not differing:
                self._store_fingerprint()
        return len(differing)

    def ensure_current(self) -> None:
        """See the other processes' commits; repair the index if the paragraph table changed
        behind its back (a crash between two commits, a rolled-back transaction), checked at
        most every RANK_INDEX_CHECK_SECONDS."""
        # Another process's commits (ingest's) are seen at once; the table is compared now
        # and then only (a count over every paragraph).
        self.index.reload()
        if time.monotonic() - self._checked_at < settings.RANK_INDEX_CHECK_SECONDS:
            return
        with self._lock:
            if self.database_fingerprint() != self.stored_fingerprint():
                self.repair()
            self._checked_at = time.monotonic()

    # --- queries -----------------------------------------------------------------------
    def searcher(self):
        return self.index.searcher()

    def compile(self, node: Node, searcher=None, field: str = WORDS):
        """The tantivy query matching what the database matches for `node`; None when
        nothing is left of it (only stop words). On CABLE_WORDS it matches the cable
        documents holding every word anywhere (phrases too: a superset of the cables with a
        matching paragraph)."""
        if node is None:
            return None
        tree = self.words.query_tree(node) if self.words.stop_words else self._tree(node)
        return self._build(tree, searcher or self.searcher(), field)

    def _tree(self, node: Node):
        """The query as index terms (see `words.QueryTree`), from FTS5's terms of its words."""
        if isinstance(node, Term):
            if node.prefix:
                return ("prefix", self.prefix_term(node.word))
            return self._placed([node.word])
        if isinstance(node, Phrase):
            return self._placed(list(node.words))
        items = [tree for tree in (self._tree(item) for item in node.items) if tree]
        if len(items) <= 1:
            return items[0] if items else None
        return ("or" if isinstance(node, Or) else "and", items)

    def _placed(self, words: list[str]):
        """Words as a term, or a phrase of terms in their places (a word FTS5 splits, `U.S.`,
        is a phrase of its parts)."""
        placed, offset = [], 0
        for word in words:
            for run in RUN_RE.findall(word):
                for term in self.words.terms(run):
                    placed.append((offset, term))
                    offset += 1
        if not placed:
            return None
        return ("term", placed[0][1]) if len(placed) == 1 else ("phrase", placed)

    def _build(self, tree, searcher, field: str):
        if tree is None:
            return None
        kind, value = tree
        if kind == "term":
            return tantivy.Query.term_query(SCHEMA, field, value, index_option="freq")
        if kind == "prefix":
            return self._prefix(value, searcher, field)
        if kind == "phrase":
            if field == CABLE_WORDS:  # no positions there: every word, anywhere in the cable
                terms = dict.fromkeys(term for _, term in value)
                return self._build(("and", [("term", t) for t in terms]), searcher, field)
            first = value[0][0]
            return tantivy.Query.phrase_query(
                SCHEMA, WORDS, [(position - first, term) for position, term in value]
            )
        items = [q for q in (self._build(item, searcher, field) for item in value) if q]
        if len(items) <= 1:
            return items[0] if items else None
        occur = tantivy.Occur.Should if kind == "or" else tantivy.Occur.Must
        return tantivy.Query.boolean_query([(occur, q) for q in items])

    def ignored_words(self, nodes) -> list[str]:
        """The words of the query that match nothing because the database's index leaves them
        out (PostgreSQL's English stop words: "the", "of"); FTS5 leaves out none."""
        if not self.words.stop_words:
            return []
        ignored: list[str] = []

        def walk(node):
            if isinstance(node, Term | Phrase):
                # In a phrase a stop word keeps its place ("secretary of state"): only a
                # phrase of stop words alone is ignored.
                text = node.word if isinstance(node, Term) else " ".join(node.words)
                runs = RUN_RE.findall(text)
                if runs and not any(self.words.terms(run) for run in runs):
                    ignored.append(text)
            else:
                for item in node.items:
                    walk(item)

        for node in nodes:
            if node is not None:
                walk(node)
        return list(dict.fromkeys(ignored))

    @staticmethod
    def prefix_term(word: str) -> str:
        """The prefix as FTS5 compares it with index terms: case and diacritics folded, not
        stemmed (`happines*` finds nothing: the term is `happi`). PostgreSQL stems it
        (`nucle:*` is `nucl:*`): that comes with its normalised tsquery."""
        return _fold(word)

    def _prefix(self, prefix: str | None, searcher, field: str = WORDS):
        if not prefix:
            return None
        expansions = searcher.terms_with_prefix(WORDS, prefix, limit=MAX_PREFIX_TERMS + 1)
        if len(expansions) > MAX_PREFIX_TERMS:
            raise QuerySyntaxError(
                f"“{prefix}*” stands for more than {MAX_PREFIX_TERMS:,} different words: "
                "type a few more letters."
            )
        if not expansions:
            return tantivy.Query.empty_query()
        # Every word the prefix stands for, each scored as a word of the query.
        return tantivy.Query.boolean_query(
            [
                (
                    tantivy.Occur.Should,
                    tantivy.Query.term_query(SCHEMA, field, term, index_option="freq"),
                )
                for term, _ in expansions
            ]
        )

    def count_paragraphs(self, query, searcher=None) -> int:
        searcher = searcher or self.searcher()
        return searcher.search(query, limit=1, count=True).count

    def _hits(self, query, limit: int, searcher) -> list[tuple[float, int, int]]:
        """(score, cable id, paragraph id) of the best `limit` paragraphs, best first."""
        if limit <= 0:
            return []
        found = searcher.search(query, limit=limit, count=False).hits
        addresses = [address for _, address in found]
        cables = searcher.fast_field_values("cable", addresses)
        pids = searcher.fast_field_values("pid", addresses)
        return [(score, c, p) for (score, _), c, p in zip(found, cables, pids, strict=True)]

    def ranked(self, query, need: int, keep=None) -> Ranking:
        """The first `need` cables of the ranking, each passing `keep` (a function taking a
        list of cable ids and returning those that pass), best first, equal scores by id.

        The top k paragraphs are read (k grows until enough cables passed): a cable's first
        paragraph among them is its best. A cable whose best equals the k-th score may tie
        with a cable not read yet, so only cables scoring above it are final until every
        match has been read."""
        searcher = self.searcher()
        ranking = Ranking([], {}, False)
        if query is None or need <= 0:
            ranking.complete = query is None
            return ranking
        checked: set[int] = set()
        limit = max(100, need * 4)
        while True:
            hits = self._hits(query, limit, searcher)
            exhausted = len(hits) < limit
            floor = -math.inf if exhausted else hits[-1][0]
            best: dict[int, float] = {}
            for score, cable_id, _ in hits:
                best.setdefault(cable_id, score)
            final = sorted((c for c, s in best.items() if s > floor), key=lambda c: (-best[c], c))
            fresh = [c for c in final if c not in checked]
            checked.update(fresh)
            passed = keep(fresh) if keep is not None and fresh else fresh
            ranking.scores.update((c, best[c]) for c in passed)
            ranking.ids = [c for c in final if c in ranking.scores]
            if len(ranking.ids) >= need or exhausted:
                ranking.complete = exhausted
                ranking.ids = ranking.ids[:need] if not exhausted else ranking.ids
                return ranking
            limit *= 8

    @staticmethod
    def within(query, cable_ids: list[int]):
        """`query` matched in these cables' paragraphs only (scores unchanged)."""
        return tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, query), (tantivy.Occur.Must, _cable_set(tuple(cable_ids)))]
        )

    def best_paragraphs(self, query, cable_ids: list[int], per_cable: int):
        """{cable id: [(paragraph id, score), ...]}: the best matching paragraphs of these
        cables, best first (equal scores by paragraph id)."""
        if query is None or not cable_ids:
            return {}
        searcher = self.searcher()
        within = self.within(query, cable_ids)
        total = self.count_paragraphs(within, searcher)
        chosen: dict[int, list[tuple[int, float]]] = {}
        for score, cable_id, pid in sorted(
            self._hits(within, total, searcher), key=lambda hit: (-hit[0], hit[2])
        ):
            kept = chosen.setdefault(cable_id, [])
            if len(kept) < per_cable:
                kept.append((pid, score))
        return chosen

    def cables_matching(self, query, among: list[int]) -> set[int]:
        """The cables of `among` with a paragraph matching `query`."""
        if query is None or not among:
            return set()
        searcher = self.searcher()
        within = self.within(query, among)
        total = self.count_paragraphs(within, searcher)
        return {cable_id for _, cable_id, _ in self._hits(within, total, searcher)}

    def cables_matching_node(self, node: Node, among: list[int]) -> set[int]:
        """`cables_matching` for a parsed query: a single word or prefix is read off the cable
        documents, one hit per cable instead of one per paragraph."""
        if not among:
            return set()
        searcher = self.searcher()
        if not self._one_word(node):
            return self.cables_matching(self.compile(node, searcher), among)
        anywhere = self.compile(node, searcher, CABLE_WORDS)
        if anywhere is None:
            return set()
        return self._cable_hits(self.within(anywhere, among), searcher)

    def _one_word(self, node: Node) -> bool:
        """Whether a cable document matches `node` exactly when a paragraph does: one index
        term or a prefix. (A phrase, or a word the index splits such as `U.S.`, only says
        that the cable holds its words somewhere.)"""
        tree = self.words.query_tree(node) if self.words.stop_words else self._tree(node)
        return tree is None or tree[0] in ("term", "prefix")

    def _cable_hits(self, query, searcher) -> set[int]:
        total = self.count_paragraphs(query, searcher)
        found = searcher.search(query, limit=max(1, total), count=False).hits
        return set(searcher.fast_field_values("cable", [address for _, address in found]))

    def cables_with(self, node: Node, limit: int | None = None) -> set[int] | None:
        """Every cable with a paragraph matching `node` (an excluded word or phrase), read off
        the cable documents: one hit per cable, whatever the number of paragraphs. None when
        more than `limit` cables could match."""
        searcher = self.searcher()
        anywhere = self.compile(node, searcher, CABLE_WORDS)
        if anywhere is None:
            return set()
        if limit is not None and self.count_paragraphs(anywhere, searcher) > limit:
            return None
        cables = self._cable_hits(anywhere, searcher)
        if self._one_word(node):
            return cables
        # A phrase: the cables holding its words, checked paragraph by paragraph.
        return self.cables_matching(self.compile(node, searcher), sorted(cables))

    def cables_left(self, node: Node, excluded: list[Node], limit: int) -> set[int] | None:
        """The cables with a paragraph matching `node` and none matching an excluded node, or
        None when more than `limit` cables could be left. The one-word exclusions are left out
        inside the index (`embassy -the` reads the few cables without "the", never the
        250,000 with it); phrases are checked among what is left."""
        searcher = self.searcher()
        anywhere = self.compile(node, searcher, CABLE_WORDS)
        if anywhere is None:
            return set()
        words, phrases = [], []
        for excluded_node in excluded:  # one tokeniser call each (a query on PostgreSQL)
            (words if self._one_word(excluded_node) else phrases).append(excluded_node)
        clauses = [(tantivy.Occur.Must, anywhere)]
        for word in words:
            left_out = self.compile(word, searcher, CABLE_WORDS)
            if left_out is not None:
                clauses.append((tantivy.Occur.MustNot, left_out))
        query = tantivy.Query.boolean_query(clauses)
        if self.count_paragraphs(query, searcher) > limit:
            return None
        cables = self._cable_hits(query, searcher)
        if not self._one_word(node) and cables:
            cables = self.cables_matching(self.compile(node, searcher), sorted(cables))
        for phrase in phrases:
            if cables:
                cables -= self.cables_matching(self.compile(phrase, searcher), sorted(cables))
        return cables

    def all_best_scores(self, query) -> dict[int, float]:
        """Every matching cable's best paragraph score, from every match (the exhaustive
        computation the bench and the tests compare the pages with)."""
        if query is None:
            return {}
        searcher = self.searcher()
        best: dict[int, float] = {}
        for score, cable_id, _ in self._hits(
            query, self.count_paragraphs(query, searcher), searcher
        ):
            if score > best.get(cable_id, -math.inf):
                best[cable_id] = score
        return best


def _worded(words: IndexWords, rows) -> list[tuple[int, int, int, str]]:
    """(paragraph id, cable id, length, index text) of (id, cable id, length, text) rows."""
    texts = words.index_texts([text for *_, text in rows])
    return [(*row[:3], text) for row, text in zip(rows, texts, strict=True)]


def _index_words(using: str) -> IndexWords:
    if connections[using].vendor == "postgresql":
        return PostgresWords(using, SEARCH_CONFIG)
    return Fts5Words(FTS_TOKENIZE)


_worker_words: IndexWords | None = None


def _start_rebuild_worker(using: str) -> None:
    """A rebuild's worker process: no connection of the parent's (a forked SQLite or
    PostgreSQL connection is not safe to use), a tokeniser oracle of its own."""
    global _worker_words
    detach_connections()
    _worker_words = _index_words(using)


def _worded_rows(rows):
    """`_worded` in a rebuild's worker process."""
    return _worded(_worker_words, rows)


_indexes: dict[tuple[str, Path], RankIndex] = {}
_indexes_lock = threading.Lock()


def rank_index(using: str = "default", *, check: bool = True) -> RankIndex:
    """This process's RankIndex of the database behind `using`, brought up to date unless
    `check` is False."""
    key = (using, index_dir(using))
    with _indexes_lock:
        index = _indexes.get(key)
        if index is None:
            index = _indexes[key] = RankIndex(using)
    if check:
        index.ensure_current()
    return index


def reindex_on_commit(cable_ids, using: str = "default") -> None:
    """Bring these cables' paragraphs into the rank index once the current transaction
    commits (a rolled-back write never reaches it)."""
    ids = sorted(set(cable_ids))
    if ids:
        transaction.on_commit(
            lambda: rank_index(using, check=False).replace_cables(ids), using=using
        )
