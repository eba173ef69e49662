"""What an entity page shows: its paragraphs, who appears with it, and when."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef
from django.db.models.functions import TruncMonth
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString

from cables.models import Election, Mention, Paragraph, Party, Person

SNIPPET_CHARS = 160
VISIBLE = [Mention.Status.CONFIRMED, Mention.Status.SUGGESTED]
KINDS = {"person": Person, "party": Party, "election": Election}


def kind_of(entity) -> str:
    return type(entity).__name__.lower()


def entity_mentions(entity):
    return Mention.objects.filter(**{kind_of(entity): entity}, status__in=VISIBLE)


def entity_paragraphs(entity, *, newest_first: bool = True):
    """Paragraphs mentioning the entity (rejected mentions do not count), with dates."""
    field = kind_of(entity)
    confirmed = Mention.objects.filter(
        paragraph=OuterRef("pk"), status=Mention.Status.CONFIRMED, **{field: entity}
    )
    order = "-cable__created" if newest_first else "cable__created"
    return (
        Paragraph.objects.filter(pk__in=entity_mentions(entity).values("paragraph"))
        .select_related("cable")
        .only("pk", "number", "text", "cable__reference_id", "cable__created", "cable__origin")
        .annotate(has_confirmed=Exists(confirmed))
        .order_by(order, "cable__reference_id", "number")
    )


def snippet(paragraph: Paragraph, mentions: list[Mention]) -> SafeString:
    """A window of the paragraph around the first mention, the mention highlighted."""
    text = paragraph.text
    spans = [m for m in mentions if m.end > m.start]
    if not spans:
        return escape(" ".join(text[: SNIPPET_CHARS * 2].split()))
    first = min(spans, key=lambda m: m.start)
    left = max(0, first.start - SNIPPET_CHARS)
    right = min(len(text), first.end + SNIPPET_CHARS)
    return format_html(
        "{}{}<mark>{}</mark>{}{}",
        "… " if left else "",
        " ".join(text[left : first.start].split()) + " ",
        " ".join(text[first.start : first.end].split()),
        " " + " ".join(text[first.end : right].split()),
        " …" if right < len(text) else "",
    )


@dataclass
class CoMention:
    entity: object
    paragraphs: int


def co_mentioned(entity, *, limit: int = 10) -> list[CoMention]:
    """The entities most often mentioned in the same paragraphs."""
    paragraph_ids = entity_mentions(entity).values("paragraph")
    own_field = kind_of(entity)
    found: list[CoMention] = []
    for field, model in KINDS.items():
        rows = (
            Mention.objects.filter(paragraph__in=paragraph_ids, status__in=VISIBLE)
            .filter(**{f"{field}__isnull": False})
            .exclude(**({field: entity} if field == own_field else {}))
            .values(field)
            .annotate(n=Count("paragraph", distinct=True))
            .order_by("-n")[:limit]
        )
        counts = {row[field]: row["n"] for row in rows}
        for other in model.objects.filter(pk__in=counts):
            found.append(CoMention(other, counts[other.pk]))
    found.sort(key=lambda item: (-item.paragraphs, item.entity.name))
    return found[:limit]


@dataclass
class MonthBar:
    month: object
    paragraphs: int


def timeline(entity) -> list[MonthBar]:
    rows = (
        entity_mentions(entity)
        .exclude(paragraph__cable__created__isnull=True)
        .annotate(month=TruncMonth("paragraph__cable__created"))
        .values("month")
        .annotate(n=Count("paragraph", distinct=True))
        .order_by("month")
    )
    return [MonthBar(row["month"], row["n"]) for row in rows]


def page_rows(entity, paragraphs) -> list[dict]:
    """One row per paragraph on the current page: permalink, snippet, date, origin."""
    field = kind_of(entity)
    ids = [p.pk for p in paragraphs]
    by_paragraph: dict[int, list[Mention]] = {}
    for mention in Mention.objects.filter(
        paragraph_id__in=ids, status__in=VISIBLE, **{field: entity}
    ).select_related("decided_by"):
        by_paragraph.setdefault(mention.paragraph_id, []).append(mention)
    return [
        {
            "paragraph": p,
            "url": p.get_absolute_url(),
            "snippet": snippet(p, by_paragraph.get(p.pk, [])),
            "confirmed": p.has_confirmed,
            "review": review_of(by_paragraph.get(p.pk, [])),
        }
        for p in paragraphs
    ]


def review_of(mentions: list[Mention]) -> str:
    """The strongest word on a paragraph's mentions: a curator's, else the automatic rule's."""
    if not mentions:
        return ""
    rank = {Mention.Status.CONFIRMED: 0, Mention.Status.SUGGESTED: 1}
    best = min(mentions, key=lambda m: (rank.get(m.status, 2), m.decided_by_id is None))
    return best.review_label


def max_count(bars) -> int:
    return max((bar.paragraphs for bar in bars), default=0)
