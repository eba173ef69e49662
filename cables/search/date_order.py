"""Cables in date order: orderings, chunked and sliced walks over the date indexes."""

from __future__ import annotations

from django.db.models import F, QuerySet


def ordered(cables: QuerySet, sort: str) -> QuerySet:
    if sort == "created":
        return cables.order_by(F("created").asc(nulls_last=True), "reference_id")
    if sort == "-released":
        return cables.order_by(F("released").desc(nulls_last=True), "reference_id")
    return cables.order_by(F("created").desc(nulls_last=True), "reference_id")


def date_ordered_parts(cables: QuerySet, sort: str) -> tuple[QuerySet, QuerySet]:
    """`ordered(cables, sort)` as two querysets to read one after the other: the dated cables
    in the date index's order (ties by reference ID), then the undated ones. One ORDER BY with
    NULLS LAST sorted every cable before the first row (2-5 s for `sort=created` at full size
    on SQLite, whose NULLs sort first)."""
    field = "released" if sort == "-released" else "created"
    date = F(field).desc() if sort.startswith("-") else F(field).asc()
    dated = cables.filter(**{f"{field}__isnull": False}).order_by(date, "reference_id")
    undated = cables.filter(**{f"{field}__isnull": True}).order_by("reference_id")
    return dated, undated


def date_ordered_chunks(cables: QuerySet, sort: str, size: int = 500):
    """`ordered(cables, sort)` in lists of at most `size` cables, each list its own short
    query (keyset: after the last date and reference ID read), never one statement open for
    the whole walk: an export of the whole archive then streams on within the per-statement
    time budget instead of being cut off."""
    field = "released" if sort == "-released" else "created"
    descending = sort.startswith("-")
    dated, undated = date_ordered_parts(cables, sort)
    last = None
    while True:
        if last is None:
            rows = list(dated[:size])
        else:
            # Two range reads of the date index: an OR of both made the database sort.
            date, reference_id = last
            rows = list(dated.filter(**{field: date, "reference_id__gt": reference_id})[:size])
            if len(rows) < size:
                beyond = {f"{field}__lt" if descending else f"{field}__gt": date}
                rows += dated.filter(**beyond)[: size - len(rows)]
        if rows:
            yield rows
        if len(rows) < size:
            break
        last = (getattr(rows[-1], field), rows[-1].reference_id)
    last_reference = None
    while True:
        chunk = undated
        if last_reference is not None:
            chunk = chunk.filter(reference_id__gt=last_reference)
        rows = list(chunk[:size])
        if rows:
            yield rows
        if len(rows) < size:
            break
        last_reference = rows[-1].reference_id
