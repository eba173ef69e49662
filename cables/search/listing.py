"""The lazy sequences a paginator pages through: filtered cables (no text) and text matches."""

from __future__ import annotations

from django.db.models import QuerySet

from cables.models import Cable

from . import get_backend, thresholds
from .date_order import date_ordered_slice, ordered, walked_slice
from .filtering import LINKED_FILTERS, estimated_share, linked_count
from .matching import UNKNOWN, Exclusion, TextMatch, date_ordered_ids, relevance_ranking
from .query import ParsedQuery
from .rank_index import rank_index
from .results import LISTED_FIELDS, CableHit, hits


class ResultList:
    """Paginator's sequence for a search without text: counts once, fetches the page's slice."""

    def __init__(
        self, cables: QuerySet, parsed: ParsedQuery, sort: str, using: str, data=None, whole=None
    ):
        self.cables = cables
        self.sort = sort
        self.counted: int | None = None
        self.linked_only = None
        self.wide_filters = None
        if data and not parsed.excluded and not parsed.has_field_filters:
            if len(data) == 1:
                ((name, values),) = data.items()
                if name in LINKED_FILTERS and values:
                    self.linked_only = (name, values)
            if estimated_share(data, using, whole)[0] >= thresholds.WIDE_SHARE:
                self.wide_filters = data

    def count(self) -> int:
        if self.linked_only:
            self.counted = linked_count(*self.linked_only, self.cables.db)
        else:
            self.counted = self.cables.order_by().count()
        return self.counted

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, page_slice: slice) -> list[CableHit]:
        offset, stop = page_slice.start or 0, page_slice.stop
        if stop is None or stop <= offset:
            return []
        if self.wide_filters is not None:
            ids = walked_slice(self.wide_filters, self.sort, offset, stop, self.cables.db)
        elif self.counted is not None and self.counted <= thresholds.FACET_SAMPLE:
            # Few cables: found through the filter, then sorted. Walking the date index for
            # the 34 partial extracts of the archive took SQLite 270 ms (0.2 ms this way).
            few = Cable.objects.using(self.cables.db).filter(
                id__in=self.cables.order_by().values("id")
            )
            ids = date_ordered_slice(few, self.sort, offset, stop)
        else:
            ids = date_ordered_slice(self.cables, self.sort, offset, stop)
        listed = Cable.objects.using(self.cables.db).filter(id__in=ids).only(*LISTED_FIELDS)
        by_id = {cable.id: cable for cable in listed}
        return hits([by_id[i] for i in ids if i in by_id], {}, self.cables.db)


class MatchList:
    """Paginator's sequence over a TextMatch: the page's cables in the order asked for, with
    their best paragraphs' snippets."""

    def __init__(
        self,
        match: TextMatch,
        parsed: ParsedQuery,
        data: dict,
        sort: str,
        using: str,
        exclusion: Exclusion,
        allowed: list[int] | None = UNKNOWN,
    ):
        self.exclusion = exclusion
        self.allowed = allowed
        self.match = match
        self.parsed = parsed
        self.data = data
        self.sort = sort
        self.using = using
        self.backend = get_backend(using)

    def count(self) -> int:
        return self.match.estimate

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, page_slice: slice) -> list[CableHit]:
        offset, stop = page_slice.start or 0, page_slice.stop
        if stop is None or stop <= offset:
            return []
        cables = Cable.objects.using(self.using).only(*LISTED_FIELDS)
        index = rank_index(self.using, check=False)
        query = index.compile(self.parsed.text)
        if self.sort == "relevance":
            ranking = relevance_ranking(
                self.parsed, self.data, stop, self.using, self.exclusion, self.allowed
            )
            ids = ranking.ids[offset:stop]
        elif self.match.complete:
            # Every match is known: the database sorts them.
            matched = cables.filter(id__in=self.backend.ids_subquery(self.match.ids))
            ids = list(ordered(matched, self.sort).values_list("id", flat=True)[offset:stop])
        else:
            ids = date_ordered_ids(
                self.parsed, self.data, self.sort, stop, self.using, self.exclusion
            )
            ids = ids[offset:stop]
        # Not in_bulk: on SQLite it works out a batch size per call, for 20 ids.
        by_id = {cable.id: cable for cable in cables.filter(id__in=ids).order_by()}
        page_cables = [by_id[i] for i in ids if i in by_id]
        chosen = index.best_paragraphs(query, ids, thresholds.SNIPPETS)
        best = self.backend.snippets(self.parsed.text, chosen)
        return hits(page_cables, best, self.using)
