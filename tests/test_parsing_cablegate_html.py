"""Original cablegate.wikileaks.org pages (early 2011 builds and the final 2011 format)."""

from datetime import date, datetime

import pytest

from cables.parsing import ParsedCable, iter_path
from cables.parsing.records import FORMAT_CABLEGATE_HTML

from .conftest import CABLEGATE_HTML, CABLEGATE_HTML_2011, CORPUS


def parse_page(folder: str, name: str) -> ParsedCable:
    (record,) = list(iter_path(CORPUS / folder / f"{name}.html"))
    assert isinstance(record, ParsedCable), record
    return record


@pytest.fixture(scope="module")
def tashkent() -> ParsedCable:
    return parse_page("cablegate-html", "05TASHKENT2473")


def test_every_html_page_parses_with_its_file_name_as_reference_id():
    pages = [*CABLEGATE_HTML, *CABLEGATE_HTML_2011]
    assert len(pages) == 135
    for page in pages:
        (record,) = list(iter_path(page))
        assert isinstance(record, ParsedCable), record
        assert record.reference_id == page.stem
        assert record.source.format == FORMAT_CABLEGATE_HTML
        assert record.created is not None and record.released is not None
        assert record.classification and record.origin


class TestTashkent2473:
    def test_header_table_values(self, tashkent):
        assert tashkent.reference_id == "05TASHKENT2473"
        assert tashkent.released == datetime(2010, 12, 12, 21, 9)
        assert tashkent.classification == "CONFIDENTIAL"
        assert tashkent.origin == "Embassy Tashkent"

    def test_wrong_minutes_on_the_page_are_corrected_from_the_date_time_group(self, tashkent):
        # The page says 14:02; the header says O 131405Z SEP 05.
        assert tashkent.created == datetime(2005, 9, 13, 14, 5)
        assert [w.code for w in tashkent.warnings] == ["created-minutes-corrected"]

    def test_html_tag_links_and_fields(self, tashkent):
        assert tashkent.tags == ["PREL", "ECON", "PGOV", "PINR", "UZ"]
        assert tashkent.subject == "GULNORA KARIMOVA LOOKS TO IMPROVE HER IMAGE"
        assert tashkent.classified_by == "JON R. PURNELL"
        assert tashkent.classification_reasons == ["1.4(b)", "1.4(d)"]
        assert tashkent.declassify_on == date(2015, 9, 13)
        assert tashkent.signers == ["PURNELL"]

    def test_a_paragraph_anchor_on_a_year_is_text_not_a_paragraph(self, tashkent):
        first = tashkent.paragraphs[0]
        assert first.number == 1
        assert "president in 2007. The discussion of the honest" in first.text
        assert [p.number for p in tashkent.paragraphs] == [1, 2, 3, 4, 5, 6]

    def test_upper_case_heading_with_dash_rule_goes_to_the_next_paragraph(self, tashkent):
        assert tashkent.paragraphs[1].heading == "PATRON OF THE ARTS, CHILDREN AND THE POOR"
        assert tashkent.paragraphs[1].classification == "U"
        assert "PATRON OF THE ARTS" not in tashkent.paragraphs[0].text

    def test_routing_header_recipients(self, tashkent):
        assert tashkent.precedence == "IMMEDIATE"
        # Normalised (`TO RUEHC/SECSTATE WASHDC IMMEDIATE ...`); the raw header keeps the form.
        assert tashkent.to == ["Secretary of State"]
        assert tashkent.info[0] == "Embassy Bishkek"
        assert tashkent.info[-1] == "Department of the Treasury"
        assert "SECSTATE WASHDC" in tashkent.header

    def test_raw_header_and_body_are_the_unescaped_pre_blocks(self, tashkent):
        assert tashkent.header.startswith("O 131405Z SEP 05\nFM AMEMBASSY TASHKENT\n")
        assert tashkent.body.startswith("C O N F I D E N T I A L TASHKENT 002473 \n")
        assert "¶2007." in tashkent.body


def test_malformed_reference_id_is_kept_and_flagged():
    cable = parse_page("cablegate-html-2011", "7575LIBREVILLE1895")
    assert cable.reference_id == "7575LIBREVILLE1895"
    assert "malformed-reference-id" in [w.code for w in cable.warnings]
    assert cable.created == datetime(1975, 11, 18, 12, 5)
    assert cable.origin == "Embassy Libreville"
    assert cable.subject == "KOREA AT 30TH UNGA: GABON"
    assert cable.references == ["75STATE272523", "75USUNNEWYORK6028"]  # the release spells USUN so


def test_page_minutes_equal_to_the_hour_are_corrected():
    cable = parse_page("cablegate-html", "07ASTANA919")
    assert cable.created == datetime(2007, 4, 11, 3, 43)
    assert cable.references == ["06ASTANA90"]
    assert cable.classified_by == "John Ordway"


def test_date_time_group_that_agrees_with_the_page_gives_no_warning():
    cable = parse_page("cablegate-html", "08TRIPOLI220")
    assert cable.created == datetime(2008, 3, 13, 15, 3)
    assert "created-minutes-corrected" not in [w.code for w in cable.warnings]
    assert cable.transmission_id == "VZCZCXRO4024"
    assert cable.paragraphs[1].heading == 'FATHI EL-JAHMI "RELEASED"'


def test_secretary_of_state_cable_and_heading_with_rule_on_the_same_line():
    cable = parse_page("cablegate-html", "08STATE36722")
    assert cable.origin == "Secretary of State"
    assert cable.signers == ["RICE"]
    assert cable.references == ["08USUNNEWYORK310"]  # the release spells USUN so
    assert cable.paragraphs[1].heading == "RESPONSE TO PGA KERIM"
    assert cable.classified_by == "James Warlick"
    assert cable.classification_reasons == ["1.4(b)", "1.4(d)"]


def test_reasons_written_with_and_inside_parentheses():
    cable = parse_page("cablegate-html", "06MOSCOW11778")
    assert cable.classified_by == "William J. Burns"
    assert cable.classification_reasons == ["1.4(b)", "1.4(d)"]
    assert cable.signers == ["BURNS"]
    assert [p.number for p in cable.paragraphs] == list(range(1, 9))


def test_posts_with_spaces_in_ids_and_partial_pages():
    cable = parse_page("cablegate-html", "05THEHAGUE3128")
    assert cable.origin == "Embassy The Hague"
    assert cable.references == ["05THEHAGUE2870", "05THEHAGUE3084"]
    assert cable.partial is True


def test_q_apostrophes_are_repaired_in_display_text_only():
    cable = parse_page("cablegate-html", "07BERN881")
    assert "GeorgiaQs" in cable.body
    shown = " ".join(p.text for p in cable.paragraphs)
    assert "GeorgiaQs" not in shown
    assert "Georgia's" in shown
