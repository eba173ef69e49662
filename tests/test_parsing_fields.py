"""Field readers on lines taken from the real corpus (quoted where they come from)."""

import gzip

import pytest

from cables.parsing import canonical_reference_id, fields, parse_references
from cables.parsing.text import clean_display

from .conftest import SAMPLE_CSV


@pytest.mark.parametrize(
    ("year", "post", "serial", "expected"),
    [
        (2007, "ASTANA", "002223", "07ASTANA2223"),
        ("05", "ALMATY", "004029", "05ALMATY4029"),
        (1966, "BUENOS AIRES", "2481", "66BUENOSAIRES2481"),
        (2005, "THE HAGUE", "003128", "05THEHAGUE3128"),
        (2006, "SAN JOSE", "000270", "06SANJOSE270"),
        (2009, "Rio de Janeiro", "440", "09RIODEJANEIRO440"),
    ],
)
def test_canonical_reference_id(year, post, serial, expected):
    assert canonical_reference_id(year, post, serial) == expected


@pytest.mark.parametrize(
    ("ref", "year", "expected"),
    [
        ("A. Astana 2069 B. Astana 1906", 2007, ["07ASTANA2069", "07ASTANA1906"]),
        ("A) Astana 2221 B) Astana 2223", 2007, ["07ASTANA2221", "07ASTANA2223"]),
        ("06 TBILISI 2601", 2008, ["06TBILISI2601"]),
        ("STATE 272523; USUN 6028", 1975, ["75STATE272523", "75USUNNEWYORK6028"]),
        ("STATE 106206 CIRCULAR; STATE CA-3400 NOV 2, 1966", 1966, ["66STATE106206"]),
        ("A. SECSTATE 296471 B. SECSTATE 296490", 2003, ["03STATE296471", "03STATE296490"]),
        ("08 TASHKENT 1072; 09 TASHKENT 921", 2010, ["08TASHKENT1072", "09TASHKENT921"]),
        ("A. THE HAGUE 2870 AND B. THE HAGUE 3084", 2005, ["05THEHAGUE2870", "05THEHAGUE3084"]),
        ("EMAIL FROM J. SMITH 10/12/2007", 2007, []),
    ],
)
def test_parse_references(ref, year, expected):
    assert parse_references(ref, year) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("TAGS: PGOV PHUM PREL KZ\nSUBJECT: X", ["PGOV", "PHUM", "PREL", "KZ"]),
        ("TAGS PREL, PGOV, SF\nSUBJECT: X", ["PREL", "PGOV", "SF"]),
        ("TAGS: [PGOV](#) [KDEM](#) [KZ](#)\n\nSUBJECT: X", ["PGOV", "KDEM", "KZ"]),
        (
            "TAGS: OVIP RICE CONDOLEEZZA KISL PGOV PHUM LE\nSUBJECT: X",
            ["OVIP", "RICE, CONDOLEEZZA", "KISL", "PGOV", "PHUM", "LE"],
        ),
        ("TAGS: PREL OVIP STEINBERG JAMES KZ", ["PREL", "OVIP", "STEINBERG, JAMES", "KZ"]),
        ("TAGS: PGOV PREL PHUM\nKZ RS\nSUBJECT: X", ["PGOV", "PREL", "PHUM", "KZ", "RS"]),
    ],
)
def test_tags_in_every_written_form(text, expected):
    assert fields.tags(text) == expected


@pytest.mark.parametrize(
    ("sender", "expected"),
    [
        ("AMEMBASSY ASTANA", "Embassy Astana"),
        ("AMEMBASSY BUENOS AIRES", "Embassy Buenos Aires"),
        ("AMCONSUL SAO PAULO", "Consulate Sao Paulo"),
        ("USMISSION USOSCE", "Mission USOSCE"),
        ("USMISSION USNATO", "Mission USNATO"),
        ("USMISSION GENEVA", "US Mission Geneva"),
        ("SECSTATE WASHDC", "Secretary of State"),
        ("USOFFICE ALMATY", "US Office Almaty"),
        ("AMEMBASSY TASHKENT IMMEDIATE", "Embassy Tashkent"),
    ],
)
def test_origins_have_the_spelling_of_the_release(sender, expected):
    assert fields.normalise_origin(sender) == expected


def test_origins_from_routing_lines_match_the_csv_origin_column():
    """Every sample cable with an `FM AMEMBASSY/AMCONSUL` line maps to its CSV origin."""
    import csv
    import io
    import re

    mismatches = []
    with gzip.open(SAMPLE_CSV, "rt", encoding="utf-8", newline="") as handle:
        for row in csv.reader(
            io.StringIO(handle.read(3_000_000)), escapechar="\\", doublequote=False
        ):
            if len(row) < 8:
                continue
            sender = re.search(r"^FM (AMEMBASSY|AMCONSUL) (.+)$", row[6], re.M)
            if sender:
                mapped = fields.normalise_origin(f"{sender.group(1)} {sender.group(2)}")
                if mapped.replace(" ", "").lower() != row[3].replace(" ", "").lower():
                    mismatches.append((row[2], sender.group(0), row[3]))
    assert len(mismatches) <= 3, mismatches


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("C O N F I D E N T I A L", "CONFIDENTIAL"),
        ("S E C R E T", "SECRET"),
        ("UNCLASSIFIED//FOR OFFICIAL USE ONLY", "UNCLASSIFIED//FOR OFFICIAL USE ONLY"),
        ("SECRET//NOFORN", "SECRET//NOFORN"),
        ("UNCLAS", "UNCLASSIFIED"),
    ],
)
def test_classification_is_one_of_the_six_release_values(written, expected):
    assert fields.normalise_classification(written) == expected


def test_unclas_with_sensitive_is_fouo_and_noforn_is_kept():
    assert (
        fields.normalise_classification("UNCLAS", sensitive=True)
        == "UNCLASSIFIED//FOR OFFICIAL USE ONLY"
    )
    assert fields.normalise_classification("C O N F I D E N T I A L", noforn=True) == (
        "CONFIDENTIAL//NOFORN"
    )


def test_classification_line_gives_post_and_serial():
    line = fields.classification_line("\nC O N F I D E N T I A L SECTION 01 OF 03 ASTANA 001848\n")
    assert fields.post_and_serial(line.group("rest")) == (None, "ASTANA", "001848")
    line = fields.classification_line("C O N F I D E N T I A L 75 LIBREVILLE 1895 \n")
    assert fields.post_and_serial(line.group("rest")) == ("75", "LIBREVILLE", "1895")


def test_date_time_group_and_declassification_date():
    assert str(fields.date_time_group("P 090009Z JUL 07\nFM AMEMBASSY ASTANA")) == (
        "2007-07-09 00:09:00"
    )
    assert str(fields.date_time_group("O R 181205Z NOV 75 ZFF4")) == "1975-11-18 12:05:00"
    assert str(fields.declassify_on("E.O. 12958: DECL: 07/06/2017")) == "2017-07-06"
    assert str(fields.declassify_on("E.O. 12958: DECL: 09/13/15 ")) == "2015-09-13"


def test_summary_between_summary_and_end_summary():
    text = "1. (C) Summary: The opposition is uniting. End summary.\n2. (C) Other."
    assert fields.summary(text) == "The opposition is uniting."


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\\$50 million", "$50 million"),
        ("GeorgiaQs relations", "Georgia's relations"),
        ("we donQt know", "we don't know"),
        ("Q: IRAQ AND QATAR", "Q: IRAQ AND QATAR"),
        ("AT&amp;T", "AT&T"),
    ],
)
def test_display_cleaning(raw, shown):
    assert clean_display(raw) == shown


@pytest.mark.parametrize(
    ("tail", "expected"),
    [
        (["results.", "MILAS"], ["MILAS"]),
        (["can be certified.", "", "ORDWAY", "", "NNNN"], ["ORDWAY"]),
        (["sector, specifically milk powder.", "Swindells"], ["SWINDELLS"]),
        (["could have been avoided. HUGGINS"], ["HUGGINS"]),
        (["themselves. End Comment."], []),
        (["the minimum 7%.", "CLINTON UNQUOTE CLINTON"], ["CLINTON"]),
    ],
)
def test_signers_in_the_forms_of_the_corpus(tail, expected):
    names, rest = fields.signers(tail)
    assert names == expected
    assert all(name not in " ".join(rest) for name in expected)


@pytest.mark.parametrize(
    ("line", "noise"),
    [
        ("ASTANA 00002223  002.2 OF 002 ", True),
        ("ASTANA 00001848 002 OF 003", True),
        ("PAGE 02 HARARE 06677 01 OF 03 291400Z", True),
        ("--------------------------------------------- ------ ", True),
        ("SIPDIS", True),
        ("NNNN", True),
        ("Election Day: The Main Test ", False),
        ("1. Fight corruption ", False),
    ],
)
def test_page_breaks_dash_rules_and_sipdis_are_noise(line, noise):
    from cables.parsing.text import is_noise_line

    assert is_noise_line(line) is noise
