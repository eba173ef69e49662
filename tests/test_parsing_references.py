"""REF lines written every way the cables write them (rules in
`cables/parsing/fields/references.py`). Each fragment is quoted from a real cable of the sample
corpus (ID in the test)."""

import pytest

from cables.parsing import fields, iter_path, parse_references
from cables.parsing.fields import canonical_station

from .conftest import SAMPLE_CSV


def refs(header: str, year: int) -> list[str]:
    return parse_references(fields.ref_text(header), year)


@pytest.mark.parametrize(
    ("fragment", "year", "expected"),
    [
        # 05BRASILIA1839: REFS on the subject's line.
        (
            "SUBJECT: BRAZIL - NEXT STEPS FOR VARIG UNCLEAR REFS: (A) BRASILIA 1608, (B) "
            "BRASILIA 1631, (C) BRASILIA 1566 \n\n1. (SBU) Summary. Boeing Sales Director",
            2005,
            ["05BRASILIA1608", "05BRASILIA1631", "05BRASILIA1566"],
        ),
        # 08LONDON1991: REF glued to the subject's last word.
        (
            "SUBJECT: (C/NF) WHO WOULD REPLACE GORDON BROWN AS UK PRIMEREF: A. LONDON 1939  "
            "B. LONDON 1704",
            2008,
            ["08LONDON1939", "08LONDON1704"],
        ),
        # 08MANAMA528
        (
            "SUBJECT: BAHRAIN'S RELATIONS WITH IRANREF: A. 07 MANAMA 1045 B. 07 MANAMA 1070 "
            "D. MANAMA 22",
            2008,
            ["07MANAMA1045", "07MANAMA1070", "08MANAMA22"],
        ),
    ],
)
def test_ref_on_the_subject_line_or_glued_to_it(fragment, year, expected):
    assert refs(fragment, year) == expected


@pytest.mark.parametrize(
    ("fragment", "year", "expected"),
    [
        # 08RIODEJANEIRO165: `Ref(s):`, a post name cut short (`RIO DE JAN`), a leading zero.
        (
            "MEETS WITH KEY ENERGY ENTITIES IN RIO Ref(s): A) 08 RIO DE JAN 138; B) 08 RIO DE "
            "JAN 0044 and previous Sensitive But Unclassified - Please handle accordingly.",
            2008,
            ["08RIODEJANEIRO138", "08RIODEJANEIRO44"],
        ),
        # 08BRASILIA806: `PROGRAM REF:`, markers `A. A)`, `SECSTATE`, year prefixes.
        (
            "PROGRAM REF: A. A) SECSTATE 54183 B. B) 07 BRASILIA 1868 C. C) STATE 57700 D. 07 "
            "STATE 17940 Classified By: DCM Phillip Chicola, Reason 1.5 (d)",
            2008,
            ["08STATE54183", "07BRASILIA1868", "08STATE57700", "07STATE17940"],
        ),
        # 04BRASILIA222: `Refs:` in title case, a four-digit year before the post.
        (
            "TAGS: KIPR EIND ECON KCRM PGOV BR IPR\nRefs: A) 2003 Sao Paulo 2199 \n"
            "B) 2003 Brasilia 3868 \n\n1. (U) This is an action request",
            2004,
            ["03SAOPAULO2199", "03BRASILIA3868"],
        ),
        # 07STATE135366: lower case, the list over a blank line.
        (
            "syria's ballistic missile program \n\nRef: a. State 131559 \n\nB. Berlin 1770 \n\n"
            "Classified By: ISN/MTR DIRECTOR PAM DURHAM",
            2007,
            ["07STATE131559", "07BERLIN1770"],
        ),
        # 10MANAMA55: `REFREF:` as the page wrote it.
        (
            "REFREF: A. STATE 19631 B. U.S. DEPARTMENT OF LABOR BAHRAIN LABOR RIGHTS REPORT 2005 "
            "C. 09 MANAMA 596",
            2010,
            ["10STATE19631", "09MANAMA596"],
        ),
    ],
)
def test_ref_in_every_spelling(fragment, year, expected):
    assert refs(fragment, year) == expected


@pytest.mark.parametrize(
    ("ref", "year", "expected"),
    [
        # 04BRASILIA564: `A)` markers and leading zeros.
        ("A) BRASILIA 0458 B) BRASILIA 0402", 2004, ["04BRASILIA458", "04BRASILIA402"]),
        # 06SAOPAULO316: `(A)` markers.
        (
            "(A) SAO PAULO 278; (B) SAO PAULO 206; (C) SAO PAULO 73",
            2006,
            ["06SAOPAULO278", "06SAOPAULO206", "06SAOPAULO73"],
        ),
        # 05MADRID2131: `A. A)` markers, `SECSTATE`, a four-digit year.
        (
            "A. A) SECSTATE 96300 B. B) MADRID 2114 C. C) 2004 MADRID 4554",
            2005,
            ["05STATE96300", "05MADRID2114", "04MADRID4554"],
        ),
        # 09UNVIEVIENNA9: `A:` markers.
        ("A. A: SECSTATE 246      B. B: UNVIE 005", 2009, ["09STATE246", "09UNVIEVIENNA5"]),
    ],
)
def test_list_markers_are_separators_not_posts(ref, year, expected):
    assert parse_references(ref, year) == expected


def test_a_year_before_the_post_overrides_the_cables_year():
    # 10CAIRO177 and 03THEHAGUE1453.
    assert parse_references("2009 CAIRO 2394", 2010) == ["09CAIRO2394"]
    assert parse_references("2002 THE HAGUE 03525", 2003) == ["02THEHAGUE3525"]
    assert parse_references("A. 07 STATE 17940 B. STATE 57700", 2008) == [
        "07STATE17940",
        "08STATE57700",
    ]


@pytest.mark.parametrize(
    ("written", "station"),
    [
        ("SECSTATE", "STATE"),
        ("UNVIE", "UNVIEVIENNA"),
        ("UNVIE VIEN", "UNVIEVIENNA"),  # 07BRASILIA2185
        ("USUNESCO PARIS FR", "UNESCOPARISFR"),
        ("EMBASSY VIENNA", "VIENNA"),
        ("USUN NEW YORK", "USUNNEWYORK"),  # 05NEWDELHI8795
        ("USUN", "USUNNEWYORK"),  # 08STATE36722
        ("USEU BRUSSELS", "USEUBRUSSELS"),  # 04BRUSSELS4944
        ("USEU", "USEUBRUSSELS"),  # 04THEHAGUE1919
        ("USNATO", "USNATO"),
        ("AMEMBASSY TEL AVIV", "TELAVIV"),
        ("Rio de Janeiro", "RIODEJANEIRO"),
        ("HO CHI MINH CITY", "HOCHIMINHCITY"),
        ("GUATEMALA CITY", "GUATEMALA"),
        ("IIR", None),
        ("FBIS", None),
        ("Resolution", None),
    ],
)
def test_posts_take_the_station_names_of_the_release(written, station):
    assert canonical_station(written) == station


def test_station_names_in_ref_lines():
    # 07BRASILIA2185, 04THEHAGUE1919
    assert parse_references("UNVIE VIEN 641 This cable is sensitive", 2007) == ["07UNVIEVIENNA641"]
    assert parse_references("USEU 3226", 2004) == ["04USEUBRUSSELS3226"]
    # No REF line of the sample names these two: the spellings, serials made up.
    assert parse_references("A. USUNESCO PARIS FR 12 B. EMBASSY VIENNA 0033", 2009) == [
        "09UNESCOPARISFR12",
        "09VIENNA33",
    ]


def test_a_list_runs_over_a_page_break_whose_header_is_no_reference():
    # 02ROME1196: the second page's header between the first item and the others.
    fragment = (
        "GENERATES FODDER FOR DOMESTIC POLITICAL MILLS\nREF: A. STATE 40721\n CONFIDENTIAL\n"
        "PAGE 02 ROME 01196 01 OF 02 082030Z  B. ROME 1098  C. ROME 894  D. MYRIAD "
        "POST-DEPARTMENT E-MAILS FROM 10/01-02/02  E. ROME 348\n"
        "CLASSIFIED BY: POL MINCOUNS THOMAS COUNTRYMAN, REASONS 1.5 (B) AND (D).\n"
        "1. (C) SUMMARY: AS POST PREDICTED"
    )
    assert refs(fragment, 2002) == ["02STATE40721", "02ROME1098", "02ROME894", "02ROME348"]
    # 00HARARE5461: the page header right after the only item.
    harare = (
        "REF: HARARE 5346  CONFIDENTIAL\nPAGE 02 HARARE 05461 01 OF 02 271458Z\n\n"
        "CLASSIFIED BY DCM EARL IRVING. REASONS: 1.5 (B) AND (D)."
    )
    assert refs(harare, 2000) == ["00HARARE5346"]


def test_a_list_over_many_lines_and_blank_lines():
    # 04BRASILIA564
    fragment = (
        "SUBJECT: LULA'S PERSONAL APPROVAL UNSCATHED BY RECENT \nSCANDAL \n \n"
        "REFS: A) BRASILIA 0458 \n \n      B) BRASILIA 0402 \n \n1. SUMMARY: The administration"
    )
    assert refs(fragment, 2004) == ["04BRASILIA458", "04BRASILIA402"]
    # 06SAOPAULO316: a third item marked `(C)`, like a paragraph marking, on its own line.
    fragment = "REF: (A) SAO PAULO 278; \n(B) SAO PAULO 206; \n(C) SAO PAULO 73 SENSITIVE BUT"
    assert refs(fragment, 2006) == ["06SAOPAULO278", "06SAOPAULO206", "06SAOPAULO73"]


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("IIR 6 809 0156 08", []),  # 08BRASILIA707
        ("A. IIR 6 897 0136 07 (NOTALS)", []),
        # 04BRASILIA745
        (
            "(A) BRASILIA 685 (B) BRASILIA 607 (C) 03 BRASILIA IIR 6 809 0381 03 (D) 03 "
            "BRASILIA 2544",
            ["04BRASILIA685", "04BRASILIA607", "03BRASILIA2544"],
        ),
        # 05DUSHANBE1702
        (
            "A) DUSHANBE 1696 B) FBIS CEP2005101927067 C) DUSHANBE 1681",
            ["04DUSHANBE1696", "04DUSHANBE1681"],
        ),
        # Paris and Madrid daily reports, an e-mail (07REYKJAVIK85), a NATO document.
        ("A. A) EMBASSY PARIS DAILY REPORT FOR 01FEB06", []),
        ("A. MADRID DAILY REPORT 11/02/07", []),
        ("Hodgson emails to Duguid/Pulaski/USNATO and USNATO 00184", ["04USNATO184"]),
        ("A) NATO Document -- SG(2007)0516", []),
        # An export licence number beside a cable (written as the issue quotes a REF item).
        ("A) EXP.LIC. D328589 B) STATE 12345", ["04STATE12345"]),
    ],
)
def test_references_that_are_not_cables_are_left_out(ref, expected):
    assert parse_references(ref, 2004) == expected


def test_a_partial_extract_cut_short_gives_way_to_the_full_header():
    # 04BRUSSELS4944: the extract's `B. US...`, then the whole header again.
    fragment = (
        "REF: A. STATE 244333 \n     B. US...\n23064 11/19/2004 15:41 04BRUSSELS4944 "
        "C O N F I D E N T I A L BRUSSELS 004944 SIPDIS\n\nSUBJECT: COMMISSION AND COUNCIL "
        "RESPONSES ON NOV. 22 GAERC DEMARCHE REF: A. STATE 244333 B. USEU BRUSSELS 4936 "
        "Classified By: Rick Holtzapple, PolOff"
    )
    assert refs(fragment, 2004) == ["04STATE244333", "04USEUBRUSSELS4936"]


def test_a_page_header_inside_a_ref_text_is_no_reference():
    # 02ROME1196's REF text as one line: the header's `ROME 01196` is the cable itself.
    ref = "A. STATE 40721 CONFIDENTIAL PAGE 02 ROME 01196 01 OF 02 082030Z  B. ROME 1098"
    assert parse_references(ref, 2002) == ["02STATE40721", "02ROME1098"]


@pytest.mark.parametrize(
    ("ref", "year", "expected"),
    [
        ("BRASILIA 715 AND 660 ", 2005, ["05BRASILIA715", "05BRASILIA660"]),  # 05BRASILIA1081
        ("HAVANA 500 & 511", 2009, ["09HAVANA500", "09HAVANA511"]),  # 09HAVANA559
        # 08BUENOSAIRES568: a list of serials, then a year before the next post (`BsAs`).
        (
            "Buenos Aires 496, 407, 356, 288, 230, 07 BsAs 1892",
            2008,
            ["08BUENOSAIRES496", "08BUENOSAIRES407", "08BUENOSAIRES356"]
            + ["08BUENOSAIRES288", "08BUENOSAIRES230", "07BUENOSAIRES1892"],
        ),
        # 66BUENOSAIRES2481: `NOV 2, 1966` is a date, not serials.
        ("STATE 106206 CIRCULAR; STATE CA-3400 NOV 2, 1966", 1966, ["66STATE106206"]),
    ],
)
def test_more_serials_of_the_same_post(ref, year, expected):
    assert parse_references(ref, year) == expected


def test_the_subject_ends_where_ref_starts_on_its_line():
    # 08LONDON1991 and 05BRASILIA1839
    assert fields.subject(
        "SUBJECT: (C/NF) WHO WOULD REPLACE GORDON BROWN AS UK PRIMEREF: A. LONDON 1939"
    ) == ("(C/NF) WHO WOULD REPLACE GORDON BROWN AS UK PRIME")
    assert fields.subject(
        "SUBJECT: BRAZIL - NEXT STEPS FOR VARIG UNCLEAR REFS: (A) BRASILIA 1608, (B)\n"
    ) == ("BRAZIL - NEXT STEPS FOR VARIG UNCLEAR")


# --- years written every way, abbreviated posts, glued and wrapped items --------------------------


@pytest.mark.parametrize(
    ("ref", "year", "expected"),
    [
        # 09DOHA214: the year after the serial, in brackets.
        (
            "A. SECSTATE 15113       B. DOHA 152 (08)      C. DOHA 75 (08)      D. DOHA 311 (07)",
            2009,
            ["09STATE15113", "08DOHA152", "08DOHA75", "07DOHA311"],
        ),
        # 09SAOPAULO663: one item of the list with its own year.
        (
            "SAO PAULO 653; SAO PAULO 433; SAO PAULO 421; BRASILIA 709 (08) SAO PAULO 542",
            2009,
            ["09SAOPAULO653", "09SAOPAULO433", "09SAOPAULO421", "08BRASILIA709", "09SAOPAULO542"],
        ),
        # 09STATE47202's items, the year written between post and serial.
        (
            "A. QUITO 82 B. QUITO 57 C. STATE (08) 130900",
            2009,
            ["09QUITO82", "09QUITO57", "08STATE130900"],
        ),
        # 08QUITO53's items with the year in three digits (`007`, `094`): 2007 and 1994.
        ("A. 007 QUITO 2570 B. 094 QUITO 953", 2008, ["07QUITO2570", "94QUITO953"]),
        # A year before one item is that item's only (09STATE47202).
        (
            "A. QUITO 82 B. 08 STATE 130900 C. QUITO 57",
            2009,
            ["09QUITO82", "08STATE130900", "09QUITO57"],
        ),
        # 08BEIJING3662's Hong Kong item, abbreviated and glued to its marker.
        ("A. HK 1747, B)HK1747", 2008, ["08HONGKONG1747"]),
        # 07ABUDHABI1479: the Secretary of Defense's message is a cable; 10CAIRO177: an IIR is not.
        (
            "A. ABU DHABI 1214, B) ABU DHABI 702, C) SECDEF 31828",
            2007,
            ["07ABUDHABI1214", "07ABUDHABI702", "07SECDEF31828"],
        ),
        (
            "SECDEF 122723; CAIRO IIR 6 899 0149 10; 2009 CAIRO 2394",
            2010,
            ["10SECDEF122723", "09CAIRO2394"],
        ),
    ],
)
def test_reference_years_and_posts_written_every_way(ref, year, expected):
    assert parse_references(ref, year) == expected


def test_the_commerce_departments_post_is_read_in_a_ref_and_its_office_line_is_no_reference():
    assert parse_references("A. USDOC 4322 B. SAO PAULO 278", 2006) == [
        "06USDOC4322",
        "06SAOPAULO278",
    ]
    # 06SAOPAULO530 is addressed to `USDOC 4322/MAC/OLAC/JAFEE`: an office, not a cable.
    (cable,) = [c for c in iter_path(SAMPLE_CSV) if c.reference_id == "06SAOPAULO530"]
    assert "USDOC 4322/MAC/OLAC/JAFEE" in cable.header + cable.body
    assert not any("USDOC" in reference for reference in cable.references)


def test_an_item_wrapped_between_its_post_and_its_serial_is_one_item():
    # 07STATE152317: `(D)BEIJING` / `5361, (E) STATE 148514`; `5361,` is no paragraph number.
    header = (
        "REF: (A)STATE 071143, (B)STATE 073601, (C)STATE 72896, (D)BEIJING \n5361, (E) STATE "
        "148514 \n \n \nCLASSIFIED BY EAP DAS THOMAS J. CHRISTENSEN: 1.4 (B) AND (D). \n\n1. (S) "
    )
    assert parse_references(fields.ref_text(header), 2007) == [
        *("07STATE71143", "07STATE73601", "07STATE72896", "07BEIJING5361", "07STATE148514")
    ]


def test_a_cable_never_refers_to_itself():
    # 07LIMA1862: the list is cut off (`D. LIMA 4968 (0..`) and the record's own fields follow.
    (cable,) = [c for c in iter_path(SAMPLE_CSV) if c.reference_id == "07LIMA1862"]
    assert "07LIMA1862" not in cable.references
    assert {"06LIMA4516", "06LIMA248", "05LIMA37"} <= set(cable.references)
