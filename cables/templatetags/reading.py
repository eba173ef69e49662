"""Template helpers of the reading room: citations, marking badges, histogram bar widths."""

import re

from django import template

register = template.Library()

ARCHIVE_NAME = "Cable Archive"


def _date(cable) -> str:
    return cable.created.strftime("%Y-%m-%d") if cable.created else "n.d."


@register.simple_tag
def cite_plain(cable, permalink, paragraph=None) -> str:
    """A citation researchers can paste: who, what, when, which paragraph, where to find it."""
    subject = cable.subject.strip().rstrip(".") or "(no subject)"
    where = f", paragraph {paragraph.number}" if paragraph else ""
    link = f"{permalink}#{paragraph.anchor}" if paragraph else permalink
    return (
        f"{cable.origin or 'Unknown origin'}, “{subject},” cable {cable.reference_id}, "
        f"{_date(cable)}, {cable.classification or 'unclassified'}{where}. "
        f"{ARCHIVE_NAME}, {link}"
    )


def _bibtex_escape(value: str) -> str:
    return re.sub(r"([{}\\&%$#_])", r"\\\1", value)


@register.simple_tag
def cite_bibtex(cable, permalink, paragraph=None) -> str:
    key = cable.reference_id + (f"par{paragraph.number}" if paragraph else "")
    link = f"{permalink}#{paragraph.anchor}" if paragraph else permalink
    fields = [
        ("author", "{" + _bibtex_escape(cable.origin or "Unknown origin") + "}"),
        ("title", "{" + _bibtex_escape(cable.subject or cable.reference_id) + "}"),
        ("year", cable.created.strftime("%Y") if cable.created else ""),
        ("month", cable.created.strftime("%b").lower() if cable.created else ""),
        (
            "howpublished",
            f"Cable {cable.reference_id}"
            + (f", paragraph {paragraph.number}" if paragraph else ""),
        ),
        ("note", _bibtex_escape(cable.classification)),
        ("url", link),
    ]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
    return f"@misc{{{key},\n{body}\n}}"


@register.filter
def marking_class(marking: str) -> str:
    """A CSS class for a paragraph marking: C, S, S/NF, SBU, U."""
    marking = (marking or "").upper()
    if marking.startswith("S") and not marking.startswith("SBU"):
        return "marking-secret"
    if marking.startswith("C"):
        return "marking-confidential"
    return "marking-unclassified"


@register.filter
def bar_class(percent) -> str:
    """Histogram bar width as one of 21 classes (5 % steps): the CSP forbids inline styles."""
    try:
        step = max(0, min(20, round(int(percent) / 5)))
    except (TypeError, ValueError):
        step = 0
    return f"w{step}"
