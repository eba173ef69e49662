"""The curators' work survives a rebuilt archive: export, drop everything, bulk load, import."""

import io
import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from cables.entities import curation
from cables.entities.backup import HISTORY_MODELS
from cables.ingest.bulk import bulk_load
from cables.models import (
    Alias,
    Cable,
    Election,
    EntitySuggestion,
    Mention,
    MentionDecision,
    Party,
    Person,
    Tag,
)
from cables.search import get_backend

from .conftest import CABLEGATE_HTML, CABLEGATE_HTML_2011, MIRROR_PAGES, SAMPLE_CSV

SAMPLE = [
    MIRROR_PAGES[0].parent,
    CABLEGATE_HTML[0].parent,
    CABLEGATE_HTML_2011[0].parent,
    SAMPLE_CSV,
]
ENTITY_MODELS = {"person": Person, "party": Party, "election": Election}


def curated_state() -> dict:
    """What a curator sees, by natural keys: entities, aliases, decided mentions, names."""

    def entity_key(row):
        for kind in ENTITY_MODELS:
            if getattr(row, f"{kind}_id"):
                return (kind, getattr(row, kind).slug)
        return None

    return {
        "entities": sorted(
            (kind, e.slug, e.name, e.country, e.note)
            for kind, model in ENTITY_MODELS.items()
            for e in model.objects.all()
        ),
        "aliases": sorted(
            (*entity_key(a), a.text, a.kind)
            for a in Alias.objects.select_related("person", "party", "election")
        ),
        "confirmed_and_rejected": sorted(
            (
                m.paragraph.cable.reference_id,
                m.paragraph.number,
                *entity_key(m),
                m.matched_text,
                m.start,
                m.status,
                m.method,
                m.decided_by.username if m.decided_by else None,
            )
            for m in Mention.objects.exclude(status=Mention.Status.SUGGESTED).select_related(
                "paragraph__cable", "person", "party", "election", "decided_by"
            )
        ),
        "decisions": sorted(
            (d.reference_id, d.paragraph_number, d.start, d.matched_text, d.status, *entity_key(d))
            for d in MentionDecision.objects.select_related("person", "party", "election")
        ),
        "names decided": sorted(
            EntitySuggestion.objects.exclude(status="pending").values_list("kind", "name", "status")
        ),
    }


def history_count() -> int:
    return sum(model.history.count() for model in HISTORY_MODELS.values())


def mention(reference_id, number, **entity) -> Mention:
    return Mention.objects.get(
        paragraph__cable__reference_id=reference_id, paragraph__number=number, **entity
    )


def curate(curator) -> None:
    """A curator's day: reject, confirm, a new person with an alias, a merge, names accepted
    and dismissed, a group of suggestions rejected."""
    curation.decide(
        mention("07ASTANA2223", 7, person__slug="bulat-abilov"),
        Mention.Status.REJECTED,
        user=curator,
    )
    curation.decide(
        Mention.objects.get(matched_text="Tsinukova"), Mention.Status.CONFIRMED, user=curator
    )
    svoik = Person.objects.create(name="Petr Svoik", role="Opposition activist")
    Alias.objects.create(text="Svoik", person=svoik)
    curation.retag_for_texts(["Svoik"])
    newer = Person.objects.create(name="Bulat Mukhamedzhanovich Abilov", country="Kazakhstan")
    curation.merge_entities(newer, [Person.objects.get(slug="bulat-abilov")], user=curator)
    curation.accept_suggestion(
        EntitySuggestion.objects.get(name="Liberal Democratic Party"), user=curator
    )
    curation.accept_suggestion(
        EntitySuggestion.objects.get(name="Svetlana Ivanovna Ferkho"), user=curator
    )
    # The biggest group of suggested mentions (same text, same entity) rejected at once.
    biggest = curation.review_queue(Mention.objects.all()).order_by("-same_text", "pk").first()
    curation.decide_same_text([biggest], Mention.Status.REJECTED, user=curator)
    dismissed = EntitySuggestion.objects.filter(status="pending").order_by("-occurrences")[:3]
    curation.dismiss_suggestions(list(dismissed), user=curator)


def drop_everything() -> None:
    Cable.objects.all().delete()
    Tag.objects.all().delete()
    EntitySuggestion.objects.all().delete()
    for model in ENTITY_MODELS.values():
        model.objects.all().delete()
    for model in HISTORY_MODELS.values():
        model.history.all().delete()
    get_user_model().objects.all().delete()
    get_backend().rebuild()


def load_sample() -> None:
    summary = bulk_load(SAMPLE, workers=1, stdout=io.StringIO(), stderr=io.StringIO())
    assert not summary.fell_back and summary.failed == 0


@pytest.mark.slow
@pytest.mark.django_db
def test_curation_survives_dropping_and_bulk_loading_the_archive_again(tmp_path):
    curator = get_user_model().objects.create_user("curator", password="pw", is_staff=True)
    call_command("load_entities", "--no-tag", stdout=io.StringIO())
    load_sample()
    curate(curator)
    before = curated_state()
    history_before = history_count()
    backup = tmp_path / "curation.json"
    out = io.StringIO()
    call_command("export_curation", str(backup), stdout=out)
    assert f"Wrote {backup}" in out.getvalue()
    written = json.loads(backup.read_text())
    assert (written["format"], written["version"]) == ("cablearchive-curation", 1)
    assert written["counts"]["decisions"] == len(before["decisions"]) >= 2
    assert {
        "entity": ["person", "bulat-abilov"],
        "merged_into": "bulat-mukhamedzhanovich-abilov",
    } in written["deleted"]

    drop_everything()
    assert (Cable.objects.count(), Person.objects.count(), history_count()) == (0, 0, 0)
    # The archive rebuilt from scratch, as a deployer would: starter list, bulk load.
    call_command("load_entities", "--no-tag", stdout=io.StringIO())
    load_sample()
    rebuilt = curated_state()
    assert rebuilt != before  # the starter list brought the merged-away Bulat Abilov back

    out = io.StringIO()
    call_command("import_curation", str(backup), stdout=out)

    after = curated_state()
    for part in before:
        assert after[part] == before[part], part
    assert ("07ASTANA2223", 7, "person", "bulat-mukhamedzhanovich-abilov", "Abilov") in {
        row[:5] for row in after["confirmed_and_rejected"] if row[6] == "rejected"
    }
    assert "entities merged 1" in out.getvalue()
    # The history came back: who rejected the mention, and the merge on the survivor.
    restored_curator = get_user_model().objects.get(username="curator")
    assert not restored_curator.is_active and not restored_curator.has_usable_password()
    decision = MentionDecision.objects.get(reference_id="07ASTANA2223", paragraph_number=7)
    assert [h.status for h in decision.history.order_by("history_date")][:1] == ["rejected"]
    assert decision.history.filter(history_user=restored_curator).exists()
    survivor = Person.objects.get(slug="bulat-mukhamedzhanovich-abilov")
    assert survivor.history.filter(
        history_user=restored_curator, history_change_reason__startswith="kept in a merge"
    ).exists()
    assert history_count() >= history_before

    # Idempotent: a second import changes nothing and adds no history.
    history_after = history_count()
    out = io.StringIO()
    call_command("import_curation", str(backup), stdout=out)
    assert "nothing to change" in out.getvalue()
    assert curated_state() == before
    assert history_count() == history_after


@pytest.mark.django_db
class TestABadFile:
    @pytest.fixture
    def archive(self, tmp_path):
        call_command("load_entities", "--no-tag", stdout=io.StringIO())
        path = tmp_path / "curation.json"
        call_command("export_curation", str(path), stdout=io.StringIO())
        return path

    def test_broken_json_is_named_and_nothing_changes(self, archive):
        archive.write_text('{"format": "cablearchive-curation", "version": 1, "people": [')
        with pytest.raises(CommandError, match=rf"{archive}: not valid JSON.*Nothing was changed"):
            call_command("import_curation", str(archive), stdout=io.StringIO())

    def test_a_newer_format_version_is_refused(self, archive):
        data = json.loads(archive.read_text())
        data["version"] = 2
        archive.write_text(json.dumps(data))
        with pytest.raises(CommandError, match="format version 2; this archive reads version 1"):
            call_command("import_curation", str(archive), stdout=io.StringIO())

    def test_a_bad_entry_is_named_and_nothing_is_half_written(self, archive):
        data = json.loads(archive.read_text())
        data["people"].append({"slug": "new-person", "name": "New Person"})
        data["aliases"].append({"entity": ["person", "new-person"], "text": "Newperson"})
        data["decisions"] = [
            {
                "reference_id": "07ASTANA2223",
                "paragraph_number": 7,
                "paragraph_key": "",
                "context": "",
                "matched_text": "Abilov",
                "start": 10,
                "end": 16,
                "status": "rejected",
                "entity": ["person", "nobody-at-all"],
            }
        ]
        archive.write_text(json.dumps(data))
        counts = (Person.objects.count(), Alias.objects.count(), history_count())
        with pytest.raises(
            CommandError,
            match=r"decisions\[0\]: no person with the slug 'nobody-at-all'.*Nothing was changed",
        ):
            call_command("import_curation", str(archive), stdout=io.StringIO())
        assert (Person.objects.count(), Alias.objects.count(), history_count()) == counts
        assert not Person.objects.filter(slug="new-person").exists()


@pytest.mark.django_db
def test_the_nightly_backup_keeps_the_newest_files_and_leaves_no_temporary_file(tmp_path):
    call_command("load_entities", "--no-tag", stdout=io.StringIO())
    backups = tmp_path / "backups"
    written = []
    for _ in range(3):
        out = io.StringIO()
        call_command("export_curation", "--dir", str(backups), "--keep", "2", stdout=out)
        written.append(out.getvalue().split()[1].rstrip(":"))
    kept = sorted(str(path) for path in backups.iterdir())
    assert kept == sorted(written[1:])
    assert "Removed" in out.getvalue()
    data = json.loads(Path(written[-1]).read_text())
    assert data["counts"]["entities"] == Person.objects.count() + Party.objects.count() + (
        Election.objects.count()
    )
