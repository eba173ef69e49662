"""Bad input never raises: each becomes a ParseFailure with a clear reason."""

from cables.parsing import ParsedCable, ParseFailure, iter_path, parse_document, parse_text
from cables.parsing.records import SourceInfo

from .conftest import CABLEGATE_HTML, mirror_page


def only_failure(records) -> ParseFailure:
    (record,) = list(records)
    assert isinstance(record, ParseFailure), record
    return record


def test_an_empty_file(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    assert only_failure(iter_path(path)).reason == "empty file"


def test_binary_junk(tmp_path):
    path = tmp_path / "junk.bin"
    path.write_bytes(bytes(range(256)) * 20)
    assert only_failure(iter_path(path)).reason == "binary data, not a cable"


def test_an_html_page_that_is_not_a_cable():
    page = b"<!DOCTYPE html><html><body><h1>Cablegate mirror</h1><p>Nothing here</p></body></html>"
    assert only_failure(parse_document(page, "index.html")).reason == "HTML page without a cable"


def test_a_text_without_a_reference_id():
    # A real cable's paragraphs without its identifying lines.
    text = mirror_page("000").read_text(encoding="utf-8")
    start = text.index("1. (SBU) Summary")
    failure = only_failure(parse_document(text[start:].encode(), "fragment.txt"))
    assert failure.reason == "no recognisable reference ID"
    assert failure.source.path == "fragment.txt"


def test_parse_text_returns_a_cable_with_errors_instead_of_raising():
    cable = parse_text("just some words", SourceInfo("x.txt", "text"))
    assert isinstance(cable, ParsedCable)
    assert not cable.ok
    assert cable.errors == ["no recognisable reference ID"]


def test_a_missing_path():
    failure = only_failure(iter_path("/nonexistent/cables.csv"))
    assert failure.reason == "no such file or directory"


def test_an_unreadable_file(tmp_path, monkeypatch):
    path = tmp_path / "locked.html"
    path.write_bytes(CABLEGATE_HTML[0].read_bytes())
    real_open = open

    def refuse(file, *args, **kwargs):
        # chmod 0 does not stop root (CI runs as root), so the refusal is simulated.
        if str(file) == str(path):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", refuse)
    monkeypatch.setattr("io.open", refuse)
    assert only_failure(iter_path(path)).reason == "permission denied"


def test_a_directory_mixes_good_and_bad_inputs_in_sorted_order(tmp_path):
    (tmp_path / "a_empty.txt").write_bytes(b"")
    (tmp_path / "b_cable.html").write_bytes(CABLEGATE_HTML[0].read_bytes())
    (tmp_path / ".hidden.html").write_bytes(CABLEGATE_HTML[1].read_bytes())
    sub = tmp_path / "c_sub"
    sub.mkdir()
    (sub / "page.txt").write_bytes(mirror_page("003").read_bytes())
    records = list(iter_path(tmp_path))
    assert [type(r).__name__ for r in records] == ["ParseFailure", "ParsedCable", "ParsedCable"]
    assert records[1].reference_id == CABLEGATE_HTML[0].stem
    assert records[2].reference_id == "07ASTANA1848"
