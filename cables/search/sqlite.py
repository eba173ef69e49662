import json
from collections.abc import Iterable

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from cables.models import Paragraph

from .base import MARK_END, MARK_START, ParagraphHit, SearchBackend, marked_snippet
from .query import to_fts5

FTS_TABLE = "cables_paragraph_fts"

# External-content FTS5 over the paragraph table: the text is stored once, in the paragraphs.
CREATE_FTS_SQL = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    "text, content='cables_paragraph', content_rowid='id', "
    "tokenize='porter unicode61 remove_diacritics 2', prefix='2 3')"
)
DROP_FTS_SQL = f"DROP TABLE IF EXISTS {FTS_TABLE}"


def _chunks(ids: list[int], size: int = 500):
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


class SqliteBackend(SearchBackend):
    vendor = "sqlite"

    def ids_subquery(self, ids: list[int]):
        return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(ids)])

    def unindex_cables(self, cable_ids: Iterable[int]) -> None:
        ids = list(cable_ids)
        with connections[self.using].cursor() as cursor:
            for chunk in _chunks(ids):
                marks = ",".join(["%s"] * len(chunk))
                # External content: FTS5 needs the old text to remove its tokens.
                cursor.execute(
                    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, text) "
                    f"SELECT 'delete', id, text FROM cables_paragraph WHERE cable_id IN ({marks})",
                    chunk,
                )

    def index_cables(self, cable_ids: Iterable[int]) -> None:
        ids = list(cable_ids)
        with connections[self.using].cursor() as cursor:
            for chunk in _chunks(ids):
                marks = ",".join(["%s"] * len(chunk))
                cursor.execute(
                    f"INSERT INTO {FTS_TABLE}(rowid, text) "
                    f"SELECT id, text FROM cables_paragraph WHERE cable_id IN ({marks})",
                    chunk,
                )

    def rebuild(self) -> None:
        with connections[self.using].cursor() as cursor:
            cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES('rebuild')")
            cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES('optimize')")

    # --- search ------------------------------------------------------------------------
    def matching_cable_ids(self, node) -> QuerySet:
        return (
            Paragraph.objects.using(self.using)
            .filter(
                id__in=RawSQL(
                    f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [to_fts5(node)]
                )
            )
            .values("cable_id")
        )

    def ranked_cable_ids(self, node, cables: QuerySet, offset: int, limit: int) -> list[int]:
        try:
            inner_sql, inner_params = cables.order_by().values("id").query.sql_with_params()
        except EmptyResultSet:  # e.g. `id IN ()`: nothing can match
            return []
        # bm25 is lower for better matches; a cable ranks by its best paragraph.
        # bm25() cannot sit inside an aggregate: score paragraphs in a subquery first.
        sql = (
            "SELECT cable_id, MIN(score) AS best FROM ("
            f"SELECT p.cable_id AS cable_id, bm25({FTS_TABLE}) AS score FROM {FTS_TABLE} "
            f"JOIN cables_paragraph p ON p.id = {FTS_TABLE}.rowid "
            f"WHERE {FTS_TABLE} MATCH %s AND p.cable_id IN ({inner_sql}) LIMIT -1"
            ") GROUP BY cable_id ORDER BY best, cable_id LIMIT %s OFFSET %s"
        )
        with connections[self.using].cursor() as cursor:
            cursor.execute(sql, [to_fts5(node), *inner_params, limit, offset])
            return [row[0] for row in cursor.fetchall()]

    def best_paragraphs(self, node, cable_ids: list[int], per_cable: int = 3) -> dict:
        if not cable_ids:
            return {}
        marks = ",".join(["%s"] * len(cable_ids))
        sql = (
            f"SELECT p.cable_id, p.number, "
            f"snippet({FTS_TABLE}, 0, %s, %s, '…', 40), bm25({FTS_TABLE}) AS score "
            f"FROM {FTS_TABLE} JOIN cables_paragraph p ON p.id = {FTS_TABLE}.rowid "
            f"WHERE {FTS_TABLE} MATCH %s AND p.cable_id IN ({marks}) "
            "ORDER BY p.cable_id, score, p.number"
        )
        with connections[self.using].cursor() as cursor:
            cursor.execute(sql, [MARK_START, MARK_END, to_fts5(node), *cable_ids])
            rows = cursor.fetchall()
        return self._keep_best(
            (
                ParagraphHit(cable_id, number, marked_snippet(snippet), score)
                for cable_id, number, snippet, score in rows
            ),
            per_cable,
        )
