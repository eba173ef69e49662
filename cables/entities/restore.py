"""A curation file read back into the archive: one transaction, idempotent (see `backup`)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from cables.models import (
    Alias,
    Cable,
    Election,
    EntitySuggestion,
    Mention,
    MentionDecision,
)

from .backup import (
    DECISION_VALUES,
    ENTITY_VALUES,
    FORMAT,
    HISTORY_IDENTITY,
    HISTORY_MODELS,
    RESTORED,
    SECTIONS,
    VERSION,
    CurationFileError,
    Names,
    natural_key,
)
from .curation import ENTITY_FIELDS, ENTITY_MODELS, merge_entities, retag_for_texts
from .loading import read_json
from .tagging import TaggingStats, tag_archive, tag_cables

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
        names = Names()
        live = {}
        for kind, model in HISTORY_MODELS.items():
            live[kind] = {
                _tuple(natural_key(kind, row, names)): row.pk for row in model.objects.all()
            }
        return live


def _file_key(row: dict) -> list:
    return [row["reference_id"], row["paragraph_number"], row["start"], row["matched_text"]]


def _tuple(key) -> tuple:
    return tuple(key) if isinstance(key, list) else (key,)
