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
from .words import TOKENIZE

FTS_TABLE = "cables_paragraph_fts"

# External-content FTS5 over the paragraph table: the text is stored once, in the paragraphs.
# No prefix indexes: FTS5 uses one only for a prefix of exactly its length, and researchers'
# prefixes (`elect*`, `kazakh*`) are longer than the 2 and 3 letters such an index would cover;
# without them the index is 2.5 times smaller and builds 2.4 times faster (migration 0008).
FTS_TOKENIZE = TOKENIZE  # the archive's one tokenizer (words.py)
CREATE_FTS_SQL = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    f"text, content='cables_paragraph', content_rowid='id', tokenize='{FTS_TOKENIZE}')"
)
DROP_FTS_SQL = f"DROP TABLE IF EXISTS {FTS_TABLE}"
FTS5_AUTOMERGE, FTS5_CRISISMERGE = 4, 16  # FTS5's defaults, for ingest's row-by-row updates

# (id, cable_id), declared on Paragraph (`SqliteIndex`): a match's cable without its paragraph row
# (10 of the 29 ms of a 10,000-row band at full size went to those row reads).
PARAGRAPH_CABLE_INDEX = "cables_paragraph_id_cable"


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
        # External content: FTS5 needs the old text to remove its tokens.
        self._for_each_index(
            cable_ids,
            "INSERT INTO {table}({table}, rowid, text) "
            "SELECT 'delete', id, text FROM cables_paragraph WHERE cable_id IN ({marks})",
        )

    def index_cables(self, cable_ids: Iterable[int]) -> None:
        self._for_each_index(
            cable_ids,
            "INSERT INTO {table}(rowid, text) "
            "SELECT id, text FROM cables_paragraph WHERE cable_id IN ({marks})",
        )

    def _for_each_index(self, cable_ids: Iterable[int], statement: str) -> None:
        """Run `statement` for these cables, 500 at a time."""
        with connections[self.using].cursor() as cursor:
            for chunk in _chunks(list(cable_ids)):
                marks = ",".join(["%s"] * len(chunk))
                cursor.execute(statement.format(table=FTS_TABLE, marks=marks), chunk)

    def rebuild(self) -> None:
        def config(table: str, name: str, value: int) -> None:
            cursor.execute(f"INSERT INTO {table}({table}, rank) VALUES(%s, %s)", [name, value])

        tables = [FTS_TABLE]
        with connections[self.using].cursor() as cursor:
            # No merging while the index is rebuilt: the optimise after it merges everything
            # once anyway (25 % less time at 25,000 cables). Then FTS5's defaults again.
            for table in tables:
                config(table, "automerge", 0)
                config(table, "crisismerge", 64)
            try:
                cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES('rebuild')")
                cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES('optimize')")
            finally:
                for table in tables:
                    config(table, "automerge", FTS5_AUTOMERGE)
                    config(table, "crisismerge", FTS5_CRISISMERGE)

    def index_problems(self) -> dict[str, dict[str, int]]:
        """Each FTS5 table against a scratch index of the paragraphs it should hold.

        External-content tables answer reads from the paragraph table, so a plain SELECT
        shows nothing of the index itself; its token instances (fts5vocab) do. They are
        compared with those of a contentless table filled from the paragraphs now.
        """
        report = {}
        with connections[self.using].cursor() as cursor:
            for table in [FTS_TABLE]:
                cursor.execute(f"INSERT INTO {table}({table}) VALUES('integrity-check')")
                cursor.execute(
                    "CREATE VIRTUAL TABLE temp.index_expected USING fts5("
                    f"text, content='', tokenize='{FTS_TOKENIZE}')"
                )
                cursor.execute(
                    "INSERT INTO temp.index_expected(rowid, text) SELECT id, text "
                    "FROM cables_paragraph"
                )
                cursor.execute(
                    "CREATE VIRTUAL TABLE temp.index_expected_terms "
                    "USING fts5vocab(temp, index_expected, instance)"
                )
                cursor.execute(
                    "CREATE VIRTUAL TABLE temp.index_actual_terms "
                    f"USING fts5vocab(main, {table}, instance)"
                )
                instance = "SELECT term, doc, offset FROM temp.index_{}_terms"
                expected, actual = instance.format("expected"), instance.format("actual")
                cursor.execute(
                    f"SELECT (SELECT count(*) FROM ({actual} EXCEPT {expected}))"
                    f" + (SELECT count(*) FROM ({expected} EXCEPT {actual})),"
                    " (SELECT count(DISTINCT doc) FROM temp.index_actual_terms),"
                    " (SELECT count(DISTINCT doc) FROM temp.index_expected_terms)"
                )
                wrong, indexed, should = cursor.fetchone()
                for scratch in ("index_actual_terms", "index_expected_terms", "index_expected"):
                    cursor.execute(f"DROP TABLE temp.{scratch}")
                report[table] = {"expected": should, "indexed": indexed, "wrong": wrong}
        return report

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

    def matched_paragraphs(self, node) -> list[tuple[int, int]]:
        # One walk of the doclists, each match joined to its cable through the (id, cable_id)
        # index. No bm25(): it re-reads every term's whole doclist for its statistics. (LIMIT
        # -1 keeps SQLite from flattening the subquery.)
        table = FTS_TABLE
        sql = (
            f"SELECT p.cable_id, m.pid FROM ("
            f"SELECT {table}.rowid AS pid FROM {table} WHERE {table} MATCH %s LIMIT -1"
            f") m JOIN cables_paragraph p INDEXED BY {PARAGRAPH_CABLE_INDEX} ON p.id = m.pid"
        )
        with connections[self.using].cursor() as cursor:
            cursor.execute(sql, [to_fts5(node)])
            return cursor.fetchall()

    def matching_paragraph_ids(self, node, cable_ids: list[int]) -> list[int]:
        # One walk of the query's doclists, the cables' paragraphs picked out by `+rowid IN`
        # (the + keeps FTS5 from re-running the query per rowid).
        with connections[self.using].cursor() as cursor:
            cursor.execute(
                f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s AND +rowid IN "
                "(SELECT id FROM cables_paragraph "
                "WHERE cable_id IN (SELECT value FROM json_each(%s)))",
                [to_fts5(node), json.dumps(cable_ids)],
            )
            return [row[0] for row in cursor.fetchall()]

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
        table = FTS_TABLE
        columns = f"{table}.rowid, p.number, snippet({table}, 0, %s, %s, '…', 40)"
        source = f"{table} JOIN cables_paragraph p ON p.id = {table}.rowid"
        match = to_fts5(node)
        pids = sorted(wanted)
        if _has_prefix(node):
            sql = (
                f"SELECT {columns} FROM {source} WHERE {table} MATCH %s "
                f"AND {table}.rowid BETWEEN %s AND %s "
                f"AND +{table}.rowid IN (SELECT value FROM json_each(%s))"
            )
            params = [MARK_START, MARK_END, match, pids[0], pids[-1], json.dumps(pids)]
        else:
            one = (
                f"SELECT {columns} FROM {source} WHERE {table} MATCH %s "
                f"AND {table}.rowid BETWEEN %s AND %s"
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
