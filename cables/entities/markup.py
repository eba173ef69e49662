"""Paragraph text with its mentions marked as links to the entity pages."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe


def marked_paragraph_html(paragraph, mentions: Iterable) -> SafeString:
    """Escaped paragraph text; each non-rejected mention span wrapped in a link.

    Rejected mentions and zero-width ones (signatures) are not marked; overlapping spans keep
    the first. Suggested mentions carry the `mention-suggested` class so that nothing
    unreviewed looks confirmed, and the title says who stands behind each status ("auto: exact
    alias", "confirmed by curator").
    """
    text = paragraph.text
    spans = sorted(
        (m for m in mentions if m.status != "rejected" and m.end > m.start and m.end <= len(text)),
        key=lambda m: (m.start, -m.end),
    )
    pieces: list[str] = []
    position = 0
    for mention in spans:
        if mention.start < position:
            continue
        entity = mention.entity
        if entity is None:
            continue
        kind = type(entity).__name__.lower()
        pieces.append(escape(text[position : mention.start]))
        pieces.append(
            format_html(
                '<a class="mention mention-{} mention-{}" href="{}" title="{}">{}</a>',
                kind,
                mention.status,
                entity.get_absolute_url(),
                f"{entity.name} ({mention.review_label})",
                text[mention.start : mention.end],
            )
        )
        position = mention.end
    pieces.append(escape(text[position:]))
    return mark_safe("".join(pieces))
