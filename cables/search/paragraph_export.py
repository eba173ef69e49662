"""The paragraph export: one row per matched paragraph of a result set (`rows=paragraphs` on
`/api/cables/export.csv` and `/api/cables/export.json`).

The cables are the cable export's, in its order (see `export_sort`), read in keyset chunks
(`date_ordered_chunks`): the result set is never all in memory and no statement runs for the
whole walk. For each chunk one query finds, among that chunk's paragraphs, those matching the
query's text (every word in the one paragraph, as the search matches), then one query reads
them; rows follow the cables' order, then the paragraph numbers. Without text (facets or field
filters only) every paragraph of each cable is a row: the result set's full text, streamed the
same way. Exclusions (`-word`) leave out cables, never paragraphs of a kept cable.
"""

from __future__ import annotations

import csv

from django.urls import reverse

from cables.lib.csv_cells import safe_row
from cables.models import Paragraph

from . import get_backend
from .date_order import date_ordered_chunks
from .filtering import filtered_cables
from .results import SORTS

FIELDS = ["reference_id", "paragraph", "permalink", "text"]


def export_sort(sort: str) -> str:
    """The order of an export's cables: the date sort asked for, else newest first. Relevance
    orders the pages of a search (its best cables first), not a whole result set streamed in
    date chunks."""
    return sort if sort in SORTS and sort != "relevance" else "-created"


def matched_paragraphs(query: str, sort: str, filter_data, size: int, using: str = "default"):
    """(reference ID, paragraph number, text) of the matched paragraphs of the result set, in
    one list per chunk of `size` cables. Raises QuerySyntaxError."""
    parsed, _, _, cables = filtered_cables(query, filter_data, using, listed_by_rank_index=True)
    cables = cables.only("id", "reference_id", "created", "released")
    backend = get_backend(using)
    for chunk in date_ordered_chunks(cables, export_sort(sort), size):
        position = {cable.id: index for index, cable in enumerate(chunk)}
        reference = {cable.id: cable.reference_id for cable in chunk}
        paragraphs = Paragraph.objects.using(using).filter(
            cable_id__in=backend.ids_subquery(list(position))
        )
        if parsed.text is not None:
            ids = backend.matching_paragraph_ids(parsed.text, sorted(position))
            if not ids:
                continue
            paragraphs = paragraphs.filter(id__in=backend.ids_subquery(ids))
        rows = sorted(
            paragraphs.order_by().values_list("cable_id", "number", "text"),
            key=lambda row: (position[row[0]], row[1]),
        )
        yield [(reference[cable_id], number, text) for cable_id, number, text in rows]


def paragraph_rows(base: str, query: str, sort: str, filter_data, size: int):
    """The export's rows (dicts of FIELDS); `base` is the site's absolute root, no slash."""
    for chunk in matched_paragraphs(query, sort, filter_data, size):
        cable_urls: dict[str, str] = {}
        for reference_id, number, text in chunk:
            if reference_id not in cable_urls:
                cable_urls[reference_id] = base + reverse(
                    "cables:cable-detail", args=[reference_id]
                )
            yield {
                "reference_id": reference_id,
                "paragraph": number,
                "permalink": f"{cable_urls[reference_id]}#par{number}",
                "text": text,
            }


class _Line:
    def write(self, value):
        return value


def csv_lines(rows):
    """The rows as CSV lines, a header first; every cell made safe from spreadsheet formulas
    (cable text does start with `-`: "-- The minister said ...")."""
    writer = csv.writer(_Line())
    yield writer.writerow(FIELDS)
    for row in rows:
        yield writer.writerow(safe_row(row[name] for name in FIELDS))
