"""`manage.py parse_cables`: JSON per cable, failures on stderr, exit status, no database."""

import json

from .conftest import CABLEGATE_HTML, CORPUS, MIRROR_PAGES
from .helpers import run


def test_jsonl_gives_one_record_per_mirror_page_with_the_known_values():
    out, err, status = run("--jsonl", CORPUS / "mirror-pages")
    assert status == 0 and err == ""
    records = [json.loads(line) for line in out.splitlines()]
    assert len(records) == len(MIRROR_PAGES) == 5
    summary = {r["reference_id"]: (r["created"], r["classification"], r["origin"]) for r in records}
    assert summary == {
        "07ASTANA2223": (
            "2007-08-14T13:03:00",
            "UNCLASSIFIED//FOR OFFICIAL USE ONLY",
            "Embassy Astana",
        ),
        "05ALMATY4029": ("2005-11-09T21:12:00", "CONFIDENTIAL", "US Office Almaty"),
        "07ASTANA2244": (
            "2007-08-19T23:55:00",
            "UNCLASSIFIED//FOR OFFICIAL USE ONLY",
            "Embassy Astana",
        ),
        "07ASTANA1848": ("2007-07-09T00:09:00", "CONFIDENTIAL", "Embassy Astana"),
        # No date anywhere; origin taken from 05ALMATY4029 seen earlier in the run.
        "05ALMATY4123": (None, "UNCLASSIFIED//FOR OFFICIAL USE ONLY", "US Office Almaty"),
    }
    assert records[0]["source"]["path"].endswith("000_e30dfad18e527f3c.txt")
    assert set(records[0]) >= {
        "reference_id",
        "created",
        "released",
        "classification",
        "origin",
        "subject",
        "tags",
        "references",
        "signers",
        "classified_by",
        "classification_reasons",
        "declassify_on",
        "transmission_id",
        "partial",
        "summary",
        "paragraphs",
        "warnings",
        "source",
    }


def test_default_output_is_an_indented_json_array():
    out, _, status = run(CABLEGATE_HTML[0], CABLEGATE_HTML[1])
    assert status == 0
    records = json.loads(out)
    assert [r["reference_id"] for r in records] == [CABLEGATE_HTML[0].stem, CABLEGATE_HTML[1].stem]
    assert "\n  " in out


def test_csv_rows_carry_their_row_number():
    out, _, status = run("--jsonl", CORPUS / "cables-csv-first-rows.csv")
    assert status == 0
    rows = [json.loads(line)["source"] for line in out.splitlines()]
    assert [(s["format"], s["row"]) for s in rows] == [("cables-csv", 1), ("cables-csv", 2)]


def test_failures_are_named_on_stderr_and_the_others_still_come_out(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "page.html").write_bytes(CABLEGATE_HTML[0].read_bytes())
    out, err, status = run("--jsonl", tmp_path)
    assert status == 1
    assert f"{tmp_path / 'empty.txt'}: empty file" in err
    assert [json.loads(line)["reference_id"] for line in out.splitlines()] == [
        CABLEGATE_HTML[0].stem
    ]


def test_it_needs_no_database(django_db_blocker):
    # Outside a django_db test every database access raises; the command must not try one.
    with django_db_blocker.block():
        out, _, status = run("--jsonl", CORPUS / "mirror-pages" / MIRROR_PAGES[3].name)
    assert status == 0
    assert json.loads(out)["reference_id"] == "07ASTANA1848"


def test_help_describes_every_flag():
    from cables.management.commands.parse_cables import Command

    parser = Command().create_parser("manage.py", "parse_cables")
    own = [a for a in parser._actions if a.dest in ("paths", "jsonl")]
    assert len(own) == 2
    assert all(action.help for action in own)
    assert "without a database" in parser.description
