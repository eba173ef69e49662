"""What an entity page shows: its paragraphs, who appears with it, and when."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString

from cables.models import Election, Mention, Paragraph, Party, Person
from cables.search.year_month import YearMonth, year_and_month

SNIPPET_CHARS = 160
WHITESPACE = re.compile(r"\s")
KINDS = {"person": Person, "party": Party, "election": Election}


def kind_of(entity) -> str:
    return type(entity).__name__.lower()


def entity_mentions(entity):
    return Mention.objects.visible().filter(**{kind_of(entity): entity})


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


class CountedParagraphs:
    """An entity's paragraphs for a Paginator, their number known already (the cached month
    counts, `pictures.EntityPictures.paragraphs`): the queryset's own COUNT joined every
    paragraph of a much-mentioned name (Vladimir Putin at full size: 42,000, 137 ms on
    PostgreSQL)."""

    def __init__(self, paragraphs: QuerySet, count: int) -> None:
        self.paragraphs = paragraphs
        self._count = count

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, key):
        return self.paragraphs[key]


def snippet(paragraph: Paragraph, mentions: list[Mention]) -> SafeString:
    """A window of the paragraph around the first mention, the mention highlighted.

    The window starts and ends between words, and the text keeps its own spacing next to the
    mention ("Nazarbayev, Guoping", never "Nazarbayev , Guoping").
    """
    text = paragraph.text
    spans = [m for m in mentions if m.end > m.start]
    if not spans:
        right = _word_end(text, SNIPPET_CHARS * 2)
        return escape(_folded(text[:right]) + (" …" if right < len(text) else ""))
    first = min(spans, key=lambda m: m.start)
    left = _word_start(text, max(0, first.start - SNIPPET_CHARS), first.start)
    right = _word_end(text, min(len(text), first.end + SNIPPET_CHARS), first.end)
    before = _folded(text[left : first.start])
    after = _folded(text[first.end : right])
    return format_html(
        "{}{}<mark>{}</mark>{}{}",
        "… " if left else "",
        before + " " if before and text[first.start - 1].isspace() else before,
        _folded(text[first.start : first.end]),
        " " + after if after and text[first.end].isspace() else after,
        " …" if right < len(text) else "",
    )


def _folded(text: str) -> str:
    return " ".join(text.split())


def _word_start(text: str, position: int, limit: int) -> int:
    """`position`, moved right to the start of a word (never past `limit`)."""
    if position == 0 or text[position - 1].isspace():
        return position
    space = WHITESPACE.search(text, position, limit)
    return space.end() if space else limit


def _word_end(text: str, position: int, limit: int = 0) -> int:
    """`position`, moved left to the end of a word (never before `limit`)."""
    if position >= len(text) or text[position].isspace():
        return position
    space = max(text.rfind(" ", limit, position), text.rfind("\n", limit, position))
    return space if space > limit else position


CO_MENTIONS = 15  # entities listed as mentioned with this one


@dataclass
class CoMention:
    entity: object
    paragraphs: int  # paragraphs mentioning both
    percent: int = 0  # bar length, relative to the first of the list

    @property
    def kind(self) -> str:
        return kind_of(self.entity)


def co_mentioned(entity, *, limit: int = CO_MENTIONS) -> list[CoMention]:
    """The entities most often mentioned in the same paragraphs as `entity`, most paragraphs
    first (then by name). Paragraphs, not mentions: a name twice in a paragraph counts once;
    a rejected mention counts on neither side.

    One GROUP BY over the mentions of the entity's paragraphs (found off the mention table's
    entity and paragraph indexes), then the names of the entities that can make the list."""
    own = entity_mentions(entity).values("paragraph_id")
    rows = (
        Mention.objects.visible()
        .filter(paragraph_id__in=own)
        .exclude(**{kind_of(entity): entity})
        .values_list("person_id", "party_id", "election_id")
        .annotate(n=Count("paragraph_id", distinct=True))
        .order_by()
    )
    counts: dict[tuple[str, int], int] = {}
    for *entity_ids, n in rows:
        for kind, entity_id in zip(KINDS, entity_ids, strict=True):
            if entity_id is not None:
                counts[(kind, entity_id)] = counts.get((kind, entity_id), 0) + n
    if not counts:
        return []
    threshold = sorted(counts.values(), reverse=True)[:limit][-1]
    found = []
    for kind, model in KINDS.items():
        ids = [i for (k, i), n in counts.items() if k == kind and n >= threshold]
        if ids:
            found += [
                CoMention(other, counts[(kind, other.pk)])
                for other in model.objects.filter(pk__in=ids)
            ]
    found.sort(key=lambda item: (-item.paragraphs, item.entity.name, item.kind))
    found = found[:limit]
    for item in found:
        item.percent = round(100 * item.paragraphs / found[0].paragraphs)
    return found


@dataclass
class MonthBar:
    month: date
    paragraphs: int


def paragraphs_by_month(entity) -> tuple[dict[tuple[int, int], int], int]:
    """({(year, month): paragraphs mentioning the entity}, paragraphs in undated cables): one
    GROUP BY over its visible mentions and their cables' dates."""
    rows = (
        entity_mentions(entity)
        .annotate(ym=YearMonth("cable__created"))  # in UTC, as `Cable.year`
        .values_list("ym")
        .annotate(n=Count("paragraph_id", distinct=True))
        .order_by()
    )
    months, undated = {}, 0
    for ym, n in rows:
        if ym is None:
            undated += n
        else:
            months[year_and_month(ym)] = n
    return months, undated


def timeline(entity) -> list[MonthBar]:
    """The months with a mention, in order."""
    months, _ = paragraphs_by_month(entity)
    return [MonthBar(date(y, m, 1), n) for (y, m), n in sorted(months.items())]


def page_rows(entity, paragraphs) -> list[dict]:
    """One row per paragraph on the current page: permalink, snippet, date, origin."""
    field = kind_of(entity)
    ids = [p.pk for p in paragraphs]
    by_paragraph: dict[int, list[Mention]] = {}
    for mention in (
        Mention.objects.visible()
        .filter(paragraph_id__in=ids, **{field: entity})
        .select_related("decided_by")
    ):
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
