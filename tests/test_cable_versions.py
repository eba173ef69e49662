"""Versions of a cable: every source's text kept, listed on the cable page, compared paragraph by
paragraph, with the paragraph links still pointing at the current text.

The cables are real ones the sample corpus holds twice: an original cablegate page and its row
of the cables.csv sample (09PARIS504, whose cables.csv row runs all of its paragraphs into the
first; 08TASHKENT1201, whose fifth paragraph breaks a line differently), and 72TEHRAN5055, in
three sources (two builds of the original site and cables.csv).
"""

import io
import re
from pathlib import Path

import pytest
from django.urls import reverse

from cables.ingest.bulk import bulk_load
from cables.ingest.incremental import delete_cables, ingest_paths
from cables.lib.archive_version import current_version
from cables.models import Cable, Source
from cables.search import get_backend
from cables.tooling.integrity import archive_rows
from cables.versions import comparison, versions_of
from tests.conftest import CABLEGATE_HTML, CABLEGATE_HTML_2011, mirror_page, rolled_back
from tests.helpers import partial_extract_of, sample_csv_rows, write_csv

pytestmark = pytest.mark.django_db

PARIS, TASHKENT, TEHRAN = "09PARIS504", "08TASHKENT1201", "72TEHRAN5055"
SINGLE = "07ASTANA2223"  # mirror page 000, in no other source


def page_of(reference_id: str) -> Path:
    (page,) = [path for path in CABLEGATE_HTML if path.stem == reference_id]
    return page


@pytest.fixture(scope="module")
def csv_rows(tmp_path_factory) -> Path:
    """The cables.csv sample's rows of the three cables, as a cables.csv file."""
    directory = tmp_path_factory.mktemp("versions")
    return write_csv(directory / "cables.csv", sample_csv_rows({PARIS, TASHKENT, TEHRAN}))


@pytest.fixture(scope="module")
def archive(django_db_setup, django_db_blocker, csv_rows):
    """The original pages first, then cables.csv and the 2011 build of 72TEHRAN5055, once per
    module; each test runs in a savepoint of this transaction, rolled back at the end."""
    tehran_2011 = [path for path in CABLEGATE_HTML_2011 if path.stem == TEHRAN]
    with rolled_back(django_db_blocker):
        summary = ingest_paths(
            [page_of(PARIS), page_of(TASHKENT), page_of(TEHRAN), mirror_page("000")]
        )
        summary2 = ingest_paths([csv_rows, *tehran_2011])
        assert summary.failed == summary2.failed == 0, summary.failures + summary2.failures
        yield {cable.reference_id: cable for cable in Cable.objects.all()}


@pytest.fixture
def empty_archive(db):
    """For tests that ingest for themselves: the module's archive (if it was loaded) goes, and
    comes back when the test's savepoint is rolled back."""
    delete_cables(Cable.objects.values_list("pk", flat=True))


def get(client, url: str, status: int = 200, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == status, response.content.decode()[:2000]
    return response.content.decode()


def cable_page(client, reference_id: str) -> str:
    return get(client, reverse("cables:cable-detail", args=[reference_id]))


def versions_url(reference_id: str) -> str:
    return reverse("cables:cable-versions", args=[reference_id])


def sources(reference_id: str) -> dict[str, Source]:
    """The cable's sources by format ("cablegate-html", "cables-csv")."""
    return {s.format: s for s in Source.objects.filter(cable__reference_id=reference_id)}


def section(html: str, element_id: str) -> str:
    start = html.index(f'id="{element_id}"')
    return html[start : html.index("</section>", start)]


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


class TestTheCablePage:
    def test_it_lists_both_sources_with_format_date_fullness_and_the_current_one(
        self, client, archive
    ):
        versions = section(cable_page(client, PARIS), "versions")
        rows = re.findall(
            r'<tr class="version[^"]*" data-version="(\d+)">(.*?)</tr>', versions, re.S
        )
        by_format = sources(PARIS)
        html, csv = by_format["cablegate-html"], by_format["cables-csv"]
        # The original page is fuller (5,742 characters of body against 5,729): it is shown.
        assert [int(pk) for pk, _ in rows] == [html.pk, csv.pk]
        current, other = (text_of(row) for _, row in rows)
        assert current.startswith("cablegate-html/09PARIS504.html original cablegate page")
        assert "full text" in current and "current" in current
        assert html.ingested_at.strftime("%Y-%m-%d %H:%M") in current
        assert re.match(r"versions\d*/cables\.csv, row \d+ cables\.csv row", other), other
        assert "current" not in other.replace("compare with current", "")
        assert "version-current" in versions.split("<tbody>")[1].split("</tr>")[0]

    def test_compare_links_name_the_version_and_the_current_one(self, client, archive):
        versions = section(cable_page(client, PARIS), "versions")
        by_format = sources(PARIS)
        link = (
            f'href="{versions_url(PARIS)}?a={by_format["cables-csv"].pk}'
            f'&amp;b={by_format["cablegate-html"].pk}"'
        )
        assert link in versions
        assert versions.count('class="compare-link"') == 1

    def test_a_cable_with_one_source_offers_no_comparison(self, client, archive):
        versions = section(cable_page(client, SINGLE), "versions")
        assert "Read from 1 source." in text_of(versions)
        assert "compare" not in versions
        assert "current" in text_of(versions)

    def test_three_sources_are_three_versions(self, client, archive):
        versions = section(cable_page(client, TEHRAN), "versions")
        assert versions.count('class="compare-link"') == 2
        current = Source.objects.get(cable__reference_id=TEHRAN, is_primary=True)
        assert "cablegate-html-2011" in current.path
        # Two builds of the original site name their pages alike: the folder tells them apart.
        assert "cablegate-html-2011/72TEHRAN5055.html" in text_of(versions)
        assert "cablegate-html/72TEHRAN5055.html" in text_of(versions)
        assert f'data-version="{current.pk}"' in versions.split("</tr>")[1]

    def test_the_paragraph_permalinks_are_those_of_the_current_text(self, client, archive):
        html = cable_page(client, PARIS)
        anchors = re.findall(r'<section class="para" id="(par\d+)"', html)
        numbers = Cable.objects.get(reference_id=PARIS).paragraphs.values_list("number", flat=True)
        assert anchors == [f"par{n}" for n in numbers] == [f"par{n}" for n in (1, 4, 5, 6, 7, 8, 9)]


class TestTheComparison:
    def test_it_aligns_paragraphs_by_number_and_marks_the_changes(self, client, archive):
        by_format = sources(PARIS)
        html = get(
            client,
            versions_url(PARIS),
            a=by_format["cables-csv"].pk,
            b=by_format["cablegate-html"].pk,
        )
        summary = text_of(html.split('class="diff-summary">')[1].split("</p>")[0])
        assert summary.startswith(
            "Paragraphs: 1 changed, 0 only in the first, 6 only in the second, 0 the same."
        )
        first = section(html, "diff-par1")
        assert "changed" in first
        # cables.csv ran paragraph 4 into paragraph 1: struck out there, since the page has it
        # as a paragraph of its own.
        deleted = " ".join(re.findall(r"<del[^>]*>(.*?)</del>", first, re.S))
        assert "France-Afrique\n4. (C) Rather than provide a narrative" in deleted
        fourth = section(html, "diff-par4")
        assert "only in the second version" in fourth
        assert re.search(r"<ins[^>]*>Rather than provide a narrative", fourth)

    def test_a_changed_line_break_is_shown_inside_its_paragraph(self, client, archive):
        by_format = sources(TASHKENT)
        html = get(
            client,
            versions_url(TASHKENT),
            a=by_format["cables-csv"].pk,
            b=by_format["cablegate-html"].pk,
        )
        fifth = section(html, "diff-par5")
        # "on October\n15." in cables.csv, "on October 15." on the original page.
        assert re.search(
            r'October<del title="[^"]*" class="ws ws-break">\n</del>'
            r'<ins title="[^"]*" class="ws ws-space"> </ins>15\.',
            fifth,
        ), fifth
        assert "Paragraphs: 1 changed, 0 only in the first, 0 only in the second, 4 the same" in (
            text_of(html)
        )

    def test_every_paragraph_links_to_the_current_texts_permalink(self, client, archive):
        by_format = sources(PARIS)
        html = get(client, versions_url(PARIS), a=by_format["cables-csv"].pk)
        links = re.findall(r'<a class="para-link" href="([^"]+)"', html)
        cable_url = reverse("cables:cable-detail", args=[PARIS])
        assert links == [f"{cable_url}#par{n}" for n in (1, 4, 5, 6, 7, 8, 9)]

    def test_without_parameters_it_compares_a_version_with_the_current_one(self, client, archive):
        html = get(client, versions_url(PARIS))
        by_format = sources(PARIS)
        assert f'<option value="{by_format["cables-csv"].pk}" selected>' in html
        assert f'<option value="{by_format["cablegate-html"].pk}" selected>' in html
        assert "diff-par4" in html

    def test_any_two_versions_can_be_compared_either_way(self, archive):
        cable = archive[TEHRAN]
        first, second, third = (version.id for version in versions_of(cable))
        forward = comparison(cable, second, third)
        backward = comparison(cable, third, second)
        assert forward.first.id == backward.second.id == second
        assert [c.number for c in forward.changes] == [c.number for c in backward.changes]
        # Same paragraphs in all three sources of this cable; the raw texts differ.
        assert forward.counts["same"] == len(forward.changes) == 3
        assert forward.body_hunks and not forward.identical

    def test_a_cable_with_one_version_has_nothing_to_compare(self, client, archive):
        html = get(client, versions_url(SINGLE))
        assert "This cable has only one version" in html
        assert "diff-para" not in html


class TestBadParameters:
    @pytest.mark.parametrize(
        "params, message",
        [
            ({"a": "abc"}, "Versions are named by number"),
            ({"a": "1.5", "b": "2"}, "Versions are named by number"),
            ({"b": "-3"}, "Version numbers start at 1."),
            ({"a": "9" * 30}, "There is no version with so large a number."),
        ],
    )
    def test_a_malformed_version_is_a_400_with_a_message(self, client, archive, params, message):
        html = get(client, versions_url(PARIS), status=400, **params)
        assert message in html and 'role="alert"' in html

    def test_the_same_version_twice_is_a_400(self, client, archive):
        pk = sources(PARIS)["cables-csv"].pk
        html = get(client, versions_url(PARIS), status=400, a=pk, b=pk)
        assert "Choose two different versions to compare." in html

    def test_a_version_of_another_cable_or_none_at_all_is_a_404(self, client, archive):
        other = sources(TASHKENT)["cables-csv"].pk
        html = get(client, versions_url(PARIS), status=404, a=other)
        assert f"09PARIS504 has no version {other}." in html
        missing = Source.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1000
        get(client, versions_url(PARIS), status=404, b=missing)

    def test_an_unknown_cable_is_a_404(self, client, archive):
        get(client, versions_url("99NOWHERE1"), status=404)


@pytest.mark.usefixtures("empty_archive")
class TestIngestKeepsEveryText:
    """Which text wins is ingest's rule; each source keeps its own, whatever the order."""

    @pytest.mark.parametrize("order", ["page first", "cables.csv first"])
    def test_either_order_keeps_both_texts_and_shows_the_fuller_one(self, csv_rows, order):
        inputs = [page_of(PARIS), csv_rows]
        ingest_paths(inputs if order == "page first" else inputs[::-1])
        cable = Cable.objects.get(reference_id=PARIS)
        by_format = sources(PARIS)
        html, csv = by_format["cablegate-html"], by_format["cables-csv"]
        assert html.is_primary and not csv.is_primary
        # The shown text is not stored twice; the other one is kept on its source.
        assert html.kept_text is None and html.content_hash == cable.content_hash
        assert csv.content_hash not in ("", cable.content_hash)
        assert [row[0] for row in csv.kept_text["paragraphs"]] == [1]
        assert "France-Afrique\n4. (C) Rather than" in csv.kept_text["paragraphs"][0][3]
        assert "France-Afrique" in csv.kept_text["body"] and csv.kept_text["header"]
        assert [v.kept for v in versions_of(cable)] == [True, True]

    def test_both_orders_end_with_the_same_versions(self, csv_rows):
        def versions():
            return sorted(
                (s.format, s.is_primary, s.content_hash, s.kept_text)
                for s in Source.objects.filter(cable__reference_id__in=[PARIS, TASHKENT])
            )

        inputs = [page_of(PARIS), page_of(TASHKENT), csv_rows]
        ingest_paths(inputs)
        first = versions()
        Cable.objects.all().delete()
        ingest_paths(inputs[::-1])
        assert versions() == first

    def test_ingesting_the_same_sources_again_adds_and_rewrites_nothing(self, csv_rows):
        inputs = [page_of(PARIS), csv_rows]
        ingest_paths(inputs)
        before = list(Source.objects.order_by("pk").values())
        version = current_version().number
        again = ingest_paths(inputs)
        assert (again.created, again.updated, again.failed) == (0, 0, 0)
        assert list(Source.objects.order_by("pk").values()) == before  # ingested_at too
        assert current_version().number == version  # cached pages stay valid

    def test_a_new_source_of_a_held_cable_is_a_change_readers_see(self, csv_rows):
        ingest_paths([page_of(PARIS)])
        version = current_version().number
        summary = ingest_paths([csv_rows])
        assert (summary.created, summary.unchanged) == (2, 1)
        assert Source.objects.filter(cable__reference_id=PARIS).count() == 2
        assert current_version().number > version  # the cable page lists a new version

    def test_a_full_text_replacing_a_partial_extract_keeps_the_extract(self, tmp_path, client):
        # The corpus holds no cable as both; the extract is cut from the real page, as
        # tests/test_ingest.py does.
        full = [path for path in CABLEGATE_HTML if path.stem == "05TASHKENT2473"][0]
        partial = partial_extract_of(full, keep_paragraphs=2, out_dir=tmp_path)
        ingest_paths([partial])
        ingest_paths([full])
        by_path = {s.path: s for s in Source.objects.all()}
        assert by_path[str(full)].is_primary and by_path[str(full)].kept_text is None
        kept = by_path[str(partial)].kept_text
        assert [row[0] for row in kept["paragraphs"]] == [1, 2]
        versions = section(cable_page(client, "05TASHKENT2473"), "versions")
        assert "partial extract" in versions and "full text" in versions
        html = get(
            client,
            versions_url("05TASHKENT2473"),
            a=by_path[str(partial)].pk,
            b=by_path[str(full)].pk,
        )
        assert "0 changed, 0 only in the first, 4 only in the second, 2 the same" in text_of(html)

    def test_the_bulk_load_keeps_the_same_versions_as_the_normal_ingest(self, csv_rows):
        inputs = [csv_rows, page_of(PARIS), page_of(TASHKENT), page_of(TEHRAN)]
        ingest_paths(inputs)
        expected = archive_rows()["sources"]
        Cable.objects.all().delete()
        get_backend().rebuild()
        summary = bulk_load(inputs, workers=1, stdout=io.StringIO(), stderr=io.StringIO())
        assert not summary.fell_back and summary.updated == 3
        assert archive_rows()["sources"] == expected
        # A cable read once costs no copy of its text.
        single = ingest_paths([mirror_page("000")])
        assert single.created == 1
        assert Source.objects.get(cable__reference_id=SINGLE).kept_text is None


@pytest.mark.usefixtures("empty_archive")
class TestRowsFromBeforeTextsWereKept:
    """An archive ingested before migration 0015: sources without digest or text."""

    @pytest.fixture
    def legacy(self, csv_rows):
        ingest_paths([page_of(PARIS), csv_rows])
        Source.objects.update(content_hash="", kept_text=None)
        return sources(PARIS)

    def test_the_cable_page_says_the_text_was_not_kept(self, client, legacy):
        versions = section(cable_page(client, PARIS), "versions")
        assert "text not kept for this source" in versions
        assert versions.count("text not kept") == 1  # the shown one is still recognised
        assert "current" in text_of(versions)

    def test_the_comparison_says_so_instead_of_failing(self, client, legacy):
        html = get(client, versions_url(PARIS), a=legacy["cables-csv"].pk)
        assert "text not kept for this source" in html
        assert "diff-para" not in html

    def test_ingesting_the_sources_again_keeps_their_texts(self, client, legacy, csv_rows):
        ingest_paths([page_of(PARIS), csv_rows])
        versions = section(cable_page(client, PARIS), "versions")
        assert "text not kept" not in versions
        assert Source.objects.get(pk=legacy["cables-csv"].pk).kept_text is not None
        html = get(client, versions_url(PARIS), a=legacy["cables-csv"].pk)
        assert "diff-par4" in html

    def test_a_fuller_source_arriving_later_keeps_the_old_shown_text(self, tmp_path):
        # The legacy primary is replaced by a fuller text: its text is kept first.
        partial = partial_extract_of(page_of(TASHKENT), keep_paragraphs=2, out_dir=tmp_path)
        ingest_paths([partial])
        Source.objects.filter(path=str(partial)).update(content_hash="", kept_text=None)
        ingest_paths([page_of(TASHKENT)])
        old = Source.objects.get(path=str(partial))
        assert not old.is_primary
        assert [row[0] for row in old.kept_text["paragraphs"]] == [1, 2]
