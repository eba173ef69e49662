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
from .words import archive_words, query_terms, tsquery_of, tsvector_literal

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

    def matching_cable_ids(self, node) -> QuerySet:
        return (
            Paragraph.objects.using(self.using)
            .filter(
                id__in=RawSQL(
                    "SELECT id FROM cables_paragraph WHERE search_vector @@ %s::tsquery",
                    [self.tsquery(node)],
                )
            )
            .values("cable_id")
        )

    def matched_paragraphs(self, node) -> list[tuple[int, int]]:
        sql = (
            "SELECT p.cable_id, p.id FROM cables_paragraph p, CAST(%s AS tsquery) q "
            "WHERE p.search_vector @@ q"
        )
        with connections[self.using].cursor() as cursor:
            cursor.execute(sql, [self.tsquery(node)])
            return cursor.fetchall()

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
