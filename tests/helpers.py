"""Helpers shared by test modules: sample rows and pages cut the way real sources differ, the
seed cables, fresh processes. Fixtures live in conftest.py."""

import csv
import gzip
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

from django.core.management import call_command

from cables.entities.loading import load_starter_list
from cables.ingest.incremental import ingest_paths
from cables.models import Cable

from .conftest import MIRROR_PAGES, ROOT, SAMPLE_CSV, mirror_page

csv.field_size_limit(sys.maxsize)
CSV_DIALECT = {"escapechar": "\\", "doublequote": False}
SEED_REFERENCES = ["07ASTANA2223", "05ALMATY4029", "07ASTANA2244", "07ASTANA1848", "05ALMATY4123"]


def sample_csv_rows(reference_ids: set[str]) -> list[list[str]]:
    """The real rows of these cables from the bundled cables.csv sample."""
    with gzip.open(SAMPLE_CSV, "rt", encoding="utf-8", newline="") as handle:
        return [row for row in csv.reader(handle, **CSV_DIALECT) if row[2] in reference_ids]


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL, lineterminator="\n", **CSV_DIALECT)
        writer.writerows(rows)
    return path


PARTIAL_NOTICE = (
    "This record is a partial extract of the original cable. "
    "The full text of the original cable is not available."
)


def partial_extract_of(page: Path, keep_paragraphs: int, out_dir: Path) -> Path:
    """The page as the original site showed partial extracts: notice, first paragraphs only.

    The corpus holds no cable in both forms, so the partial one is cut from a real full page.
    """
    html = page.read_text(encoding="utf-8")
    header_start = html.index("<code><pre>")
    header_end = html.index("</pre></code>", header_start) + len("</pre></code>")
    html = html[:header_start] + f"<code><pre>{PARTIAL_NOTICE}</pre></code>" + html[header_end:]
    cut = html.index(f"<a id='par{keep_paragraphs + 1}'")
    html = html[:cut] + html[html.index("</pre></code>", cut) :]
    out = out_dir / "partial" / page.name
    out.parent.mkdir()
    out.write_text(html, encoding="utf-8")
    return out


def extract_of_mirror_page_000(tmp_path, *, cut_abilov_paragraph: bool = False):
    """07ASTANA2223 as a partial extract, built from the real file the way extracts differ.

    The extract carries the partial-extract notice, lacks the summary paragraph and numbers
    the rest from 1, so the full text's ¶7 is the extract's ¶6. With `cut_abilov_paragraph`
    that paragraph also loses its last clause, as truncated extracts do: its text (and hash)
    differ from the full text's, only the words around "Abilov" stay.
    """
    source = mirror_page("000").read_text(encoding="utf-8")
    head, _, rest = source.partition("1. (SBU) Summary:")
    body = rest[rest.index("\n2. (SBU)") + 1 :]
    body = re.sub(r"^(\d{1,2})\. \(", lambda m: f"{int(m.group(1)) - 1}. (", body, flags=re.M)
    if cut_abilov_paragraph:
        words = [
            "and",
            "was",
            "leading",
            "in",
            "Almaty",
            "and",
            "two",
            "or",
            "three",
            "other",
            "regions",
        ]
        body, cuts = re.subn(r"\s+" + r"\s+".join(words), "", body)
        assert cuts == 1
    notice = (
        "This record is a partial extract of the original cable. The full text of the"
        " original cable is not available.\n"
    )
    path = tmp_path / "07ASTANA2223-extract.txt"
    path.write_text(head.replace("Reference ID Created", notice + "Reference ID Created") + body)
    return path


def seed_mirror_pages() -> list[Cable]:
    """The starter entity list and the five seed cables (sample_corpus/mirror-pages), ingested
    and tagged."""
    load_starter_list()
    ingest_paths([MIRROR_PAGES[0].parent])
    return list(Cable.objects.filter(reference_id__in=SEED_REFERENCES))


def run_settings(env: dict, code: str = "print('started')") -> subprocess.CompletedProcess:
    """A fresh Python that sets Django up with these environment variables, then runs `code`."""
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env={"DJANGO_SETTINGS_MODULE": "cablearchive.settings", "PATH": "/usr/bin", **env},
        capture_output=True,
        text=True,
    )


def run(*args) -> tuple[str, str, int]:
    out, err = StringIO(), StringIO()
    try:
        call_command("parse_cables", *map(str, args), stdout=out, stderr=err)
        status = 0
    except SystemExit as exit_:
        status = exit_.code
    return out.getvalue(), err.getvalue(), status


# A statement that runs for many seconds unless the database stops it.
SLOW_STATEMENT = {
    "postgresql": "SELECT pg_sleep(30)",
    "sqlite": (
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000000)"
        " SELECT count(*) FROM n"
    ),
}
