"""The curation admin: staff only, review queue actions, alias re-tagging, history pages."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.urls import reverse

from cables.models import Alias, EntitySuggestion, Mention, MentionDecision, Paragraph, Person
from tests.helpers import seed_mirror_pages


@pytest.fixture
def seeded(db):
    return {cable.reference_id: cable for cable in seed_mirror_pages()}


@pytest.fixture
def curator(db):
    return get_user_model().objects.create_superuser("curator", "c@example.org", "pw")


@pytest.fixture
def staff_client(client, curator):
    client.force_login(curator)
    return client


@pytest.mark.django_db
class TestOnlyStaffCurate:
    def test_anonymous_visitors_are_sent_to_the_login_page(self, client, seeded):
        response = client.get(reverse("admin:cables_reviewqueuemention_changelist"))
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]

    def test_a_logged_in_non_staff_user_is_refused(self, client, seeded):
        reader = get_user_model().objects.create_user("reader", password="pw")
        reader.user_permissions.add(*Permission.objects.filter(codename__endswith="_mention"))
        client.force_login(reader)
        mention = Mention.objects.filter(status="suggested").first()
        response = client.post(
            reverse("admin:cables_mention_changelist"),
            {"action": "confirm_mentions", "_selected_action": [mention.pk]},
        )
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]
        mention.refresh_from_db()
        assert mention.status == "suggested"

    def test_staff_without_change_permission_cannot_curate(self, client, seeded):
        staff = get_user_model().objects.create_user("viewer", password="pw", is_staff=True)
        staff.user_permissions.add(Permission.objects.get(codename="view_mention"))
        client.force_login(staff)
        mention = Mention.objects.filter(status="suggested").first()
        client.post(
            reverse("admin:cables_mention_changelist"),
            {"action": "reject_mentions", "_selected_action": [mention.pk]},
        )
        mention.refresh_from_db()
        assert mention.status == "suggested"

    def test_anonymous_visitors_read_entity_pages(self, client, seeded):
        response = client.get(reverse("entities:person-detail", args=["bulat-abilov"]))
        assert response.status_code == 200


@pytest.mark.django_db
class TestReviewQueue:
    def test_the_queue_lists_suggested_mentions_with_their_sentence_and_permalink(
        self, staff_client, seeded
    ):
        response = staff_client.get(reverse("admin:cables_reviewqueuemention_changelist"))
        page = response.content.decode()
        assert response.status_code == 200
        assert "<mark>Tsinukova</mark>" in page
        assert "/cable/07ASTANA2244/#par13" in page
        assert "confirmed" not in {m.status for m in response.context["cl"].result_list}

    def test_filters_by_method_entity_type_and_cable(self, staff_client, seeded):
        url = reverse("admin:cables_mention_changelist")
        response = staff_client.get(url, {"method": "fuzzy", "entity_type": "person"})
        assert {m.matched_text for m in response.context["cl"].result_list} == {
            "Dzhakysebekov",
            "Tsinukova",
            "Tuyakbaya",
        }
        response = staff_client.get(url, {"cable": "05ALMATY4123", "method": "signature"})
        assert [m.matched_text for m in response.context["cl"].result_list] == ["ORDWAY"]

    def test_the_queue_groups_identical_text_and_entity_most_frequent_first(
        self, staff_client, seeded
    ):
        response = staff_client.get(reverse("admin:cables_reviewqueuemention_changelist"))
        rows = list(response.context["cl"].result_list)
        counts = [row.same_text for row in rows]
        assert counts == sorted(counts, reverse=True)
        top = rows[0]
        assert (
            top.same_text
            == Mention.objects.filter(
                status="suggested",
                matched_text=top.matched_text,
                person=top.person,
                party=top.party,
                election=top.election,
            ).count()
        )
        assert f"({top.same_text} mention" in response.content.decode()

    def test_confirming_a_group_confirms_every_mention_of_that_text_once(
        self, staff_client, curator, seeded
    ):
        group = Mention.objects.filter(status="suggested", method="surname").values_list(
            "matched_text", "person"
        )
        text, person = max(set(group), key=lambda key: list(group).count(key))
        same = Mention.objects.filter(status="suggested", matched_text=text, person=person)
        ids = list(same.values_list("pk", flat=True))
        assert len(ids) >= 2
        url = reverse("admin:cables_reviewqueuemention_changelist")
        action = {"action": "confirm_same_text", "_selected_action": ids[:1]}
        preview = staff_client.post(url, action)  # first the mentions, grouped by origin
        origins = [group["origin"] for group in preview.context["groups"]]
        assert sum(group["count"] for group in preview.context["groups"]) == len(ids)
        assert set(Mention.objects.filter(pk__in=ids).values_list("status", flat=True)) == {
            "suggested"
        }
        staff_client.post(url, {**action, "post": "yes", "origin": origins})
        statuses = set(Mention.objects.filter(pk__in=ids).values_list("status", flat=True))
        assert statuses == {"confirmed"}
        assert MentionDecision.objects.filter(decided_by=curator).count() == len(ids)

    def test_suggested_names_are_ranked_by_how_often_they_were_seen(self, staff_client, seeded):
        response = staff_client.get(reverse("admin:cables_entitysuggestion_changelist"))
        rows = [row for row in response.context["cl"].result_list if row.status == "pending"]
        assert [r.occurrences for r in rows] == sorted((r.occurrences for r in rows), reverse=True)
        ferkho = EntitySuggestion.objects.get(name="Svetlana Ivanovna Ferkho")
        assert ferkho.occurrences == ferkho.places.count() >= 1

    def test_accepting_a_suggestion_in_the_admin_creates_the_person(self, staff_client, seeded):
        suggestion = EntitySuggestion.objects.get(name="Petr Svoik")
        staff_client.post(
            reverse("admin:cables_entitysuggestion_changelist"),
            {"action": "accept_suggestions", "_selected_action": [suggestion.pk]},
        )
        svoik = Person.objects.get(name="Petr Svoik")
        assert Mention.objects.filter(person=svoik).exists()

    def test_bulk_confirm_records_decisions(self, staff_client, curator, seeded):
        fuzzy = list(Mention.objects.filter(method="fuzzy").values_list("pk", flat=True))
        response = staff_client.post(
            reverse("admin:cables_reviewqueuemention_changelist"),
            {"action": "confirm_mentions", "_selected_action": fuzzy},
        )
        assert response.status_code == 302
        assert set(Mention.objects.filter(pk__in=fuzzy).values_list("status", flat=True)) == {
            "confirmed"
        }
        assert MentionDecision.objects.filter(decided_by=curator, status="confirmed").count() == 3

    def test_rejecting_one_mention_from_its_change_page(self, staff_client, seeded):
        mention = Mention.objects.get(matched_text="Tuyakbaya")
        url = reverse("admin:cables_mention_change", args=[mention.pk])
        assert staff_client.get(url).status_code == 200
        response = staff_client.post(
            url, {"status": "rejected", "person": mention.person_id, "party": "", "election": ""}
        )
        assert response.status_code == 302
        mention.refresh_from_db()
        assert mention.status == "rejected"
        assert MentionDecision.objects.get().status == "rejected"


@pytest.mark.django_db
class TestEntityAdmin:
    def test_adding_an_alias_inline_tags_the_archive(self, staff_client, seeded):
        svoik = Person.objects.create(name="Petr Svoik")
        url = reverse("admin:cables_person_change", args=[svoik.pk])
        form = {
            "name": "Petr Svoik",
            "slug": "petr-svoik",
            "country": "Kazakhstan",
            "note": "",
            "role": "Opposition activist",
            "aliases-TOTAL_FORMS": "1",
            "aliases-INITIAL_FORMS": "0",
            "aliases-MIN_NUM_FORMS": "0",
            "aliases-MAX_NUM_FORMS": "1000",
            "aliases-0-text": "Svoik",
            "aliases-0-kind": "name",
        }
        preview = staff_client.post(url, form)  # first what the alias will tag
        assert preview.context["preview"].gained == 1
        assert not Alias.objects.filter(person=svoik, text="Svoik").exists()
        response = staff_client.post(url, {**form, "_aliases_confirmed": "1"})
        assert response.status_code == 302, response.content.decode()[:2000]
        assert Alias.objects.filter(person=svoik, text="Svoik").exists()
        mention = Mention.objects.get(person=svoik)
        assert mention.paragraph == Paragraph.objects.get(
            cable__reference_id="07ASTANA1848", number=4
        )

    def test_merge_asks_which_one_survives_and_keeps_the_chosen_one(
        self, staff_client, curator, seeded
    ):
        older = Person.objects.get(slug="bulat-abilov")
        newer = Person.objects.create(name="Bulat M. Abilov")
        url = reverse("admin:cables_person_changelist")
        selected = {"action": "merge_selected", "_selected_action": [older.pk, newer.pk]}
        page = staff_client.post(url, selected)
        assert page.status_code == 200
        text = page.content.decode()
        assert 'type="radio" name="keep"' in text
        assert "Bulat Abilov" in text and "Bulat M. Abilov" in text
        assert Person.objects.filter(pk__in=[older.pk, newer.pk]).count() == 2  # nothing yet
        mentions = Mention.objects.filter(person=older).count()
        response = staff_client.post(url, {**selected, "post": "yes", "keep": newer.pk})
        assert response.status_code == 302
        assert not Person.objects.filter(pk=older.pk).exists()
        assert Mention.objects.filter(person=newer).count() == mentions
        assert newer.aliases.filter(text="Bulat Abilov").exists()
        history = staff_client.get(reverse("admin:cables_person_history", args=[newer.pk]))
        assert "absorbed Bulat Abilov" in history.content.decode()

    def test_merge_without_a_choice_changes_nothing(self, staff_client, seeded):
        older = Person.objects.get(slug="bulat-abilov")
        newer = Person.objects.create(name="Bulat M. Abilov")
        staff_client.post(
            reverse("admin:cables_person_changelist"),
            {"action": "merge_selected", "_selected_action": [older.pk, newer.pk], "post": "yes"},
        )
        assert Person.objects.filter(pk__in=[older.pk, newer.pk]).count() == 2

    def test_the_entity_page_in_the_admin_shows_its_curation_history(
        self, staff_client, curator, seeded
    ):
        from cables.entities import curation

        abilov = Person.objects.get(slug="bulat-abilov")
        mention = Mention.objects.filter(person=abilov).first()
        curation.decide(mention, "rejected", user=curator)
        page = staff_client.get(reverse("admin:cables_person_change", args=[abilov.pk]))
        text = page.content.decode()
        assert "curator" in text and "rejected" in text
        history = staff_client.get(reverse("admin:cables_person_history", args=[abilov.pk]))
        assert history.status_code == 200

    def test_every_archive_model_is_registered(self, staff_client, seeded):
        for name in ["cable", "tag", "source", "reference", "person", "party", "election",
                     "alias", "mention", "mentiondecision", "entitysuggestion"]:  # fmt: skip
            response = staff_client.get(reverse(f"admin:cables_{name}_changelist"))
            assert response.status_code == 200, name


@pytest.mark.django_db
def test_deleting_cables_in_the_admin_takes_their_paragraphs_out_of_search(staff_client, seeded):
    from cables.models import Cable
    from cables.search import get_backend
    from cables.search.query import parse_query

    def searchable(word: str) -> set[int]:
        cables = get_backend().matching_cable_ids(parse_query(word).text)
        return set(Cable.objects.filter(id__in=cables).values_list("id", flat=True))

    cable = seeded["07ASTANA2223"]
    paragraph_ids = list(cable.paragraphs.values_list("id", flat=True))
    before = searchable("Nazarbayev")
    assert cable.id in before and len(before) > 1
    response = staff_client.post(
        reverse("admin:cables_cable_changelist"),
        {"action": "delete_selected", "_selected_action": [cable.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Cable.objects.filter(pk=cable.pk).exists()
    assert searchable("Nazarbayev") == before - {cable.id}
    assert get_backend().matched_paragraphs(parse_query("Nazarbayev").text)
    if connection.vendor == "sqlite":
        # The FTS5 index keeps no entry for the deleted paragraphs (Django deletes rows, not
        # index entries).
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM cables_paragraph_fts_docsize "
                f"WHERE id IN ({','.join(['%s'] * len(paragraph_ids))})",
                paragraph_ids,
            )
            assert cursor.fetchone()[0] == 0
