"""Summaries in every layout (rules in `cables/parsing/fields/summary_text.py`), stored without
their markers. The cables are real ones of the sample corpus."""

import pytest

from cables.parsing import fields, iter_path

from .conftest import SAMPLE_CSV


@pytest.fixture(scope="module")
def sample():
    wanted = {
        "00HARARE5461",
        "04BRASILIA2885",
        "05SANAA2766",
        "07MOSCOW5585",
        "07SAOPAULO250",
        "08MOSCOW499",
        "08RIYADH868",
        "07BERN881",
        "05SANAA1352",
        "72TEHRAN5055",
        "01VATICAN1261",
        "02ROME1725",
    }
    return {c.reference_id: c for c in iter_path(SAMPLE_CSV) if c.reference_id in wanted}


def test_summary_between_summary_and_end_summary_without_the_markers(sample):
    cable = sample["07SAOPAULO250"]  # `1. Summary: On March 21, ... End Summary.`
    assert cable.summary.startswith("On March 21, Pope Benedict XVI named Bishop Odilo")
    assert cable.summary.endswith("he will receive his Cardinal's red hat in the next few years.")
    assert "Summary" not in cable.summary


@pytest.mark.parametrize(
    ("reference_id", "opening", "ending"),
    [
        # `SUMMARY` over a line of dashes, then `1. (C) ... END SUMMARY.`
        (
            "00HARARE5461",
            "ACCORDING TO A SENIOR MDC ADVISOR",
            "ON A WAY OUT OF ZIMBABWE’S CURRENT MESS.",
        ),
        # `------- SUMMARY -------` then `1.(SBU) ... End summary.`
        ("08MOSCOW499", "A new and more restrictive draft", "which we plan to help facilitate."),
        # `-------\nSummary\n--------` and no end marker: the paragraph under the heading.
        ("08RIYADH868", "Minister Naimi’s offer of an additional", "between $90 and $150/barrel."),
        # The heading in a CSV record whose line ends are escaped (`SUMMARY \`), and a second
        # cable later in the same record with its own `Summary:` that must not win.
        ("07BERN881", "Per instructions in reftel A, CDA met FM Calmy-Rey", None),
    ],
)
def test_a_summary_heading_underlined_with_dashes(sample, reference_id, opening, ending):
    summary = sample[reference_id].summary
    assert summary.startswith(opening)
    assert ending is None or summary.endswith(ending)
    assert "----" not in summary and "End summary" not in summary


def test_summary_inside_the_first_paragraph_without_an_end_marker(sample):
    # `1. (C) Summary. After 27 years in power, ...` and no `End summary`: the paragraph.
    summary = sample["05SANAA2766"].summary
    assert summary.startswith("After 27 years in power, President Saleh")
    assert summary.endswith("no one but Saleh can maintain the nation’s unity and stability.")


def test_summary_and_introduction(sample):
    # 04BRASILIA2885: `1. (SBU) Summary and Introduction: On November 11 ...`
    assert sample["04BRASILIA2885"].summary.startswith("On November 11 Brazil rolled out")


def test_a_summary_heading_in_a_cable_whose_line_breaks_were_lost(sample):
    # 07MOSCOW5585: `------- SUMMARY ------- 1. (C) In a November 15th meeting ...` in one line.
    summary = sample["07MOSCOW5585"].summary
    assert summary.startswith("In a November 15th meeting with emboffs, Nord Stream")
    assert len(summary) < 2000 and "2. (C)" not in summary


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 05SANAA2766's opening, as the cable writes it: no end marker, the paragraph ends.
        (
            "1. (C) Summary. After 27 years in power, President Saleh’s recent announcement\n"
            "that he would not seek another term in 2006 has provoked\n\n2. (C) Saleh",
            "After 27 years in power, President Saleh’s recent announcement that he would not "
            "seek another term in 2006 has provoked",
        ),
        # 00HARARE5461's raw text: the heading over the paragraph, the marking left out.
        (
            "CLASSIFIED BY DCM EARL IRVING. REASONS: 1.5 (B) AND (D).\n\nSUMMARY\n------- \n\n"
            "1. (C) ACCORDING TO A SENIOR MDC ADVISOR, THE OPPOSITION PARTY HAS RECEIVED\n"
            "ADDITIONAL FEELERS FROM ZANU-PF. END SUMMARY.\n\nZANU-PF SEES WRITING ON WALL",
            "ACCORDING TO A SENIOR MDC ADVISOR, THE OPPOSITION PARTY HAS RECEIVED ADDITIONAL "
            "FEELERS FROM ZANU-PF.",
        ),
        # 08RIYADH868's raw text: a heading between dashes and no end marker.
        (
            "------- \nSummary \n--------\n\n1. (C) Minister Naimi’s offer of an additional "
            "300,000 barrels\nper day (bpd) had minimal impact on crude prices.\n\n2. (C) The oil",
            "Minister Naimi’s offer of an additional 300,000 barrels per day (bpd) had minimal "
            "impact on crude prices.",
        ),
        # 06ANKARA331: `1. (S) SUMMARY: Your visit ...` with `END SUMMARY` further on.
        (
            "SUMMARY: Your visit to Turkey comes at an important time. END SUMMARY.\nMore.",
            "Your visit to Turkey comes at an important time.",
        ),
        # The Istanbul trafficking cable of the sample (`Summary and comment: ... End summary
        # and comment.`), shortened in the middle.
        (
            "Summary and comment: In recent Istanbul meetings on trafficking in persons (TIP), "
            "XXX officer XXXXXX discussed the upcoming TIP report. [...] the prosecutors in "
            "Istanbul are downplaying the problem. End summary and comment.\n",
            None,
        ),
        ("The talks ended. End summary.\nNothing opened it.", ""),
    ],
)
def test_summary_markers_in_paragraph_text(text, expected):
    if expected is None:
        expected = (
            "In recent Istanbul meetings on trafficking in persons (TIP), XXX officer XXXXXX "
            "discussed the upcoming TIP report. [...] the prosecutors in Istanbul are "
            "downplaying the problem."
        )
    assert fields.summary(text) == expected


# --- the summary's marker written `Summary/Comment`, headings under `=`, no start marker --------


def test_a_summary_comment_marker_and_its_end():
    # 08KYIV955 closes its opening with `End summary/comment.`; its opening written with the same
    # `Summary/Comment:` marker, as other cables of the release do.
    text = (
        '1. (C) Summary/Comment: Ambassador strongly discouraged Ukrainian plans for an "informal" '
        "meeting between Ukrainian President Yushchenko and Belarusan President Lukashenko. "
        "Our interlocutors have stressed their desire to be consistent with the broader European "
        "approach toward Belarus. End summary/comment.\n3. (SBU) On May 18,"
    )
    assert fields.summary(text) == (
        'Ambassador strongly discouraged Ukrainian plans for an "informal" meeting between '
        "Ukrainian President Yushchenko and Belarusan President Lukashenko. Our interlocutors "
        "have stressed their desire to be consistent with the broader European approach toward "
        "Belarus."
    )


def test_a_summary_heading_underlined_with_equal_signs():
    # 06BOGOTA10294's heading, with only the rule under it.
    texts = [
        "Interior and Justice Minister Holguin told U/S Burns the Justice and Peace law and "
        "demobilization process were difficult to understand, even for Colombians.",
        "Second paragraph.",
    ]
    before = "U.S. and Canada Desk Chief Patricia Cortes \n \nSummary \n======= \n \n3. (C)  "
    assert fields.summary_of_paragraphs(texts, ["", ""], before) == texts[0]


@pytest.mark.parametrize(
    ("reference_id", "opening", "ending"),
    [
        # `1. (S/NF) Ambassador met informally ... End Summary.` and no start marker.
        ("05SANAA1352", "Ambassador met informally with", "with the USG in the long term."),
        # A 1972 cable: the summary before paragraph 1, `... END SUMMARY` then `1. IN WAKE OF`.
        (
            "72TEHRAN5055",
            "FOLLOWING ASSASSINATION OF GENERAL",
            "SECURITY ORGANS IN MIND OF PUBLIC.",
        ),
    ],
)
def test_a_first_paragraph_that_ends_with_end_summary_is_the_summary(
    sample, reference_id, opening, ending
):
    summary = sample[reference_id].summary
    assert summary.startswith(opening) and summary.endswith(ending)


def test_a_first_paragraph_without_any_summary_marker_is_no_summary(sample):
    # 01VATICAN1261 and 02ROME1725 write no summary marker: their first paragraph is no summary,
    # whether or not it ends with a full stop.
    for cable in (sample["01VATICAN1261"], sample["02ROME1725"]):
        assert cable.paragraphs and cable.summary == ""
        texts = [p.text for p in cable.paragraphs]
        assert fields.summary_of_paragraphs(texts, ["" for _ in texts], "") == ""
        # With `End summary` after it, the same paragraph is the summary.
        ended = [texts[0] + " End summary.", *texts[1:]]
        assert fields.summary_of_paragraphs(ended, ["" for _ in texts], "") == " ".join(
            texts[0].split()
        )
