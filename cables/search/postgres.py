from django.contrib.postgres.search import SearchHeadline, SearchQuery
from django.db import connections
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from cables.models import Paragraph
from cables.models.archive import SEARCH_CONFIG

from .base import (
    MARK_END,
    MARK_START,
    ParagraphHit,
    SearchBackend,
    by_paragraph,
    marked_snippet,
)
from .query import to_tsquery
from .rank_index import rank_index

# A band whose id ranges hold at most this many paragraphs is read by id alone (see
# `matched_paragraphs`); a larger one (a word of middling frequency) goes through the GIN index.
RANGE_SCAN_ROWS = 30_000


def _array(ids) -> str:
    """Integer ids as one array literal: psycopg dumps a Python list element by element, with
    a regex test each (several ms for the 10,000 ids of a facet query)."""
    return "{" + ",".join(map(str, ids)) + "}"


class PostgresBackend(SearchBackend):
    """Paragraph search vectors are a stored generated column with a GIN index: no upkeep (and
    nothing for `index_problems` to find: the column is written with the row).

    The query is one `to_tsquery('english', ...)` built from the parsed query (websearch_to_tsquery
    has no prefix search); the config matches the generated column's, so the GIN index is used.
    """

    vendor = "postgresql"

    def rebuild(self) -> None:
        with connections[self.using].cursor() as cursor:
            cursor.execute("ANALYZE cables_paragraph")

    def ids_subquery(self, ids: list[int]):
        return RawSQL("SELECT unnest(%s::bigint[])", [_array(ids)])

    @staticmethod
    def tsquery(node) -> SearchQuery:
        return SearchQuery(to_tsquery(node), search_type="raw", config=SEARCH_CONFIG)

    def matching_cable_ids(self, node) -> QuerySet:
        return (
            Paragraph.objects.using(self.using)
            .filter(search_vector=self.tsquery(node))
            .values("cable_id")
        )

    def count_hits(self, node, first: int = 0, last: int = 0) -> int:
        # Exact, from the rank index, which matches what this database matches (a few ms even
        # for "said"). The planner's estimate took a phrase's stop word ("the united states")
        # for a rare word, so a 170,000-paragraph phrase was read whole: 2.6 s.
        index = rank_index(self.using, check=False)
        query = index.compile(node)
        return 0 if query is None else index.count_paragraphs(query)

    def matched_paragraphs(self, node, window=None) -> list[tuple[int, int]]:
        slices = window  # PostgreSQL's windows are `bands.Slices` (the default `band_windows`)
        # The slices as explicit id ranges: the planner reads them through the primary key
        # (a BitmapOr of ranges), never the whole GIN posting list of a common word.
        query = to_tsquery(node)
        window, bounds = "", []
        if slices is not None:
            ranges = []
            for start in range(slices.first, slices.last + 1, slices.stride):
                low = start + slices.lo
                high = min(start + slices.hi - 1, slices.last)
                if low <= high:
                    ranges.append("p.id BETWEEN %s AND %s")
                    bounds += [low, high]
            window = " AND (" + " OR ".join(ranges or ["FALSE"]) + ")"
        if slices is not None and slices.ids <= RANGE_SCAN_ROWS:
            # A common word's band is a few thousand rows: read them by id and test each.
            # Left to itself the planner ANDs in the GIN index, whose bitmap of every match
            # of the word (650,000 for "government") costs ~95 ms; OFFSET 0 keeps it out.
            sql = (
                "SELECT p.cable_id, p.id FROM ("
                f"SELECT id, cable_id, search_vector FROM cables_paragraph p WHERE TRUE{window}"
                f" OFFSET 0) p, to_tsquery('{SEARCH_CONFIG}', %s) q WHERE p.search_vector @@ q"
            )
            params = [*bounds, query]
        else:
            sql = (
                "SELECT p.cable_id, p.id "
                f"FROM cables_paragraph p, to_tsquery('{SEARCH_CONFIG}', %s) q "
                f"WHERE p.search_vector @@ q{window}"
            )
            params = [query, *bounds]
        with connections[self.using].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def snippets(self, node, chosen: dict[int, list[tuple[int, float]]]) -> dict:
        wanted = by_paragraph(chosen)
        if not wanted:
            return {}
        rows = (
            Paragraph.objects.using(self.using)
            .filter(id__in=list(wanted))
            .annotate(headline=self.headline(self.tsquery(node)))
            .values_list("id", "number", "headline")
        )
        found: dict[int, list[ParagraphHit]] = {}
        for pid, number, headline in rows:
            cable_id, score = wanted[pid]
            found.setdefault(cable_id, []).append(
                ParagraphHit(cable_id, number, marked_snippet(headline), score)
            )
        for hits in found.values():
            hits.sort(key=lambda hit: (-hit.score, hit.number))
        return found

    @staticmethod
    def headline(query):
        return SearchHeadline(
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

    def cables_matching(self, node, among) -> set[int]:
        sql = (
            "SELECT DISTINCT cable_id FROM cables_paragraph "
            f"WHERE search_vector @@ to_tsquery('{SEARCH_CONFIG}', %s) "
            "AND cable_id = ANY(%s::bigint[])"
        )
        with connections[self.using].cursor() as cursor:
            cursor.execute(sql, [to_tsquery(node), _array(sorted(among))])
            return {row[0] for row in cursor.fetchall()}
