"""The created time as the release published it, kept beside the one corrected from the
date-time group (rule in `cables/parsing/cable.py`, `_fill`)."""

import json
from datetime import datetime

import pytest
from django.urls import reverse

from cables.ingest.incremental import ingest_paths
from cables.models import Cable
from cables.parsing import ParsedCable, iter_path

from .conftest import CORPUS
from .helpers import run

# The page says 2005-09-13 14:02; the routing header's date-time group says O 131405Z SEP 05.
JSONL_KEYS_BEFORE = [
    "reference_id",
    "created",
    "released",
    "classification",
    "origin",
    "subject",
    "tags",
    "references",
    "signers",
    "classified_by",
    "classification_reasons",
    "declassify_on",
    "transmission_id",
    "precedence",
    "to",
    "info",
    "partial",
    "summary",
    "paragraphs",
    "warnings",
    "source",
]
TASHKENT = CORPUS / "cablegate-html" / "05TASHKENT2473.html"


def test_the_parser_keeps_the_published_time_beside_the_corrected_one():
    (cable,) = iter_path(TASHKENT)
    assert isinstance(cable, ParsedCable)
    assert cable.created == datetime(2005, 9, 13, 14, 5)
    assert cable.created_published == datetime(2005, 9, 13, 14, 2)


def test_a_cable_whose_minutes_agree_has_the_same_published_and_created_time():
    (cable,) = iter_path(CORPUS / "cablegate-html" / "03BRASILIA2231.html")
    assert cable.created == cable.created_published == datetime(2003, 7, 18, 10, 10)


def test_parse_cables_jsonl_only_adds_the_published_time_after_the_existing_keys():
    out, _, status = run("--jsonl", TASHKENT)
    assert status == 0
    record = json.loads(out)
    # The keys tools already read, in their order; the new one comes after them.
    assert list(record) == [*JSONL_KEYS_BEFORE, "created_published"]
    assert record["created"] == "2005-09-13T14:05:00"
    assert record["created_published"] == "2005-09-13T14:02:00"


@pytest.mark.django_db
def test_the_archive_stores_both_shows_the_corrected_one_and_serves_both(client):
    ingest_paths([TASHKENT])
    cable = Cable.objects.get(reference_id="05TASHKENT2473")
    assert (cable.created.hour, cable.created.minute) == (14, 5)
    assert (cable.created_published.hour, cable.created_published.minute) == (14, 2)
    data = client.get(reverse("cables:api-cable-detail", args=[cable.reference_id])).json()
    assert data["created"].startswith("2005-09-13T14:05")
    assert data["created_published"].startswith("2005-09-13T14:02")
    page = client.get(cable.get_absolute_url()).content.decode()
    assert "2005-09-13 14:05" in page and "(published 14:02)" in page
