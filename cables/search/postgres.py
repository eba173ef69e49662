from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connections
from django.db.models import F, Max, QuerySet
from django.db.models.expressions import RawSQL

from cables.models import Paragraph
from cables.models.archive import SEARCH_CONFIG

from .base import MARK_END, MARK_START, ParagraphHit, SearchBackend, marked_snippet
from .query import to_tsquery


class PostgresBackend(SearchBackend):
    """Paragraph search vectors are a stored generated column with a GIN index: no upkeep.

    The query is one `to_tsquery('english', ...)` built from the parsed query (websearch_to_tsquery
    has no prefix search); the config matches the generated column's, so the GIN index is used.
    """

    vendor = "postgresql"

    def rebuild(self) -> None:
        with connections[self.using].cursor() as cursor:
            cursor.execute("ANALYZE cables_paragraph")

    def ids_subquery(self, ids: list[int]):
        return RawSQL("SELECT unnest(%s::bigint[])", [ids])

    @staticmethod
    def tsquery(node) -> SearchQuery:
        return SearchQuery(to_tsquery(node), search_type="raw", config=SEARCH_CONFIG)

    def matching_cable_ids(self, node) -> QuerySet:
        return (
            Paragraph.objects.using(self.using)
            .filter(search_vector=self.tsquery(node))
            .values("cable_id")
        )

    def ranked_cable_ids(self, node, cables: QuerySet, offset: int, limit: int) -> list[int]:
        query = self.tsquery(node)
        rows = (
            Paragraph.objects.using(self.using)
            .filter(search_vector=query, cable_id__in=cables.order_by().values("id"))
            .values("cable_id")
            .annotate(score=Max(SearchRank(F("search_vector"), query, cover_density=True)))
            .order_by("-score", "cable_id")
            .values_list("cable_id", flat=True)
        )
        return list(rows[offset : offset + limit])

    def best_paragraphs(self, node, cable_ids: list[int], per_cable: int = 3) -> dict:
        if not cable_ids:
            return {}
        query = self.tsquery(node)
        rows = (
            Paragraph.objects.using(self.using)
            .filter(search_vector=query, cable_id__in=cable_ids)
            .annotate(score=SearchRank(F("search_vector"), query, cover_density=True))
            .order_by("cable_id", "-score", "number")
            .values_list("cable_id", "number", "id", "score")
        )
        # Rank first, then headline only the few paragraphs kept (ts_headline re-parses text).
        ids = {}
        for cable_id, number, paragraph_id, score in rows:
            ids.setdefault(cable_id, [])
            if len(ids[cable_id]) < per_cable:
                ids[cable_id].append((paragraph_id, number, score))
        kept = [pid for hits in ids.values() for pid, _, _ in hits]
        headlines = dict(
            Paragraph.objects.using(self.using)
            .filter(id__in=kept)
            .annotate(
                headline=SearchHeadline(
                    "text",
                    query,
                    config=SEARCH_CONFIG,
                    start_sel=MARK_START,
                    stop_sel=MARK_END,
                    max_words=40,
                    min_words=20,
                    max_fragments=2,
                    fragment_delimiter=" … ",
                )
            )
            .values_list("id", "headline")
        )
        return {
            cable_id: [
                ParagraphHit(cable_id, number, marked_snippet(headlines.get(pid, "")), score)
                for pid, number, score in hits
            ]
            for cable_id, hits in ids.items()
        }
