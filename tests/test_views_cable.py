"""The cable page: header, paragraphs with permalinks, references, citations, old addresses."""

import pytest
from django.urls import reverse

from cables.models import Paragraph

pytestmark = pytest.mark.django_db


def page(client, reference_id, **params):
    response = client.get(reverse("cables:cable-detail", args=[reference_id]), params)
    assert response.status_code == 200
    return response.content.decode()


def test_it_shows_the_header_table_researchers_know(client, corpus):
    html = page(client, "05TASHKENT284")
    for heading in ("Reference ID", "Created", "Released", "Classification", "Origin"):
        assert f'<th scope="col">{heading}</th>' in html
    assert "2005-01-28 13:01" in html and "2010-12-12 21:09" in html
    assert "Embassy Tashkent" in html and "CONFIDENTIAL" in html
    assert "GULNORA INC. STRIKES AGAIN" in html


def test_tags_carry_their_definitions(client, corpus):
    html = page(client, "05TASHKENT284")
    assert 'title="Economic Affairs--Economic Conditions; Trends and Potential">ECON</a>' in html
    assert 'title="Uzbekistan">UZ</a>' in html


def test_every_paragraph_has_its_original_anchor_link_marking_and_copy_button(client, corpus):
    html = page(client, "05TASHKENT284")
    numbers = list(
        Paragraph.objects.filter(cable__reference_id="05TASHKENT284").values_list(
            "number", flat=True
        )
    )
    assert numbers == [1, 2, 3, 4]
    for number in numbers:
        assert f'id="par{number}"' in html
        assert f'<a class="para-link" href="#par{number}"' in html
        assert f'data-permalink="http://testserver/cable/05TASHKENT284/#par{number}"' in html
    assert '<span class="marking marking-confidential" title="Paragraph marking">(C)</span>' in html


def test_references_resolve_or_say_not_in_the_archive(client, corpus):
    html = page(client, "05TASHKENT284")
    assert '04TASHKENT3390 <span class="not-held">(not in the archive)</span>' in html
    # Cited by two cables the archive holds.
    assert 'href="/cable/08TASHKENT153/"' in html and 'href="/cable/10TASHKENT27/"' in html
    cited = page(client, "10TASHKENT27")
    assert '<a href="/cable/05TASHKENT284/">05TASHKENT284</a>: GULNORA INC. STRIKES AGAIN' in cited


def test_previous_and_next_cable_come_from_the_same_origin(client, corpus):
    tashkent = sorted(
        (c for c in corpus.values() if c.origin == "Embassy Tashkent"), key=lambda c: c.created
    )
    middle = tashkent[len(tashkent) // 2]
    html = page(client, middle.reference_id)
    before = tashkent[tashkent.index(middle) - 1]
    after = tashkent[tashkent.index(middle) + 1]
    assert f'rel="prev" href="/cable/{before.reference_id}/"' in html
    assert f'rel="next" href="/cable/{after.reference_id}/"' in html


def test_cite_gives_plain_text_and_bibtex_for_cable_and_paragraph(client, corpus):
    html = page(client, "05TASHKENT284")
    assert (
        "Embassy Tashkent, “GULNORA INC. STRIKES AGAIN,” cable 05TASHKENT284, 2005-01-28, "
        "CONFIDENTIAL. Cable Archive, http://testserver/cable/05TASHKENT284/"
    ) in html
    assert "@misc{05TASHKENT284," in html
    assert "@misc{05TASHKENT284par3," in html
    assert "paragraph 3. Cable Archive, http://testserver/cable/05TASHKENT284/#par3" in html


def test_search_terms_travel_to_the_cable_page_for_highlighting(client, corpus):
    html = page(client, "05TASHKENT284", q='Skytel "Coca-Cola" -Zeromax origin:tashkent')
    assert (
        '<script id="search-terms" type="application/json">["skytel", "coca cola"]</script>' in html
    )
    assert 'class="term-nav"' in html


def test_old_addresses_redirect_permanently(client, corpus):
    old = client.get("/cable/2005/01/05TASHKENT284.html")
    assert old.status_code == 301 and old["Location"] == "/cable/05TASHKENT284/"
    bare = client.get("/05TASHKENT284")
    assert bare.status_code == 301 and bare["Location"] == "/cable/05TASHKENT284/"


def test_an_unknown_cable_is_404(client, corpus):
    assert client.get("/cable/99NOWHERE1/").status_code == 404


def test_cable_text_is_escaped(client, corpus):
    cable = corpus["05TASHKENT284"]
    Paragraph.objects.create(cable=cable, number=99, text="<img src=x onerror=alert(1)>")
    html = page(client, "05TASHKENT284")
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_the_cable_page_runs_a_fixed_number_of_queries(
    client, corpus, django_assert_max_num_queries
):
    # 9 for the page (one of them the sources it lists as versions) and 1 for the archive
    # version (HTTP caching).
    with django_assert_max_num_queries(10):
        page(client, "05TASHKENT284")
