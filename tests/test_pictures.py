"""Pictures: the search page's year histogram (and the months of a selected year), and the
entity pages' month timeline and co-mentions, on the real sample corpus ingested once.

Expected numbers are worked out here from the stored rows (cables' years and dates, mentions'
paragraphs) in plain Python, never by the code under test.
"""

import re
from collections import Counter, defaultdict
from datetime import UTC
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cables.entities import curation
from cables.entities.loading import load_starter_list
from cables.entities.pictures import entity_pictures
from cables.ingest.incremental import ingest_paths
from cables.lib.charts import Column, january_ticks, layout, month_span, year_ticks
from cables.models import Cable, Mention, Party, Person
from tests.conftest import CABLEGATE_HTML, CABLEGATE_HTML_2011, MIRROR_PAGES, rolled_back

SEARCH = reverse("cables:search")
VISIBLE = (Mention.Status.CONFIRMED, Mention.Status.SUGGESTED)
COLUMN_RE = re.compile(
    r'<a class="column(?P<selected> selected)?" href="(?P<href>[^"]*)" aria-label="(?P<label>[^"]*)"'
    r' data-key="(?P<key>[^"]*)" data-count="(?P<count>\d+)"'
)


@pytest.fixture(scope="module")
def archive(django_db_setup, django_db_blocker):
    """The starter entities and the 140 real cables of the sample, ingested (and tagged) once
    for the module, rolled back at its end."""
    with rolled_back(django_db_blocker):
        load_starter_list()
        summary = ingest_paths(
            [CABLEGATE_HTML[0].parent, CABLEGATE_HTML_2011[0].parent, MIRROR_PAGES[0].parent]
        )
        assert summary.failed == 0
        yield


def svg(page: str, chart_id: str) -> str:
    start = page.index(f'id="{chart_id}"')
    return page[start : page.index("</svg>", start)]


def columns(page: str, chart_id: str) -> list[dict]:
    """The linked columns of a chart: key, count, accessible name, link, selected."""
    return [
        {
            **m.groupdict(),
            "count": int(m["count"]),
            "href": unescape(m["href"]),
            "label": m["label"],
        }
        for m in COLUMN_RE.finditer(svg(page, chart_id))
    ]


def params(href: str) -> dict:
    return parse_qs(urlsplit(href).query)


def cables_per_year() -> Counter:
    return Counter(y for y in Cable.objects.values_list("year", flat=True) if y is not None)


def months_of(year: int, cables=None) -> tuple[Counter, int]:
    """(cables per month of `year`, cables of that year without a date), from the rows."""
    cables = Cable.objects.filter(year=year) if cables is None else cables.filter(year=year)
    months, undated = Counter(), 0
    for created in cables.values_list("created", flat=True):
        if created is None:
            undated += 1
        else:
            months[created.astimezone(UTC).month] += 1
    return months, undated


def year_facet(response) -> dict[str, int]:
    (facet,) = [f for f in response.context["results"].facets if f.name == "year"]
    return {item.value: item.count for item in facet.items if item.count}


@pytest.mark.django_db
@pytest.mark.usefixtures("archive")
class TestYearHistogram:
    def test_it_draws_one_bar_per_year_with_the_facets_counts(self, client):
        response = client.get(SEARCH)
        page = response.content.decode()
        bars = {c["key"]: c["count"] for c in columns(page, "year-chart")}
        expected = {str(year): n for year, n in cables_per_year().items()}
        assert len(expected) >= 10
        assert bars == expected == year_facet(response)
        # The year facet is the histogram now, not a list in the sidebar as well.
        assert 'id="facet-year"' not in page

    def test_each_bar_says_its_year_and_count_in_words(self, client):
        page = client.get(SEARCH).content.decode()
        counts = cables_per_year()
        for column in columns(page, "year-chart"):
            n = counts[int(column["key"])]
            assert column["label"] == f"{column['key']}: {n} cable{'s' if n != 1 else ''}"
        assert f"<title>2009: {counts[2009]} cables</title>" in page
        # The numbers as text too: a table of years and counts.
        table = page[page.index("Cables by year as a table") :]
        table = table[: table.index("</table>")]
        rows = re.findall(r'data-key="(\d{4})"[^>]*>\d{4}</a></th><td>(\d+)</td>', table)
        assert {int(y): int(n) for y, n in rows} == dict(counts)

    def test_years_without_cables_are_empty_columns_on_a_continuous_axis(self, client):
        response = client.get(SEARCH)
        years = sorted(cables_per_year())
        assert years[-1] - years[0] + 1 > len(years)  # the sample has gaps (1967 ... 1971)
        chart = svg(response.content.decode(), "year-chart")
        assert chart.count('class="column') == len(years)
        assert 'data-key="1967"' not in chart

    def test_a_bar_applies_its_year_facet_and_keeps_the_rest_of_the_search(self, client):
        page = client.get(SEARCH, {"q": "election", "classification": "CONFIDENTIAL"})
        bars = {c["key"]: c for c in columns(page.content.decode(), "year-chart")}
        link = bars["2007"]["href"]
        assert params(link) == {
            "q": ["election"],
            "classification": ["CONFIDENTIAL"],
            "year": ["2007"],
        }
        narrowed = client.get(SEARCH + link)
        assert narrowed.context["results"].total == bars["2007"]["count"]
        again = {c["key"]: c for c in columns(narrowed.content.decode(), "year-chart")}
        assert again["2007"]["selected"]
        assert 'aria-current="true"' in svg(narrowed.content.decode(), "year-chart")
        # Selecting it again removes the year.
        assert "year" not in params(again["2007"]["href"])

    def test_with_one_year_the_months_add_up_to_the_years_count(self, client):
        for year in (2009, 2007, 2005):
            response = client.get(SEARCH, {"year": str(year)})
            page = response.content.decode()
            months = {c["key"]: c["count"] for c in columns(page, "month-chart")}
            expected, undated = months_of(year)
            assert months == {f"{year}-{m:02d}": n for m, n in expected.items()}
            shown = response.context["results"].months
            assert shown.counts == [expected[m] for m in range(1, 13)]
            assert shown.undated == undated
            assert (
                shown.total == year_facet(response)[str(year)] == response.context["results"].total
            )
        # 05ALMATY4123 has no date: its year comes from its reference ID, in no month.
        page = client.get(SEARCH, {"year": "2005"}).content.decode()
        assert "1 cable of 2005 has no date" in page

    def test_months_count_the_cables_the_search_narrowed(self, client):
        confidential = Cable.objects.filter(classification="CONFIDENTIAL")
        response = client.get(SEARCH, {"year": "2009", "classification": "CONFIDENTIAL"})
        expected, _ = months_of(2009, confidential)
        shown = response.context["results"].months
        assert shown.counts == [expected[m] for m in range(1, 13)]
        assert sum(shown.counts) == response.context["results"].total
        # With text: over the matching cables.
        response = client.get(SEARCH, {"q": "Nazarbayev", "year": "2007"})
        shown = response.context["results"].months
        assert sum(shown.counts) + shown.undated == response.context["results"].total > 0

    def test_a_month_bar_narrows_to_that_month_and_again_removes_it(self, client):
        page = client.get(SEARCH, {"year": "2009"}).content.decode()
        months = {c["key"]: c for c in columns(page, "month-chart")}
        june = months["2009-06"]
        assert june["label"] == f"June 2009: {june['count']} cables"
        assert params(june["href"]) == {
            "year": ["2009"],
            "date_from": ["2009-06-01"],
            "date_to": ["2009-06-30"],
        }
        narrowed = client.get(SEARCH + june["href"])
        assert narrowed.context["results"].total == june["count"]
        again = {c["key"]: c for c in columns(narrowed.content.decode(), "month-chart")}
        assert again["2009-06"]["selected"]
        assert params(again["2009-06"]["href"]) == {"year": ["2009"]}

    def test_no_months_without_exactly_one_year(self, client):
        for query in ({}, {"year": ["2008", "2009"]}, {"q": "election"}):
            response = client.get(SEARCH, query)
            assert response.context["results"].months is None
            assert 'id="month-chart"' not in response.content.decode()

    def test_odd_years_give_a_page_not_an_error(self, client):
        for year in ("0000", "9999", "1066"):
            response = client.get(SEARCH, {"year": year})
            assert response.status_code == 200
        assert client.get(SEARCH, {"year": "20x9"}).status_code == 400

    def test_a_year_alone_counts_the_whole_archives_months(self, client):
        response = client.get(SEARCH, {"year": "2008"})
        expected, undated = months_of(2008)
        months = response.context["results"].months
        assert months.counts == [expected[m] for m in range(1, 13)]
        assert months.undated == undated


def visible_paragraphs(entity) -> set[int]:
    field = type(entity).__name__.lower()
    return set(
        Mention.objects.filter(**{field: entity}, status__in=VISIBLE).values_list(
            "paragraph_id", flat=True
        )
    )


def independent_months(entity) -> tuple[Counter, int]:
    """("YYYY-MM" -> paragraphs mentioning the entity, paragraphs in undated cables)."""
    months, undated = Counter(), 0
    for paragraph_id in visible_paragraphs(entity):
        created = Mention.objects.filter(paragraph_id=paragraph_id).first().cable.created
        if created is None:
            undated += 1
        else:
            months[created.astimezone(UTC).strftime("%Y-%m")] += 1
    return months, undated


def drawn_months(pictures) -> Counter:
    return Counter({f"{y}-{m:02d}": n for (y, m), n in pictures.months.items()})


def independent_co_mentions(entity) -> dict[tuple[str, str], int]:
    """(kind, name) -> paragraphs naming both, from every visible mention in Python."""
    own = visible_paragraphs(entity)
    found: dict[tuple[str, str], set[int]] = defaultdict(set)
    mentions = Mention.objects.filter(status__in=VISIBLE).select_related(
        "person", "party", "election"
    )
    for mention in mentions:
        other = mention.person or mention.party or mention.election
        if mention.paragraph_id in own and other != entity:
            found[(type(other).__name__.lower(), other.name)].add(mention.paragraph_id)
    return {key: len(paragraphs) for key, paragraphs in found.items()}


@pytest.mark.django_db
@pytest.mark.usefixtures("archive")
class TestEntityPictures:
    def most_mentioned(self) -> Person:
        counts = Counter(
            Mention.objects.filter(person__isnull=False, status__in=VISIBLE).values_list(
                "person_id", flat=True
            )
        )
        return Person.objects.get(pk=counts.most_common(1)[0][0])

    def test_the_timeline_months_sum_to_the_entitys_paragraphs(self, client):
        person = self.most_mentioned()
        response = client.get(person.get_absolute_url())
        page = response.content.decode()
        months = {c["key"]: c["count"] for c in columns(page, "timeline-chart")}
        expected, undated = independent_months(person)
        assert months == dict(expected)
        assert sum(months.values()) + undated == response.context["page"].paginator.count
        assert response.context["pictures"].undated == undated

    def test_months_without_mentions_are_zero_columns_from_january_to_december(self, client):
        person = self.most_mentioned()
        chart = client.get(person.get_absolute_url()).context["timeline_chart"]
        keys = [c.key for c in chart.columns]
        first, last = keys[0], keys[-1]
        assert first.endswith("-01") and last.endswith("-12")
        assert len(keys) == 12 * (int(last[:4]) - int(first[:4]) + 1)
        empty = [c for c in chart.columns if c.count == 0]
        assert empty and all(not c.link and c.height == 0 for c in empty)
        assert chart.ticks and all(t.text.isdigit() for t in chart.ticks)

    def test_a_month_links_to_the_search_for_its_cables(self, client):
        person = self.most_mentioned()
        page = client.get(person.get_absolute_url()).content.decode()
        column = max(columns(page, "timeline-chart"), key=lambda c: c["count"])
        year, month = map(int, column["key"].split("-"))
        query = params(column["href"])
        assert query["person"] == [person.slug]
        assert query["date_from"][0] == f"{year}-{month:02d}-01"
        results = client.get(column["href"]).context["results"]
        cables = {
            m.cable.reference_id
            for m in Mention.objects.filter(person=person, status__in=VISIBLE)
            if m.cable.created and (m.cable.created.year, m.cable.created.month) == (year, month)
        }
        assert results.total == len(cables)

    @pytest.mark.parametrize("kind", ["person", "party"])
    def test_co_mentions_match_an_independent_count(self, client, kind):
        model = Person if kind == "person" else Party
        for entity in model.objects.all():
            expected = independent_co_mentions(entity)
            response = client.get(entity.get_absolute_url())
            shown = response.context["co_mentioned"]
            assert len(shown) == min(15, len(expected))
            for item in shown:
                assert expected[(item.kind, item.entity.name)] == item.paragraphs
            if shown:
                # The most frequent ones, none left out for a less frequent one shown.
                assert min(i.paragraphs for i in shown) >= sorted(expected.values())[-len(shown)]
                ranked = [(-i.paragraphs, i.entity.name) for i in shown]
                assert ranked == sorted(ranked)

    def test_a_co_mention_links_to_the_other_entitys_page(self, client):
        person = self.most_mentioned()
        page = client.get(person.get_absolute_url()).content.decode()
        side = page[page.index('id="with-heading"') :]
        links = re.findall(r'<li><a href="(/(?:person|party|election)/[^"]+/)"', side)
        assert len(links) >= 5
        other = client.get(links[0])
        assert other.status_code == 200
        assert other.context["entity"] != person

    def test_rejected_mentions_count_for_nothing(self, client):
        nur_otan = Party.objects.get(slug="nur-otan")
        # A paragraph naming Nur Otan once, and someone else.
        mention = next(
            m
            for m in Mention.objects.filter(party=nur_otan, status__in=VISIBLE)
            if Mention.objects.filter(paragraph_id=m.paragraph_id, party=nur_otan).count() == 1
            and Mention.objects.filter(paragraph_id=m.paragraph_id, person__isnull=False).exists()
        )
        other = Mention.objects.filter(paragraph_id=mention.paragraph_id, person__isnull=False)
        other = other.first().person
        before = entity_pictures(nur_otan)
        with_other = {i.entity.name: i.paragraphs for i in entity_pictures(other).co_mentioned}
        curation.decide(mention, Mention.Status.REJECTED)
        after = entity_pictures(nur_otan)  # the archive version moved: counted again
        assert sum(drawn_months(after).values()) + after.undated == (
            sum(drawn_months(before).values()) + before.undated - 1
        )
        expected, undated = independent_months(nur_otan)
        assert (drawn_months(after), after.undated) == (expected, undated)
        co = independent_co_mentions(nur_otan)
        assert all(co[(i.kind, i.entity.name)] == i.paragraphs for i in after.co_mentioned)
        # Nor on the other side.
        now = {i.entity.name: i.paragraphs for i in entity_pictures(other).co_mentioned}
        assert now.get("Nur Otan", 0) == with_other.get("Nur Otan", 0) - 1

    def test_the_pictures_are_counted_once_per_archive_version(self, client):
        person = self.most_mentioned()
        entity_pictures(person)
        with CaptureQueriesContext(transaction.get_connection()) as queries:
            entity_pictures(person)
        assert len(queries) == 1  # the archive version

    def test_an_entity_with_no_mentions_renders(self, client):
        person = Person.objects.create(name="Yerlan Idrissov", country="Kazakhstan")
        response = client.get(person.get_absolute_url())
        page = response.content.decode()
        assert response.status_code == 200
        assert response.context["timeline_chart"] is None
        assert "No dated mentions" in page and "Nobody else yet" in page
        assert 'id="timeline-chart"' not in page

    def test_party_and_election_pages_have_a_timeline(self, client):
        for url in (
            reverse("entities:party-detail", args=["nur-otan"]),
            reverse("entities:election-detail", args=["2007-kazakhstan-mazhilis-elections"]),
        ):
            page = client.get(url).content.decode()
            assert columns(page, "timeline-chart")
            assert "style=" not in page


@pytest.mark.django_db
@pytest.mark.usefixtures("archive")
class TestReachable:
    def test_the_home_page_links_the_most_mentioned_entities(self, client):
        page = client.get(reverse("cables:home")).content.decode()
        person = TestEntityPictures().most_mentioned()
        assert f'href="{person.get_absolute_url()}"' in page
        assert 'href="/party/nur-otan/"' in page

    def test_a_cable_page_links_its_mentions_to_entity_pages(self, client):
        page = client.get(reverse("cables:cable-detail", args=["07ASTANA2223"])).content.decode()
        assert 'href="/person/bulat-abilov/"' in page


class TestChartGeometry:
    def test_axis_labels_never_crowd_each_other(self):
        for first, last in ((1966, 2010), (2003, 2010), (1900, 2010), (2009, 2009)):
            years = list(range(first, last + 1))
            ticks = layout([Column(str(y), 1, str(y)) for y in years], year_ticks(years, 720))
            xs = [t.x for t in ticks.ticks]
            assert xs and all(b - a >= 34 for a, b in zip(xs, xs[1:], strict=False))
        months = month_span((1990, 1), (2010, 12))
        chart = layout([Column("", 0, "") for _ in months], january_ticks(months, 960), width=960)
        xs = [t.x for t in chart.ticks]
        assert len(xs) >= 4 and all(b - a >= 34 for a, b in zip(xs, xs[1:], strict=False))

    def test_the_smallest_count_stays_visible_and_zero_draws_nothing(self):
        chart = layout([Column("a", 100_000, ""), Column("b", 1, ""), Column("c", 0, "")], {})
        heights = [c.height for c in chart.columns]
        assert heights[0] == chart.plot_bottom - chart.plot_top
        assert heights[1] == 1 and heights[2] == 0

    def test_a_few_columns_are_centred_at_the_width_of_twelve(self):
        chart = layout([Column("2009", 5, "")], {0: "2009"}, width=720)
        (column,) = chart.columns
        assert column.slot == 60 and column.slot_x == 330
        assert chart.ticks[0].x == 360
