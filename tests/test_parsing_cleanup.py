"""Displayed text and header fields repaired conservatively, the raw text kept as found."""

import pytest

from cables.parsing import ParsedCable, iter_path
from cables.parsing.paragraphs import split_blocks
from cables.parsing.text import rejoins_wrapped_word, wrap_fragment

from .conftest import mirror_page


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
