"""The bulk load's second pass: entity tagging of the spooled cables in worker processes."""

from __future__ import annotations

import pickle
import time

from django.db import transaction

from cables.entities import review_queue
from cables.entities.index import EntityIndex
from cables.entities.review_queue import store_suggestions
from cables.entities.tagger import CableTagger
from cables.entities.tagging import tag_cables
from cables.models import (
    Cable,
    Mention,
    MentionDecision,
    Paragraph,
)

from .bulk_parse import columns_of, worker_pool
from .bulk_write import TAG_BATCH, Writer

# Cables whose review-queue names are stored together after tagging, the same on both backends
# (which bare surnames fold into a full name depends on the names stored together, so the two
# build the same queue). Counted once at the end, large groups cost little: at 25,000 cables on
# PostgreSQL the store took 4 s in groups of 20,000 against 7 s in groups of 2,000.
SUGGESTION_GROUP = 20_000


# --- pass 2: entity tagging ----------------------------------------------------------------------

_TAGGER = None  # (CableTagger) set in this process before the tagging pool forks


def _entity_index():
    """The entity index, ready for the whole archive."""
    index = EntityIndex()
    # Whatever the index learns from the archive, learn it once here, before the workers
    # fork, for the whole archive (the workers do not query the database for it).
    prepare_origins = getattr(index, "prepare_origins", None)
    if prepare_origins is not None:
        prepare_origins(
            Cable.objects.order_by().values_list("origin", flat=True).distinct().iterator()
        )
    if isinstance(getattr(type(index), "place_words", None), property):
        index.place_words  # noqa: B018 - computed and cached now
    return index


def _tag_spooled(path: str) -> tuple[list, list]:
    """Tag one spool file's cables: (mention rows, new-name suggestions)."""
    with open(path, "rb") as file:
        batch = pickle.load(file)
    mention_columns = columns_of("mention")
    rows: list = []
    suggestions: list = []
    for pk, reference_id, origin, created, signers, classified, codes, paragraphs in batch:
        cable = Cable(
            pk=pk,
            reference_id=reference_id,
            origin=origin,
            created=created,
            signers=signers,
            classified_by=classified,
        )
        texts = [
            Paragraph(pk=pid, cable_id=pk, number=number, text=text)
            for pid, number, text in paragraphs
        ]
        found, named = _TAGGER.tag(cable, texts, codes)
        rows.extend(mention_columns.values(item.to_mention()) for item in found)
        suggestions.extend(named)
    return rows, suggestions


def tag_loaded(writer: Writer, workers: int, meanwhile) -> None:
    """Pass 2: tag every loaded cable on the pool while `meanwhile()` (the search index build)
    runs here; then write the mentions and the review queue's new names, in input order."""
    global _TAGGER
    spool = writer.spool
    index = _entity_index() if spool is not None and spool.files else None
    if index is None:
        meanwhile()
        return
    _TAGGER = CableTagger(index)
    first, last = writer.first_cable_id, writer.next_cable_id - 1
    # Forked before the index build starts: the workers need nothing from the database.
    pool = worker_pool(workers)
    mention_columns = columns_of("mention").columns
    suggestions: list = []
    stubs: list[Cable] = []
    recount: set[int] = set()

    def store(rows, named, cables):
        began = time.perf_counter()
        store_rows(rows, named, cables)
        writer.summary.store_seconds += time.perf_counter() - began

    def store_rows(rows, named, cables):
        writer.insert(Mention._meta.db_table, mention_columns, rows)
        writer.summary.mentions += len(rows)
        suggestions.extend(named)
        stubs.extend(Cable(pk=pk, reference_id=reference_id) for pk, reference_id in cables)
        if len(stubs) >= SUGGESTION_GROUP:
            flush()

    def flush():
        if stubs or suggestions:
            with transaction.atomic():
                store_suggestions(suggestions, stubs, recount_later=recount)
        suggestions.clear()
        stubs.clear()

    try:
        if pool is None:
            meanwhile()
            results = ((_tag_spooled(path), cables) for path, cables in spool.files)
        else:
            pending = [
                (pool.apply_async(_tag_spooled, (path,)), cables) for path, cables in spool.files
            ]
            # The workers tag while this process builds the index; their results wait here
            # (mentions and names only, a small fraction of the text).
            meanwhile()
            results = ((result.get(), cables) for result, cables in pending)
        for (rows, named), cables in results:
            store(rows, named, cables)
        began = time.perf_counter()
        flush()
        with transaction.atomic():
            review_queue.recount_suggestions(recount)
        writer.summary.store_seconds += time.perf_counter() - began
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
        _TAGGER = None
    # Curators' decisions about cables now loaded: the normal tagging re-applies them.
    decided = list(
        Cable.objects.filter(
            pk__gte=first,
            pk__lte=last,
            reference_id__in=MentionDecision.objects.values("reference_id"),
        ).values_list("pk", flat=True)
    )
    for offset in range(0, len(decided), TAG_BATCH):
        tag_cables(decided[offset : offset + TAG_BATCH], index=index)
