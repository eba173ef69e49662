"""The paragraph export from the search page in real headless Chromium: the links next to the
cable exports download one row per matching paragraph, the rows are the database's, and a row's
permalink opens the cable on that paragraph.
"""

import csv
import io
import json
import os
import re
from pathlib import Path

import pytest

from cables.ingest.incremental import ingest_paths
from cables.models import Paragraph
from tests.conftest import CABLEGATE_HTML

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
sync_api = pytest.importorskip("playwright.sync_api")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CABLES = {
    "05TASHKENT284",
    "05TASHKENT2473",
    "07TASHKENT2029",
    "07TASHKENT237",
    "08TASHKENT1201",
    "08TASHKENT153",
    "10TASHKENT27",
    "10TASHKENT47",
    "09ASTANA677",
    "06SKOPJE118",
}


@pytest.fixture
def archive(transactional_db):
    ingest_paths([p for p in CABLEGATE_HTML if p.stem in CABLES])


@pytest.fixture
def page(browser, live_server, archive):
    context = browser.new_context(viewport={"width": 1200, "height": 900}, accept_downloads=True)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: errors.append(message.text) if message.type == "error" else None,
    )
    yield page
    context.close()
    assert errors == [], f"JavaScript or CSP errors in the page: {errors}"


def matching_paragraphs(word: str) -> list[tuple[str, str, str]]:
    """(reference ID, number, text) of every paragraph holding the whole word, newest cable
    first, then by number: read from the Paragraph table with a regex, no index involved."""
    regex = re.compile(rf"\b{word}\b", re.I)
    paragraphs = Paragraph.objects.select_related("cable").order_by(
        "-cable__created", "cable__reference_id", "number"
    )
    return [
        (p.cable.reference_id, str(p.number), p.text) for p in paragraphs if regex.search(p.text)
    ]


def in_csv(text: str) -> str:
    """A cell as the CSV writes it: a spreadsheet formula's first characters neutralised."""
    return "'" + text if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text


def download(page, link_name: str) -> str:
    with page.expect_download() as download_info:
        page.get_by_role("link", name=link_name, exact=True).click()
    return Path(download_info.value.path()).read_text(encoding="utf-8")


def test_the_search_page_downloads_the_matching_paragraphs(page, live_server):
    page.goto(f"{live_server.url}/cables/?q=Karimova")
    assert "One row per matching paragraph" in page.locator(".results").text_content()

    rows = list(csv.DictReader(io.StringIO(download(page, "paragraphs CSV"))))
    expected = matching_paragraphs("Karimova")
    assert [(r["reference_id"], r["paragraph"], r["text"]) for r in rows] == [
        (ref, number, in_csv(text)) for ref, number, text in expected
    ]
    assert len({ref for ref, _, _ in expected}) > 2
    for row in rows:
        assert row["permalink"] == (
            f"{live_server.url}/cable/{row['reference_id']}/#par{row['paragraph']}"
        )

    document = json.loads(download(page, "paragraphs JSON"))
    assert [(r["reference_id"], str(r["paragraph"]), r["text"]) for r in document] == expected

    # A row's permalink opens its cable on that paragraph.
    last = rows[-1]
    page.goto(last["permalink"])
    paragraph = page.locator(f"#par{last['paragraph']}")
    assert "Karimova" in paragraph.text_content()


def test_a_facet_narrows_the_download_and_no_text_gives_every_paragraph(page, live_server):
    page.goto(f"{live_server.url}/cables/?q=origin%3Aastana")
    assert "One row per paragraph" in page.locator(".results").text_content()
    rows = list(csv.DictReader(io.StringIO(download(page, "paragraphs CSV"))))
    expected = [
        (p.cable.reference_id, str(p.number), in_csv(p.text))
        for p in Paragraph.objects.filter(cable__origin="Embassy Astana").order_by(
            "-cable__created", "cable__reference_id", "number"
        )
    ]
    assert [(r["reference_id"], r["paragraph"], r["text"]) for r in rows] == expected
    assert len(expected) > 3

    # The cable exports beside them are still one row per cable.
    cables = list(csv.DictReader(io.StringIO(download(page, "CSV"))))
    assert [row["reference_id"] for row in cables] == ["09ASTANA677"]
