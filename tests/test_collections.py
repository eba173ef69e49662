"""Collections with notes: readers save paragraphs with a note, share a read-only link, export
CSV, JSON and BibTeX, and saved paragraphs find their paragraph again after re-ingest."""

import csv
import io
import json
import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from django.urls import reverse

from cables.ingest.incremental import ingest_paths
from cables.models import Cable, Collection, Paragraph, SavedParagraph
from tests.conftest import CABLEGATE_HTML, mirror_page, rolled_back
from tests.helpers import extract_of_mirror_page_000, run_settings

PASSWORD = "a-reader-password-for-tests-1"
KARIMOVA = "05TASHKENT2473"  # "GULNORA KARIMOVA LOOKS TO IMPROVE HER IMAGE", 2005, 6 paragraphs
ASTANA = "07ASTANA2223"


def save_url(reference_id: str, number) -> str:
    return f"{reverse('collections:save')}?cable={reference_id}&par={number}"


@pytest.fixture(scope="module")
def archive(django_db_setup, django_db_blocker):
    """Two real cablegate pages and two readers, once per module; each test runs in a
    savepoint inside this transaction, rolled back at the module's end."""
    pages = [p for p in CABLEGATE_HTML if p.stem in {KARIMOVA, "05TASHKENT284"}]
    with rolled_back(django_db_blocker):
        ingest_paths(pages)
        users = get_user_model().objects
        users.create_user("alice", password=PASSWORD)
        users.create_user("bob", password=PASSWORD)
        yield


@pytest.fixture
def alice(archive):
    client = Client()
    client.force_login(get_user_model().objects.get(username="alice"))
    return client


@pytest.fixture
def bob(archive):
    client = Client()
    client.force_login(get_user_model().objects.get(username="bob"))
    return client


def paragraph(reference_id: str, number: int) -> Paragraph:
    return Paragraph.objects.get(cable__reference_id=reference_id, number=number)


def save(client, reference_id, number, note="", new_name="Karimova", collection="new"):
    return client.post(
        save_url(reference_id, number),
        {"collection": collection, "new_name": new_name, "note": note},
    )


@pytest.fixture
def saved(alice):
    """Alice's collection "Karimova" with ¶2 (noted) and ¶5 of 05TASHKENT2473."""
    save(alice, KARIMOVA, 2, note="Charity work as image building")
    collection = Collection.objects.get(name="Karimova")
    save(alice, KARIMOVA, 5, collection=str(collection.pk))
    return collection


def page_text(response) -> str:
    return response.content.decode()


@pytest.mark.django_db
class TestSaving:
    def test_saving_a_paragraph_with_a_note_creates_the_collection_and_shows_it(self, alice):
        response = save(alice, KARIMOVA, 2, note="Charity work as image building")
        collection = Collection.objects.get(name="Karimova")
        item = collection.items.get()
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("collections:detail", args=[collection.pk]))
        assert (item.reference_id, item.paragraph_number) == (KARIMOVA, 2)
        assert item.text == paragraph(KARIMOVA, 2).text
        assert item.note == "Charity work as image building"
        page = page_text(alice.get(response["Location"]))
        assert "Saved ¶2 of 05TASHKENT2473" in page
        assert f'href="/cable/{KARIMOVA}/#par2"' in page
        assert "Charity work as image building" in page
        assert "PATRON OF THE ARTS" not in page  # the heading is not the text
        assert "Tasvir, a widely read family magazine" in page

    def test_the_same_paragraph_saved_again_keeps_its_note_unless_the_reader_says_replace(
        self, alice, saved
    ):
        page = page_text(alice.get(save_url(KARIMOVA, 2)))
        assert "Already saved" in page and "Charity work as image building" in page
        refused = save(alice, KARIMOVA, 2, note="A second thought", collection=str(saved.pk))
        assert refused.status_code == 400
        assert "already in “Karimova” with the note" in page_text(refused)
        assert saved.items.get(paragraph_number=2).note == "Charity work as image building"
        alice.post(
            save_url(KARIMOVA, 2),
            {"collection": saved.pk, "note": "A second thought", "replace_note": "on"},
        )
        assert saved.items.count() == 2
        assert saved.items.get(paragraph_number=2).note == "A second thought"

    def test_a_share_link_can_be_renewed_and_revoked(self, alice, saved):
        old = saved.token
        assert Client().get(f"/c/{old}/").status_code == 200
        alice.post(reverse("collections:share", args=[saved.pk]), {"sharing": "on"})
        saved.refresh_from_db()
        assert saved.token != old and Client().get(f"/c/{old}/").status_code == 404
        assert Client().get(f"/c/{saved.token}/").status_code == 200
        alice.post(reverse("collections:share", args=[saved.pk]), {"sharing": "off"})
        saved.refresh_from_db()
        assert Client().get(f"/c/{saved.token}/").status_code == 404

    def test_the_save_page_offers_the_readers_collections_and_a_note(self, alice, saved):
        page = page_text(alice.get(save_url(KARIMOVA, 3)))
        assert "Save ¶3 of 05TASHKENT2473" in page
        assert f'<option value="{saved.pk}" selected>Karimova</option>' in page
        assert 'name="note"' in page and "csrfmiddlewaretoken" in page

    def test_a_new_collection_needs_a_name(self, alice):
        response = save(alice, KARIMOVA, 2, new_name="  ")
        assert response.status_code == 400
        assert "Name the new collection." in page_text(response)
        assert not Collection.objects.exists()

    @pytest.mark.parametrize(
        ("query", "status", "message"),
        [
            ("?cable=05TASHKENT2473&par=abc", 400, "The paragraph number must be a whole number."),
            ("?cable=05TASHKENT2473", 400, "Say which paragraph"),
            ("?cable=05TASHKENT2473&par=0", 400, "Paragraphs are numbered from 1."),
            ("?cable=05TASHKENT2473&par=99", 404, None),
            ("?cable=99NOWHERE1&par=1", 404, None),
        ],
    )
    def test_a_bad_paragraph_address_gets_a_clear_answer(self, alice, query, status, message):
        response = alice.get(reverse("collections:save") + query)
        assert response.status_code == status
        if message:
            assert message in page_text(response)

    def test_saving_needs_a_signed_in_reader(self, archive, client):
        response = client.get(save_url(KARIMOVA, 2))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("collections:login"))
        assert save(client, KARIMOVA, 2).status_code == 302
        assert not SavedParagraph.objects.exists()

    def test_saving_without_the_csrf_token_is_refused(self, archive):
        client = Client(enforce_csrf_checks=True)
        client.force_login(get_user_model().objects.get(username="alice"))
        assert save(client, KARIMOVA, 2).status_code == 403
        assert not SavedParagraph.objects.exists()


@pytest.mark.django_db
class TestTheCablePage:
    def test_signed_in_readers_get_a_save_link_per_paragraph_on_a_private_page(self, alice):
        response = alice.get(f"/cable/{KARIMOVA}/")
        page = page_text(response)
        assert (
            page.count('class="save-link"')
            == Paragraph.objects.filter(cable__reference_id=KARIMOVA).count()
        )
        assert f'href="/collections/save/?cable={KARIMOVA}&amp;par=2"' in page
        assert set(response["Cache-Control"].split(", ")) == {"private", "no-cache"}
        assert "Cookie" in response["Vary"]
        assert "My collections" in page

    def test_anonymous_readers_get_the_public_cached_page_without_save_links(self, archive):
        anonymous = Client()
        response = anonymous.get(f"/cable/{KARIMOVA}/")
        page = page_text(response)
        assert 'class="save-link"' not in page
        assert "Sign in to save paragraphs" in page
        assert f'href="/accounts/login/?next=/cable/{KARIMOVA}/"' in page
        assert "public" in response["Cache-Control"]
        assert "Cookie" in response["Vary"]
        assert (
            anonymous.get(
                f"/cable/{KARIMOVA}/", headers={"if-none-match": response["ETag"]}
            ).status_code
            == 304
        )

    def test_a_signed_in_page_is_never_the_anonymous_one(self, alice):
        anonymous = Client().get(f"/cable/{KARIMOVA}/")
        signed_in = alice.get(f"/cable/{KARIMOVA}/")
        assert signed_in["ETag"] != anonymous["ETag"]
        assert (
            alice.get(
                f"/cable/{KARIMOVA}/", headers={"if-none-match": anonymous["ETag"]}
            ).status_code
            == 200
        )
        # ...nor is the anonymous one served the signed-in reader's page.
        assert (
            Client()
            .get(f"/cable/{KARIMOVA}/", headers={"if-none-match": signed_in["ETag"]})
            .status_code
            == 200
        )

    def test_the_home_page_links_sign_in_or_my_collections(self, alice):
        assert '<a href="/accounts/login/">Sign in</a>' in page_text(Client().get("/"))
        assert '<a href="/collections/">My collections</a>' in page_text(alice.get("/"))


@pytest.mark.django_db
class TestEditing:
    def test_my_collections_lists_each_with_its_count(self, alice, saved):
        page = page_text(alice.get(reverse("collections:list")))
        assert "Karimova" in page and "2 paragraphs" in page
        assert "Sign out" in page

    def test_a_collection_can_be_created_empty(self, alice):
        response = alice.post(reverse("collections:list"), {"name": "Elections"})
        collection = Collection.objects.get(name="Elections")
        assert response["Location"] == reverse("collections:detail", args=[collection.pk])
        duplicate = alice.post(reverse("collections:list"), {"name": "Elections"})
        assert duplicate.status_code == 400
        assert "You already have a collection named “Elections”." in page_text(duplicate)

    def test_the_owner_edits_a_note(self, alice, saved):
        item = saved.items.get(paragraph_number=5)
        alice.post(
            reverse("collections:item-note", args=[saved.pk, item.pk]), {"note": "Compare ¶2"}
        )
        item.refresh_from_db()
        assert item.note == "Compare ¶2"

    def test_the_owner_renames_and_a_taken_name_is_refused(self, alice, saved):
        alice.post(reverse("collections:list"), {"name": "Elections"})
        alice.post(reverse("collections:rename", args=[saved.pk]), {"name": "Gulnora"})
        saved.refresh_from_db()
        assert saved.name == "Gulnora"
        response = alice.post(
            reverse("collections:rename", args=[saved.pk]), {"name": "Elections"}, follow=True
        )
        assert "You already have a collection named “Elections”." in page_text(response)
        saved.refresh_from_db()
        assert saved.name == "Gulnora"

    def test_the_owner_removes_an_item(self, alice, saved):
        item = saved.items.get(paragraph_number=5)
        alice.post(reverse("collections:item-remove", args=[saved.pk, item.pk]))
        assert list(saved.items.values_list("paragraph_number", flat=True)) == [2]

    def test_the_owner_deletes_the_collection_after_confirming(self, alice, saved):
        confirm = alice.get(reverse("collections:delete", args=[saved.pk]))
        assert "2 saved paragraphs" in page_text(confirm)
        assert Collection.objects.filter(pk=saved.pk).exists()
        alice.post(reverse("collections:delete", args=[saved.pk]))
        assert not Collection.objects.filter(pk=saved.pk).exists()
        assert not SavedParagraph.objects.exists()
        assert Client().get(reverse("collections:shared", args=[saved.token])).status_code == 404

    def test_another_reader_gets_404_and_changes_nothing(self, bob, saved):
        item = saved.items.get(paragraph_number=2)
        pk = saved.pk
        assert bob.get(reverse("collections:detail", args=[pk])).status_code == 404
        assert bob.get(reverse("collections:delete", args=[pk])).status_code == 404
        assert bob.post(reverse("collections:delete", args=[pk])).status_code == 404
        assert bob.post(reverse("collections:rename", args=[pk]), {"name": "x"}).status_code == 404
        assert (
            bob.post(
                reverse("collections:item-note", args=[pk, item.pk]), {"note": "mine"}
            ).status_code
            == 404
        )
        assert bob.post(reverse("collections:item-remove", args=[pk, item.pk])).status_code == 404
        assert (
            bob.post(save_url(KARIMOVA, 3), {"collection": str(pk), "note": ""}).status_code == 400
        )
        saved.refresh_from_db()
        item.refresh_from_db()
        assert (saved.name, saved.items.count(), item.note) == (
            "Karimova",
            2,
            "Charity work as image building",
        )
        assert "Karimova" not in page_text(bob.get(reverse("collections:list")))

    def test_an_absurd_collection_or_item_number_is_404(self, alice, saved):
        huge = "9" * 30
        assert alice.get(f"/collections/{huge}/").status_code == 404
        assert alice.post(f"/collections/{saved.pk}/items/{huge}/remove/").status_code == 404
        assert saved.items.count() == 2

    def test_private_pages_send_anonymous_readers_to_sign_in(self, archive, saved):
        response = Client().get(reverse("collections:detail", args=[saved.pk]))
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")

    def test_private_pages_are_never_cached(self, alice, saved):
        for url in [reverse("collections:list"), reverse("collections:detail", args=[saved.pk])]:
            cache_control = alice.get(url)["Cache-Control"]
            assert "no-store" in cache_control and "private" in cache_control


@pytest.mark.django_db
class TestSharing:
    def test_the_shared_link_is_read_only_and_needs_no_sign_in(self, saved):
        response = Client().get(reverse("collections:shared", args=[saved.token]))
        page = page_text(response)
        assert response.status_code == 200
        assert "Karimova" in page and "Charity work as image building" in page
        assert f'href="/cable/{KARIMOVA}/#par5"' in page
        assert "<form" not in page.split("<main", 1)[1]
        assert "no-store" in response["Cache-Control"]
        assert '<meta name="robots" content="noindex">' in page

    def test_the_token_is_unguessable_and_a_wrong_one_is_404(self, saved, alice):
        assert re.fullmatch(r"[A-Za-z0-9_-]{32}", saved.token)
        save(alice, KARIMOVA, 3, new_name="Other")
        assert Collection.objects.get(name="Other").token != saved.token
        assert Client().get(reverse("collections:shared", args=["x" * 32])).status_code == 404

    def test_the_collection_page_shows_the_share_link_and_exports(self, alice, saved):
        page = page_text(alice.get(reverse("collections:detail", args=[saved.pk])))
        assert f"http://testserver/c/{saved.token}/" in page
        for fmt in ("csv", "json", "bib"):
            assert f"/c/{saved.token}/export.{fmt}" in page


@pytest.mark.django_db
class TestExports:
    def export(self, collection, fmt):
        response = Client().get(reverse(f"collections:export-{fmt}", args=[collection.token]))
        assert response.status_code == 200
        assert response["Content-Disposition"] == f'attachment; filename="karimova.{fmt}"'
        return response

    def test_csv_has_one_row_per_paragraph_with_text_note_and_permalink(self, saved):
        response = self.export(saved, "csv")
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        assert [(r["reference_id"], r["paragraph"]) for r in rows] == [
            (KARIMOVA, "2"),
            (KARIMOVA, "5"),
        ]
        first = rows[0]
        assert first["permalink"] == f"http://testserver/cable/{KARIMOVA}/#par2"
        assert first["subject"] == "GULNORA KARIMOVA LOOKS TO IMPROVE HER IMAGE"
        assert first["origin"] == "Embassy Tashkent"
        assert first["created"] == "2005-09-13 14:05"
        assert first["classification"] == "CONFIDENTIAL"
        assert first["text"] == paragraph(KARIMOVA, 2).text
        assert first["note"] == "Charity work as image building"
        assert (first["in_cable"], rows[1]["note"]) == ("yes", "")

    def test_a_note_that_looks_like_a_formula_is_made_inert_in_csv(self, alice, saved):
        item = saved.items.get(paragraph_number=5)
        item.note = '=HYPERLINK("http://example.org","x")'
        item.save()
        rows = list(csv.DictReader(io.StringIO(self.export(saved, "csv").content.decode())))
        assert rows[1]["note"] == "'" + item.note
        assert json.loads(self.export(saved, "json").content)["items"][1]["note"] == item.note

    def test_json_carries_the_collection_and_its_paragraphs(self, saved):
        document = json.loads(self.export(saved, "json").content)
        assert document["collection"] == "Karimova"
        assert document["url"] == f"http://testserver/c/{saved.token}/"
        first, second = document["items"]
        assert first["paragraph"] == 2 and second["paragraph"] == 5
        assert first["text"] == paragraph(KARIMOVA, 2).text
        assert first["note"] == "Charity work as image building"
        assert first["in_cable"] is True
        assert first["permalink"] == f"http://testserver/cable/{KARIMOVA}/#par2"

    def test_bibtex_has_one_misc_entry_per_paragraph(self, saved):
        item = saved.items.get(paragraph_number=5)
        item.note = "50% of {her} media & more_"
        item.save()
        text = self.export(saved, "bib").content.decode()
        entries = re.findall(r"@misc\{([^,]+),", text)
        assert entries == [f"{KARIMOVA}par2", f"{KARIMOVA}par5"]
        first = text.split("@misc")[1]
        assert "title = {{GULNORA KARIMOVA LOOKS TO IMPROVE HER IMAGE}}" in first
        assert "author = {{Embassy Tashkent}}" in first
        assert "year = {2005}" in first
        assert f"url = {{http://testserver/cable/{KARIMOVA}/#par2}}" in first
        assert "howpublished = {Cable 05TASHKENT2473, paragraph 2}" in first
        assert "note = {Charity work as image building}" in first
        assert r"note = {50\% of \{her\} media \& more\_}" in text
        assert text.count("{") == text.count("}") + text.count(r"\{") - text.count(r"\}")

    def test_an_unknown_format_or_token_is_404(self, saved):
        assert Client().get(f"/c/{saved.token}/export.xml").status_code == 404
        assert Client().get("/c/nope/export.csv").status_code == 404


@pytest.mark.django_db
class TestSurvivesReingest:
    """A saved paragraph finds its paragraph again when ingest recreates the rows."""

    @pytest.fixture
    def reader(self, db):
        user = get_user_model().objects.create_user("carol", password=PASSWORD)
        client = Client()
        client.force_login(user)
        return client

    def items(self, client, collection):
        from cables.collections.service import resolve

        return {r.item.paragraph_number: r for r in resolve(collection.items.all())}

    def test_a_forced_re_ingest_of_the_same_cable(self, reader):
        ingest_paths([mirror_page("000")])
        before = paragraph(ASTANA, 7)
        save(reader, ASTANA, 7, note="Internal polls", new_name="Astana")
        Cable.objects.filter(reference_id=ASTANA).update(content_hash="")
        assert ingest_paths([mirror_page("000")]).updated == 1
        after = paragraph(ASTANA, 7)
        assert after.pk != before.pk
        collection = Collection.objects.get(name="Astana")
        (resolved,) = self.items(reader, collection).values()
        assert resolved.paragraph.pk == after.pk
        assert not resolved.changed
        page = page_text(reader.get(reverse("collections:detail", args=[collection.pk])))
        assert f'href="/cable/{ASTANA}/#par7"' in page
        assert "no longer" not in page

    def test_a_fuller_text_that_renumbers_the_paragraphs(self, reader, tmp_path):
        ingest_paths([extract_of_mirror_page_000(tmp_path)])
        assert Cable.objects.get(reference_id=ASTANA).partial
        polls, turnout = paragraph(ASTANA, 6).text, paragraph(ASTANA, 7).text
        save(reader, ASTANA, 6, note="Internal polls", new_name="Astana")
        collection = Collection.objects.get(name="Astana")
        save(reader, ASTANA, 7, collection=str(collection.pk))

        # The full text replaces the extract: the extract's ¶6 is its ¶7, its ¶7 is ¶8.
        assert ingest_paths([mirror_page("000")]).updated == 1
        assert not Cable.objects.get(reference_id=ASTANA).partial
        items = self.items(reader, collection)
        assert (items[6].number, items[6].text) == (7, polls)
        assert (items[7].number, items[7].text) == (8, turnout)
        assert paragraph(ASTANA, 7).text == polls
        rows = json.loads(Client().get(f"/c/{collection.token}/export.json").content)["items"]
        assert [(r["paragraph"], r["note"]) for r in rows] == [(7, "Internal polls"), (8, "")]
        assert rows[0]["permalink"].endswith(f"/cable/{ASTANA}/#par7")

    def test_a_truncated_paragraph_completed_by_the_fuller_text(self, reader, tmp_path):
        ingest_paths([extract_of_mirror_page_000(tmp_path, cut_abilov_paragraph=True)])
        cut = paragraph(ASTANA, 6).text
        save(reader, ASTANA, 6, note="Abilov", new_name="Astana")
        ingest_paths([mirror_page("000")])
        collection = Collection.objects.get(name="Astana")
        resolved = self.items(reader, collection)[6]
        assert resolved.number == 7
        assert resolved.text == paragraph(ASTANA, 7).text != cut
        assert resolved.changed
        page = page_text(reader.get(reverse("collections:detail", args=[collection.pk])))
        assert "The cable's text has changed since this was saved" in page

    def test_a_paragraph_no_longer_in_the_cable_shows_the_saved_text(self, reader):
        ingest_paths([mirror_page("000")])
        text = paragraph(ASTANA, 7).text
        save(reader, ASTANA, 7, note="Internal polls", new_name="Astana")
        collection = Collection.objects.get(name="Astana")
        Paragraph.objects.filter(cable__reference_id=ASTANA, number=7).delete()
        resolved = self.items(reader, collection)[7]
        assert resolved.paragraph is None and resolved.text == text
        page = page_text(Client().get(f"/c/{collection.token}/"))
        assert "This paragraph is no longer in the cable" in page
        assert "The Presidential Administration tells us" in page
        # It never jumps to the paragraph now numbered 7.
        Paragraph.objects.filter(cable__reference_id=ASTANA, number=8).update(number=7)
        assert self.items(reader, collection)[7].paragraph is None
        row = next(
            csv.DictReader(
                io.StringIO(Client().get(f"/c/{collection.token}/export.csv").content.decode())
            )
        )
        assert (row["in_cable"], row["text"], row["note"]) == ("no", text, "Internal polls")

    def test_a_cable_no_longer_in_the_archive_shows_the_saved_text(self, reader):
        ingest_paths([mirror_page("000")])
        save(reader, ASTANA, 7, new_name="Astana")
        collection = Collection.objects.get(name="Astana")
        Cable.objects.filter(reference_id=ASTANA).delete()
        page = page_text(reader.get(reverse("collections:detail", args=[collection.pk])))
        assert "This cable is no longer in the archive" in page
        assert "The Presidential Administration tells us" in page


@pytest.mark.django_db
class TestAccounts:
    def sign_in(self, client, password, username="alice", address="203.0.113.9", next_=""):
        return client.post(
            reverse("collections:login"),
            {"username": username, "password": password, "next": next_},
            REMOTE_ADDR=address,
        )

    def test_a_reader_signs_in_and_lands_on_my_collections_or_next(self, archive, client):
        page = page_text(client.get(reverse("collections:login")))
        assert "Sign in" in page and "created by the archive's administrators" in page
        response = self.sign_in(client, PASSWORD)
        assert response["Location"] == reverse("collections:list")
        client.post(reverse("collections:logout"))
        response = self.sign_in(client, PASSWORD, next_=f"/cable/{KARIMOVA}/")
        assert response["Location"] == f"/cable/{KARIMOVA}/"
        assert self.sign_in(Client(), PASSWORD, next_="https://evil.example/")["Location"] == (
            reverse("collections:list")
        )

    def test_a_wrong_password_is_said_so(self, archive, client):
        response = self.sign_in(client, "wrong")
        assert response.status_code == 200
        assert "Please enter the correct username and password" in page_text(response)

    def test_sign_in_is_throttled_by_axes_like_the_admins(self, archive, client):
        responses = [self.sign_in(client, "wrong") for _ in range(settings.AXES_FAILURE_LIMIT)]
        assert responses[-1].status_code == 429
        page = page_text(responses[-1])
        assert "Sign-in temporarily locked" in page
        assert "manage.py axes_reset_username alice" in page
        assert "collections.css" in page  # the reading room's page, not the admin's
        refused = self.sign_in(client, PASSWORD)
        assert refused.status_code == 429
        assert "_auth_user_id" not in client.session
        # The lockout is per username and address, shared with the admin's sign-in.
        admin = client.post(
            reverse("admin:login"),
            {"username": "alice", "password": PASSWORD, "next": "/admin/"},
            REMOTE_ADDR="203.0.113.9",
        )
        assert admin.status_code == 429
        assert '<div id="content-main" class="locked-out">' in page_text(admin)

    def test_signing_out_is_a_post(self, alice):
        assert alice.get(reverse("collections:logout")).status_code == 405
        response = alice.post(reverse("collections:logout"))
        assert response["Location"] == "/"
        assert alice.get(reverse("collections:list")).status_code == 302

    def test_without_open_registration_there_is_no_sign_up(self, archive, client):
        assert not settings.OPEN_REGISTRATION
        assert client.get(reverse("collections:signup")).status_code == 404
        response = client.post(
            reverse("collections:signup"),
            {"username": "mallory", "password1": PASSWORD, "password2": PASSWORD},
        )
        assert response.status_code == 404
        assert not get_user_model().objects.filter(username="mallory").exists()
        assert "Create one" not in page_text(client.get(reverse("collections:login")))

    @override_settings(OPEN_REGISTRATION=True)
    def test_with_open_registration_a_reader_signs_up_and_is_signed_in(self, archive, client):
        assert "Create one" in page_text(client.get(reverse("collections:login")))
        weak = client.post(
            reverse("collections:signup"),
            {"username": "dana", "password1": "password", "password2": "password"},
        )
        assert weak.status_code == 400
        assert "This password is too common." in page_text(weak)
        response = client.post(
            reverse("collections:signup"),
            {
                "username": "dana",
                "password1": PASSWORD,
                "password2": PASSWORD,
                "next": f"/cable/{KARIMOVA}/",
            },
        )
        assert response["Location"] == f"/cable/{KARIMOVA}/"
        assert 'class="save-link"' in page_text(client.get(f"/cable/{KARIMOVA}/"))

    def test_open_registration_comes_from_the_environment(self):
        code = "from django.conf import settings; print(settings.OPEN_REGISTRATION)"
        assert run_settings({}, code).stdout.split() == ["False"]
        assert run_settings({"OPEN_REGISTRATION": "1"}, code).stdout.split() == ["True"]
        result = run_settings({"OPEN_REGISTRATION": "perhaps"}, code)
        assert result.returncode != 0
        assert "OPEN_REGISTRATION='perhaps' is not a boolean" in result.stderr
