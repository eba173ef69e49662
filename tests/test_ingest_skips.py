"""A directory of sources may hold files that are not cable sources (sample_corpus/ holds its
README.md and the release index cable2month.csv.gz): ingest skips them with a notice and exits
0, so `ingest --bulk sample_corpus/` works in a `set -e` restore; a file named on its own is
still parsed and its failure reported."""

import gzip
import io
import shutil

import pytest
from django.core.management import CommandError, call_command

from cables.models import Cable

from .conftest import CABLEGATE_HTML, CORPUS

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def folder(tmp_path):
    """Two real cablegate pages beside the sample's README.md and the head of its release
    index (gzip, like the original)."""
    for page in CABLEGATE_HTML[:2]:
        shutil.copy(page, tmp_path)
    shutil.copy(CORPUS / "README.md", tmp_path)
    with gzip.open(CORPUS / "cable2month.csv.gz", "rb") as index:
        head = b"".join(index.readline() for _ in range(500))
    (tmp_path / "cable2month.csv.gz").write_bytes(gzip.compress(head))
    return tmp_path


def run_ingest(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("ingest", *args, "--progress", "never", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.parametrize("mode", [[], ["--bulk"]], ids=["ingest", "bulk"])
def test_a_directory_walk_skips_the_readme_and_the_release_index_with_a_notice(folder, mode):
    out, err = run_ingest(*mode, str(folder))
    assert f"{folder / 'README.md'}: skipped, documentation, not a cable source" in err
    assert f"{folder / 'cable2month.csv.gz'}: skipped, the release's index" in err
    assert "no recognisable reference ID" not in err
    assert "failed 0" in out
    assert set(Cable.objects.values_list("reference_id", flat=True)) == {
        page.stem for page in CABLEGATE_HTML[:2]
    }


def test_a_file_named_on_its_own_is_still_parsed_and_its_failure_reported(folder):
    with pytest.raises(CommandError, match="1 input"):
        run_ingest(str(folder / "README.md"))
