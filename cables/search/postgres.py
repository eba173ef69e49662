from .base import SearchBackend


class PostgresBackend(SearchBackend):
    """Paragraph search vectors are a stored generated column with a GIN index: no upkeep."""

    vendor = "postgresql"

    def rebuild(self) -> None:
        from django.db import connections

        with connections[self.using].cursor() as cursor:
            cursor.execute("ANALYZE cables_paragraph")
