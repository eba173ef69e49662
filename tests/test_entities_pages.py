"""Entity pages in the reading room, and mentions marked inline for the cable page."""

import pytest
from django.urls import reverse

from cables.entities import curation, marked_paragraph_html
from cables.models import Mention, Paragraph, Person
from tests.helpers import seed_mirror_pages


@pytest.fixture
def seeded(db):
    return {cable.reference_id: cable for cable in seed_mirror_pages()}


@pytest.mark.django_db
class TestEntityPage:
    def test_a_person_page_lists_their_paragraphs_with_permalinks_dates_and_origin(
        self, client, seeded
    ):
        response = client.get(reverse("entities:person-detail", args=["bulat-abilov"]))
        page = response.content.decode()
        assert response.status_code == 200
        assert "<h1>Bulat Abilov</h1>" in page
        assert 'href="/cable/07ASTANA2223/#par3"' in page
        assert 'href="/cable/07ASTANA1848/#par1"' in page
        assert "Embassy Astana" in page
        assert "14 Aug 2007" in page
        assert "<mark>Bulat Abilov</mark>" in page
        assert "css/entities.css" in page

    def test_newest_or_oldest_first(self, client, seeded):
        url = reverse("entities:person-detail", args=["bulat-abilov"])
        newest = [row["paragraph"].cable.reference_id for row in client.get(url).context["rows"]]
        oldest = [
            row["paragraph"].cable.reference_id
            for row in client.get(url, {"order": "oldest"}).context["rows"]
        ]
        assert newest[0] == "07ASTANA2223" and newest[-1] == "07ASTANA1848"
        assert oldest[0] == "07ASTANA1848" and oldest[-1] == "07ASTANA2223"

    def test_a_bad_order_or_page_falls_back_to_the_default(self, client, seeded):
        url = reverse("entities:party-detail", args=["nur-otan"])

        def shown(response):
            return [
                (r["paragraph"].cable.reference_id, r["paragraph"].number)
                for r in response.context["rows"]
            ]

        bad = client.get(url, {"order": "sideways", "page": "x"})
        assert bad.status_code == 200
        assert bad.context["order"] == "newest" and bad.context["page"].number == 1
        newest, oldest = client.get(url, {"order": "newest"}), client.get(url, {"order": "oldest"})
        assert shown(bad) == shown(newest) != shown(oldest)
        dated = [
            r["paragraph"].cable.created
            for r in bad.context["rows"]
            if r["paragraph"].cable.created
        ]
        assert len(dated) > 1 and dated == sorted(dated, reverse=True)
        assert (
            client.get(reverse("entities:party-detail", args=["no-such-party"])).status_code == 404
        )

    def test_the_entities_most_often_mentioned_with_it(self, client, seeded):
        response = client.get(reverse("entities:person-detail", args=["bulat-abilov"]))
        counts = {item.entity.name: item.paragraphs for item in response.context["co_mentioned"]}
        names = list(counts)
        # Abilov's 8 paragraphs: Nur Otan in 5 of them, his party (as NSDP or Social
        # Democrats) in 4, Tuyakbay and Zhandosov in 3 each.
        assert names[:2] == ["Nur Otan", "National Social Democratic Party"]
        assert counts["Nur Otan"] == 5
        assert counts["Oraz Zhandosov"] == 3
        assert "Bulat Abilov" not in names

    def test_a_timeline_of_mentions_by_month(self, client, seeded):
        response = client.get(reverse("entities:party-detail", args=["nur-otan"]))
        months = {
            bar.month.strftime("%Y-%m"): bar.paragraphs for bar in response.context["timeline"]
        }
        # 07ASTANA1848 (July 2007) and 07ASTANA2223 + 07ASTANA2244 (August 2007); the Otan
        # extract 05ALMATY4123 has no date and is left out of the timeline.
        assert set(months) == {"2007-07", "2007-08"}
        assert months["2007-08"] > months["2007-07"]
        assert "<meter" in response.content.decode()
        assert "style=" not in response.content.decode()

    def test_unreviewed_paragraphs_are_marked_as_such(self, client, seeded):
        response = client.get(reverse("entities:person-detail", args=["adilbek-dzhaksybekov"]))
        rows = {
            (r["paragraph"].cable.reference_id, r["paragraph"].number): r["confirmed"]
            for r in response.context["rows"]
        }
        assert rows[("05ALMATY4029", 8)] is False  # surname only, never named in full there
        assert rows[("07ASTANA1848", 1)] is True
        assert "unreviewed" in response.content.decode()

    def test_rejected_mentions_do_not_count(self, client, seeded):
        url = reverse("entities:person-detail", args=["oraz-zhandosov"])
        before = client.get(url).context["page"].paginator.count
        mention = Mention.objects.get(
            paragraph__cable__reference_id="07ASTANA2223",
            paragraph__number=3,
            person__slug="oraz-zhandosov",
        )
        curation.decide(mention, Mention.Status.REJECTED)
        response = client.get(url)
        places = {
            (r["paragraph"].cable.reference_id, r["paragraph"].number)
            for r in response.context["rows"]
        }
        assert ("07ASTANA2223", 3) not in places
        assert ("07ASTANA2223", 7) in places
        assert response.context["page"].paginator.count == len(places) == before - 1

    def test_the_pages_together_list_every_paragraph_the_count_gives(
        self, client, seeded, monkeypatch
    ):
        monkeypatch.setattr("cables.entities.views.PER_PAGE", 3)
        url = reverse("entities:person-detail", args=["nursultan-nazarbayev"])
        first = client.get(url).context["page"]
        listed = [
            row["paragraph"].pk
            for number in first.paginator.page_range
            for row in client.get(url, {"page": number}).context["rows"]
        ]
        mentioned = Mention.objects.visible().filter(person__slug="nursultan-nazarbayev")
        expected = set(mentioned.values_list("paragraph", flat=True))
        assert first.paginator.num_pages > 1
        assert first.paginator.count == len(listed) == len(set(listed)) == len(expected)
        assert set(listed) == expected

    def test_an_election_page(self, client, seeded):
        response = client.get(
            reverse("entities:election-detail", args=["2007-kazakhstan-mazhilis-elections"])
        )
        assert response.status_code == 200
        assert "18 August 2007" in response.content.decode()
        assert response.context["page"].paginator.count >= 10


@pytest.mark.django_db
class TestMarkedParagraph:
    def test_mentions_become_links_and_the_rest_is_escaped(self, seeded):
        paragraph = Paragraph.objects.get(cable__reference_id="07ASTANA2223", number=3)
        html = marked_paragraph_html(paragraph, paragraph.mentions.all())
        assert (
            '<a class="mention mention-person mention-confirmed" href="/person/bulat-abilov/"'
            in html
        )
        assert ">NSDP</a>" in html
        assert "&quot;bad faith&quot;" in html  # the paragraph's own quotes, escaped

    def test_rejected_and_zero_width_mentions_are_not_marked(self, seeded):
        paragraph = Paragraph.objects.get(cable__reference_id="07ASTANA1848", number=12)
        mentions = list(paragraph.mentions.all())
        assert any(m.method == "signature" for m in mentions)
        for mention in mentions:
            mention.status = "rejected"
        html = marked_paragraph_html(paragraph, mentions)
        assert "<a " not in html
        assert "Kevin Milas" not in html

    def test_suggested_mentions_look_unreviewed(self, seeded):
        paragraph = Paragraph.objects.get(cable__reference_id="07ASTANA2244", number=22)
        html = marked_paragraph_html(paragraph, paragraph.mentions.all())
        assert 'class="mention mention-person mention-suggested"' in html
        assert Person.objects.get(slug="zharmakhan-tuyakbay").get_absolute_url() in html
