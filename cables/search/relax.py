"""Advice for a query with no result: the same search with one part left out."""

from __future__ import annotations

import re

from .query import And, Or, ParsedQuery, Phrase
from .results import FACET_LABELS, Suggestion

EXCLUDED_TOKEN_RE = re.compile(r'(?:^|\s)-(?:[A-Za-z]+:)?(?:"[^"]*"?|\S+)')
FIELD_TOKEN_RE = re.compile(r'(?:^|\s)[A-Za-z]+:(?:"[^"]*"?|\S+)')


def suggestions_for(parsed: ParsedQuery, data: dict, query: str) -> list[Suggestion]:
    """Ways to relax a search that found nothing, each a change of the URL's parameters."""
    suggestions = []
    for name, values in data.items():
        for value in values:
            rest = [v for v in values if v != value]
            label = FACET_LABELS.get(name, name)
            suggestions.append(Suggestion(f"Remove the {label} filter “{value}”", {name: rest}))
    if isinstance(parsed.text, And):
        any_of = " OR ".join(_node_query(item) for item in parsed.text.items)
        suggestions.append(Suggestion(f"Match any of the words: {any_of}", {"q": any_of}))
    if parsed.excluded:
        relaxed = " ".join(EXCLUDED_TOKEN_RE.sub(" ", query).split())
        suggestions.append(Suggestion(f"Drop the excluded words: {relaxed}", {"q": relaxed}))
    if parsed.filters:
        relaxed = " ".join(FIELD_TOKEN_RE.sub(" ", query).split())
        suggestions.append(
            Suggestion(f"Remove the field filters typed in the query: {relaxed}", {"q": relaxed})
        )
    return suggestions


def _node_query(node) -> str:
    """A node written back in the query syntax."""
    if isinstance(node, And | Or):
        joiner = " OR " if isinstance(node, Or) else " "
        return joiner.join(_node_query(i) for i in node.items)
    if isinstance(node, Phrase):
        return '"' + " ".join(node.words) + '"'
    return node.word + ("*" if node.prefix else "")
