"""Real cables from the bundled corpus as archive rows, for the reading-room tests.

The reading room is tested on real cable text. Until every test can go through ingest, this
reads the original cablegate.wikileaks.org pages (`sample_corpus/cablegate-html`) with a few
regular expressions: the header table, the TAGS, SUBJECT and REF lines, and the paragraphs
with their original `parN` anchors and markings.
"""

from __future__ import annotations

import html
import io
import re
from datetime import UTC, datetime

from cables.models import Cable, Paragraph, Reference, Tag
from cables.search import get_backend
from cables.search.index_store import publish_on_commit
from tests.conftest import CABLEGATE_HTML

TABLE_RE = re.compile(
    r"<table class='cable'>.*?<a href='/cable/[^']*'>(?P<ref>[^<]+)</a>.*?"
    r"<a href='/date/[^']*'>(?P<created>[^<]+)</a>.*?"
    r"<a href='/reldate/[^']*'>(?P<released>[^<]+)</a>.*?"
    r"<a href='/classification/[^']*'[^>]*>(?P<classification>[^<]+)</a>.*?"
    r"<a href='/origin/[^']*'>(?P<origin>[^<]+)</a>",
    re.S,
)
PRE_RE = re.compile(r"<code><pre>(.*?)</pre></code>", re.S)
PARAGRAPH_RE = re.compile(
    r"<a id='par(?P<number>\d+)' href='#par\d+'>¶</a>\s*\d+\.\s*(?:\((?P<marking>[A-Z/]+)\)\s*)?(?P<text>.*?)(?=<a id='par|\Z)",
    re.S,
)


def _clean(text: str) -> str:
    text = re.sub(r"<[^>]+>", "", text)
    return " ".join(html.unescape(text).split())


def _when(value: str) -> datetime:
    return datetime.strptime(value.strip(), "%Y-%m-%d %H:%M").replace(tzinfo=UTC)


def parse_page(path) -> dict | None:
    page = path.read_text(encoding="utf-8", errors="replace")
    table = TABLE_RE.search(page)
    pres = PRE_RE.findall(page)
    if not table or len(pres) < 2:
        return None
    header, body = pres[0], pres[1]
    plain_body = html.unescape(body.replace("&#x000A;", "\n"))
    tags = re.search(r"^\s*TAGS:?\s+(.+)$", plain_body, re.M)
    subject = re.search(r"^\s*SUBJECT:\s*(.+)$", plain_body, re.M)
    refs = re.search(r"^\s*REFS?:\s*(.+)$", plain_body, re.M)
    paragraphs = [
        (int(m["number"]), m["marking"] or "", _clean(m["text"].replace("&#x000A;", " ")))
        for m in PARAGRAPH_RE.finditer(body)
    ]
    return {
        "reference_id": table["ref"].strip(),
        "created": _when(table["created"]),
        "released": _when(table["released"]),
        "classification": table["classification"].strip(),
        "origin": table["origin"].strip(),
        "subject": _clean(subject[1]) if subject else "",
        "tags": [t for t in re.split(r"[\s,]+", tags[1].strip()) if re.fullmatch(r"[A-Z]{2,5}", t)]
        if tags
        else [],
        "refs": _clean(refs[1]) if refs else "",
        "header": html.unescape(header.replace("&#x000A;", "\n")),
        "body": plain_body,
        # A few pages repeat an anchor; the first paragraph with a number is the one kept.
        "paragraphs": list({p[0]: p for p in reversed(paragraphs) if p[2]}.values())[::-1],
    }


def load_cables(names: list[str] | None = None, references: dict | None = None) -> list[Cable]:
    """Store the named cablegate pages (all if None) and index them. `references` maps a
    reference ID to REF reference IDs to record (resolved when the archive holds them)."""
    paths = [p for p in CABLEGATE_HTML if names is None or p.stem in names]
    cables = []
    for path in paths:
        record = parse_page(path)
        if record is None or not record["paragraphs"]:
            continue
        cable = Cable.objects.create(
            reference_id=record["reference_id"],
            created=record["created"],
            released=record["released"],
            year=record["created"].year,
            classification=record["classification"],
            origin=record["origin"],
            subject=record["subject"],
            header=record["header"],
            body=record["body"],
        )
        for code in record["tags"]:
            tag, _ = Tag.objects.get_or_create(code=code)
            cable.tags.add(tag)
        Paragraph.objects.bulk_create(
            Paragraph(cable=cable, number=number, classification=marking, text=text)
            for number, marking, text in record["paragraphs"]
        )
        cables.append(cable)
    by_ref = {c.reference_id: c for c in Cable.objects.all()}
    for source, targets in (references or {}).items():
        for position, target in enumerate(targets, start=1):
            Reference.objects.create(
                cable=by_ref[source],
                position=position,
                reference_id=target,
                target=by_ref.get(target),
            )
    get_backend().index_cables([c.id for c in cables])
    publish_on_commit([c.id for c in cables])  # as ingest does
    return cables


def load_tag_definitions() -> None:
    from django.core.management import call_command

    call_command("load_tag_definitions", stdout=io.StringIO())


def paragraphs_by_cable() -> dict[str, list[str]]:
    """Reference ID -> paragraph texts, read back from the database."""
    texts: dict[str, list[str]] = {}
    for ref, text in Paragraph.objects.values_list("cable__reference_id", "text"):
        texts.setdefault(ref, []).append(text)
    return texts


def cables_where(paragraph_matches) -> set[str]:
    """Reference IDs of cables with a paragraph for which `paragraph_matches(text)` is true:
    the expected answer of a search, computed independently of either index."""
    return {
        ref
        for ref, texts in paragraphs_by_cable().items()
        if any(paragraph_matches(text) for text in texts)
    }


def has(word_pattern: str):
    """A case-insensitive whole-word regex test."""
    regex = re.compile(rf"\b{word_pattern}\b", re.I)
    return lambda text: bool(regex.search(text))
