"""A collection as CSV, JSON and BibTeX: one record per saved paragraph, permalinks absolute.

Collections are small (at most MAX_ITEMS paragraphs), so each export is built whole.
"""

from __future__ import annotations

import csv
import io
import json
import re

from django.urls import reverse

from cables.collections.service import Resolved
from cables.lib.csv_cells import safe_row
from cables.lib.inert_json import INERT_JSON

FIELDS = [
    "reference_id",
    "paragraph",
    "permalink",
    "subject",
    "origin",
    "created",
    "classification",
    "in_cable",
    "text",
    "note",
    "saved_at",
]


def record(item: Resolved, base: str) -> dict:
    return {
        "reference_id": item.item.reference_id,
        "paragraph": item.number,
        "permalink": base + item.path,
        "subject": item.subject,
        "origin": item.origin,
        "created": item.created.strftime("%Y-%m-%d %H:%M") if item.created else "",
        "classification": item.classification,
        "in_cable": item.paragraph is not None,
        "text": item.text,
        "note": item.item.note,
        "saved_at": item.item.saved_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def as_csv(items: list[Resolved], base: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(FIELDS)
    for item in items:
        row = record(item, base)
        row["in_cable"] = "yes" if row["in_cable"] else "no"
        writer.writerow(safe_row(row[name] for name in FIELDS))
    return out.getvalue()


def as_json(collection, items: list[Resolved], base: str) -> str:
    document = {
        "collection": collection.name,
        "url": base + reverse("collections:shared", args=[collection.token]),
        "items": [record(item, base) for item in items],
    }
    return json.dumps(document, ensure_ascii=False, indent=2).translate(INERT_JSON) + "\n"


BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
BIBTEX_SPECIAL_RE = re.compile("|".join(re.escape(c) for c in BIBTEX_SPECIAL))


def bibtex_escape(value: str) -> str:
    return BIBTEX_SPECIAL_RE.sub(lambda m: BIBTEX_SPECIAL[m.group()], value)


def as_bibtex(items: list[Resolved], base: str) -> str:
    entries, keys = [], set()
    for item in items:
        key = re.sub(r"[^A-Za-z0-9]", "", item.item.reference_id) + f"par{item.number}"
        unique, n = key, 1
        while unique in keys:
            n += 1
            unique = f"{key}-{n}"
        keys.add(unique)
        created = item.created
        link = base + item.path
        fields = [
            ("author", "{" + bibtex_escape(item.origin or "Unknown origin") + "}"),
            ("title", "{" + bibtex_escape(item.subject or item.item.reference_id) + "}"),
            ("year", created.strftime("%Y") if created else ""),
            ("month", created.strftime("%b").lower() if created else ""),
            (
                "howpublished",
                f"Cable {bibtex_escape(item.item.reference_id)}, paragraph {item.number}",
            ),
            ("url", link),
            ("note", bibtex_escape(item.item.note)),
        ]
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
        entries.append(f"@misc{{{unique},\n{body}\n}}\n")
    return "\n".join(entries)
