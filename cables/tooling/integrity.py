"""What the archive holds, keyed by reference IDs instead of database ids, to compare archives.

Two archives built from the same inputs by different paths (a bulk load and a normal ingest,
an ingest killed and run again and a clean one) must hold the same rows; their database ids
differ, so every row is written with its cable's reference ID. `archive_digest` condenses the
rows into counts and SHA-256 digests per table, and adds the search index's own check.
"""

from __future__ import annotations

import hashlib

from django.db import connection

from cables.models import (
    Cable,
    EntitySuggestion,
    Mention,
    Paragraph,
    Reference,
    Source,
    Tag,
)
from cables.search import get_backend

CABLE_FIELDS = [
    f.attname
    for f in Cable._meta.concrete_fields
    if f.name not in {"id", "ingested_at", "updated_at"}
]


def archive_rows() -> dict[str, list]:
    """Everything stored from the inputs, table by table, each list sorted."""
    by_id = dict(Cable.objects.values_list("id", "reference_id"))
    rows = {
        "cables": sorted(Cable.objects.values_list(*CABLE_FIELDS)),
        "paragraphs": sorted(
            (by_id[c], n, cl, h, t)
            for c, n, cl, h, t in Paragraph.objects.values_list(
                "cable_id", "number", "classification", "heading", "text"
            )
        ),
        "tags": sorted(
            (by_id[c], code, kind)
            for c, code, kind in Cable.tags.through.objects.values_list(
                "cable_id", "tag__code", "tag__kind"
            )
        ),
        "tag_table": sorted(Tag.objects.values_list("code", "kind", "definition")),
        "references": sorted(
            (by_id[c], p, r, by_id.get(t))
            for c, p, r, t in Reference.objects.values_list(
                "cable_id", "position", "reference_id", "target_id"
            )
        ),
        "sources": sorted(
            (by_id[c], *rest)
            for c, *rest in Source.objects.values_list(
                "cable_id",
                "path",
                "row",
                "format",
                "sha256",
                "partial",
                "is_primary",
                "content_hash",
                "kept_text",
            )
        ),
        # The review queue's names (order-dependent between a bulk load and an ingest).
        "suggestions": sorted(set(EntitySuggestion.objects.values_list("kind", "name"))),
        "mentions": sorted(
            [
                (by_id[c], *rest)
                for c, *rest in Mention.objects.values_list(
                    "paragraph__cable_id",
                    "paragraph__number",
                    "person__name",
                    "party__name",
                    "election_id",
                    "matched_text",
                    "start",
                    "end",
                    "method",
                    "status",
                )
            ],
            key=repr,  # person, party or election: the other two are None
        ),
    }
    if connection.vendor == "postgresql":
        # The search index's rows: the stored tsvector of each paragraph.
        rows["search_vectors"] = sorted(
            (by_id[c], n, str(v))
            for c, n, v in Paragraph.objects.values_list("cable_id", "number", "search_vector")
        )
    return rows


def digest(rows: list) -> str:
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def archive_digest() -> dict:
    """{"tables": {table: {"rows": n, "sha256": ...}}, "search_index": {table: {...}}}."""
    return {
        "tables": {
            table: {"rows": len(rows), "sha256": digest(rows)}
            for table, rows in archive_rows().items()
        },
        "search_index": get_backend().index_problems(),
    }
