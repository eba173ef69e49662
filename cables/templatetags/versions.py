"""Template helpers of the versions page: a diff's segments as <ins>/<del> markup."""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()

TITLES = {"ins": "only in the second version", "del": "only in the first version"}


@register.filter
def diff_html(segments) -> str:
    """Escaped text with each inserted run in <ins> and each deleted run in <del>. A changed run
    of whitespace gets a class that the stylesheet draws as a visible mark (↵ or ·)."""
    parts = []
    for segment in segments:
        text = escape(segment.text)
        if segment.kind not in TITLES:
            parts.append(text)
            continue
        attributes = f' title="{TITLES[segment.kind]}"'
        if segment.whitespace_only:
            kind = "break" if "\n" in segment.text else "space"
            attributes += f' class="ws ws-{kind}"'
        parts.append(f"<{segment.kind}{attributes}>{text}</{segment.kind}>")
    return mark_safe("".join(parts))  # noqa: S308 - every text part is escaped above
