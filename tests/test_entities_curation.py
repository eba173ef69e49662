"""Curation outlives re-tagging and re-ingest; aliases re-tag; merges; history is kept."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from cables.entities import curation
from cables.ingest.incremental import ingest_paths
from cables.models import (
    Alias,
    Cable,
    EntitySuggestion,
    Mention,
    MentionDecision,
    Paragraph,
    Party,
    Person,
)
from tests.conftest import mirror_page
from tests.helpers import extract_of_mirror_page_000, seed_mirror_pages


@pytest.fixture
def curator(db):
    return get_user_model().objects.create_user("curator", password="pw", is_staff=True)


@pytest.fixture
def seeded(db):
    return {cable.reference_id: cable for cable in seed_mirror_pages()}


def abilov_in_paragraph_7():
    return Mention.objects.get(
        paragraph__cable__reference_id="07ASTANA2223",
        paragraph__number=7,
        person__slug="bulat-abilov",
    )


@pytest.mark.django_db
class TestDecisionsOutliveRetagging:
    def test_a_rejected_mention_stays_rejected_after_tag_entities(self, seeded, curator):
        curation.decide(abilov_in_paragraph_7(), Mention.Status.REJECTED, user=curator)
        out = io.StringIO()
        call_command("tag_entities", "--no-progress", stdout=out)
        assert "paragraphs/second" in out.getvalue()
        assert abilov_in_paragraph_7().status == Mention.Status.REJECTED
        assert "1 curator decisions applied" in out.getvalue()

    def test_a_rejected_mention_stays_rejected_when_ingest_rewrites_the_cable(
        self, seeded, curator
    ):
        mention = abilov_in_paragraph_7()
        old_paragraph_id = mention.paragraph_id
        curation.decide(mention, Mention.Status.REJECTED, user=curator)
        # Same file again: unchanged, so ingest leaves the cable alone.
        summary = ingest_paths([mirror_page("000")])
        assert summary.unchanged == 1
        assert abilov_in_paragraph_7().status == Mention.Status.REJECTED
        # Make ingest rewrite the cable, as when a fuller text replaces it: paragraphs and
        # mentions are deleted and created again, then tagged again.
        Cable.objects.filter(reference_id="07ASTANA2223").update(content_hash="")
        summary = ingest_paths([mirror_page("000")])
        assert summary.updated == 1
        again = abilov_in_paragraph_7()
        assert again.paragraph_id != old_paragraph_id
        assert again.status == Mention.Status.REJECTED

    def test_a_confirmed_suggestion_stays_confirmed(self, seeded, curator):
        fuzzy = Mention.objects.get(matched_text="Tsinukova")
        assert fuzzy.status == Mention.Status.SUGGESTED
        curation.decide(fuzzy, Mention.Status.CONFIRMED, user=curator)
        call_command("tag_entities", "--no-progress", stdout=io.StringIO())
        assert Mention.objects.get(matched_text="Tsinukova").status == Mention.Status.CONFIRMED

    def test_a_mention_split_off_to_another_person_stays_with_them(self, seeded, curator):
        other = Person.objects.create(name="Zhandos Abilov")
        curation.reassign(abilov_in_paragraph_7(), other, user=curator)
        call_command("tag_entities", "--no-progress", stdout=io.StringIO())
        moved = Mention.objects.get(
            paragraph__cable__reference_id="07ASTANA2223",
            paragraph__number=7,
            matched_text="Abilov",
        )
        assert (moved.person, moved.status) == (other, Mention.Status.CONFIRMED)

    def test_tagging_twice_keeps_one_mention_per_place(self, seeded):
        call_command("tag_entities", "--no-progress", stdout=io.StringIO())
        count = Mention.objects.count()
        call_command("tag_entities", "--no-progress", stdout=io.StringIO())
        assert Mention.objects.count() == count


@pytest.mark.django_db
class TestAliasesAndMerges:
    def test_an_added_alias_tags_the_archive_with_it(self, seeded):
        svoik = Person.objects.create(name="Petr Svoik", role="Opposition activist")
        assert not Mention.objects.filter(person=svoik).exists()
        Alias.objects.create(text="Svoik", person=svoik)
        stats = curation.retag_for_texts(["Svoik"])
        assert stats.cables == 1
        found = Mention.objects.get(person=svoik)
        assert (found.paragraph.cable.reference_id, found.paragraph.number) == ("07ASTANA1848", 4)
        assert found.matched_text in {"Petr Svoik", "Svoik"}

    def test_merging_moves_mentions_and_aliases_and_deletes_the_other(self, seeded, curator):
        nsdp = Party.objects.get(slug="national-social-democratic-party")
        duplicate = Party.objects.create(name="OSDP party")
        Alias.objects.create(text="All-National Social Democrats", party=duplicate)
        moved = Mention.objects.filter(party=nsdp)[:3]
        moved_ids = [m.pk for m in moved]
        Mention.objects.filter(pk__in=moved_ids).update(party=duplicate)
        before = Mention.objects.filter(party__in=[nsdp, duplicate]).count()
        curation.merge_entities(nsdp, [duplicate], user=curator)
        assert not Party.objects.filter(pk=duplicate.pk).exists()
        assert Mention.objects.filter(party=nsdp).count() == before
        texts = set(nsdp.aliases.values_list("text", flat=True))
        assert {"All-National Social Democrats", "OSDP party"} <= texts

    def test_accepting_a_suggested_party_adds_its_abbreviation(self, seeded, curator):
        suggestion = EntitySuggestion.objects.get(name="Liberal Democratic Party")
        party = curation.accept_suggestion(suggestion, user=curator)
        assert list(party.aliases.values_list("text", "kind")) == [("LDP", "abbreviation")]
        places = set(
            Mention.objects.filter(party=party).values_list("paragraph__number", "matched_text")
        )
        assert places == {(6, "Liberal Democratic Party"), (6, "LDP")}

    def test_accepting_a_suggested_name_creates_it_and_tags_its_paragraphs(self, seeded, curator):
        suggestion = EntitySuggestion.objects.get(name="Svetlana Ivanovna Ferkho")
        person = curation.accept_suggestion(suggestion, user=curator)
        suggestion.refresh_from_db()
        assert suggestion.status == EntitySuggestion.Status.ACCEPTED
        numbers = set(
            Mention.objects.filter(person=person).values_list("paragraph__number", flat=True)
        )
        assert numbers == {8, 12}  # "candidate Svetlana Ivanovna Ferkho", "Ibrayev and Ferkho"


@pytest.mark.django_db
class TestHistory:
    def test_every_decision_is_recorded_with_who_and_when(self, seeded, curator):
        mention = abilov_in_paragraph_7()
        curation.decide(mention, Mention.Status.REJECTED, user=curator)
        curation.decide(mention, Mention.Status.CONFIRMED, user=curator)
        decision = MentionDecision.objects.get()
        history = list(decision.history.order_by("history_date"))
        assert [h.status for h in history] == ["rejected", "confirmed"]
        assert {h.history_user for h in history} == {curator}
        assert all(h.history_date for h in history)

    def test_a_merge_is_recorded_on_the_kept_entity(self, seeded, curator):
        keep = Person.objects.get(slug="bulat-abilov")
        other = Person.objects.create(name="B. Abilov")
        other_id = other.pk
        curation.merge_entities(keep, [other], user=curator)
        alias_history = Alias.history.filter(person_id=keep.pk, text="B. Abilov").get()
        assert alias_history.history_user == curator
        assert "merged" in alias_history.history_change_reason
        deleted = Person.history.filter(id=other_id, history_type="-").get()
        assert deleted.history_user == curator


@pytest.mark.django_db
def test_load_entities_twice_adds_nothing_the_second_time():
    out = io.StringIO()
    call_command("load_entities", "--no-tag", stdout=out)
    people = Person.objects.count()
    aliases = Alias.objects.count()
    out = io.StringIO()
    call_command("load_entities", stdout=out)
    assert "0 entities created, 0 updated, 0 aliases added" in out.getvalue()
    assert (Person.objects.count(), Alias.objects.count()) == (people, aliases)
    assert Paragraph.objects.count() == 0


@pytest.mark.django_db
def test_load_entities_reports_a_broken_list_without_a_traceback(tmp_path):
    broken = tmp_path / "entities.json"
    broken.write_text('{"people": [{"name": ""}], "elections": [{"name": "X", "kind": "coup"}]}')
    err = io.StringIO()
    call_command(
        "load_entities", "--file", str(broken), "--no-tag", stdout=io.StringIO(), stderr=err
    )
    assert Person.objects.count() == 0
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("load_entities", "--file", str(bad), "--no-tag")


@pytest.mark.django_db
class TestDecisionsOutliveRenumbering:
    @pytest.mark.parametrize("cut", [False, True], ids=["same paragraph", "truncated paragraph"])
    def test_a_rejected_mention_stays_rejected_when_a_fuller_text_renumbers_the_paragraphs(
        self, tmp_path, curator, cut
    ):
        call_command("load_entities", "--no-tag", stdout=io.StringIO())
        assert (
            ingest_paths([extract_of_mirror_page_000(tmp_path, cut_abilov_paragraph=cut)]).created
            == 1
        )
        cable = Cable.objects.get(reference_id="07ASTANA2223")
        assert cable.partial
        in_extract = Mention.objects.get(
            paragraph__cable=cable, paragraph__number=6, person__slug="bulat-abilov"
        )
        assert in_extract.matched_text == "Abilov"
        curation.decide(in_extract, Mention.Status.REJECTED, user=curator)

        # The full text arrives: it replaces the extract, and its ¶7 is the extract's ¶6.
        assert ingest_paths([mirror_page("000")]).updated == 1
        assert not Cable.objects.get(pk=cable.pk).partial
        assert abilov_in_paragraph_7().status == Mention.Status.REJECTED
        assert not Mention.objects.filter(
            paragraph__cable=cable, paragraph__number=6, status=Mention.Status.REJECTED
        ).exists()
        # The decision followed the paragraph, so the next curator action finds it again.
        decision = MentionDecision.objects.get()
        assert (decision.paragraph_number, decision.status) == (7, "rejected")
        call_command("tag_entities", "--no-progress", stdout=io.StringIO())
        assert abilov_in_paragraph_7().status == Mention.Status.REJECTED
        curation.decide(abilov_in_paragraph_7(), Mention.Status.CONFIRMED, user=curator)
        assert MentionDecision.objects.count() == 1

    def test_a_decision_never_jumps_to_the_paragraph_that_took_its_old_number(
        self, tmp_path, curator
    ):
        call_command("load_entities", "--no-tag", stdout=io.StringIO())
        ingest_paths([extract_of_mirror_page_000(tmp_path)])
        # The extract's ¶7 (the full text's ¶8) names Abilov too; reject that one.
        mention = Mention.objects.get(
            paragraph__cable__reference_id="07ASTANA2223",
            paragraph__number=7,
            person__slug="bulat-abilov",
        )
        curation.decide(mention, Mention.Status.REJECTED, user=curator)
        ingest_paths([mirror_page("000")])
        # In the full text ¶7 is another paragraph naming Abilov: it stays as tagged.
        assert abilov_in_paragraph_7().status == Mention.Status.CONFIRMED
        moved = Mention.objects.get(
            paragraph__cable__reference_id="07ASTANA2223",
            paragraph__number=8,
            person__slug="bulat-abilov",
        )
        assert moved.status == Mention.Status.REJECTED


@pytest.mark.django_db
class TestMergeChoosesTheSurvivor:
    def test_the_curator_keeps_the_newer_entity_and_it_receives_everything(self, seeded, curator):
        older = Person.objects.get(slug="bulat-abilov")
        newer = Person.objects.create(name="Bulat Mukhamedzhanovich Abilov", country="Kazakhstan")
        rejected = abilov_in_paragraph_7()
        curation.decide(rejected, Mention.Status.REJECTED, user=curator)
        mentions = Mention.objects.filter(person=older).count()
        curation.merge_entities(newer, [older], user=curator)
        assert not Person.objects.filter(pk=older.pk).exists()
        assert Mention.objects.filter(person=newer).count() == mentions
        assert MentionDecision.objects.get().person == newer
        assert newer.aliases.filter(text="Bulat Abilov").exists()
        # Re-tagging finds the old name as the survivor's alias; the rejection still holds.
        call_command("tag_entities", "--no-progress", stdout=io.StringIO())
        again = Mention.objects.get(
            paragraph__cable__reference_id="07ASTANA2223", paragraph__number=7, person=newer
        )
        assert again.status == Mention.Status.REJECTED
        kept = newer.history.first()
        assert kept.history_user == curator
        assert "absorbed Bulat Abilov" in kept.history_change_reason
