"""A normal ingest killed with SIGKILL and run again leaves the archive a clean ingest leaves.

The full run (the whole sample, 20 kill points per backend) is `scripts/kill9_ingest.py`; its
figures are in docs/reliability.md. Here: three kill points on a smaller part of the sample,
on the backend the suite runs on, and proof that the comparison sees a damaged index.
"""

import importlib.util
import os
import sys
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection

from cables.ingest.incremental import ingest_paths
from cables.models import Paragraph
from cables.search.postgres import VECTOR_INDEX
from cables.tooling.integrity import archive_digest

from .conftest import CABLEGATE_HTML, CABLEGATE_HTML_2011, FIRST_ROWS_CSV, MIRROR_PAGES, ROOT

MAIN_INDEX = {"sqlite": "cables_paragraph_fts", "postgresql": VECTOR_INDEX}

SCRIPT = ROOT / "scripts" / "kill9_ingest.py"
INPUTS = [
    str(path.relative_to(ROOT))
    for path in (MIRROR_PAGES[0].parent, CABLEGATE_HTML[0].parent, CABLEGATE_HTML_2011[0].parent)
] + [str(FIRST_ROWS_CSV.relative_to(ROOT))]


def kill9_script():
    spec = importlib.util.spec_from_file_location("kill9_ingest", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def scratch_database_url() -> str | None:
    """On PostgreSQL, a scratch database beside the suite's own (the script drops it)."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        return None
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"{parts.path}_kill9_test"))


@pytest.mark.slow
def test_an_ingest_killed_three_times_then_rerun_equals_a_clean_ingest(tmp_path):
    script = kill9_script()
    lines = []

    clean_seconds, trials = script.run_trials(
        kill_points=3,
        kills_per_trial=3,
        seed=3,
        workdir=tmp_path,
        database_url=scratch_database_url(),
        inputs=INPUTS,
        say=lines.append,
    )

    assert lines[0].startswith(f"clean ingest ({connection.vendor})")
    kills = [kill for trial in trials for kill in trial.kills]
    assert len(kills) == 3
    assert all(0 < kill["after_seconds"] < clean_seconds for kill in kills)
    assert [trial.differences for trial in trials] == [[]] * len(trials), lines
    assert all(trial.ok for trial in trials)


@pytest.mark.django_db
class TestTheComparisonSeesDamage:
    @pytest.fixture
    def ingested(self):
        ingest_paths([MIRROR_PAGES[0].parent])
        return archive_digest()

    def test_a_sound_archive_has_no_index_problem(self, ingested):
        if connection.vendor == "sqlite":
            assert set(ingested["search_index"]) == {"cables_paragraph_fts"}
        else:
            assert set(ingested["search_index"]) == {VECTOR_INDEX}
        main = ingested["search_index"][MAIN_INDEX[connection.vendor]]
        assert main["expected"] == main["indexed"] == Paragraph.objects.count() > 0
        assert all(state["wrong"] == 0 for state in ingested["search_index"].values())

    def test_a_paragraph_missing_from_the_index_is_found(self, ingested):
        paragraph = Paragraph.objects.order_by("pk").first()
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO cables_paragraph_fts(cables_paragraph_fts, rowid, text) "
                    "VALUES('delete', %s, %s)",
                    [paragraph.pk, paragraph.text],
                )
        else:
            # Its terms lost (a crash between the rows and `index_cables`).
            Paragraph.objects.filter(pk=paragraph.pk).update(search_vector=None)
        main = archive_digest()["search_index"][MAIN_INDEX[connection.vendor]]
        assert main["indexed"] == main["expected"] - 1
        assert main["wrong"] > 0

    def test_a_changed_paragraph_changes_the_digest(self, ingested):
        Paragraph.objects.filter(pk=Paragraph.objects.order_by("pk").first().pk).update(
            text="changed"
        )
        changed = archive_digest()
        assert changed["tables"]["paragraphs"] != ingested["tables"]["paragraphs"]
        # The index still holds the old words of that paragraph: a stale entry.
        assert changed["search_index"][MAIN_INDEX[connection.vendor]]["wrong"] > 0
