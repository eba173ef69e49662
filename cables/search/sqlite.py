from collections.abc import Iterable

from django.db import connections

from .base import SearchBackend

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

    def unindex_cables(self, cable_ids: Iterable[int]) -> None:
        ids = list(cable_ids)
        with connections[self.using].cursor() as cursor:
            for chunk in _chunks(ids):
                marks = ",".join("?" * len(chunk))
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
                marks = ",".join("?" * len(chunk))
                cursor.execute(
                    f"INSERT INTO {FTS_TABLE}(rowid, text) "
                    f"SELECT id, text FROM cables_paragraph WHERE cable_id IN ({marks})",
                    chunk,
                )

    def rebuild(self) -> None:
        with connections[self.using].cursor() as cursor:
            cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES('rebuild')")
            cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES('optimize')")
