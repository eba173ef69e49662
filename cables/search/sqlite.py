import json
from collections.abc import Iterable

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
from .query import And, Or, Phrase, to_fts5

FTS_TABLE = "cables_paragraph_fts"

# External-content FTS5 over the paragraph table: the text is stored once, in the paragraphs.
# No prefix indexes: FTS5 uses one only for a prefix of exactly its length, and researchers'
# prefixes (`elect*`, `kazakh*`) are longer than the 2 and 3 letters such an index would cover;
# without them the index is 2.5 times smaller and builds 2.4 times faster (migration 0008).
CREATE_FTS_SQL = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    "text, content='cables_paragraph', content_rowid='id', "
    "tokenize='porter unicode61 remove_diacritics 2')"
)
DROP_FTS_SQL = f"DROP TABLE IF EXISTS {FTS_TABLE}"
FTS5_AUTOMERGE, FTS5_CRISISMERGE = 4, 16  # FTS5's defaults, for ingest's row-by-row updates
PROBE_PART = 10  # count_hits estimates from the newest 1/PROBE_PART of the paragraph ids


def _chunks(ids: list[int], size: int = 500):
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _has_prefix(node) -> bool:
    if isinstance(node, And | Or):
        return any(_has_prefix(item) for item in node.items)
    return not isinstance(node, Phrase) and node.prefix


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
        def config(name: str, value: int) -> None:
            cursor.execute(
                f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES(%s, %s)", [name, value]
            )

        with connections[self.using].cursor() as cursor:
            # No merging while the index is rebuilt: the optimise after it merges everything
            # once anyway (25 % less time at 25,000 cables). Then FTS5's defaults again.
            config("automerge", 0)
            config("crisismerge", 64)
            try:
                cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES('rebuild')")
                cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES('optimize')")
            finally:
                config("automerge", FTS5_AUTOMERGE)
                config("crisismerge", FTS5_CRISISMERGE)

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

    def count_hits(self, node, first: int, last: int) -> int:
        # An estimate from the newest tenth of the paragraph ids: FTS5 seeks to that rowid
        # range and walks only its part of the doclists (an exact count walks all of them:
        # about 14 ms for a common word at full size). It only decides between ranking every
        # match and ranking bands; the totals shown come from the bands themselves.
        span = last - first + 1
        since = last - max(span // PROBE_PART, 1) + 1
        with connections[self.using].cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s "
                f"AND {FTS_TABLE}.rowid >= %s",
                [to_fts5(node), since],
            )
            found = cursor.fetchone()[0]
        return round(found * span / (last - since + 1))

    def scored_paragraphs(self, node, slices=None) -> list[tuple[int, int, float]]:
        # FTS5 walks the doclists once; the slice test on the rowid runs before bm25, so
        # only the paragraphs in the slices are scored and joined to their cable.
        # bm25 is lower for better matches: negate it so that higher is better everywhere.
        # bm25() cannot sit inside an aggregate or a join's ON: it is computed in a subquery
        # (LIMIT -1 keeps SQLite from flattening it).
        window, params = "", [to_fts5(node)]
        if slices is not None:
            window = (
                f" AND {FTS_TABLE}.rowid BETWEEN %s AND %s"
                f" AND ({FTS_TABLE}.rowid - %s) %% %s >= %s"
                f" AND ({FTS_TABLE}.rowid - %s) %% %s < %s"
            )
            params += [slices.first, slices.last, slices.first, slices.stride, slices.lo]
            params += [slices.first, slices.stride, slices.hi]
        sql = (
            f"SELECT p.cable_id, m.pid, -m.score FROM ("
            f"SELECT {FTS_TABLE}.rowid AS pid, bm25({FTS_TABLE}) AS score FROM {FTS_TABLE} "
            f"WHERE {FTS_TABLE} MATCH %s{window} LIMIT -1"
            ") m JOIN cables_paragraph p ON p.id = m.pid"
        )
        with connections[self.using].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def snippets(self, node, chosen: dict[int, list[tuple[int, float]]]) -> dict:
        # snippet() runs for the chosen paragraphs only; no bm25 here (the scores come from
        # the ranking). How FTS5 gets to them depends on the query:
        # - words and phrases: one `rowid BETWEEN p AND p` per paragraph (UNION ALL), each a
        #   seek in the doclists: ~3 ms for a page, where walking a common word's whole
        #   doclist takes 50-100 ms at full size;
        # - a prefix is expanded anew by every such seek (40 ms each for `elect*`), so it
        #   walks the doclists once over the rowid range of the chosen paragraphs and picks
        #   them out with `+rowid IN` (the + keeps FTS5 from re-running the query per rowid).
        wanted = by_paragraph(chosen)
        if not wanted:
            return {}
        columns = f"{FTS_TABLE}.rowid, p.number, snippet({FTS_TABLE}, 0, %s, %s, '…', 40)"
        source = f"{FTS_TABLE} JOIN cables_paragraph p ON p.id = {FTS_TABLE}.rowid"
        match = to_fts5(node)
        pids = sorted(wanted)
        if _has_prefix(node):
            sql = (
                f"SELECT {columns} FROM {source} WHERE {FTS_TABLE} MATCH %s "
                f"AND {FTS_TABLE}.rowid BETWEEN %s AND %s "
                f"AND +{FTS_TABLE}.rowid IN (SELECT value FROM json_each(%s))"
            )
            params = [MARK_START, MARK_END, match, pids[0], pids[-1], json.dumps(pids)]
        else:
            one = (
                f"SELECT {columns} FROM {source} WHERE {FTS_TABLE} MATCH %s "
                f"AND {FTS_TABLE}.rowid BETWEEN %s AND %s"
            )
            sql = " UNION ALL ".join([one] * len(pids))
            params = [value for pid in pids for value in (MARK_START, MARK_END, match, pid, pid)]
        found: dict[int, list[ParagraphHit]] = {}
        with connections[self.using].cursor() as cursor:
            cursor.execute(sql, params)
            for pid, number, snippet in cursor.fetchall():
                cable_id, score = wanted[pid]
                found.setdefault(cable_id, []).append(
                    ParagraphHit(cable_id, number, marked_snippet(snippet), score)
                )
        for hits in found.values():
            hits.sort(key=lambda hit: (-hit.score, hit.number))
        return found

    def cables_matching(self, node, among) -> set[int]:
        # The candidates' paragraph ids (cable index), then one walk of the doclists keeping
        # the matches among them: `+rowid IN` is a plain test per match (no per-rowid FTS5
        # lookups, no join of every match to its paragraph row).
        with connections[self.using].cursor() as cursor:
            cursor.execute(
                "SELECT id, cable_id FROM cables_paragraph "
                "WHERE cable_id IN (SELECT value FROM json_each(%s))",
                [json.dumps(sorted(among))],
            )
            owner = dict(cursor.fetchall())
            if not owner:
                return set()
            cursor.execute(
                f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s "
                f"AND +rowid IN (SELECT value FROM json_each(%s))",
                [to_fts5(node), json.dumps(sorted(owner))],
            )
            return {owner[row[0]] for row in cursor.fetchall()}
