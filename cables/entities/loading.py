"""Load the starter list of people, parties and elections (cables/data/entities.json)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from cables.lib.archive_version import archive_changed
from cables.models import Alias, Election, Party, Person
from cables.search.index_store import publish_on_commit

from .index import STARTER_LIST


class StarterListError(ValueError):
    pass


@dataclass
class LoadCounts:
    created: int = 0
    updated: int = 0
    aliases: int = 0

    def line(self) -> str:
        return (
            f"{self.created} entities created, {self.updated} updated, {self.aliases} aliases added"
        )


ALIAS_FIELDS = {
    "aliases": Alias.Kind.NAME,
    "abbreviations": Alias.Kind.ABBREVIATION,
    "former": Alias.Kind.FORMER,
    "phrases": Alias.Kind.PHRASE,
}


def read_json(path: Path, error_class: type[ValueError]):
    """A JSON file's content; a file that cannot be read or parsed raises `error_class` with
    the path and the reason."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise error_class(f"{path}: cannot read: {error.strerror or error}") from error
    except ValueError as error:
        raise error_class(f"{path}: not valid JSON: {error}") from error


def read_starter_list(path: Path = STARTER_LIST) -> dict:
    data = read_json(path, StarterListError)
    if not isinstance(data, dict):
        raise StarterListError(f"{path}: expected an object with people, parties, elections")
    return data


def load_starter_list(path: Path = STARTER_LIST, *, on_problem=None) -> LoadCounts:
    """Create or update every listed entity and add missing aliases; never delete anything."""
    data = read_starter_list(path)
    counts = LoadCounts()
    sections = [("people", Person), ("parties", Party), ("elections", Election)]
    with transaction.atomic():
        for section, model in sections:
            for position, row in enumerate(data.get(section, []), start=1):
                problem = _problem(row, model)
                if problem:
                    if on_problem:
                        on_problem(f"{path}: {section}[{position}]: {problem}")
                    continue
                _load_one(model, row, counts)
        archive_changed()
        publish_on_commit()  # the index stamped with the new version
    return counts


def _problem(row, model) -> str | None:
    if not isinstance(row, dict) or not str(row.get("name", "")).strip():
        return "needs a non-empty `name`"
    if model is Election:
        if row.get("kind") not in Election.Kind.values:
            return (
                f"`kind` must be one of {', '.join(Election.Kind.values)}, not {row.get('kind')!r}"
            )
        if row.get("date"):
            try:
                date.fromisoformat(row["date"])
            except (TypeError, ValueError):
                return f"`date` must be YYYY-MM-DD, not {row['date']!r}"
    return None


def _load_one(model, row: dict, counts: LoadCounts) -> None:
    name = row["name"].strip()
    fields = {"name": name, "country": row.get("country", ""), "note": row.get("note", "")}
    if model is Person:
        fields["role"] = row.get("role", "")
    if model is Election:
        fields["kind"] = row["kind"]
        fields["date"] = date.fromisoformat(row["date"]) if row.get("date") else None
    entity = model.objects.filter(slug=slugify(name)[:200]).first()
    if entity is None:
        entity = model.objects.create(**fields)
        counts.created += 1
    else:
        changed = [key for key, value in fields.items() if getattr(entity, key) != value]
        if changed:
            for key in changed:
                setattr(entity, key, fields[key])
            entity.save()
            counts.updated += 1
    field = model.__name__.lower()
    existing = {alias.text: alias for alias in Alias.objects.filter(**{field: entity})}
    for key, kind in ALIAS_FIELDS.items():
        for text in row.get(key, []):
            text = " ".join(str(text).split())
            if not text:
                continue
            alias = existing.get(text)
            if alias is None:
                existing[text] = Alias.objects.create(text=text, kind=kind, **{field: entity})
                counts.aliases += 1
            elif alias.kind != kind:
                alias.kind = kind
                alias.save()
                counts.updated += 1
