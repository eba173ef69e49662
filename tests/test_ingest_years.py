"""Ingest settles the year of an undated cable from the archive's cables of the same post."""

import pytest

from cables.ingest.incremental import ingest_paths
from cables.models import Cable
from cables.parsing import years as years_module

from .conftest import mirror_page


def year_message(cable: Cable) -> str:
    return next(w["message"] for w in cable.warnings if w["code"] == "year-inferred")


@pytest.mark.django_db
class TestUndatedCableInTheArchive:
    def test_page_004_takes_its_year_from_the_stored_almaty_cable_of_november_2005(self):
        ingest_paths([mirror_page("001")])  # 05ALMATY4029, created 9 November 2005
        summary = ingest_paths([mirror_page("004")])  # `UNCLAS ALMATY 004123`, no year
        assert summary.created == 1
        cable = Cable.objects.get(reference_id="05ALMATY4123")
        message = year_message(cable)
        assert message.startswith("year 2005 inferred from serial-number order")
        assert "ALMATY 4029 of 2005" in message
        # Filed under 2005 in the year facet and browse pages, though it has no created date.
        assert cable.created is None and cable.year == 2005

    def test_a_cable_nothing_else_dates_is_stored_once_the_archive_can(self, monkeypatch):
        monkeypatch.setattr(years_module, "_index", {})  # no release index to fall back on
        alone = ingest_paths([mirror_page("004")])
        assert alone.failed == 1 and alone.created == 0
        ingest_paths([mirror_page("001")])
        summary = ingest_paths([mirror_page("004")])
        assert summary.created == 1 and summary.failed == 0
        assert Cable.objects.filter(reference_id="05ALMATY4123").exists()

    def test_page_004_alone_keeps_the_release_index_year(self):
        ingest_paths([mirror_page("004")])
        cable = Cable.objects.get(reference_id="05ALMATY4123")
        assert year_message(cable).startswith("year 2005 inferred from release index")
