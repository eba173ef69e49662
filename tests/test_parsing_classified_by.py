"""`Classified By`: the person's name only (rules in `cables/parsing/fields/classified_by.py`).

Every fragment is quoted from a real cable of the sample corpus (reference ID in the test).
"""

import pytest

from cables.parsing import fields, iter_path

from .conftest import SAMPLE_CSV


@pytest.mark.parametrize(
    ("fragment", "name"),
    [
        # 09KABUL3068: a title of five words, the surname broken by the wrap.
        (
            "Classified By: Interagency Provincial Affairs Deputy Coordinator Hoyt Y \n"
            "ee for reasons 1.4 (b) and (d) \n\n1. (C) Summary:",
            "Hoyt Yee",
        ),
        # 10KABUL12: the name wrapped after its initial.
        (
            "Classified By: Interagency Provincial Affairs Coordinator Scott F.\n"
            "Kilner for Reasons 1.4(b) and (d)\n\n1. (C) SUMMARY:",
            "Scott F. Kilner",
        ),
        # 07BAKU1268: `Ambasador`, a misspelt title.
        ("Classified By: Ambasador Anne E. Derse, Reasons 1.4 (b,d)\n", "Anne E. Derse"),
        # 06MUMBAI1986: the title and the post after the name.
        (
            "CLASSIFIED BY: Michael S. Owen, Consul General, Consulate General Mumbai, State. "
            "REASON: 1.4 (b), (d) \n",
            "Michael S. Owen",
        ),
        # 05ANKARA1730: `; E.O. 12958` after the name.
        (
            "(U) Classified by CDA Robert Deutsch; E.O. 12958, reasons 1.4 (b) and (d).\n",
            "Robert Deutsch",
        ),
        # 05SAOPAULO1158: in capitals, the title first.
        ("Classified By: ACTING CONSUL GENERAL ARNOLD VELA. REASON: \n\n1. (C)", "ARNOLD VELA"),
        # 04WELLINGTON605: the title, a comma, then the name.
        (
            "Classified By: DEPUTY CHIEF OF MISSION, DAVID R. BURNETT FOR REASONS 1. 5(B,D)\n\n",
            "DAVID R. BURNETT",
        ),
        # 09CAIRO129: `for` inside the title is no end of the name.
        (
            "Classified By: Minister Counselor for Economic and Political Affairs William R. "
            "Stewart for reasons 1.4 (b) and (d). ----------------- Concern for Sudan",
            "William R. Stewart",
        ),
        # 08LONDON2100: a suffix stays with the name.
        (
            "Classified By: Political Counselor Richard M. Mills, Jr. for reasons 1.4 (b) and (d)  \n",
            "Richard M. Mills, Jr",
        ),
    ],
)
def test_classified_by_is_the_name_without_the_title(fragment, name):
    assert fields.classified_by(fragment)[0] == name


@pytest.mark.parametrize(
    ("fragment", "name"),
    [
        # 07BAKU1268's line with the title misspelt the other ways the cables do.
        ("Classified By: Abassador Anne E. Derse, Reasons 1.4 (b,d)\n", "Anne E. Derse"),
        ("Classified By: Ambassodor Anne E. Derse, Reasons 1.4 (b,d)\n", "Anne E. Derse"),
        # 04NEWDELHI7078's line with the initial typed as a zero.
        ("Classified By: DCM Robert 0. Blake, Jr.  Reasons 1.4 (B,D). \n", "Robert O. Blake, Jr"),
    ],
)
def test_a_misspelt_title_and_a_zero_for_the_letter_o(fragment, name):
    assert fields.classified_by(fragment)[0] == name


def test_a_classified_by_marker_that_names_no_one_gives_way_to_the_next_line():
    # 09LONDON2347: a corrected copy announces the line, which follows under the subject.
    (cable,) = [c for c in iter_path(SAMPLE_CSV) if c.reference_id == "09LONDON2347"]
    assert cable.classified_by == "Robin Quinville"
    assert cable.classification_reasons == ["1.4(b)", "1.4(d)"]


@pytest.mark.parametrize(
    "fragment",
    [
        "C O R R E C T E D  C O P Y (ADDED CLASSIFIED BY LINE) \n \nE.O. 12958: DECL: 10/15/2019",
        # 09ISLAMABAD2185
        "Classified By: Derived from DSCG 05-01, b and d\n",
        "CLASSIFIED BY SECTION 1.5 (B) AND (D)\n",
    ],
)
def test_a_classified_by_line_without_a_person_gives_no_name(fragment):
    assert fields.classified_by(fragment)[0] == ""
