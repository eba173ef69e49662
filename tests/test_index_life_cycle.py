"""The rank index's life cycle: writers publish immutable generations stamped with the archive
version, a server switches by reading the stamp, never builds an index inside a request, and
keeps no page under a generation it was not read from."""

import hashlib
import json
import shutil
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from cables.entities import upkeep
from cables.entities.curation import decide
from cables.entities.loading import load_starter_list
from cables.ingest.incremental import delete_cables, ingest_paths
from cables.lib.archive_version import archive_changed, current_version
from cables.lib.index_generation import index_dir, read_stamp, write_stamp
from cables.models import Mention, Paragraph
from cables.search import get_backend
from cables.search.index_store import differing_cables, generations, publish, publish_on_commit
from cables.search.query import parse_query
from cables.search.rank_index import NOT_READY, rank_index
from cables.search.service import search
from tests.conftest import MIRROR_PAGES

pytestmark = pytest.mark.django_db

SEARCH = "/cables/?q=election"


@pytest.fixture
def archive():
    load_starter_list()
    assert ingest_paths([MIRROR_PAGES[0].parent]).created == 5


def shown(results) -> list[int]:
    return [hit.cable.id for hit in results.page.object_list]


def found(word: str) -> set[int]:
    index = rank_index()
    return set(index.all_best_scores(index.compile(parse_query(word).text)))


def database_cables(word: str) -> set[int]:
    return set(
        get_backend().matching_cable_ids(parse_query(word).text).values_list("cable_id", flat=True)
    )


def files_of(directory) -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in directory.iterdir()
        if path.is_file() and not path.name.startswith(".tantivy-")
    }


class TestWritersPublish:
    def test_ingest_publishes_a_generation_stamped_with_the_archive_version(self, archive):
        stamp = read_stamp()
        assert stamp is not None and stamp.version == current_version().number
        assert rank_index().stamp == stamp
        assert found("Nazarbayev")
        assert differing_cables() == []

    def test_a_delete_publishes_a_new_generation_and_leaves_the_old_one_as_it_was(self, archive):
        before = read_stamp()
        old_files = files_of(index_dir() / before.name)
        cable = Paragraph.objects.filter(text__icontains="Nazarbayev").first().cable
        delete_cables([cable.id])
        after = read_stamp()
        assert after.generation == before.generation + 1
        assert after.version == current_version().number
        assert cable.id not in found("Nazarbayev")
        # The older generation is immutable: a server still reading it sees what it saw.
        assert files_of(index_dir() / before.name) == old_files

    def test_curation_stamps_the_index_with_its_new_version(self, archive):
        before = read_stamp()
        mention = Mention.objects.exclude(status=Mention.Status.REJECTED).first()
        decide(mention, Mention.Status.REJECTED)
        after = read_stamp()
        assert after.version == current_version().number > before.version
        # No paragraph changed: the same generation, stamped anew.
        assert after.generation == before.generation

    @pytest.mark.django_db(transaction=True)  # the refresh runs on a real commit
    def test_a_failed_suggestion_refresh_neither_fails_the_curation_nor_skips_the_publication(
        self, archive, monkeypatch, caplog
    ):
        def broken_refresh():
            raise RuntimeError("suggestions could not be counted")

        monkeypatch.setattr(upkeep, "REFRESHERS", [broken_refresh])
        before = read_stamp()
        mention = Mention.objects.exclude(status=Mention.Status.REJECTED).first()
        decide(mention, Mention.Status.REJECTED)  # the verdict is committed: no exception
        assert read_stamp().version == current_version().number > before.version
        assert "suggestions could not be counted" in caplog.text

    def test_text_edited_in_place_is_seen(self, archive, tmp_path):
        page = MIRROR_PAGES[0]
        text = page.read_text(encoding="utf-8")
        word = next(w for w in ("Nazarbayev", "government", "election") if w in text)
        edited = tmp_path / page.name
        edited.write_text(text.replace(word, "Quetzalcoatl"), encoding="utf-8")
        summary = ingest_paths([edited])
        assert summary.updated == 1
        (cable_id,) = found("Quetzalcoatl")
        # The old word only where the database's own index still finds it.
        assert found(word) == database_cables(word)
        assert differing_cables() == []

    def test_a_rolled_back_write_never_reaches_the_index(self, archive):
        before = read_stamp()
        cable = Paragraph.objects.filter(text__icontains="Nazarbayev").first().cable

        class Abandoned(Exception):
            pass

        with pytest.raises(Abandoned), transaction.atomic():
            delete_cables([cable.id])
            raise Abandoned
        assert read_stamp() == before
        assert cable.id in found("Nazarbayev")

    def test_old_generations_are_removed_after_the_newest_few(self, archive, settings):
        settings.RANK_INDEX_KEEP_GENERATIONS = 2
        cable_ids = list(Paragraph.objects.values_list("cable_id", flat=True).distinct())
        for cable_id in cable_ids[:3]:
            publish(cable_ids=[cable_id])
        current = read_stamp().generation
        assert generations(index_dir()) == [current - 1, current]


class TestNoIndexNoBuild:
    @pytest.fixture(autouse=True)
    def new_server(self, archive):
        write_stamp("default", None)  # a server whose index is not there yet

    def test_a_search_answers_503_at_once_and_builds_nothing(self, client):
        built = generations(index_dir())
        response = client.get(SEARCH)
        assert response.status_code == 503
        assert response["Retry-After"]
        assert response["Cache-Control"] == "no-store"
        assert "The search index is being built; try again in a minute." in response.text
        assert "manage.py rank_index --rebuild" in response.text
        assert read_stamp() is None
        assert generations(index_dir()) == built  # nothing new

    def test_the_api_answers_503_in_json(self, client):
        response = client.get("/api/cables/?q=election")
        assert response.status_code == 503
        assert response.json() == {"error": NOT_READY}

    def test_the_rank_index_command_builds_it(self, client):
        out = StringIO()
        call_command("rank_index", "--rebuild", stdout=out)
        assert f"Published {read_stamp().name}" in out.getvalue()
        assert client.get(SEARCH).status_code == 200
        call_command("rank_index", "--check", stdout=out)
        assert "holds the paragraphs of the table" in out.getvalue()


class TestPagesAreKeyedToTheGeneration:
    @pytest.fixture(autouse=True)
    def page_store_on(self, settings, archive):
        settings.PAGE_CACHE_SECONDS = 600

    def fetch(self, client, url=SEARCH):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return response, len(captured)

    def test_a_page_read_before_a_delete_is_not_served_after_it(self, client):
        first, _ = self.fetch(client)
        stored, queries = self.fetch(client)
        assert queries == 1 and stored.content == first.content
        gone = shown(search("election", {}))[0]
        delete_cables([gone])
        after, queries = self.fetch(client)
        assert queries > 1
        assert after["ETag"] != first["ETag"]
        assert f'href="/cable/{gone}' not in after.text
        assert gone not in shown(search("election", {}))

    def test_a_new_generation_is_a_new_etag_even_in_the_same_archive_version(self, client):
        first, _ = self.fetch(client)
        cable_id = shown(search("election", {}))[0]
        publish(cable_ids=[cable_id])  # the same rows, a new generation
        again, queries = self.fetch(client)
        assert queries > 1
        assert again["ETag"] != first["ETag"]

    def test_a_page_read_while_the_index_is_behind_the_archive_is_not_stored(self, client):
        # A writer committed (the version rose) and its publication has not come yet.
        archive_changed()
        self.fetch(client)
        _, queries = self.fetch(client)
        assert queries > 1  # rendered again: not stored
        with transaction.atomic():
            publish_on_commit()
        self.fetch(client)
        _, queries = self.fetch(client)
        assert queries == 1

    def test_a_page_read_after_curation_is_stored(self, client):
        mention = Mention.objects.exclude(status=Mention.Status.REJECTED).first()
        decide(mention, Mention.Status.REJECTED)
        self.fetch(client)
        _, queries = self.fetch(client)
        assert queries == 1


def test_a_stamp_is_json_a_person_can_read(archive):
    stamp = read_stamp()
    data = json.loads((index_dir() / "CURRENT").read_text())
    assert data == {"generation": stamp.generation, "version": stamp.version, "name": stamp.name}
    assert (index_dir() / stamp.name).is_dir()


def test_an_index_directory_rebuilt_from_nothing_is_not_taken_for_the_old_one(archive):
    first = read_stamp()
    assert found("Nazarbayev")
    shutil.rmtree(index_dir())  # an operator starts again: the numbers start again too
    cable = Paragraph.objects.filter(text__icontains="Nazarbayev").first().cable
    delete_cables([cable.id])  # the next writer builds a new first generation
    assert read_stamp().generation == 1 <= first.generation
    assert cable.id not in found("Nazarbayev")
