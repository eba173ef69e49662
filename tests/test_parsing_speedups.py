"""The fast paths of the paragraph joiner give what the plain line-by-line version gave."""

import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from cables.parsing import iter_path
from cables.parsing.paragraphs import (
    _LIST_FIRST,
    _LIST_ITEM,
    _SENTENCE_END_CHARS,
    ODD_SPACES,
    _join,
    _last_word,
    drop_noise_lines,
)
from cables.parsing.text import clean_display, is_noise_line, rejoins_wrapped_word, wrap_fragment

from .conftest import CABLEGATE_HTML, MIRROR_PAGES


def line_by_line_join(lines: list[str]) -> str:
    """The joiner as it was before it worked on whole paragraphs (the reference)."""
    out: list[str] = []
    gap = False
    for raw in lines:
        line = " ".join(raw.split())
        if line.endswith("\\"):
            line = line.rstrip("\\ ")
        if not line:
            gap = bool(out)
            continue
        if not out:
            out.append(line)
        elif gap and out[-1][-1] in _SENTENCE_END_CHARS and line[0].isupper():
            out.append("\n\n" + line)
        elif line[0] in _LIST_FIRST and _LIST_ITEM.match(line):
            out.append("\n" + line)
        elif (fragment := wrap_fragment(line)) and rejoins_wrapped_word(
            _last_word(out[-1]), fragment
        ):
            out.append(line)
        else:
            out.append(" " + line)
        gap = False
    return clean_display("".join(out).replace("¶", "")).strip()


def real_bodies() -> list[str]:
    files = [*MIRROR_PAGES, *CABLEGATE_HTML[:40]]
    return [record.body for path in files for record in iter_path(path)]


def test_odd_spaces_are_every_whitespace_character_but_space_and_line_break():
    everything = (chr(c) for c in range(sys.maxunicode + 1))
    assert "".join(c for c in everything if c.isspace() and c not in " \n") == ODD_SPACES


def test_whole_paragraph_joining_matches_the_line_by_line_joiner_on_real_cables():
    for body in real_bodies():
        lines = body.split("\n")
        for start in range(0, len(lines), 7):
            chunk = lines[start : start + 12]
            assert _join(chunk) == line_by_line_join(chunk), chunk


def test_noise_lines_found_in_one_pass_are_the_ones_is_noise_line_names():
    for body in real_bodies():
        lines = body.split("\n")
        assert drop_noise_lines(lines) == [line for line in lines if not is_noise_line(line)]


line_pieces = st.sampled_from(
    [
        "",
        " ",
        "  ",
        "\t",
        "\\",
        "majorit",
        "y, of the",
        "a",
        "nd so",
        "1. Item",
        "- dash",
        "End.",
        "Next",
        "\u2028",
        "\xa0x",
        "(a) one",
        "ll withdrawal",
        "fu",
        "PAGE 02 X 1 OF 2",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(line_pieces, max_size=4).map(" ".join), max_size=8))
def test_whole_paragraph_joining_matches_on_made_up_lines(lines):
    assert _join(lines) == line_by_line_join(lines)
