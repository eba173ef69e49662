"""The rank index: relevance order over every match, exact, without scoring every match.

Relevance is documented as: a cable ranks by the BM25 score (k1 1.2, b 0.75) of its best
matching paragraph, higher first, equal scores by cable id. Computing that over the database's
own full-text index means scoring every match (2.5 s for "said" in FTS5 at full size, more with
PostgreSQL's ts_rank). A tantivy index of the paragraphs (Lucene's layout: block-max WAND, so
the top k of a query is found without scoring every match) gives the same ranking in a few
milliseconds. It holds, per paragraph, its id, its cable's id and its words as the archive's
one tokenizer makes them (`index_schema.py`, `words.py`), so it matches exactly the paragraphs
the database matches: the count, the facets and the filters stay the database's, the order comes
from here.

This module answers queries on one published generation; `index_store.py` publishes them
(writers, after their commit) and `rank_index()` switches a process to the newest by reading
its stamp file. A server with no index answers 503 (`IndexNotReady`) and never builds one.
"""

from __future__ import annotations

import functools
import math
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import tantivy

from cables.lib.index_generation import Stamp, index_dir, read_stamp, stamp_read

from .budget import SearchTooBroad
from .index_schema import CABLE_WORDS, SCHEMA, WORDS, open_index
from .query import Node, QuerySyntaxError
from .words import archive_words, query_terms

# A prefix expands to every index term it starts (as FTS5 and PostgreSQL do); past this many
# the query is refused with a message rather than run.
MAX_PREFIX_TERMS = 5_000
NOT_READY = (
    "The search index is being built; try again in a minute. (It is built by "
    "`python manage.py rank_index --rebuild`, by a bulk load or by the next ingest.)"
)


class IndexNotReady(SearchTooBroad):
    """No generation of the rank index is published yet: answered 503 at once."""

    def __init__(self) -> None:
        Exception.__init__(self, NOT_READY)
        self.seconds = 0.0


@dataclass
class Ranking:
    """The first cables of the ranking that passed the filters, best first."""

    ids: list[int]
    scores: dict[int, float]  # cable id -> its best paragraph's score
    complete: bool  # every match was looked at (there are no more cables after `ids`)


def _word_like(tree) -> bool:
    """A tree of terms, prefixes and ORs of those (no phrase, no AND)."""
    if tree is None or tree[0] in ("term", "prefix"):
        return True
    return tree[0] == "or" and all(_word_like(item) for item in tree[1])


@functools.lru_cache(maxsize=8)
def _cable_set(cable_ids: tuple[int, ...]):
    """A filter on these cables, built once: a search asks for the same set several times
    (the count, the ranking, the snippets), and 38,000 ids took 20-25 ms to turn into it."""
    return tantivy.Query.const_score_query(
        tantivy.Query.term_set_query(SCHEMA, "cable", list(cable_ids)), 0.0
    )


class RankIndex:
    """The queries of one published generation (immutable: opened once, never reloaded)."""

    def __init__(self, using: str, path: Path, stamp: Stamp, words=None) -> None:
        self.using = using
        self.path = path
        self.stamp = stamp
        self.index = open_index(str(path))
        self._cables: np.ndarray | None = None  # every cable of the generation, once read
        # The tokeniser oracle and what it learnt carry over from generation to generation.
        self.words = words or archive_words()

    # --- queries -----------------------------------------------------------------------
    def searcher(self):
        return self.index.searcher()

    def compile(self, node: Node, searcher=None, field: str = WORDS):
        """The tantivy query matching what the database matches for `node`; None when
        nothing of it is a term. On CABLE_WORDS it matches the cable
        documents holding every word anywhere (phrases too: a superset of the cables with a
        matching paragraph)."""
        if node is None:
            return None
        tree = query_terms(node, self.words)
        return self._build(tree, searcher or self.searcher(), field)

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

    def _one_word(self, node: Node) -> bool:
        """Whether a cable document matches `node` exactly when a paragraph does: one index
        term or a prefix. (A phrase, or a word the index splits such as `U.S.`, only says
        that the cable holds its words somewhere.)"""
        tree = query_terms(node, self.words)
        return tree is None or tree[0] in ("term", "prefix")

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
        cables = set(self._hit_cables(anywhere, searcher).tolist())
        if self._one_word(node):
            return cables
        # A phrase: the cables holding its words, checked paragraph by paragraph.
        return self.cables_matching(self.compile(node, searcher), sorted(cables))

    def every_matching_cable(self, node: Node, excluded: list[Node]) -> np.ndarray:
        """The sorted ids of every cable with a paragraph matching `node` and none matching an
        excluded node: what the total and the facets count. Words, prefixes and ORs of them
        are read off the cable documents (one hit per cable); a phrase or an AND off the
        paragraphs."""
        searcher = self.searcher()
        words, others = [], []
        for excluded_node in excluded:
            tree = query_terms(excluded_node, self.words)
            (words if _word_like(tree) else others).append(excluded_node)
        anywhere = self.compile(node, searcher, CABLE_WORDS)
        if anywhere is None:
            return np.empty(0, dtype=np.int64)
        clauses = [(tantivy.Occur.Must, anywhere)]
        for word in words:
            left_out = self.compile(word, searcher, CABLE_WORDS)
            if left_out is not None:
                clauses.append((tantivy.Occur.MustNot, left_out))
        query = tantivy.Query.boolean_query(clauses) if len(clauses) > 1 else anywhere
        cables = self._cables_of(query, searcher)
        if cables.size and not _word_like(query_terms(node, self.words)):
            paragraphs = self._hit_cables(self.compile(node, searcher), searcher)
            cables = cables[np.isin(cables, paragraphs, kind="table")]
        for other in others:
            if cables.size:
                paragraphs = self._hit_cables(self.compile(other, searcher), searcher)
                cables = cables[np.isin(cables, paragraphs, invert=True, kind="table")]
        return cables

    def _cables_of(self, query, searcher) -> np.ndarray:
        """The sorted cable ids of the cable documents matching `query`. When they are most of
        the archive, the fewer cables not matching are read and left out instead: reading the
        221,000 hits of "said" took 90 ms."""
        everything = self._every_cable(searcher)
        if 2 * self.count_paragraphs(query, searcher) <= everything.size:
            return np.unique(self._hit_cables(query, searcher))
        cable_documents = tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Must, tantivy.Query.all_query()),
                (tantivy.Occur.MustNot, tantivy.Query.exists_query("pid")),
                (tantivy.Occur.MustNot, query),
            ]
        )
        others = self._hit_cables(cable_documents, searcher)
        # kind="table": a lookup table over the id range, 1 ms (np.setdiff1d sorted: 150 ms).
        return everything[np.isin(everything, others, invert=True, kind="table")]

    def _every_cable(self, searcher) -> np.ndarray:
        """Every cable of this generation (read once: a generation never changes)."""
        if self._cables is None:
            cable_documents = tantivy.Query.boolean_query(
                [
                    (tantivy.Occur.Must, tantivy.Query.all_query()),
                    (tantivy.Occur.MustNot, tantivy.Query.exists_query("pid")),
                ]
            )
            self._cables = np.unique(self._hit_cables(cable_documents, searcher))
        return self._cables

    def _hit_cables(self, query, searcher) -> np.ndarray:
        """The cable id of every document matching `query` (repeated per paragraph)."""
        total = self.count_paragraphs(query, searcher)
        if not total:
            return np.empty(0, dtype=np.int64)
        found = searcher.search(query, limit=total, count=False).hits
        cables = searcher.fast_field_values("cable", [address for _, address in found])
        return np.array(cables, dtype=np.int64)

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


_opened: dict[tuple[str, Path], RankIndex] = {}
_current: dict[str, RankIndex] = {}
_lock = threading.Lock()


def rank_index(using: str = "default", *, check: bool = True) -> RankIndex:
    """This process's RankIndex of the database behind `using`: with `check`, switched to the
    newest published generation first (one read of its stamp file). Raises IndexNotReady
    while none is published: a request never builds one."""
    index = _current.get(using)
    if index is not None and not check:
        stamp_read.set(index.stamp)
        return index
    stamp = read_stamp(using)
    if stamp is None:
        raise IndexNotReady
    if index is None or index.stamp != stamp:
        index = _open(using, stamp)
    stamp_read.set(index.stamp)
    return index


def _open(using: str, stamp: Stamp) -> RankIndex:
    path = index_dir(using) / stamp.name
    with _lock:
        index = _opened.get((using, path))
        if index is None:
            if not path.is_dir():
                raise IndexNotReady
            previous = _current.get(using)
            index = RankIndex(using, path, stamp, previous.words if previous else None)
            # Keep the last two generations open: a thread may still read the previous one.
            for key in [key for key in _opened if key[0] == using][:-1]:
                del _opened[key]
            _opened[(using, path)] = index
        elif index.stamp != stamp:
            # The same generation stamped with a newer archive version (a change it does not
            # hold): the same files, a new stamp.
            index = _opened[(using, path)] = _restamped(index, stamp)
        _current[using] = index
    return index


def _restamped(index: RankIndex, stamp: Stamp) -> RankIndex:
    fresh = object.__new__(RankIndex)
    fresh.__dict__.update(index.__dict__)
    fresh.stamp = stamp
    return fresh
