from django.db import connections
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from cables.models import Paragraph

from .base import (
    MARK_END,
    MARK_START,
    ParagraphHit,
    SearchBackend,
    by_paragraph,
    marked_snippet,
)
from .highlight import highlighted
from .words import (
    LOST_PLACES,
    MAX_TSVECTOR_PLACES,
    MAX_TSVECTOR_POSITION,
    archive_words,
    phrase_matches,
    phrase_terms,
    query_terms,
    tsquery_literal,
    tsquery_of,
    tsvector_literal,
    without_places,
)

VECTOR_INDEX = "cables_paragraph.search_vector"


def _array(ids) -> str:
    """Integer ids as one array literal: psycopg dumps a Python list element by element, with
    a regex test each (several ms for the 10,000 ids of a facet query)."""
    return "{" + ",".join(map(str, ids)) + "}"


class PostgresBackend(SearchBackend):
    """Each paragraph's `search_vector` holds its terms by the archive's one tokenizer
    (`words.py`, FTS5's terms), written by `index_cables` after ingest writes the rows (the bulk
    load writes them in its COPY); a GIN index on it. A query is a tsquery literal of the same
    terms (`%s::tsquery`): no text search configuration of PostgreSQL's, so a paragraph matches
    here exactly when it matches on SQLite.
    """

    vendor = "postgresql"

    def rebuild(self) -> None:
        with connections[self.using].cursor() as cursor:
            cursor.execute("ANALYZE cables_paragraph")

    def ids_subquery(self, ids: list[int]):
        return RawSQL("SELECT unnest(%s::bigint[])", [_array(ids)])

    def index_cables(self, cable_ids) -> None:
        """Write the terms of these cables' paragraphs (after ingest wrote or changed them)."""
        ids = sorted(set(cable_ids))
        words = archive_words()
        with connections[self.using].cursor() as cursor:
            for start in range(0, len(ids), 500):
                cursor.execute(
                    "SELECT id, text FROM cables_paragraph WHERE cable_id = ANY(%s::bigint[])",
                    [_array(ids[start : start + 500])],
                )
                rows = cursor.fetchall()
                if not rows:
                    continue
                texts = words.index_texts([text for _, text in rows])
                cursor.execute(
                    "UPDATE cables_paragraph p SET search_vector = v.terms::tsvector "
                    "FROM unnest(%s::bigint[], %s::text[]) AS v(id, terms) WHERE p.id = v.id",
                    [_array([pid for pid, _ in rows]), [tsvector_literal(t) for t in texts]],
                )

    def index_problems(self) -> dict[str, dict[str, int]]:
        """The stored terms against the terms of each paragraph's text now: `wrong` counts the
        missing (a crash between the rows and their terms) and the stale (text changed in
        place without `index_cables`)."""
        words = archive_words()
        total = wrong = last = 0
        with connections[self.using].cursor() as cursor:
            while True:
                cursor.execute(
                    "SELECT id, text FROM cables_paragraph WHERE id > %s ORDER BY id LIMIT 5000",
                    [last],
                )
                rows = cursor.fetchall()
                if not rows:
                    break
                texts = words.index_texts([text for _, text in rows])
                cursor.execute(
                    "SELECT COUNT(*) FROM cables_paragraph p "
                    "JOIN unnest(%s::bigint[], %s::text[]) AS v(id, terms) ON p.id = v.id "
                    "WHERE p.search_vector IS DISTINCT FROM v.terms::tsvector",
                    [_array([pid for pid, _ in rows]), [tsvector_literal(t) for t in texts]],
                )
                wrong += cursor.fetchone()[0]
                total += len(rows)
                last = rows[-1][0]
        return {VECTOR_INDEX: {"expected": total, "indexed": total - wrong, "wrong": wrong}}

    @staticmethod
    def tsquery(node) -> str:
        """The query as a tsquery literal of the archive's terms ("" matches nothing)."""
        return tsquery_of(node)

    def _matches(self, node, cable_ids: list[int] | None = None) -> tuple[str, list]:
        """The condition on a `cables_paragraph` row (`id`, `search_vector`) that it matches
        `node`, with its parameters: the tsquery, or'ed with the paragraphs whose vector lost
        the places of a phrase (`_lost_place_matches`)."""
        tsquery = self.tsquery(node)
        lost = self._lost_place_matches(node, tsquery, cable_ids)
        if not lost:
            return "search_vector @@ CAST(%s AS tsquery)", [tsquery]
        return (
            "(search_vector @@ CAST(%s AS tsquery) OR id = ANY(%s::bigint[]))",
            [tsquery, _array(lost)],
        )

    def _lost_place_matches(self, node, tsquery: str, cable_ids: list[int] | None) -> list[int]:
        """Paragraphs the tsquery misses but the text matches: a phrase past the 256 places
        PostgreSQL keeps of a term (`words.MAX_TSVECTOR_PLACES`; the release has paragraphs
        with 482 "and"). Only a vector marked LOST_PLACES can miss, and only where a word of
        the phrase filled its places: those few are checked in their text."""
        words = archive_words()
        tree = query_terms(node, words)
        in_phrases = sorted(phrase_terms(tree)) if tree is not None else []
        if not in_phrases:
            return []
        # The marked vectors first (589 of 2.1 million at full size), then the query on them:
        # OFFSET 0 keeps the planner from reading the GIN lists of the phrase's common words.
        marked, params = f"search_vector @@ '{LOST_PLACES}'::tsquery", []
        if cable_ids is not None:
            marked += " AND cable_id = ANY(%s::bigint[])"
            params.append(_array(cable_ids))
        sql = (
            f"SELECT id, text FROM (SELECT id, text, search_vector FROM cables_paragraph "
            f"WHERE {marked} OFFSET 0) p WHERE search_vector @@ CAST(%s AS tsquery) "
            "AND NOT search_vector @@ CAST(%s AS tsquery) AND EXISTS ("
            "SELECT 1 FROM unnest(search_vector) term WHERE term.lexeme = ANY(%s::text[]) "
            f"AND (cardinality(term.positions) > {MAX_TSVECTOR_PLACES} "
            f"OR term.positions[cardinality(term.positions)] >= {MAX_TSVECTOR_POSITION}))"
        )
        params += [tsquery_literal(without_places(tree)), tsquery, in_phrases]
        with connections[self.using].cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        texts = words.index_texts([text for _, text in rows])
        return [
            pid for (pid, _), text in zip(rows, texts, strict=True) if phrase_matches(tree, text)
        ]

    def matching_cable_ids(self, node) -> QuerySet:
        where, params = self._matches(node)
        return (
            Paragraph.objects.using(self.using)
            .filter(id__in=RawSQL(f"SELECT id FROM cables_paragraph WHERE {where}", params))
            .values("cable_id")
        )

    def matched_paragraphs(self, node) -> list[tuple[int, int]]:
        where, params = self._matches(node)
        with connections[self.using].cursor() as cursor:
            cursor.execute(f"SELECT cable_id, id FROM cables_paragraph WHERE {where}", params)
            return cursor.fetchall()

    def matching_paragraph_ids(self, node, cable_ids: list[int]) -> list[int]:
        where, params = self._matches(node, cable_ids)
        # The cables' paragraphs by their cable, each vector tested: OFFSET 0 keeps the
        # planner from ANDing in the GIN bitmap of every match of a common word.
        with connections[self.using].cursor() as cursor:
            cursor.execute(
                "SELECT id FROM (SELECT id, search_vector FROM cables_paragraph "
                f"WHERE cable_id = ANY(%s::bigint[]) OFFSET 0) p WHERE {where}",
                [_array(cable_ids), *params],
            )
            return [row[0] for row in cursor.fetchall()]

    def snippets(self, node, chosen: dict[int, list[tuple[int, float]]]) -> dict:
        wanted = by_paragraph(chosen)
        if not wanted:
            return {}
        rows = (
            Paragraph.objects.using(self.using)
            .filter(id__in=list(wanted))
            .values_list("id", "number", "text")
        )
        terms = query_terms(node, archive_words())
        found: dict[int, list[ParagraphHit]] = {}
        for pid, number, text in rows:
            cable_id, score = wanted[pid]
            snippet = highlighted(text, terms, archive_words(), MARK_START, MARK_END)
            found.setdefault(cable_id, []).append(
                ParagraphHit(cable_id, number, marked_snippet(snippet), score)
            )
        for hits in found.values():
            hits.sort(key=lambda hit: (-hit.score, hit.number))
        return found
