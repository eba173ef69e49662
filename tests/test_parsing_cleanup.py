"""Displayed text and header fields repaired conservatively, the raw text kept as found."""

import csv
import gzip
import sys

import pytest

from cables.parsing import ParsedCable, SourceInfo, iter_path, parse_csv_record
from cables.parsing.cable import read_routing
from cables.parsing.fields import known_tag_codes, normalise_recipient, split_run_together
from cables.parsing.paragraphs import split_blocks
from cables.parsing.text import rejoins_wrapped_word, wrap_fragment

from .conftest import CORPUS, SAMPLE_CSV, mirror_page

csv.field_size_limit(sys.maxsize)


def parse_page(prefix: str) -> ParsedCable:
    (record,) = list(iter_path(mirror_page(prefix)))
    return record


class TestWordsBrokenByTheWrap:
    def test_majorit_y_in_mirror_page_000_is_one_word_in_paragraph_6_only(self):
        cable = parse_page("000")
        sixth = cable.paragraphs[5]
        assert sixth.number == 6
        assert sixth.text.startswith(
            "We can predict with a high degree of confidence that Nur Otan will win a majority, "
            "perhaps even a large majority, of the votes cast."
        )
        assert "large majorit\ny, of the" in cable.body  # the raw body keeps the break

    @pytest.mark.parametrize(
        "lines, shown",
        [
            # 08PORTAUPRINCE1381, 09BERLIN1395, 08STOCKHOLM272 of the sample corpus.
            (["we believe that a fu", "ll withdrawal of MINUSTAH"], "a full withdrawal"),
            (["and sta", "rt a general strike"], "and start a general"),
            (["their participati", "on in the"], "their participation in"),
        ],
    )
    def test_a_fragment_that_completes_a_broken_word_is_joined(self, lines, shown):
        (block,) = split_blocks(lines)
        assert shown in block.text

    @pytest.mark.parametrize(
        "lines, shown",
        [
            # Both pieces are words: `follow up` (08MADRID520), `in to` (05THEHAGUE1434).
            (["agreed to follow", "up on the request"], "follow up on"),
            (["went in", "to the meeting"], "went in to the"),
            # A prefix, an elision, a list item, a letter alone (05KABUL5181, 07KABUL3848).
            (["the party's to", "re-election campaign"], "to re-election"),
            (["the Charge", "d'Affaires met"], "Charge d'Affaires"),
            (["movement time", "d) reinsertion"], "time d) reinsertion"),
            (["positions in the", "e", "Highway Police"], "the e Highway"),
            (["120-140 degrees F", "in summer"], "degrees F in summer"),
        ],
    )
    def test_two_words_or_other_marks_at_a_line_break_stay_apart(self, lines, shown):
        (block,) = split_blocks(lines)
        assert shown in block.text

    def test_the_fragment_and_join_rules(self):
        assert wrap_fragment("y, of the") == "y"
        assert wrap_fragment("ll withdrawal") == "ll"
        assert wrap_fragment("rt a general") == "rt"
        assert wrap_fragment("the votes") == ""  # three letters: a word, not a fragment
        assert rejoins_wrapped_word("majorit", "y")
        assert not rejoins_wrapped_word("follow", "up")
        assert not rejoins_wrapped_word("UN", "to")


# --- TAGS ---------------------------------------------------------------------------------------

TAGGED = {
    "03ROME2045": ["PREL", "MARR", "MOPS", "IT", "IZ", "IRAQI FREEDOM"],  # `IZ IZPREL`
    "09CAIRO2291": ["KFRD", "CVIS", "CMGT", "CASC", "KOCI", "ASEC", "PHUM", "SMIG", "EG"],
    "08BRASILIA93": ["MASS", "MNUC", "NPT", "PARM", "PREL"],  # `MASSMNUC`
    "07NAIROBI4427": ["PGOV", "KDEM", "PHUM", "PREL", "KE"],  # `PHUMPREL`
    "09SINGAPORE529": ["OVIP", "STEINBERG, JAMES B.", "PREL", "MNUC", "ECON", "SN", "CH", "KN"],
    "06MEXICO456": ["PGOV", "PINR", "PREL", "MX"],  # not the classification line below
    "05BRASILIA2231": ["PREL", "MARR", "BR", "UNSC", "US"],  # not the subject on the next line
    "07PARIS1995": [
        *("PREL", "FR", "EUN", "NATO", "ECON", "SENV", "AF", "IQ", "RS", "TU", "PGOV"),
        *("YI", "UNO", "IR", "LE"),  # the wrapped line of codes
    ],
}


# Classified-by lines with a word the wrap broke: `reasons 1.5 (B) a` / `nd (D).`, `for reaso` / `ns`.
WRAPPED_CLASSIFIED_BY = {
    "04MADRID3914": ("Kathy Fitzpatrick", ["1.5(b)", "1.5(d)"]),
    "05MADRID1349": ("Kathy Fitzpatrick", ["1.4(b)", "1.4(d)"]),
    "05PARIS104": ("Josiah Rosenblatt", ["1.4(b)", "1.4(d)"]),
    "09BAGHDAD383": (
        "Michael Corbin",
        ["1.4(b)", "1.4(d)"],
    ),
}


@pytest.fixture(scope="module")
def sample_cables() -> dict[str, ParsedCable]:
    """The cables of TAGGED, parsed from their rows of the bundled cables.csv sample."""
    with gzip.open(SAMPLE_CSV, "rt", encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle, escapechar="\\", doublequote=False, strict=False)
        return {
            row[2]: parse_csv_record(row, SourceInfo("sample", "cables-csv", number))
            for number, row in enumerate(rows, 1)
            if len(row) > 2 and row[2] in {*TAGGED, *WRAPPED_CLASSIFIED_BY}
        }


@pytest.mark.parametrize("reference_id", sorted(TAGGED))
def test_tags_as_the_sample_cables_write_them(sample_cables, reference_id):
    assert sample_cables[reference_id].tags == TAGGED[reference_id]


@pytest.mark.parametrize("reference_id", sorted(WRAPPED_CLASSIFIED_BY))
def test_classified_by_lines_with_a_wrap_broken_word(sample_cables, reference_id):
    cable = sample_cables[reference_id]
    assert (cable.classified_by, cable.classification_reasons) == WRAPPED_CLASSIFIED_BY[
        reference_id
    ]


def test_run_together_codes_split_only_into_known_codes():
    assert split_run_together("ETRDEINVECINPGOVCS") == ["ETRD", "EINV", "ECIN", "PGOV", "CS"]
    assert split_run_together("POLITICS") == ["POLITICS"]  # a word, however it would split
    assert split_run_together("ECONOMIC") == ["ECONOMIC"]
    assert split_run_together("UNMIK") == ["UNMIK"]  # too short to be two codes
    assert split_run_together("COUNTERTERRORISM") == ["COUNTERTERRORISM"]


def test_tag_codes_include_the_definitions_file():
    codes = known_tag_codes()
    assert {"PGOV", "KZ", "OVIP", "MNUC"} <= codes and "code" not in codes


# --- TO and INFO --------------------------------------------------------------------------------


def test_routing_recipients_of_05tashkent2473_are_normalised_and_the_header_kept():
    (cable,) = list(iter_path(CORPUS / "cablegate-html" / "05TASHKENT2473.html"))
    assert cable.to == ["Secretary of State"]  # `TO SECSTATE WASHDC IMMEDIATE 4111`
    assert cable.info == [
        "Embassy Bishkek",
        "Embassy Almaty",
        "Embassy Dushanbe",
        "Embassy Ashgabat",
        "Embassy Moscow",
        "Department of the Treasury",  # `DEPT OF TREASURY WASHDC`
    ]
    assert "TO SECSTATE WASHDC IMMEDIATE 4111\nINFO AMEMBASSY BISHKEK" in cable.header


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        # As `_recipient` hands them over, from lines of the sample's routing headers.
        ("SECSTATE WASHDC//SCA COLLECTIVE/", "Secretary of State"),  # mirror page 003
        ("RUEHCSECSTATE WASHDC", "Secretary of State"),  # routing indicator without its slash
        ("SECSTATE SECSTATE WASHDC", "Secretary of State"),
        ("NATIONAL SECURITY COUNCIL WASHINGTON DC", "National Security Council"),
        ("NSC WASHDC", "National Security Council"),
        ("SECDEF WASHDC//USDP ADMIN/CHAIRS//", "Secretary of Defense"),
        ("CIA WASHINGTON DC", "CIA Washington"),
        ("CIA WASHDC", "CIA Washington"),
        ("AMEMBASSY ASTANA", "Embassy Astana"),
        ("AMCONSUL RIO DE JANEIRO", "Consulate Rio De Janeiro"),
        ("USMISSION USUN NEW YORK", "USUN New York"),
        ("USMISSION USNATO", "Mission USNATO"),
        ("EUROPEAN POLITICAL COLLECTIVE", "European Political Collective"),
        ("CIS COLLECTIVE", "CIS Collective"),
        ("HQ USCENTCOM MACDILL AFB FL", "HQ USCENTCOM MACDILL AFB FL"),  # kept as written
        ("LOG-00   EEB-00   AID-00   CIAE-00  COME-00  INL-00   DODE-00", ""),
        ("------------------CDA50C  181236Z /38", ""),
        ("APPROVED BY: DRL/AWH:O'SULLIVANSX", ""),
    ],
)
def test_recipients_in_the_forms_of_the_sample(written, shown):
    assert normalise_recipient(written) == shown


def test_the_full_routing_form_loses_indicator_precedence_and_serial():
    header = "FM AMEMBASSY ASTANA\nTO RUEHC/SECSTATE WASHDC IMMEDIATE 1234\nINFO RUEHAST/AMEMBASSY ASTANA 0001\n"
    cable = ParsedCable(reference_id="", source=SourceInfo("t", "text"))
    read_routing(cable, header)
    assert cable.to == ["Secretary of State"]
    assert cable.info == ["Embassy Astana"]
