"""TAGS read wherever the header writes them (rules in `cables/parsing/fields/tag_line.py`).

Every fragment is quoted from a real cable of the sample corpus (reference ID in the test).
"""

import html
import re

import pytest

from cables.parsing import fields, iter_path

from .conftest import CABLEGATE_HTML, CABLEGATE_HTML_2011, SAMPLE_CSV


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        # 02ANKARA8305: the header's newlines lost, TAGS after the E.O. line's date.
        (
            "S E C R E T SECTION 01 OF 05 ANKARA 008305S/CT FOR REAPE.O. 12958: DECL: "
            "11/14/2012 TAGS: PTER TU\n\n1. (U) CLASSIFIED BY DCM ROBERT S. DEUTSCH;",
            ["PTER", "TU"],
        ),
        # 05BRASILIA1682
        ("E.O. 12958: N/A TAGS: ECON EFIN\n\nSUBJECT: BRAZIL - THE ECONOMICS", ["ECON", "EFIN"]),
        # 09CAIRO200: an office line, E.O. and TAGS on one line, SUBJECT on the next.
        (
            "DOE FOR MCLELLANDKERR E.O. 12958: N/A TAGS: KNNP IAEA ENRG TRGY AORC OTRA EG\n\n"
            "SUBJECT:\n\nINVITATION TO NNSA HUMAN RESOURCES SEMINAR",
            ["KNNP", "IAEA", "ENRG", "TRGY", "AORC", "OTRA", "EG"],
        ),
    ],
)
def test_tags_on_the_line_of_the_eo_field_are_read(fragment, expected):
    assert fields.tags(fragment) == expected


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        # 07DAMASCUS389
        ("DECL: 04/06/2017\nTags: prel, pgov, sy\nSubject: codel pelosi", ["PREL", "PGOV", "SY"]),
        # 08STATE43817
        (
            "E.O. 12958: n/a\nTags: knnp, dprk, sy, iaea, parm, prel\n\nSubject: syria's",
            ["KNNP", "DPRK", "SY", "IAEA", "PARM", "PREL"],
        ),
        # 07STATE135366: a first code the definitions do not know (`mtcre`).
        (
            "E.O. 12958: DECL: 06/25/2017 \nTags: parm, mtcre, prel, ettc, gm, sy \n\nSubject: (s)",
            ["PARM", "MTCRE", "PREL", "ETTC", "GM", "SY"],
        ),
        # 08MEXICO886: a line separator (U+2028) before TAGS.
        ("DECL: 03/28/2018 \n\u2028TAGS: PREL PTER KCRM PINR SNAR MX\nSUBJECT: THE FARC", None),
    ],
)
def test_tags_in_lower_case_and_other_spellings(fragment, expected):
    expected = expected or ["PREL", "PTER", "KCRM", "PINR", "SNAR", "MX"]
    assert fields.tags(fragment) == expected


def test_tag_in_the_singular_is_the_field_too():
    # 08MADRID308's correction note says `- TAG`; here the field itself written `TAG:`.
    assert fields.tags("E.O. 12958: N/A\nTAG: ECON EFIN PTER\nSUBJECT: X") == [
        "ECON",
        "EFIN",
        "PTER",
    ]


def test_the_words_tag_and_tags_in_a_note_or_in_prose_are_not_the_field():
    # 08MADRID308: `C O R R E C T E D C O P Y - TAG` above the real TAGS line.
    madrid = (
        "C O R R E C T E D C O P Y - TAG\n\nNOFORN\nSIPDIS\n\nSTATE FOR EEB/ESC\n\n"
        "E.O. 12958: DNG: CO 03/09/2018\nTAGS: ECON EFIN PTER PREL IR SP\nSUBJECT: IRANIAN TIES"
    )
    assert fields.tags(madrid) == ["ECON", "EFIN", "PTER", "PREL", "IR", "SP"]
    # 08TBILISI1349
    tbilisi = (
        "C O R R E C T E D COPY -- ADDED E.O., TAGS, AND CLASS BY \n \n"
        "E.O. 12958:  DECL: 08/11/2018 \nTAGS: PGOV PREL PHUM RU GG\nSUBJECT: GEORGIA: SITREP 5"
    )
    assert fields.tags(tbilisi) == ["PGOV", "PREL", "PHUM", "RU", "GG"]
    # 05SANAA1352
    assert fields.tags("5. (S/NF) The price tag XXXXXXXXXXXX gave likely includes") == []


def test_tags_separated_by_commas_and_spaces_continue_after_a_trailing_comma():
    # 09STATE78274
    fragment = (
        "TAGS OVIP (CLINTON, HILLARY), PGOV, PREL, KDEV, ECON, \nNL, IS, SR \n"
        "SUBJECT: (U) Secretary Clinton's July 14 conversation"
    )
    assert fields.tags(fragment) == [
        "OVIP",
        "CLINTON, HILLARY",
        "PGOV",
        "PREL",
        "KDEV",
        "ECON",
        "NL",
        "IS",
        "SR",
    ]


def test_a_person_tag_with_a_bracketed_name_is_the_code_and_the_person():
    # 09SINGAPORE529
    fragment = (
        "TAGS OVIP (STEINBERG, JAMES B.), PREL, MNUC, ECON, SN, CH, \nKN \n"
        "SUBJECT: DEPUTY SECRETARY STEINBERG'S MAY 30, 2009 \n"
    )
    assert fields.tags(fragment) == [
        "OVIP",
        "STEINBERG, JAMES B.",
        "PREL",
        "MNUC",
        "ECON",
        "SN",
        "CH",
        "KN",
    ]


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        # 06LIMA1452: the subject, written without `SUBJECT:`, wraps after TAGS.
        (
            "E.O. 12958: DECL: 04/12/2016   TAGS: PGOV PINR PE\nRUN-OFF,   \n"
            "SEEKS EMBASSY'S ASSISTANCE IN CEMENTING DEMOCRATIC   COALITION AGAINST HUMALA",
            ["PGOV", "PINR", "PE"],
        ),
        # 06SAOPAULO352: SUBJECT on the next line.
        (
            "USDOC ALSO FOR 3134/USFCS/OIO/EOLSON/DDEVITO/DANDERSON TAGS: OREP PGOV PREL EAGR "
            "ECON ENRG BR\nSUBJECT: VISIT OF CODEL GRASSLEY TO SAO PAULO",
            ["OREP", "PGOV", "PREL", "EAGR", "ECON", "ENRG", "BR"],
        ),
        # 09TRIPOLI401: codes wrapped onto the next line are still TAGS (`AU-I`).
        (
            "TAGS: OVIP WWARD PREL PGOV MARR MASS MCAP KPKO PINR\nAU-I CD SU LY\n"
            "SUBJECT: AFRICOM COMMANDER",
            ["OVIP", "WWARD", "PREL", "PGOV", "MARR", "MASS", "MCAP", "KPKO", "PINR"]
            + ["AU-I", "CD", "SU", "LY"],
        ),
    ],
)
def test_subject_words_are_never_taken_as_tags(fragment, expected):
    assert fields.tags(fragment) == expected


def test_a_subject_glued_on_the_tags_line_ends_the_list():
    # 09CAIRO2205's layout with the lost newline between TAGS and SUBJECT (as in 02ANKARA8305).
    fragment = "E.O. 12958: N/A TAGS: KFRD CVIS EG SUBJECT: BLIND COPTIC GIRLS' CHOIR USED"
    assert fields.tags(fragment) == ["KFRD", "CVIS", "EG"]


def _site_tags(path):
    """The TAGS the original site linked in the cable text (`<a href='/tag/ETRD_0.html'>`)."""
    markup = path.read_text(encoding="utf-8", errors="replace")
    links = [
        html.unescape(code)
        for block in re.findall(r"<pre>(.*?)</pre>", markup, re.S)
        for code in re.findall(r"<a href='/tag/[^']*'>([^<]*)</a>", block)
    ]
    return list(dict.fromkeys(links))


# Codes run together that the site kept as one tag and the parser splits on purpose.
_SPLIT_ON_PURPOSE = {"08BRASILIA93.html", "09CAIRO2205.html"}


def test_tags_agree_with_the_tags_the_original_pages_link():
    pages = [p for p in CABLEGATE_HTML + CABLEGATE_HTML_2011 if _site_tags(p)]
    assert len(pages) > 100
    disagree = {
        page.name: (cable.tags, _site_tags(page))
        for page in pages
        for cable in iter_path(page)
        if cable.tags != _site_tags(page) and page.name not in _SPLIT_ON_PURPOSE
    }
    assert disagree == {}


# --- page headers, misspelt markers and codes, persons, subjects of several words ----------------


def test_a_page_header_the_tags_line_runs_into_is_no_tags():
    # 02ROME1196's TAGS line and its own page break (` CONFIDENTIAL` / `PAGE 02 ROME 01196 01 OF
    # 02 082030Z`), on one line as in a copy whose newlines were lost.
    fragment = (
        "EO 12958 DECL: 03/05/2007 \nTAGS PHUM, OPRC, IT   CONFIDENTIAL   PAGE 02   "
        "ROME 01196 01 OF 02 082030Z  B. ROME 1098\nSUBJECT: AS PREDICTED"
    )
    assert fields.tags(fragment) == ["PHUM", "OPRC", "IT"]
    # The same page header without the classification word before it.
    fragment = "TAGS PHUM, OPRC, IT   PAGE 02   ROME 01196 01 OF 02 082030Z\nSUBJECT: AS PREDICTED"
    assert fields.tags(fragment) == ["PHUM", "OPRC", "IT"]


@pytest.mark.parametrize("classification", ["CONFIDENTIAL", "UNCLASSIFIED"])
def test_a_vatican_page_header_the_tags_line_runs_into_is_no_tags(classification):
    # 01VATICAN3507's TAGS line and its own page header (`PAGE 02 VATICA 03507 01 OF 04
    # 031719Z`, the post cut to six letters), on one line as in a copy whose newlines were lost.
    fragment = (
        "TAGS PREL, PHUM, IS, EG, CH, ID, VT, VTPREL   "
        f"{classification}   PAGE 02   VATICA 03507 01 OF 04 031719Z\nSUBJECT:  THE VATICAN"
    )
    assert fields.tags(fragment) == ["PREL", "PHUM", "IS", "EG", "CH", "ID", "VT"]


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        # 07BUENOSAIRES1673: the `T` lost after the DECL date.
        (
            "UENOS AIRES 00167SIPDIS SIPDIS E.O. 12958: DECL: 08/22/2017 AGS: PGOV, PREL, ECON, "
            "SOCI, AR \n\nSUBJECT: AMBASSADOR WAYNE MEETS CRISTINA'S RUNNING",
            ["PGOV", "PREL", "ECON", "SOCI", "AR"],
        ),
        # 09MANAMA680: TAGS glued to the DECL date.
        (
            "E.O. 12958: DECL: 12/02/2019TAGS: OVIP PGOV PREL KDEM MARR BA\n\n1. (C) Summary",
            ["OVIP", "PGOV", "PREL", "KDEM", "MARR", "BA"],
        ),
        # 10BERLIN81's TAGS line under each misspelt marker.
        *(
            (
                f"E.O. 12958: DECL: 01/22/2020 {marker} PGOV PREL KNNP IR GM\n\n1. (C) SUMMARY.",
                ["PGOV", "PREL", "KNNP", "IR", "GM"],
            )
            for marker in ("TAGS;", "TAGS,", "TAS:", "TABS:", "TGS:", "TAGES:")
        ),
    ],
)
def test_misspelt_and_glued_tags_markers_are_read(fragment, expected):
    assert fields.tags(fragment) == expected


@pytest.mark.parametrize(
    ("fragment", "expected", "corrected"),
    [
        # 09BEIRUT818
        (
            "TAGS: PREL PGOV PINR PTER MASS MARR MOPPS LE SY IR\nPK, AF\nSUBJECT: LEBANON",
            ["PREL", "PGOV", "PINR", "PTER", "MASS", "MARR", "MOPS", "LE", "SY", "IR", "PK", "AF"],
            [("MOPPS", "MOPS")],
        ),
        # 09LONDON2222
        (
            "TAGS: POGOV, PREL, MARR, MOPS, MCAP, KNNP, PARM, UK\nSUBJECT: PM BROWN",
            ["PGOV", "PREL", "MARR", "MOPS", "MCAP", "KNNP", "PARM", "UK"],
            [("POGOV", "PGOV")],
        ),
        # 05SANJOSE2413's `OPDC PGOV CS UNESCO`, UNESCO written with the extra letter.
        (
            "TAGS: OPDC PGOV CS UNDESCO\nSUBJECT: COSTA RICA",
            ["OPDC", "PGOV", "CS", "UNESCO"],
            [("UNDESCO", "UNESCO")],
        ),
        # 02ROME1196: `IT, ITPHUM` is IT and PHUM, each once; words stay apart from codes.
        (
            "TAGS PHUM, OPRC, OPRC, OPRC, OPRC, IT, ITPHUM, ITPHUM, ITPHUM, HUMAN RIGHTS \n"
            "SUBJECT: AS PREDICTED",
            ["PHUM", "OPRC", "IT", "HUMAN RIGHTS"],
            [],
        ),
        # Codes of five letters that are no misspelling stay as written (07PARIS1995's UNMIK).
        (
            "TAGS: PREL PGOV UNMIK UN YI IC\nSUBJECT: ICELAND",
            ["PREL", "PGOV", "UNMIK", "UN", "YI", "IC"],
            [],
        ),
    ],
)
def test_a_code_one_letter_wrong_is_read_as_the_known_code(fragment, expected, corrected):
    assert fields.tags_and_corrections(fragment) == (expected, corrected)


def test_a_corrected_code_leaves_a_warning_on_the_cable():
    (cable,) = [c for c in iter_path(SAMPLE_CSV) if c.reference_id == "09BEIRUT818"]
    assert "MOPS" in cable.tags and "MOPPS" not in cable.tags
    assert [w.message for w in cable.warnings if w.code == "tag-corrected"] == [
        "TAGS code MOPPS read as MOPS"
    ]


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        # 09SINGAPORE529
        (
            "TAGS OVIP (STEINBERG, JAMES B.), PREL, MNUC, ECON, SN, CH, \nKN \nSUBJECT: DEPUTY",
            ["OVIP", "STEINBERG, JAMES B.", "PREL", "MNUC", "ECON", "SN", "CH", "KN"],
        ),
        # 09SANJOSE297
        (
            "TAGS: ECON PINR PREL XK OVIP BIDEN JOSEPH PGOV\nSUBJECT: VICE PRESIDENT BIDEN'S",
            ["ECON", "PINR", "PREL", "XK", "OVIP", "BIDEN, JOSEPH", "PGOV"],
        ),
        # 10LONDON77
        (
            "TAGS: PREL OVIP CARSON JOHNNIE AORC XA UK\n\nSUBJECT: AFRICAN UNION SUMMIT",
            ["PREL", "OVIP", "CARSON, JOHNNIE", "AORC", "XA", "UK"],
        ),
        # 09TRIPOLI310: a person of one word.
        (
            "TAGS: OVIP MQADHAFI PREL PGOV MARR\nSUBJECT: MUATASSIM'S WASHINGTON DEBUT",
            ["OVIP", "MQADHAFI", "PREL", "PGOV", "MARR"],
        ),
        # 06PARTO9
        (
            "TAGS: OVIP RICE CONDOLEEZZA KISL PGOV PHUM LE\nSY, IS\nSUBJECT: (U) Secretary Rice's",
            ["OVIP", "RICE, CONDOLEEZZA", "KISL", "PGOV", "PHUM", "LE", "SY", "IS"],
        ),
    ],
)
def test_a_person_tag_is_the_code_and_the_person_as_the_release_writes_one(fragment, expected):
    assert fields.tags(fragment) == expected


def test_several_persons_after_one_person_code_are_each_a_tag():
    # The persons of 09SANJOSE297 and 06PARTO9 under one OVIP, as a visit of several writes them.
    fragment = "TAGS: OVIP BIDEN JOSEPH RICE CONDOLEEZZA PGOV\nSUBJECT: VISIT"
    assert fields.tags(fragment) == ["OVIP", "BIDEN, JOSEPH", "RICE, CONDOLEEZZA", "PGOV"]


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        # 06KUWAIT3201, on one line and wrapped between the two words.
        (
            "TAGS: OREP AMGT ASEC AFIN KU IZ IC GM COUNTRY CLEARANCE\nSUBJECT: KUWAIT GRANTS",
            ["OREP", "AMGT", "ASEC", "AFIN", "KU", "IZ", "IC", "GM", "COUNTRY CLEARANCE"],
        ),
        (
            "TAGS: OREP AMGT ASEC AFIN KU IZ IC GM COUNTRY\nCLEARANCE\nSUBJECT: KUWAIT GRANTS",
            ["OREP", "AMGT", "ASEC", "AFIN", "KU", "IZ", "IC", "GM", "COUNTRY CLEARANCE"],
        ),
        # 05ISTANBUL329: `IN` here is no India.
        (
            "TAGS: TU BO MD PHUM KCRM PGOV KJUS TIP IN TURKEY\nSUBJECT: MUNICIPALITY TO FUND",
            ["TU", "BO", "MD", "PHUM", "KCRM", "PGOV", "KJUS", "TIP IN TURKEY"],
        ),
        # 04SANAA3023: written apart, the release's COUNTERTERRORISM (and PARMS is PARM).
        (
            "TAGS: PREL PTER MARR PGOV KJUS PINR YM PARMS COUNTER TERRORISM\nSUBJECT: YEMENI",
            ["PREL", "PTER", "MARR", "PGOV", "KJUS", "PINR", "YM", "PARM", "COUNTERTERRORISM"],
        ),
        # 05TELAVIV4403
        (
            "TAGS: PREL KWBG KPAL PTER IS GAZA DISENGAGEMENT ISRAELI PALESTINIAN AFFAIRS\n\n1. (S)",
            [
                *("PREL", "KWBG", "KPAL", "PTER", "IS"),
                *("GAZA DISENGAGEMENT", "ISRAELI PALESTINIAN AFFAIRS"),
            ],
        ),
        # 05TELAVIV1580, after commas.
        (
            "TAGS PGOV, PREL, KWBG, IR, IS, COUNTERTERRORISM, GOI EXTERNAL \nSUBJECT: MOSSAD CHIEF",
            ["PGOV", "PREL", "KWBG", "IR", "IS", "COUNTERTERRORISM", "GOI EXTERNAL"],
        ),
    ],
)
def test_a_subject_tag_of_several_words_is_one_tag(fragment, expected):
    assert fields.tags(fragment) == expected


def test_a_tags_line_opening_with_subject_tags_of_several_words_is_read():
    # 06TELAVIV687's TAGS with its two subject tags written first: no code among the first
    # four words, which alone would read as prose.
    fragment = (
        "E.O. 12958: DECL: 02/15/2016\nTAGS: ISRAELI PALESTINIAN AFFAIRS GOI EXTERNAL ECON KWBG "
        "PGOV PREL KPAL IS\nSUBJECT: X"
    )
    assert fields.tags(fragment) == [
        "ISRAELI PALESTINIAN AFFAIRS",
        "GOI EXTERNAL",
        *["ECON", "KWBG", "PGOV", "PREL", "KPAL", "IS"],
    ]
