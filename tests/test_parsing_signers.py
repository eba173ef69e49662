"""The signer at the end of a cable (rules in `cables/parsing/fields/signature.py`), on the
last lines of real cables of the sample corpus (ID in each case)."""

import pytest

from cables.parsing import fields, iter_path

from .conftest import SAMPLE_CSV


def signer_of(ending: str) -> list[str]:
    return fields.signers(ending.split("\n"))[0]


@pytest.mark.parametrize(
    ("ending", "expected"),
    [
        # 06BOGOTA1302: the mirror's end mark after the name.
        (
            "but could not guarantee that others might not do so. \nWOOD \n\n"
            "=======================CABLE ENDS============================",
            ["WOOD"],
        ),
        # 09STATE3691: `NNNN` on the name's line, `End Cable Text` after it.
        ("for ISN/MTR and WHA/BSC. \n\nRICE NNNN \n\nEnd Cable Text", ["RICE"]),
        # 07STATE135366
        ("XXXXXXXXXXXX.\nRice \nNnnn \nEnd Cable Text", ["RICE"]),
        # 07BUENOSAIRES406: a lone quote left by the CSV.
        (
            "with him in Washington D.C. during that visit. \nWAYNE \n"
            '=======================CABLE ENDS============================\n"',
            ["WAYNE"],
        ),
        # 09BRUSSELS1048
        ('was just in the "start-up phase." \n \nCHASE \n.', ["CHASE"]),
    ],
)
def test_the_last_name_before_nnnn_or_the_end(ending, expected):
    assert signer_of(ending) == expected


def test_the_signer_in_a_long_cable_of_the_1970s_layout():
    # 75TEHRAN2069: the review stamp of the release after the name.
    ending = (
        "OFFER LITTLE IN WAY OF IMPROVEMENTS TO IRANIAN POLITICAL SYSTEM \n"
        "WHILE ADDING SEVERAL DISADVANTAGES BOTH DOMESTICALLY AND INTERNATIONALLY. \n\n\n"
        "HELMS \n\nDeclassified/Released US Department of State EO \nSystematic Review 05 JUL 2006"
    )
    assert signer_of(ending) == ["HELMS"]
    # 73TEHRAN7005: the stamp cut short and `NNN` last.
    ending = (
        "REPORT FURTHER DEVELOPMENTS. \nHELMS \n"
        "fied/Released US Department of State EO Systematic Review 30 JUN 2005 \nNNN"
    )
    assert signer_of(ending) == ["HELMS"]


@pytest.mark.parametrize(
    ("ending", "expected"),
    [
        # 07BRASILIA2262: the page-break line between the last sentence and the name.
        ("ways. \nBRASILIA 00002262  002 OF 002 \nSobel", ["SOBEL"]),
        # 09SAOPAULO31
        (
            "7. (U) This cable was cleared by Ambassador Sobel. \n\n"
            "SAO PAULO 00000031 002 OF 002 \n\nWHITE",
            ["WHITE"],
        ),
        # 02VATICAN819: the name glued to a line that opens with a page header.
        (
            "PAGE 02 VATICA 00819 01 OF 02 121503Z THE DECISION SHOWS THAT WHATEVER THE POPE "
            "WANTS, DOES IN FACT HAPPEN. END COMMENT. NICHOLSON",
            ["NICHOLSON"],
        ),
        # 09LONDON1442: a page break inside the last line.
        (
            "Visit London's Classified Website: XXXXXXXXXXXX  LONDON 00001442  004 OF 004   "
            "LeBaron",
            ["LEBARON"],
        ),
    ],
)
def test_the_signer_after_page_break_headers(ending, expected):
    assert signer_of(ending) == expected


def test_the_signer_after_a_table():
    # 05SANJOSE1634: the name under the table of a flash report.
    report = (
        "Project Number:011122101 \nProject Title: PD&S \nCumulative Allotments:  $21,384 \n"
        "Cumulative Obligations: $16,800 \n \nKAPLAN"
    )
    assert signer_of(report) == ["KAPLAN"]
    # 05SANJOSE2815: after a figure ending the last line.
    prices = "have increased due to 14 percent inflation last year.  200 \nLANGDALE"
    assert signer_of(prices) == ["LANGDALE"]
    # 07SANJOSE63: the table's last row label `Commercial` (its figure lost) is no signer.
    table = "Services             73.3 \nTourism              53.5 \nCommercial"
    assert signer_of(table) == []


@pytest.mark.parametrize(
    ("ending", "expected"),
    [
        # 09LONDON2131
        ("Visit London's Classified Website: XXXXXXXXXXXX \nSUSMAN.", ["SUSMAN"]),
        # 09RIODEJANEIRO369
        ("13. (U) This cable has been coordinated with Embassy Brasilia. \n\nHEARNE..", ["HEARNE"]),
        # 09BEIJING2964
        ("28. (U) The Deputy Secretary cleared this message.\nHuntsman\nhuntsman", ["HUNTSMAN"]),
        # 06REYKJAVIK141
        ("its choice publicly. \nvan Voorst", ["VAN VOORST"]),
        # 10BERN48: line ends escaped in the CSV.
        ("15.  (U) This cable has been cleared by U/S Hormats. \\\n \\\n \\\nBEYER \\", ["BEYER"]),
        # 08MANAMA329: glued after the website's address.
        (
            "Visit Embassy Manama's Classified Website: http://www.tate.sgov.gov/p/nea/manama/ "
            "HENZEL",
            ["HENZEL"],
        ),
        # 07MANAMA963
        (
            "assified Website: XXXXXXXXXXXX********************************************* "
            "******** ERELI",
            ["ERELI"],
        ),
        # 08ASUNCION358: a title-case name under the website's address.
        ("Please visit us at http://www.state.sgov.gov/p/wha/asuncion \nCason", ["CASON"]),
        # 07MOSCOW5154: a capitalised word of the prose as a name, glued after a full stop.
        ("by depriving it of arms markets. Burns", ["BURNS"]),
    ],
)
def test_signer_lines_as_the_cables_write_them(ending, expected):
    assert signer_of(ending) == expected


def test_no_signer_when_the_end_of_the_cable_is_missing():
    # 08SECTION01GF02BISHIEK21: the last line stops mid-sentence on `The`.
    ending = (
        "million soms compensation for insulting her honor and dignity.  The \n \n \n"
        "*********************** \n* Missing Section 002 * \n***********************"
    )
    assert signer_of(ending) == []


@pytest.fixture(scope="module")
def unnumbered():
    wanted = {"07REYKJAVIK80", "08TRIPOLI430"}
    return {c.reference_id: c for c in iter_path(SAMPLE_CSV) if c.reference_id in wanted}


def test_the_signer_is_no_paragraph_and_the_text_before_it_stays_one(unnumbered):
    # 07REYKJAVIK80: no paragraph numbers, a line of the text starting `for strong support`.
    cable = unnumbered["07REYKJAVIK80"]
    assert cable.signers == ["VAN VOORST"]
    assert [p.text[:40] for p in cable.paragraphs] == ["(C) Ambassador met with Foreign Minister"]
    # 08TRIPOLI430: one line of text, a page-break mark inside it, the name glued at its end.
    cable = unnumbered["08TRIPOLI430"]
    assert cable.signers == ["STEVENS"]
    assert cable.paragraphs and not cable.paragraphs[-1].text.endswith("STEVENS")


# --- the 1970s-1990s layouts -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def classified_feet():
    wanted = {"02ROME1725", "01VATICAN5960", "00HARARE5461", "05ROME3081"}
    return {c.reference_id: c for c in iter_path(SAMPLE_CSV) if c.reference_id in wanted}


@pytest.mark.parametrize(
    ("reference_id", "signer"),
    [
        # `SEMBLER` / `CONFIDENTIAL` / `>` / `2002ROME01725 - Classification: CONFIDENTIAL`
        ("02ROME1725", "SEMBLER"),
        # The name glued to the last sentence, the classification foot under it.
        ("01VATICAN5960", "NICHOLSON"),
        # A last paragraph in capitals and no `NNNN`.
        ("00HARARE5461", "MCDONALD"),
        # `END COMMENT` / `SPOGLI` / `NNNN` / `2005ROME03081 - Classification: CONFIDENTIAL`
        ("05ROME3081", "SPOGLI"),
    ],
)
def test_the_signer_above_the_classification_foot_of_the_last_page(
    classified_feet, reference_id, signer
):
    assert classified_feet[reference_id].signers == [signer]


def test_a_classification_word_is_never_a_signer():
    # 90BAGHDAD4397's last lines, with the page's foot a cable of that time may carry.
    ending = "WAY SUGGEST THAT THE GOI IS CONSIDERING THE\nMILITARY OPTION.\n\n\n"
    assert signer_of(ending + "WILSON\n\nLIMITED OFFICIAL USE") == ["WILSON"]
    assert signer_of(ending + "LIMITED OFFICIAL USE") == []
    assert signer_of(ending + "WILSON\nCONFIDENTIAL") == ["WILSON"]


def test_the_signer_after_a_page_header_of_the_last_page():
    # 01VATICAN1261: `CONFIDENTIAL` / `PAGE 03 VATICA 01261 061419Z`, here on one line.
    ending = (
        "SANT'EGIDIO TO BECOME ACTIVELY ENGAGED IN THE PROCESS. \nCONFIDENTIAL PAGE 03 VATICA "
        "01261 061419Z \nMERANTE"
    )
    assert signer_of(ending) == ["MERANTE"]


def test_a_signer_in_title_case_after_a_last_paragraph_in_capitals():
    # 86MADRID5480's last line without its full stop, the name as other cables write it.
    assert signer_of(
        "RELATIONS WITH TRIPOLI.  THIS STRATEGY IS ONLY POSSIBLE \nIF QADHAFI PLAYS ALONG \n \nEnders"
    ) == ["ENDERS"]


def test_a_signer_after_a_list_of_years():
    # 97WELLINGTON1656's name after a table of years and figures.
    assert signer_of("1996      47.0     53.1\n1997      45.2     51.0\n\nBEEMAN") == ["BEEMAN"]
