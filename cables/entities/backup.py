"""The curators' work as one JSON file, and back: the part of the archive no ingest rebuilds.

The file (format `cablearchive-curation`, version 1; docs/reliability.md describes it) holds
every person, party and election, every alias, the entities and aliases curators deleted or
merged away, every decision on a mention (`MentionDecision`, with its stable key: reference
ID, matched text, paragraph hash and the words around the match, so it finds its mention in
any rebuilt archive), the names accepted or dismissed from the review queue, and the
django-simple-history records of all of them. Rows are named by natural keys (slugs,
reference IDs, usernames), never by database ids, so the file loads into an archive built from
scratch.

`restore` is one transaction: a bad entry stops it with the file, the entry and the reason,
and nothing is written. It is idempotent: what the archive already holds is left alone, and
history records already present are not added twice.
"""

from __future__ import annotations

import json
import os
from datetime import date, datetime
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from cables.models import (
    Alias,
    Election,
    EntitySuggestion,
    Mention,
    MentionDecision,
    Party,
    Person,
)

from .curation import ENTITY_FIELDS, ENTITY_MODELS

FORMAT = "cablearchive-curation"
VERSION = 1
SECTIONS = {"people": Person, "parties": Party, "elections": Election}
KIND_OF_SECTION = {"people": "person", "parties": "party", "elections": "election"}
ENTITY_VALUES = {
    Person: ["slug", "name", "country", "note", "role"],
    Party: ["slug", "name", "country", "note"],
    Election: ["slug", "name", "country", "note", "kind", "date"],
}
ALIAS_VALUES = ["text", "kind"]
DECISION_VALUES = [
    "reference_id",
    "paragraph_number",
    "paragraph_key",
    "context",
    "matched_text",
    "start",
    "end",
    "status",
]
SUGGESTION_VALUES = ["kind", "name", "reason", "status", "examples"]
HISTORY_MODELS = {
    "person": Person,
    "party": Party,
    "election": Election,
    "alias": Alias,
    "decision": MentionDecision,
    "suggestion": EntitySuggestion,
}
# A history record's own fields that, with its moment and type, tell it from any other.
HISTORY_IDENTITY = {
    "person": ["slug"],
    "party": ["slug"],
    "election": ["slug"],
    "alias": ["text"],
    "decision": ["reference_id", "matched_text"],
    "suggestion": ["kind", "name"],
}
RESTORED = "restored from a curation backup"


class CurationFileError(ValueError):
    """A curation file that cannot be restored: the message names the file, entry and reason."""


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


class Names:
    """Database ids to natural keys: entity slugs (live, and from history for deleted ones)
    and usernames."""

    def __init__(self):
        self.slugs: dict[str, dict[int, str]] = {}
        for kind, model in ENTITY_MODELS.items():
            known = dict(model.history.order_by("history_date").values_list("id", "slug"))
            known.update(model.objects.values_list("id", "slug"))
            self.slugs[kind] = known
        self.users = dict(
            get_user_model().objects.values_list("id", get_user_model().USERNAME_FIELD)
        )

    def entity(self, row) -> list | None:
        for kind in ENTITY_FIELDS:
            pk = getattr(row, f"{kind}_id", None)
            if pk is not None:
                return [kind, self.slugs[kind].get(pk)]
        return None

    def user(self, pk) -> str | None:
        return self.users.get(pk) if pk is not None else None


def _values(row, names: list[str]) -> dict:
    return {name: _plain(getattr(row, name)) for name in names}


def natural_key(kind: str, row, names: Names) -> list:
    """How an object (or one of its historical records) is found again in another archive."""
    if kind in ENTITY_MODELS:
        return [row.slug]
    if kind == "alias":
        return [*(names.entity(row) or [None, None]), row.text]
    if kind == "decision":
        return [row.reference_id, row.paragraph_number, row.start, row.matched_text]
    return [row.kind, row.name]


def _history_values(kind: str, row, names: Names) -> dict:
    model = HISTORY_MODELS[kind]
    values = {}
    for model_field in model._meta.concrete_fields:
        if model_field.primary_key or not hasattr(row, model_field.attname):
            continue
        if model_field.is_relation:
            pk = getattr(row, model_field.attname)
            if model_field.name in ENTITY_FIELDS:
                values[model_field.name] = names.slugs[model_field.name].get(pk)
            else:
                values[model_field.name] = names.user(pk)
        else:
            values[model_field.name] = _plain(getattr(row, model_field.attname))
    return values


def curation_data() -> dict:
    """Everything curators made, as the JSON-ready structure of the file: read in one
    transaction that sees one moment (curators may be working while the nightly backup runs)."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        return _curation_data()


def _curation_data() -> dict:
    names = Names()
    data: dict = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now().isoformat(),
    }
    for section, model in SECTIONS.items():
        data[section] = [
            _values(entity, ENTITY_VALUES[model]) for entity in model.objects.order_by("slug")
        ]
    data["aliases"] = [
        {"entity": names.entity(alias), **_values(alias, ALIAS_VALUES)}
        for alias in Alias.objects.order_by("pk")
    ]
    data["deleted"] = _deleted(names)
    data["decisions"] = [
        {
            **_values(decision, DECISION_VALUES),
            "entity": names.entity(decision),
            "decided_by": names.user(decision.decided_by_id),
            "decided_at": _plain(decision.decided_at),
        }
        for decision in MentionDecision.objects.order_by(
            "reference_id", "paragraph_number", "start"
        )
    ]
    data["suggestions"] = [
        _values(suggestion, SUGGESTION_VALUES)
        for suggestion in EntitySuggestion.objects.exclude(
            status=EntitySuggestion.Status.PENDING
        ).order_by("kind", "name")
    ]
    data["history"] = _history(names)
    data["counts"] = {
        "entities": sum(len(data[section]) for section in SECTIONS),
        "aliases": len(data["aliases"]),
        "decisions": len(data["decisions"]),
        "confirmed_mentions": Mention.objects.filter(status=Mention.Status.CONFIRMED).count(),
        "rejected_mentions": Mention.objects.filter(status=Mention.Status.REJECTED).count(),
        "history": len(data["history"]),
    }
    return data


def _deleted(names: Names) -> list[dict]:
    """Entities and aliases whose last history record is a deletion and that no live row
    replaced: a restore removes them again (a starter list loaded into the new archive
    brings them back otherwise). A merge says which entity absorbed the deleted one."""
    deleted = []
    for kind, model in ENTITY_MODELS.items():
        live = set(model.objects.values_list("slug", flat=True))
        last = {}
        for record in model.history.order_by("history_date", "history_id"):
            last[record.slug] = record
        for slug, record in sorted(last.items()):
            if record.history_type != "-" or slug in live:
                continue
            reason = record.history_change_reason or ""
            into = None
            if reason.startswith("merged into "):
                survivor = model.objects.filter(name=reason.removeprefix("merged into ")).first()
                into = survivor.slug if survivor else None
            deleted.append({"entity": [kind, slug], "merged_into": into})
    live_aliases = {tuple(natural_key("alias", alias, names)) for alias in Alias.objects.all()}
    last_alias = {}
    for record in Alias.history.order_by("history_date", "history_id"):
        last_alias[record.id] = record
    gone = {
        tuple(natural_key("alias", record, names))
        for record in last_alias.values()
        if record.history_type == "-"
    }
    for kind, slug, text in sorted(gone - live_aliases, key=repr):
        if slug is not None:
            deleted.append({"alias": [kind, slug, text]})
    return deleted


def _history(names: Names) -> list[dict]:
    live_keys = {
        "alias": {a.pk: natural_key("alias", a, names) for a in Alias.objects.all()},
        "decision": {
            d.pk: natural_key("decision", d, names) for d in MentionDecision.objects.all()
        },
    }
    records = []
    for kind, model in HISTORY_MODELS.items():
        for record in model.history.order_by("history_date", "history_id"):
            key = live_keys.get(kind, {}).get(record.id) or natural_key(kind, record, names)
            records.append(
                {
                    "model": kind,
                    "object": key,
                    "id": record.id,
                    "date": record.history_date.isoformat(),
                    "type": record.history_type,
                    "user": names.user(record.history_user_id),
                    "reason": record.history_change_reason,
                    "values": _history_values(kind, record, names),
                }
            )
    return records


def write_curation_file(path: Path) -> dict:
    """Write the file atomically (a temporary file beside it, then renamed); returns counts."""
    data = curation_data()
    path = Path(path)
    temporary = path.with_name(f".{path.name}.tmp")
    with temporary.open("w", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False, indent=1)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())
    temporary.replace(path)
    return data["counts"]
