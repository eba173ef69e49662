"""The parser never raises: random text and mutated real cables always give a result."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cables.parsing import ParsedCable, ParseFailure, parse_document, parse_text
from cables.parsing.records import SourceInfo

from .conftest import CABLEGATE_HTML, FIRST_ROWS_CSV, MIRROR_PAGES

REAL_FILES = [
    *(p.read_bytes() for p in MIRROR_PAGES),
    *(p.read_bytes() for p in CABLEGATE_HTML[:5]),
    FIRST_ROWS_CSV.read_bytes(),
]
SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@st.composite
def mutated_cables(draw) -> bytes:
    """A real corpus file with deletions, duplications, byte junk and truncation."""
    data = bytearray(draw(st.sampled_from(REAL_FILES)))
    for _ in range(draw(st.integers(0, 6))):
        if not data:
            break
        kind = draw(st.sampled_from(["delete", "duplicate", "junk", "truncate"]))
        start = draw(st.integers(0, len(data) - 1))
        length = draw(st.integers(1, 2000))
        if kind == "delete":
            del data[start : start + length]
        elif kind == "duplicate":
            data[start:start] = data[start : start + length]
        elif kind == "junk":
            data[start:start] = draw(st.binary(min_size=1, max_size=64))
        else:
            del data[start:]
    return bytes(data)


def assert_results(records) -> None:
    assert records, "every input gives at least one result"
    for record in records:
        assert isinstance(record, ParsedCable | ParseFailure)
        if isinstance(record, ParsedCable):
            assert record.ok
            # A bug caught by the safety net would show up as this warning.
            assert not [w for w in record.warnings if w.code == "parser-error"]
            record.to_json()
        else:
            assert record.reason


@SETTINGS
@given(mutated_cables(), st.sampled_from(["cable.txt", "cable.html", "cables.csv"]))
def test_mutated_real_cables_never_raise(data, name):
    assert_results(parse_document(data, name))


@SETTINGS
@given(st.binary(max_size=4000))
def test_random_bytes_never_raise(data):
    assert_results(parse_document(data, "random.bin"))


@SETTINGS
@given(st.text(max_size=3000))
def test_random_text_gives_a_cable_or_errors(text):
    cable = parse_text(text, SourceInfo("random.txt", "text"))
    assert isinstance(cable, ParsedCable)
    assert cable.ok or cable.errors
    assert not [w for w in cable.warnings if w.code == "parser-error"]
