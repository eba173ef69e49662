"""The five seed cables (sample_corpus/mirror-pages) as archive rows, for the entity tests.

Uses the real ingest (`cables.ingest.incremental.ingest_paths`) when the parser is installed; until then a
small stand-in reads the same files: numbered paragraphs in document order, numbered 1..n,
with the signer and classified-by lines, so the entity tests always run on the real text.
"""

import re
from datetime import UTC, datetime

import pytest

from cables.entities.loading import load_starter_list
from cables.models import Cable, Paragraph, Tag
from tests.conftest import MIRROR_PAGES, mirror_page

SEED_REFERENCES = ["07ASTANA2223", "05ALMATY4029", "07ASTANA2244", "07ASTANA1848", "05ALMATY4123"]
# What the stand-in cannot read reliably from the mirror pages' varied layouts.
SEED_METADATA = {
    "000": ("07ASTANA2223", datetime(2007, 8, 14, 13, 3, tzinfo=UTC), "Embassy Astana"),
    "001": ("05ALMATY4029", datetime(2005, 11, 9, 21, 12, tzinfo=UTC), "US Office Almaty"),
    "002": ("07ASTANA2244", datetime(2007, 8, 19, 23, 55, tzinfo=UTC), "Embassy Astana"),
    "003": ("07ASTANA1848", datetime(2007, 7, 9, 0, 9, tzinfo=UTC), "Embassy Astana"),
    "004": ("05ALMATY4123", None, ""),  # the extract gives neither date nor origin
}
PARAGRAPH_START = re.compile(r"^\s*¶?\d{1,2}\s*[.,]\s*\((?:U|C|S|SBU|TS)\)", re.M)
PAGE_BREAK = re.compile(r"^\s*[A-Z]+ \d{8}\s+\d{3}(?:\.\d)? OF \d{3}\s*$", re.M)
FOOTER = re.compile(r"^(?:Post a comment|NNNN)", re.M)
CLASSIFIED_BY = re.compile(r"^Classified By:\s*(.+)$", re.M)
SIGNER = re.compile(r"^([A-Z]{3,})\s*$", re.M)
TAGS_LINE = re.compile(r"^TAGS:(.*)$", re.M)


def parser_available() -> bool:
    try:
        from cables.parsing import iter_path  # noqa: F401
    except ImportError:
        return False
    return True


def _stand_in(prefix: str) -> Cable:
    text = mirror_page(prefix).read_text(encoding="utf-8")
    footer = FOOTER.search(text)
    body = text[: footer.start()] if footer else text
    reference_id, created, origin = SEED_METADATA[prefix]
    starts = [m.start() for m in PARAGRAPH_START.finditer(body)]
    signers = [m.group(1) for m in SIGNER.finditer(body[starts[-1] :])] if starts else []
    classified = CLASSIFIED_BY.search(body)
    cable = Cable.objects.create(
        reference_id=reference_id,
        created=created,
        year=created.year if created else None,
        origin=origin,
        signers=signers[-1:],
        classified_by=classified.group(1).strip() if classified else "",
        body=body,
    )
    tags_line = TAGS_LINE.search(body)
    codes = re.findall(r"\[([A-Z][A-Z ]*)\]", tags_line.group(1)) if tags_line else []
    cable.tags.set([Tag.objects.get_or_create(code=code)[0] for code in codes])
    rows = []
    for number, (start, end) in enumerate(
        zip(starts, starts[1:] + [len(body)], strict=True), start=1
    ):
        chunk = PAGE_BREAK.sub("", body[start:end])
        chunk = re.sub(r"^\s*¶?\d{1,2}\s*[.,]\s*", "", chunk).strip()
        if signers and number == len(starts):
            chunk = chunk.rsplit(signers[-1], 1)[0].strip()
        rows.append(Paragraph(cable=cable, number=number, text=chunk))
    Paragraph.objects.bulk_create(rows)
    return cable


def seed_mirror_pages() -> list[Cable]:
    """The starter entity list and the five seed cables, tagged.

    Ingest tags the cables it writes; the stand-in calls the tagger itself.
    """
    load_starter_list()
    if parser_available():
        from cables.ingest.incremental import ingest_paths

        ingest_paths([MIRROR_PAGES[0].parent])
        return list(Cable.objects.filter(reference_id__in=SEED_REFERENCES))
    from cables.entities import tag_cables

    cables = [_stand_in(prefix) for prefix in SEED_METADATA]
    tag_cables([cable.pk for cable in cables])
    return cables


@pytest.mark.django_db
def test_the_seed_cables_have_their_real_paragraphs():
    cables = {cable.reference_id: cable for cable in seed_mirror_pages()}
    assert set(cables) == set(SEED_REFERENCES)
    first = cables["07ASTANA2223"].paragraphs.order_by("number").first()
    assert "Kazakhstan's parliamentary elections headed" in first.text
    assert cables["07ASTANA2244"].paragraphs.count() >= 20
