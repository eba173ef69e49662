"""The five founding mirror pages: every field the issue names, with the values read off the files."""

from datetime import date, datetime

import pytest

from cables.parsing import ParsedCable, iter_path
from cables.parsing.records import (
    FORMAT_MIRROR_CABLES,
    FORMAT_MIRROR_WORDPRESS,
    FORMAT_TELEGRAM,
)

from .conftest import mirror_page


def parse_page(prefix: str) -> ParsedCable:
    (record,) = list(iter_path(mirror_page(prefix)))
    assert isinstance(record, ParsedCable), record
    return record


@pytest.fixture(scope="module")
def pages() -> dict[str, ParsedCable]:
    return {prefix: parse_page(prefix) for prefix in ("000", "001", "002", "003", "004")}


def codes(cable: ParsedCable) -> list[str]:
    return [warning.code for warning in cable.warnings]


class TestWordPressRepost000:
    def test_it_reads_the_header_table(self, pages):
        cable = pages["000"]
        assert cable.reference_id == "07ASTANA2223"
        assert cable.created == datetime(2007, 8, 14, 13, 3)
        assert cable.released == datetime(2011, 8, 30, 1, 44)
        assert cable.classification == "UNCLASSIFIED//FOR OFFICIAL USE ONLY"
        assert cable.origin == "Embassy Astana"
        assert cable.source.format == FORMAT_MIRROR_WORDPRESS

    def test_it_resolves_lettered_refs_with_the_cable_year(self, pages):
        assert pages["000"].references == ["07ASTANA2069", "07ASTANA1906"]

    def test_it_finds_no_signer_and_drops_the_blog_boilerplate(self, pages):
        cable = pages["000"]
        assert cable.signers == []
        assert "Leave a Reply" not in cable.body
        assert all("WordPress" not in p.text for p in cable.paragraphs)
        assert cable.paragraphs[-1].text.endswith("themselves. End Comment.")

    def test_headings_go_to_the_next_paragraph(self, pages):
        paragraphs = pages["000"].paragraphs
        assert [p.number for p in paragraphs] == list(range(1, 10))
        assert paragraphs[1].heading == "Pre-election Campaigning: So Far, So Good"
        assert paragraphs[3].heading == "Election Day: The Main Test"
        assert paragraphs[5].heading == "The Outcome"
        assert "Pre-election Campaigning" not in paragraphs[0].text
        assert all(p.classification == "SBU" for p in paragraphs)

    def test_page_break_lines_never_enter_paragraph_text(self, pages):
        assert all("00002223" not in p.text for p in pages["000"].paragraphs)

    def test_it_reads_the_summary(self, pages):
        summary = pages["000"].summary
        assert summary.startswith("With Kazakhstan's parliamentary elections headed into")
        assert summary.endswith("an unappealing result for the GOK.")

    def test_the_raw_body_is_kept(self, pages):
        assert "ASTANA 00002223  002.2 OF 002" in pages["000"].body
        assert pages["000"].header == "DE RUEHTA #2223/01 2261303\nR 141303Z AUG 07"


class TestCablesMirrorPartialExtract001:
    def test_it_reads_identity_from_the_spaced_classification_line(self, pages):
        cable = pages["001"]
        assert cable.reference_id == "05ALMATY4029"
        assert cable.classification == "CONFIDENTIAL"
        assert cable.created == datetime(2005, 11, 9, 21, 12)
        assert cable.origin == "US Office Almaty"
        assert cable.partial is True
        assert cable.source.format == FORMAT_MIRROR_CABLES

    def test_it_reads_classified_by_reasons_and_declassification(self, pages):
        cable = pages["001"]
        assert cable.classified_by == "John Ordway"
        assert cable.classification_reasons == ["1.4(b)", "1.4(d)"]
        assert cable.declassify_on == date(2015, 11, 8)

    def test_headings_separated_by_blank_lines(self, pages):
        paragraphs = pages["001"].paragraphs
        assert len(paragraphs) == 11
        assert paragraphs[2].heading == "Media Access Still a Problem for Opposition"
        assert paragraphs[3].heading == "Keeping the Akims Under Control"
        assert paragraphs[0].classification == "U"
        assert paragraphs[1].classification == "C"

    def test_a_paragraph_interrupted_by_a_blank_line_is_joined(self, pages):
        third = pages["001"].paragraphs[2].text
        assert "harassment by the authorities for unauthorized gatherings" in third


class TestWordPressRepost002:
    def test_identity(self, pages):
        cable = pages["002"]
        assert cable.reference_id == "07ASTANA2244"
        assert cable.created == datetime(2007, 8, 19, 23, 55)
        assert cable.classification == "UNCLASSIFIED//FOR OFFICIAL USE ONLY"
        assert cable.origin == "Embassy Astana"
        assert cable.references == ["07ASTANA2221", "07ASTANA2223"]

    def test_a_numbered_list_stays_inside_paragraph_20(self, pages):
        paragraphs = pages["002"].paragraphs
        assert [p.number for p in paragraphs] == list(range(1, 25))
        twentieth = paragraphs[19]
        assert twentieth.number == 20
        assert "1. Fight corruption" in twentieth.text
        assert "7. Support Kazakhstani common people." in twentieth.text
        assert paragraphs[20].text.startswith("Concluding his speech")

    def test_page_breaks_and_dash_rules_are_dropped(self, pages):
        for paragraph in pages["002"].paragraphs:
            assert "ASTANA 00002244" not in paragraph.text
            assert "-----" not in paragraph.text
        sixth = pages["002"].paragraphs[5].text
        assert sixth.startswith("Tazhenov said that according to President Nazarbayev, economics")


class TestRawTelegram003:
    def test_it_reads_the_routing_header(self, pages):
        cable = pages["003"]
        assert cable.transmission_id == "VZCZCXRO6149"
        assert cable.precedence == "PRIORITY"
        assert cable.origin == "Embassy Astana"
        # `TO RUEHC/SECSTATE WASHDC//SCA COLLECTIVE/ PRIORITY 0007`, `INFO RUCNCIS/CIS ...`
        assert cable.to == ["Secretary of State"]
        assert cable.info == ["CIS Collective", "Mission USNATO", "Mission USOSCE"]
        assert "INFO RUCNCIS/CIS COLLECTIVE PRIORITY 0219" in cable.header
        assert cable.source.format == FORMAT_TELEGRAM

    def test_identity_from_classification_line_and_date_time_group(self, pages):
        cable = pages["003"]
        assert cable.reference_id == "07ASTANA1848"
        assert cable.created == datetime(2007, 7, 9, 0, 9)
        assert cable.classification == "CONFIDENTIAL"
        assert cable.declassify_on == date(2017, 7, 6)

    def test_markdown_tags_and_wrapped_subject(self, pages):
        cable = pages["003"]
        assert cable.tags == ["PGOV", "PHUM", "PREL", "KZ"]
        assert cable.subject == (
            "KAZAKHSTAN: GOVERNMENT AND OPPOSITION VIEWS ON UPCOMING PARLIAMENTARY ELECTIONS"
        )

    def test_classified_by_and_signer(self, pages):
        cable = pages["003"]
        assert cable.classified_by == "Kevin Milas"
        assert cable.classification_reasons == ["1.4(b)", "1.4(d)"]
        assert cable.signers == ["MILAS"]

    def test_it_renumbers_mangled_paragraphs(self, pages):
        cable = pages["003"]
        assert [p.number for p in cable.paragraphs] == list(range(1, 13))
        assert "paragraphs-renumbered" in codes(cable)
        assert cable.paragraphs[9].text.startswith("In a separate meeting with the Ambassador")
        assert cable.paragraphs[9].heading == "Zhakiyanov Sees Shortcomings on Both Sides"
        assert cable.paragraphs[11].heading == "Comment"
        assert cable.paragraphs[11].text.endswith("regarding the election results.")

    def test_a_paragraph_split_by_a_page_break_is_joined(self, pages):
        seventh = pages["003"].paragraphs[6].text
        assert "Social Democrats would receive 30% of the vote" in seventh

    def test_markdown_dollar_escapes_are_undone_in_display_only(self, pages):
        cable = pages["003"]
        assert "$50 million each from KazMunayGas" in cable.paragraphs[7].text
        assert "\\$50 million" in cable.body


class TestPartialExtractWithoutDate004:
    def test_it_infers_the_year_and_says_so(self, pages):
        cable = pages["004"]
        assert cable.reference_id == "05ALMATY4123"
        assert "year-inferred" in codes(cable)
        message = next(w.message for w in cable.warnings if w.code == "year-inferred")
        assert "2005" in message and "November" in message

    def test_unclas_sensitive_is_fouo(self, pages):
        assert pages["004"].classification == "UNCLASSIFIED//FOR OFFICIAL USE ONLY"

    def test_partial_flag_signer_and_renumbering(self, pages):
        cable = pages["004"]
        assert cable.partial is True
        assert cable.signers == ["ORDWAY"]
        assert [p.number for p in cable.paragraphs] == list(range(1, 8))
        assert "paragraphs-renumbered" in codes(cable)
        assert cable.tags == ["PGOV", "KDEM", "KZ"]
        assert cable.subject == ("KAZAKHSTAN: AMBASSADOR'S MEETING WITH OTAN PARTY ACTING CHAIRMAN")
        assert "ORDWAY" not in cable.paragraphs[-1].text


def test_a_cable_without_origin_takes_the_origin_of_its_post_seen_in_the_run():
    records = {r.reference_id: r for r in iter_path(mirror_page("001").parent)}
    undated = records["05ALMATY4123"]
    assert undated.origin == "US Office Almaty"
    assert "origin-inferred" in codes(undated)
    assert parse_page("004").origin == ""  # alone, nothing to infer it from
