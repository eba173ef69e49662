"""Entity mentions are marked inline on the cable page and link to the entity pages."""

import io

import pytest
from django.core.management import call_command

from cables.ingest.incremental import ingest_paths
from cables.models import Mention, Person

from .conftest import mirror_page


@pytest.fixture
def tagged_cable(db):
    call_command("load_entities", "--no-tag", stdout=io.StringIO())
    summary = ingest_paths([mirror_page("003")])  # 07ASTANA1848, tagged during ingest
    assert summary.created == 1
    return "07ASTANA1848"


def test_mentions_link_to_their_entity_pages_on_the_cable_page(client, tagged_cable):
    tuyakbay = Person.objects.get(name__contains="Tuyakbay")
    assert Mention.objects.filter(person=tuyakbay, paragraph__number=1).exists()
    page = client.get(f"/cable/{tagged_cable}/").content.decode()
    assert f'href="{tuyakbay.get_absolute_url()}"' in page
    assert 'class="mention mention-person' in page


def test_a_rejected_mention_is_not_marked(client, tagged_cable):
    tuyakbay = Person.objects.get(name__contains="Tuyakbay")
    Mention.objects.filter(person=tuyakbay).update(status=Mention.Status.REJECTED)
    page = client.get(f"/cable/{tagged_cable}/").content.decode()
    assert f'href="{tuyakbay.get_absolute_url()}"' not in page
    assert "Tuyakbay" in page  # the text itself stays


def test_cable_text_stays_escaped_around_the_marks(client, tagged_cable):
    page = client.get(f"/cable/{tagged_cable}/").content.decode()
    # ¶8 of 07ASTANA1848 quotes the akims: the quotation marks are escaped text, not markup.
    assert "&quot;outdo the next guy.&quot;" in page
    assert '"outdo the next guy."' not in page
