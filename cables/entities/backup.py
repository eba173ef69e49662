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
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from cables.models import (
    Alias,
    Cable,
    Election,
    EntitySuggestion,
    Mention,
    MentionDecision,
    Party,
    Person,
)

from .curation import ENTITY_FIELDS, ENTITY_MODELS, merge_entities, retag_for_texts
from .loading import read_json
from .tagging import TaggingStats, tag_archive, tag_cables

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


class _Names:
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


def _natural_key(kind: str, row, names: _Names) -> list:
    """How an object (or one of its historical records) is found again in another archive."""
    if kind in ENTITY_MODELS:
        return [row.slug]
    if kind == "alias":
        return [*(names.entity(row) or [None, None]), row.text]
    if kind == "decision":
        return [row.reference_id, row.paragraph_number, row.start, row.matched_text]
    return [row.kind, row.name]


def _history_values(kind: str, row, names: _Names) -> dict:
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
    names = _Names()
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


def _deleted(names: _Names) -> list[dict]:
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
    live_aliases = {tuple(_natural_key("alias", alias, names)) for alias in Alias.objects.all()}
    last_alias = {}
    for record in Alias.history.order_by("history_date", "history_id"):
        last_alias[record.id] = record
    gone = {
        tuple(_natural_key("alias", record, names))
        for record in last_alias.values()
        if record.history_type == "-"
    }
    for kind, slug, text in sorted(gone - live_aliases, key=repr):
        if slug is not None:
            deleted.append({"alias": [kind, slug, text]})
    return deleted


def _history(names: _Names) -> list[dict]:
    live_keys = {
        "alias": {a.pk: _natural_key("alias", a, names) for a in Alias.objects.all()},
        "decision": {
            d.pk: _natural_key("decision", d, names) for d in MentionDecision.objects.all()
        },
    }
    records = []
    for kind, model in HISTORY_MODELS.items():
        for record in model.history.order_by("history_date", "history_id"):
            key = live_keys.get(kind, {}).get(record.id) or _natural_key(kind, record, names)
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


# --- restore ----------------------------------------------------------------------------


@dataclass
class RestoreCounts:
    changed: Counter = field(default_factory=Counter)
    tagging: TaggingStats = field(default_factory=TaggingStats)
    confirmed: int = 0
    rejected: int = 0

    def line(self) -> str:
        parts = ", ".join(f"{what} {n}" for what, n in sorted(self.changed.items()))
        return (
            f"{parts or 'nothing to change'}; re-tagged {self.tagging.cables} cables, "
            f"{self.tagging.decisions_applied} decisions applied; the archive now holds "
            f"{self.confirmed} confirmed and {self.rejected} rejected mentions"
        )


def read_curation_file(path: Path) -> dict:
    data = read_json(path, CurationFileError)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise CurationFileError(f'{path}: not a curation backup (no "format": "{FORMAT}")')
    if data.get("version") != VERSION:
        raise CurationFileError(
            f"{path}: format version {data.get('version')!r}; this archive reads version {VERSION}"
        )
    return data


def restore(path: Path) -> RestoreCounts:
    """Load a curation file into this archive, re-tag what it touches. One transaction."""
    data = read_curation_file(path)
    counts = RestoreCounts()
    with transaction.atomic():
        _Restore(Path(path), data, counts).run()
    counts.confirmed = Mention.objects.filter(status=Mention.Status.CONFIRMED).count()
    counts.rejected = Mention.objects.filter(status=Mention.Status.REJECTED).count()
    return counts


class _Restore:
    def __init__(self, path: Path, data: dict, counts: RestoreCounts):
        self.path = path
        self.data = data
        self.counts = counts
        self.retag_texts: set[str] = set()
        self.users: dict[str, int] = {}
        self.decision_ids: dict[tuple, int] = {}

    def problem(self, entry: str, reason: str) -> CurationFileError:
        return CurationFileError(f"{self.path}: {entry}: {reason}")

    def entries(self, section: str):
        rows = self.data.get(section, [])
        if not isinstance(rows, list):
            raise self.problem(section, "expected a list")
        for position, row in enumerate(rows):
            entry = f"{section}[{position}]"
            if not isinstance(row, dict):
                raise self.problem(entry, "expected an object")
            yield entry, row

    def run(self) -> None:
        # An archive that held no entities was never tagged: all of it is, at the end.
        untagged = not any(model.objects.exists() for model in ENTITY_MODELS.values())
        for section, model in SECTIONS.items():
            for entry, row in self.entries(section):
                self.entity(entry, model, row)
        for entry, row in self.entries("deleted"):
            self.deleted(entry, row)
        for entry, row in self.entries("aliases"):
            self.alias(entry, row)
        decided_cables = set()
        for entry, row in self.entries("decisions"):
            self.decision(entry, row)
            decided_cables.add(row["reference_id"])
        for entry, row in self.entries("suggestions"):
            self.suggestion(entry, row)
        self.history()
        if untagged:
            self.counts.tagging.add(tag_archive())
            return
        if self.retag_texts:
            self.counts.tagging.add(retag_for_texts(sorted(self.retag_texts)))
        ids = Cable.objects.filter(reference_id__in=decided_cables).values_list("pk", flat=True)
        self.counts.tagging.add(tag_cables(list(ids)))

    # --- natural keys to rows -------------------------------------------------------------
    def user(self, username) -> int | None:
        if not username:
            return None
        if username not in self.users:
            model = get_user_model()
            user = model.objects.filter(**{model.USERNAME_FIELD: username}).first()
            if user is None:
                # Kept so decisions still say who made them; it cannot sign in.
                user = model(**{model.USERNAME_FIELD: username}, is_active=False)
                user.set_unusable_password()
                user.save()
                self.counts.changed["inactive curator accounts created"] += 1
            self.users[username] = user.pk
        return self.users[username]

    def live_entity(self, entry: str, key):
        if (
            not isinstance(key, list)
            or len(key) != 2
            or key[0] not in ENTITY_MODELS
            or not isinstance(key[1], str)
        ):
            raise self.problem(
                entry, f"`entity` must be [person|party|election, slug], not {key!r}"
            )
        entity = ENTITY_MODELS[key[0]].objects.filter(slug=key[1]).first()
        if entity is None:
            raise self.problem(
                entry, f"no {key[0]} with the slug {key[1]!r} in the file or archive"
            )
        return entity

    @staticmethod
    def _mark(obj):
        obj._change_reason = RESTORED
        return obj

    # --- sections -------------------------------------------------------------------------
    def entity(self, entry: str, model, row: dict) -> None:
        wanted = ENTITY_VALUES[model]
        missing = [name for name in ("slug", "name") if not str(row.get(name) or "").strip()]
        if missing:
            raise self.problem(entry, f"needs a non-empty {' and '.join(missing)}")
        values = {name: row.get(name, "") for name in wanted if name != "slug"}
        if model is Election:
            if values["kind"] not in Election.Kind.values:
                raise self.problem(
                    entry, f"`kind` must be one of {', '.join(Election.Kind.values)}"
                )
            try:
                values["date"] = date.fromisoformat(values["date"]) if values["date"] else None
            except (TypeError, ValueError):
                raise self.problem(
                    entry, f"`date` must be YYYY-MM-DD, not {values['date']!r}"
                ) from None
        for name, value in values.items():
            if name != "date" and not isinstance(value, str):
                raise self.problem(entry, f"`{name}` must be text, not {value!r}")
        entity = model.objects.filter(slug=row["slug"]).first()
        if entity is None:
            self._mark(model(slug=row["slug"], **values)).save()
            self.counts.changed["entities created"] += 1
            self.retag_texts.add(values["name"])
        elif any(getattr(entity, name) != value for name, value in values.items()):
            if entity.name != values["name"]:
                self.retag_texts.update({entity.name, values["name"]})
            for name, value in values.items():
                setattr(entity, name, value)
            self._mark(entity).save()
            self.counts.changed["entities updated"] += 1

    def deleted(self, entry: str, row: dict) -> None:
        if "alias" in row:
            key = row["alias"]
            if not (isinstance(key, list) and len(key) == 3 and key[0] in ENTITY_MODELS):
                raise self.problem(entry, f"`alias` must be [kind, slug, text], not {key!r}")
            kind, slug, text = key
            gone = Alias.objects.filter(**{f"{kind}__slug": slug, "text": text})
            for alias in gone:
                self._mark(alias).delete()
                self.counts.changed["aliases deleted"] += 1
                self.retag_texts.add(text)
            return
        key = row.get("entity")
        if not (isinstance(key, list) and len(key) == 2 and key[0] in ENTITY_MODELS):
            raise self.problem(entry, f"`entity` must be [kind, slug], not {key!r}")
        model = ENTITY_MODELS[key[0]]
        entity = model.objects.filter(slug=key[1]).first()
        if entity is None:
            return
        into = row.get("merged_into")
        survivor = model.objects.filter(slug=into).first() if into else None
        if into and survivor is None:
            raise self.problem(
                entry, f"merged into {into!r}, which is neither in the file nor the archive"
            )
        if survivor is not None:
            merge_entities(survivor, [entity])
            self.counts.changed["entities merged"] += 1
        else:
            self._mark(entity).delete()
            self.counts.changed["entities deleted"] += 1
        self.retag_texts.add(entity.name)

    def alias(self, entry: str, row: dict) -> None:
        entity = self.live_entity(entry, row.get("entity"))
        text = row.get("text")
        if not isinstance(text, str) or not text.strip():
            raise self.problem(entry, "needs a non-empty `text`")
        kind = row.get("kind", Alias.Kind.NAME)
        if kind not in Alias.Kind.values:
            raise self.problem(entry, f"`kind` must be one of {', '.join(Alias.Kind.values)}")
        field_name = type(entity).__name__.lower()
        alias = Alias.objects.filter(text=text, **{field_name: entity}).first()
        if alias is None:
            self._mark(Alias(text=text, kind=kind, **{field_name: entity})).save()
            self.counts.changed["aliases created"] += 1
            self.retag_texts.add(text)
        elif alias.kind != kind:
            alias.kind = kind
            self._mark(alias).save()
            self.counts.changed["aliases updated"] += 1

    def decision(self, entry: str, row: dict) -> None:
        entity = self.live_entity(entry, row.get("entity"))
        try:
            values = {name: row[name] for name in DECISION_VALUES}
        except KeyError as error:
            raise self.problem(entry, f"needs `{error.args[0]}`") from None
        if values["status"] not in Mention.Status.values:
            raise self.problem(entry, f"`status` must be one of {', '.join(Mention.Status.values)}")
        for name in ("paragraph_number", "start", "end"):
            if not isinstance(values[name], int) or values[name] < 0:
                raise self.problem(entry, f"`{name}` must be a whole number, not {values[name]!r}")
        for name in ("reference_id", "paragraph_key", "context", "matched_text"):
            if not isinstance(values[name], str):
                raise self.problem(entry, f"`{name}` must be text, not {values[name]!r}")
        if not values["reference_id"] or not values["matched_text"]:
            raise self.problem(entry, "needs a reference_id and a matched_text")
        field_name = type(entity).__name__.lower()
        values.update({name: entity if name == field_name else None for name in ENTITY_FIELDS})
        values["decided_by_id"] = self.user(row.get("decided_by"))
        decided_at = self.moment(entry, row.get("decided_at"))
        location = {
            name: values.pop(name)
            for name in ("paragraph_number", "paragraph_key", "context", "start", "end")
        }
        decision = self.find_decision(values, location)
        if decision is None:
            decision = MentionDecision(**location, **values)
            self.counts.changed["decisions created"] += 1
        elif any(getattr(decision, name) != value for name, value in values.items()):
            # Where the archive's decision stands now (re-tagging may have moved it) stays.
            for name, value in values.items():
                setattr(decision, name, value)
            self.counts.changed["decisions updated"] += 1
        else:
            self.decision_ids[_tuple(_file_key(row))] = decision.pk
            return
        try:
            with transaction.atomic():
                self._mark(decision).save()
        except IntegrityError as error:
            raise self.problem(entry, f"cannot be stored: {error}") from None
        self.decision_ids[_tuple(_file_key(row))] = decision.pk
        if decided_at:
            # `decided_at` is stamped on every save; the curator's moment is the file's.
            MentionDecision.objects.filter(pk=decision.pk).update(decided_at=decided_at)

    @staticmethod
    def find_decision(values: dict, location: dict) -> MentionDecision | None:
        """The archive's decision about the same mention: by the stable keys first, as
        `curation.decision_for` finds it, then by the words around the match."""
        same_text = MentionDecision.objects.filter(
            reference_id=values["reference_id"], matched_text=values["matched_text"]
        )
        return (
            same_text.filter(paragraph_key=location["paragraph_key"], start=location["start"])
            .exclude(paragraph_key="")
            .first()
            or same_text.filter(
                paragraph_number=location["paragraph_number"], start=location["start"]
            ).first()
            or (
                same_text.filter(context=location["context"]).first()
                if location["context"]
                else None
            )
        )

    def moment(self, entry: str, value):
        if value in (None, ""):
            return None
        try:
            moment = datetime.fromisoformat(value)
        except (TypeError, ValueError):
            raise self.problem(entry, f"not an ISO date and time: {value!r}") from None
        return moment if timezone.is_aware(moment) else timezone.make_aware(moment, timezone.utc)

    def suggestion(self, entry: str, row: dict) -> None:
        kind, name, status = row.get("kind"), row.get("name"), row.get("status")
        if kind not in EntitySuggestion.Kind.values or not isinstance(name, str) or not name:
            raise self.problem(entry, "needs a `kind` (person or party) and a `name`")
        if status not in EntitySuggestion.Status.values:
            raise self.problem(
                entry, f"`status` must be one of {', '.join(EntitySuggestion.Status.values)}"
            )
        reason = row.get("reason") or EntitySuggestion.Reason.TITLE
        if reason not in EntitySuggestion.Reason.values:
            raise self.problem(
                entry, f"`reason` must be one of {', '.join(EntitySuggestion.Reason.values)}"
            )
        examples = row.get("examples") or []
        if not isinstance(examples, list):
            raise self.problem(entry, "`examples` must be a list")
        suggestion = EntitySuggestion.objects.filter(kind=kind, name=name).first()
        if suggestion is None:
            suggestion = EntitySuggestion(kind=kind, name=name, reason=reason, examples=examples)
        elif suggestion.status == status:
            return
        suggestion.status = status
        self._mark(suggestion).save()
        self.counts.changed[f"names {status}"] += 1

    def history(self) -> None:
        """The file's history records, attached to the restored objects; records already
        present (same moment, kind of change and object) are skipped. The history of an object
        deleted before the export keeps the negative of its old id: no live row has it."""
        live = self.live_ids()
        present = {
            kind: set(
                model.history.values_list("history_date", "history_type", *HISTORY_IDENTITY[kind])
            )
            for kind, model in HISTORY_MODELS.items()
        }
        self.slugs = {
            kind: dict(model.objects.values_list("slug", "pk"))
            for kind, model in ENTITY_MODELS.items()
        }
        new: dict[str, list] = {kind: [] for kind in HISTORY_MODELS}
        for entry, row in self.entries("history"):
            kind = row.get("model")
            if kind not in HISTORY_MODELS:
                raise self.problem(entry, f"`model` must be one of {', '.join(HISTORY_MODELS)}")
            moment = self.moment(entry, row.get("date"))
            if moment is None or row.get("type") not in ("+", "~", "-"):
                raise self.problem(entry, "needs a `date` and a `type` (+, ~ or -)")
            if not isinstance(row.get("id"), int) or not isinstance(row.get("values"), dict):
                raise self.problem(entry, "needs the object's old `id` and its `values`")
            key = _tuple(row.get("object"))
            object_id = (kind == "decision" and self.decision_ids.get(key)) or live[kind].get(
                key, -abs(row["id"])
            )
            # The same change of the same object: the object's id may differ between imports
            # (live at one, gone at the next), its moment and own words do not.
            seen = (moment, row["type"], *(row["values"].get(f) for f in HISTORY_IDENTITY[kind]))
            if seen in present[kind]:
                continue
            present[kind].add(seen)
            historical = HISTORY_MODELS[kind].history.model
            try:
                values = self.history_values(entry, kind, row["values"])
            except (TypeError, ValueError) as error:
                raise self.problem(entry, f"a value cannot be read: {error}") from None
            new[kind].append(
                historical(
                    id=object_id,
                    history_date=moment,
                    history_type=row["type"],
                    history_user_id=self.user(row.get("user")),
                    history_change_reason=row.get("reason"),
                    **values,
                )
            )
        for kind, rows in new.items():
            if rows:
                HISTORY_MODELS[kind].history.model.objects.bulk_create(rows, batch_size=500)
                self.counts.changed["history records restored"] += len(rows)

    def history_values(self, entry: str, kind: str, given: dict) -> dict:
        values = {}
        for model_field in HISTORY_MODELS[kind]._meta.concrete_fields:
            if model_field.primary_key or model_field.name not in given:
                continue
            value = given[model_field.name]
            if model_field.name in ENTITY_FIELDS:
                values[model_field.attname] = self.slugs[model_field.name].get(value)
            elif model_field.is_relation:
                values[model_field.attname] = self.user(value)
            elif isinstance(model_field, models.DateTimeField) and value:
                values[model_field.attname] = self.moment(entry, value)
            elif isinstance(model_field, models.DateField) and value:
                values[model_field.attname] = date.fromisoformat(value)
            else:
                values[model_field.attname] = value
        return values

    def live_ids(self) -> dict[str, dict[tuple, int]]:
        names = _Names()
        live = {}
        for kind, model in HISTORY_MODELS.items():
            live[kind] = {
                _tuple(_natural_key(kind, row, names)): row.pk for row in model.objects.all()
            }
        return live


def _file_key(row: dict) -> list:
    return [row["reference_id"], row["paragraph_number"], row["start"], row["matched_text"]]


def _tuple(key) -> tuple:
    return tuple(key) if isinstance(key, list) else (key,)
