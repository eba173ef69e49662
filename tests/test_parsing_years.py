"""The year of a cable that does not write one: dates in the text, then serial-number order."""

from cables.parsing import ParsedCable, ParseFailure, SourceInfo, iter_path, parse_text
from cables.parsing import years as years_module
from cables.parsing.cable import settle_year
from cables.parsing.sources import parse_document
from cables.parsing.years import named_months, year_from_serial_order, year_from_text

from .conftest import CORPUS, mirror_page

BISHKEK_1065 = CORPUS / "cablegate-html" / "09BISHKEK1065.html"


def body_of(path) -> str:
    (record,) = parse_document(path.read_bytes(), str(path))
    return record.body


def page_004() -> ParsedCable:
    (record,) = parse_document(mirror_page("004").read_bytes(), str(mirror_page("004")))
    return record


def year_warning(cable: ParsedCable) -> str:
    return next(w.message for w in cable.warnings if w.code == "year-inferred")


# Known ALMATY cables as an archive would hold them: (serial, year, month).
ALMATY_2005_NOVEMBER = [(4100, 2005, 11), (4200, 2005, 11)]


class TestDatesInTheText:
    def test_the_declassification_year_confirmed_by_a_dated_year_in_the_text_gives_the_year(self):
        # 09BISHKEK1065: `E.O. 12958: DECL: 09/21/2019`, and the body names `July 30, 2009`.
        found = year_from_text(body_of(BISHKEK_1065))
        assert found is not None
        assert found[0] == 2009
        assert found[1].startswith("dates in the text: declassification on 09/21/2019")

    def test_a_cable_body_alone_gets_its_id_and_ref_years_from_the_text_year(self):
        # The body starts `S E C R E T SECTION 01 OF 03 BISHKEK 001065`: no year, no DTG.
        cable = parse_text(body_of(BISHKEK_1065), SourceInfo("09BISHKEK1065.txt", "text"))
        assert cable.created is None
        assert cable.reference_id == "09BISHKEK1065"
        assert cable.references == ["09BISHKEK1058"]  # `REF: BISHKEK 1058`
        assert year_warning(cable).startswith("year 2009 inferred from dates in the text")
        assert settle_year(cable, [(1000, 2008, 9), (1100, 2008, 9)]) is False  # text wins

    def test_page_004_names_months_but_no_year(self):
        body = page_004().body
        assert year_from_text(body) is None  # `E.O. 12958: N/A`, no year written
        assert named_months(body) == {11}  # `on November 15`, `the November 17 televised debate`


class TestSerialNumberOrder:
    def test_a_serial_between_two_known_cables_of_one_year_takes_that_year(self):
        found = year_from_serial_order("ALMATY", 4123, ALMATY_2005_NOVEMBER, {11})
        assert found is not None
        assert found[0] == 2005
        assert "ALMATY 4100 and 4200 of 2005" in found[1]

    def test_two_years_that_both_fit_give_no_year(self):
        known = [*ALMATY_2005_NOVEMBER, (4050, 2004, 11), (4300, 2004, 11)]
        assert year_from_serial_order("ALMATY", 4123, known, {11}) is None

    def test_neighbours_whose_month_disagrees_with_the_text_are_not_used(self):
        known = [(4100, 2005, 3), (4200, 2005, 3)]
        assert year_from_serial_order("ALMATY", 4123, known, {11}) is None

    def test_a_one_sided_neighbour_counts_only_when_the_named_months_agree(self):
        assert year_from_serial_order("ALMATY", 4123, [(4029, 2005, 11)], {11})[0] == 2005
        assert year_from_serial_order("ALMATY", 4123, [(4029, 2005, 11)], set()) is None

    def test_page_004_read_after_page_001_takes_its_year_from_it(self):
        # 001 is 05ALMATY4029 of 9 November 2005; 004 is ALMATY 004123 with no year.
        records = {r.reference_id: r for r in iter_path(mirror_page("001").parent)}
        assert "05ALMATY4123" in records
        message = year_warning(records["05ALMATY4123"])
        assert message.startswith("year 2005 inferred from serial-number order")
        assert "ALMATY 4029 of 2005" in message and "November" in message

    def test_settling_with_archive_neighbours_rederives_the_reference_id(self):
        cable = page_004()
        assert cable.undated == ("ALMATY", 4123)
        assert settle_year(cable, ALMATY_2005_NOVEMBER) is True
        assert cable.reference_id == "05ALMATY4123"
        assert [w.code for w in cable.warnings].count("year-inferred") == 1
        assert "ALMATY 4100 and 4200 of 2005" in year_warning(cable)

    def test_a_cable_whose_year_was_written_is_never_resettled(self):
        (record,) = parse_document(mirror_page("001").read_bytes(), "001")
        assert record.undated is None
        assert settle_year(record, ALMATY_2005_NOVEMBER) is False


class TestNothingToGoOn:
    def test_without_any_evidence_the_cable_fails_but_carries_its_parse(self, monkeypatch):
        monkeypatch.setattr(years_module, "_index", {})  # no release index either
        (record,) = parse_document(mirror_page("004").read_bytes(), "004")
        assert isinstance(record, ParseFailure)
        assert record.cable is not None and record.cable.undated == ("ALMATY", 4123)
        assert "year-unknown" in [w.code for w in record.cable.warnings]

    def test_alone_page_004_falls_back_to_the_release_index(self):
        cable = page_004()
        assert cable.reference_id == "05ALMATY4123"
        assert year_warning(cable).startswith("year 2005 inferred from release index")
