"""cables.csv input: streaming, gzip by magic bytes, row numbers, truncated rows."""

import gzip
import shutil
from datetime import datetime

from cables.parsing import ParsedCable, ParseFailure, detect_format, iter_path
from cables.parsing.records import FORMAT_CSV

from .conftest import FIRST_ROWS_CSV, SAMPLE_CSV


def test_the_first_rows_of_the_official_file():
    records = list(iter_path(FIRST_ROWS_CSV))
    assert [r.reference_id for r in records] == ["66BUENOSAIRES2481", "72TEHRAN1164"]
    first = records[0]
    assert first.source.row == 1 and records[1].source.row == 2
    assert first.source.format == FORMAT_CSV
    assert first.created == datetime(1966, 12, 28, 18, 48)
    assert first.origin == "Embassy Buenos Aires"
    assert first.classification == "UNCLASSIFIED"
    # The release's own references column wins over the REF line.
    assert first.references == ["66STATE106206"]
    assert first.tags == ["EFIS", "PBTS", "AR"]
    assert first.subject == "EXTENDED NATIONAL JURISDICTIONS OVER HIGH SEAS"
    assert first.header.startswith("P R 281848Z DEC 66\nFM AMEMBASSY BUENOS AIRES")
    assert 'OF \\"PREFERENTIAL JURISDICTION\\"' not in first.body
    assert 'OF "PREFERENTIAL JURISDICTION"' in first.body


def test_the_whole_sample_streams_with_one_record_per_row():
    count = 0
    for count, record in enumerate(iter_path(SAMPLE_CSV), 1):
        assert isinstance(record, ParsedCable), record
        assert record.source.row == count
    assert count == 4533


def test_gzip_is_detected_by_magic_bytes_not_the_extension(tmp_path):
    disguised = tmp_path / "cables-without-extension"
    shutil.copy(SAMPLE_CSV, disguised)
    assert detect_format(disguised.read_bytes()[:4096], str(disguised)) == FORMAT_CSV
    first = next(iter_path(disguised))
    assert first.reference_id == "66BUENOSAIRES2481"


def test_references_of_the_sample_come_from_the_ref_lines():
    # The sample's references column is empty; `REF: STATE 106206 CIRCULAR; STATE CA-3400
    # NOV 2, 1966` names one cable of the cable's own year (CA-3400 is an airgram, skipped).
    first = next(iter_path(SAMPLE_CSV))
    assert first.references == ["66STATE106206"]


def _first_row_text() -> str:
    return FIRST_ROWS_CSV.read_text(encoding="utf-8")


def test_a_row_with_too_few_fields_is_a_failure_and_the_run_goes_on(tmp_path):
    text = _first_row_text()
    second_row_start = text.index('"2","')
    broken = '"1","12/28/1966 18:48","66BUENOSAIRES2481","Embassy Buenos Aires","UNCLASSIFIED"\n'
    path = tmp_path / "cables.csv"
    path.write_text(broken + text[second_row_start:], encoding="utf-8")
    records = list(iter_path(path))
    assert isinstance(records[0], ParseFailure)
    assert records[0].reason == "truncated row: 5 of 8 fields"
    assert records[0].source.row == 1
    assert records[1].reference_id == "72TEHRAN1164" and records[1].source.row == 2


def test_an_unterminated_quoted_field_at_the_end_is_a_failure(tmp_path):
    text = _first_row_text()
    cut = text[: len(text) - 2000]
    path = tmp_path / "cables.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write(cut)
    records = list(iter_path(path))
    assert records[0].reference_id == "66BUENOSAIRES2481"
    assert isinstance(records[-1], ParseFailure)
    assert records[-1].source.row == 2
    assert "unterminated quoted field" in records[-1].reason
