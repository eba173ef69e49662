"""Coverage of the release: per post and year, the release's cables against the archive's.

The whole bundled sample is loaded once (4,544 cables). Expected figures come from reading
`cable2month.csv.gz` and the cables table directly, with a plain regular expression for the
station of a reference ID, never from the coverage code under test.
"""

import gzip
import io
import re
from collections import Counter

import pytest
from django.urls import reverse

from cables.coverage import selectors as coverage
from cables.ingest.bulk import bulk_load
from cables.lib.archive_version import archive_changed
from cables.models import Cable, Reference
from cables.parsing.release_index import OTHER, read_release_index

from .conftest import (
    CABLEGATE_HTML,
    CABLEGATE_HTML_2011,
    CORPUS,
    MIRROR_PAGES,
    SAMPLE_CSV,
    rolled_back,
)

SAMPLE = [
    MIRROR_PAGES[0].parent,
    CABLEGATE_HTML[0].parent,
    CABLEGATE_HTML_2011[0].parent,
    SAMPLE_CSV,
]
INDEX_FILE = CORPUS / "cable2month.csv.gz"
MONTHS = "January February March April May June July August September October November December"
# Posts with cables in the sample, from a few to many.
POSTS = ["ASTANA", "TASHKENT", "STATE"]

pytestmark = pytest.mark.django_db


def release_file() -> dict[str, int]:
    """reference ID -> month, straight from the file."""
    with gzip.open(INDEX_FILE, "rt", encoding="utf-8") as lines:
        return {
            reference_id: int(month)
            for reference_id, month in (line.strip().split(",") for line in lines)
        }


def year_of(reference_id: str) -> int:
    yy = int(reference_id[:2])
    return 1900 + yy if yy >= 60 else 2000 + yy


def ids_of_post(ids, post: str) -> list[str]:
    """The IDs that name the post right before their serial (`07ASTANA2223`, and the release's
    `06ASTANA` with none, `08EFTOLONDON123`, `06SECTION01OF02HARARE628`)."""
    return [i for i in ids if re.search(rf"{post}(\d|$)", i)]


@pytest.fixture(scope="module")
def release() -> dict[str, int]:
    return release_file()


@pytest.fixture(scope="module")
def archive(django_db_setup, django_db_blocker):
    """The whole sample, bulk loaded once for the module and rolled back at its end."""
    with rolled_back(django_db_blocker):
        summary = bulk_load(
            SAMPLE, workers=1, stdout=io.StringIO(), stderr=io.StringIO(), tag_entities=False
        )
        assert summary.failed == 0
        yield dict(Cable.objects.values_list("reference_id", "partial"))


def get(client, url, status=200, **params):
    response = client.get(url, params)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def table_row(html: str, css: str) -> list[int]:
    """The numbers of one row of a coverage table: exist, full, partial, missing."""
    row = re.search(rf"<tr{css}>.*?</tr>", html, re.S).group(0)
    return [
        int(re.search(rf'<td class="num {kind}">([\d,]+)</td>', row).group(1).replace(",", ""))
        for kind in ("exist", "full", "partial", "missing")
    ]


# --- the release index ---------------------------------------------------------------------------


def test_the_release_index_counts_every_id_of_the_file_once(release):
    index = read_release_index(INDEX_FILE)
    assert len(release) == 251_287
    assert index.total == 251_287
    assert all(reference_id in index for reference_id in release)
    assert index.entry("66BUENOSAIRES2481").month_name == "December 1966"


def test_garbled_ids_go_to_the_station_they_name_and_misspellings_to_other(release):
    index = read_release_index(INDEX_FILE)
    # Seen in the file: a garbled section marker, an EFTO prefix, a misspelling.
    garbled = next(i for i in release if re.fullmatch(r"\d{2}SECI?ON01OF02HARARE\d+", i))
    efto = next(i for i in release if re.fullmatch(r"\d{2}EFTOLONDON\d+", i))
    assert index.entry(garbled).post == "HARARE"
    assert index.entry(efto).post == "LONDON"
    assert index.entry("7575LIBREVILLE1895").post == "LIBREVILLE"
    assert index.entry("7575LIBREVILLE1895").year == 1975
    misspelt = next(i for i in release if re.fullmatch(r"\d{2}HONGKOG\d+", i))
    assert index.entry(misspelt).post == OTHER
    assert index.entry("07ASTANA2223").post == "ASTANA"
    assert index.entry("07ASTANA22230") is None and "99NOWHERE1" not in index


# --- the coverage page ---------------------------------------------------------------------------


class TestCoveragePage:
    def test_the_grand_total_is_the_whole_release(self, client, archive):
        html = get(client, reverse("cables:coverage"))
        assert table_row(html, ' class="total"')[0] == 251_287
        assert "The 2010–2011 release had 251,287 cables" in html
        result = coverage.overview()
        assert result.total.exist == 251_287
        assert sum(row.exist for row in result.posts) == 251_287
        assert sum(row.exist for row in result.years) == 251_287

    def test_the_archive_side_counts_every_cable_as_full_text_or_partial(self, client, archive):
        html = get(client, reverse("cables:coverage"))
        exist, full, partial, missing = table_row(html, ' class="total"')
        assert full == sum(1 for p in archive.values() if not p)
        assert partial == sum(1 for p in archive.values() if p)
        assert full + partial == len(archive) == 4_544
        assert missing == 251_287 - 4_544

    def test_full_partial_and_missing_add_up_in_every_row(self, client, archive, release):
        html = get(client, reverse("cables:coverage"))
        assert len(re.findall(r'<tr data-post="', html)) == 274 + 1  # the stations and Other
        years = {year_of(reference_id) for reference_id in release}
        assert len(re.findall(r'<tr data-year="', html)) == len(years)
        result = coverage.overview()
        for row in [*result.posts, *result.years, result.total]:
            assert row.full + row.partial + row.missing == row.exist
            assert row.missing >= 0 and row.full >= 0 and row.partial >= 0

    @pytest.mark.parametrize("post", POSTS)
    def test_a_posts_counts_match_the_release_file_and_the_cables_table(
        self, client, archive, release, post
    ):
        in_release = ids_of_post(release, post)
        held = ids_of_post(archive, post)
        assert held, f"the sample holds cables of {post}"
        html = get(client, reverse("cables:coverage"))
        exist, full, partial, missing = table_row(html, f' data-post="{post}"')
        assert exist == len(in_release)
        assert full == sum(1 for i in held if not archive[i])
        assert partial == sum(1 for i in held if archive[i])
        assert missing == len(set(in_release) - set(held))

    def test_a_posts_page_breaks_its_cables_down_by_year(self, client, archive, release):
        in_release = Counter(year_of(i) for i in ids_of_post(release, "ASTANA"))
        held = Counter(year_of(i) for i in ids_of_post(archive, "ASTANA"))
        html = get(client, reverse("cables:coverage-post", args=["ASTANA"]))
        assert "Embassy Astana" in html  # the archive's name for the post
        years = re.findall(r'<tr data-year="(\d+)"', html)
        assert [int(y) for y in years] == sorted(in_release)
        for year, n in in_release.items():
            exist, full, partial, missing = table_row(html, f' data-year="{year}"')
            assert exist == n and full + partial == held[year]
        assert table_row(html, ' class="total"')[0] == sum(in_release.values())

    def test_a_year_of_a_post_lists_each_cable_where_it_is(self, client, archive, release):
        html = get(client, reverse("cables:coverage-post", args=["astana"]), year=2007)
        listed = dict(
            (reference_id, kind)
            for kind, block in re.findall(
                r'<ul class="id-list (held-full|held-partial|missing-ids)">(.*?)</ul>', html, re.S
            )
            for reference_id in re.findall(r'href="/cable/([^/]+)/"', block)
        )
        expected = [i for i in ids_of_post(release, "ASTANA") if year_of(i) == 2007]
        assert sorted(listed) == sorted(expected)
        for reference_id, kind in listed.items():
            state = archive.get(reference_id)
            assert kind == (
                "missing-ids" if state is None else "held-partial" if state else "held-full"
            )
        assert listed["07ASTANA2223"] == "held-full"

    def test_the_name_filter_keeps_matching_posts_and_the_whole_total(self, client, archive):
        html = get(client, reverse("cables:coverage"), name="buenos aires")
        assert re.findall(r'<tr data-post="([^"]+)"', html) == ["BUENOSAIRES"]
        shown = table_row(html, ' class="subtotal"')
        assert shown == table_row(html, ' data-post="BUENOSAIRES"')
        assert table_row(html, ' class="total"')[0] == 251_287

    def test_a_year_shows_that_years_cables_per_post(self, client, archive, release):
        html = get(client, reverse("cables:coverage"), year=2007)
        expected = sum(1 for i in release if i.startswith("07"))
        assert table_row(html, ' class="total"')[0] == expected
        exist = table_row(html, ' data-post="ASTANA"')[0]
        assert exist == sum(1 for i in ids_of_post(release, "ASTANA") if i.startswith("07"))
        assert 'href="/coverage/ASTANA/?year=2007"' in html

    def test_posts_sort_by_name_or_by_cables(self, client, archive):
        by_name = re.findall(r'<tr data-post="([^"]+)"', get(client, "/coverage/", sort="post"))
        assert by_name[:-1] == sorted(by_name[:-1]) and by_name[-1] == OTHER
        by_size = coverage.overview(sort="cables").posts
        assert [row.exist for row in by_size] == sorted((r.exist for r in by_size), reverse=True)
        assert by_size[0].key == "STATE"

    @pytest.mark.parametrize(
        "params, message",
        [
            ({"year": "1800"}, "The release has no cables of that year."),
            ({"sort": "random"}, "Unknown order"),
            ({"name": "x" * 101}, "at most 100 characters"),
        ],
    )
    def test_bad_parameters_get_a_message(self, client, archive, params, message):
        html = get(client, reverse("cables:coverage"), 400, **params)
        assert message in html

    def test_an_unknown_post_is_not_found(self, client, archive):
        get(client, reverse("cables:coverage-post", args=["NOWHERE"]), 404)
        assert "must be a number" in get(client, "/coverage/ASTANA/", 400, year="last")

    def test_the_page_runs_few_queries_once_its_counts_are_stored(
        self, client, archive, django_assert_max_num_queries
    ):
        get(client, reverse("cables:coverage"))
        with django_assert_max_num_queries(3):
            get(client, reverse("cables:coverage"), name="a")

    def test_home_and_navigation_link_to_the_coverage_page(self, client, archive):
        html = get(client, reverse("cables:home"))
        assert html.count('href="/coverage/"') == 2  # the navigation and the home page

    def test_a_cable_outside_the_release_index_is_counted_on_its_own_line(self, client, archive):
        real = Cable.objects.get(reference_id="07ASTANA2223")
        Cable.objects.create(
            reference_id="07ASTANA99999",  # a serial Astana never reached in 2007
            created=real.created,
            year=real.year,
            origin=real.origin,
            subject=real.subject,
            body=real.body,
        )
        archive_changed()
        # The first reader after a change is served the stored counts while they are counted
        # again (cables/summaries.py); the next one sees the new ones.
        get(client, reverse("cables:coverage"))
        html = get(client, reverse("cables:coverage"))
        line = re.search(r'<tr class="unindexed".*?</tr>', html, re.S).group(0)
        assert "1 cable " in line
        assert 'href="/cable/07ASTANA99999/">07ASTANA99999</a>' in html
        # Counted there, not in any post: the totals are the release's.
        exist, full, partial, _ = table_row(html, ' class="total"')
        assert exist == 251_287 and full + partial == len(archive)


# --- a cable of the release the archive lacks ---------------------------------------------------


class TestMissingCable:
    def test_it_answers_404_with_the_month_and_post_of_the_release(self, client, archive, release):
        assert "78KABUL3619" not in archive
        assert release["78KABUL3619"] == 5
        html = get(client, reverse("cables:cable-detail", args=["78KABUL3619"]), 404)
        assert "Not in the archive. Written in May 1978." in html
        assert 'href="/coverage/KABUL/?year=1978#missing">KABUL</a>' in html
        assert 'href="/coverage/KABUL/">Coverage of KABUL</a>' in html
        assert "Of the 1 cable KABUL sent in 1978, the archive holds 0 (" in html

    def test_the_month_is_the_release_indexs_for_any_missing_cable(self, client, archive, release):
        missing = sorted(i for i in ids_of_post(release, "TASHKENT") if i not in archive)[:5]
        for reference_id in missing:
            html = get(client, f"/cable/{reference_id}/", 404)
            month = MONTHS.split()[release[reference_id] - 1]
            assert f"Not in the archive. Written in {month} {year_of(reference_id)}." in html

    def test_it_lists_the_archives_cables_that_cite_it(self, client, archive, release):
        cited = Counter(
            reference_id
            for reference_id in Reference.objects.filter(target=None).values_list(
                "reference_id", flat=True
            )
            if reference_id in release and reference_id not in archive
        )
        reference_id, n = cited.most_common(1)[0]
        html = get(client, f"/cable/{reference_id}/", 404)
        section = html.split('id="cited-heading"')[1]
        assert len(re.findall(r'<li><a href="/cable/', section)) == n

    def test_an_id_the_release_lacks_is_plainly_not_found(self, client, archive):
        html = get(client, "/cable/99NOWHERE1/", 404)
        assert "Not in the archive" not in html

    def test_a_reference_to_it_links_to_its_page(self, client, archive, release):
        reference = (
            Reference.objects.filter(target=None)
            .select_related("cable")
            .order_by("cable__reference_id", "position")
        )
        linked = next(r for r in reference if r.reference_id in release)
        unknown = next(r for r in reference if r.reference_id not in release)
        html = get(client, linked.cable.get_absolute_url())
        assert (
            f'<a class="missing-ref" href="/cable/{linked.reference_id}/">'
            f'{linked.reference_id}</a> <span class="not-held">(not in the archive)</span>'
        ) in html
        # A reference the release does not have stays plain text.
        html = get(client, unknown.cable.get_absolute_url())
        assert (
            f'<li>{unknown.reference_id} <span class="not-held">(not in the archive)</span></li>'
            in html
        )


def test_markup_in_the_parameters_comes_back_escaped(client, archive):
    html = get(client, reverse("cables:coverage"), name="<script>alert(1)</script>")
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
    html = get(client, "/coverage/%3Cb%3E/", 404)
    assert "<b>" not in html
