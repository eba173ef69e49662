"""Snippets marked in Python by the archive's terms (PostgreSQL's pages; SQLite has FTS5's
own `snippet()`): a word is marked when one of its terms is a term of the query or starts with
one of its prefixes, as the index matched it, so a stemmed match (`elections` for `election`)
is marked too."""

from __future__ import annotations

from .words import RUN_RE, IndexWords

SNIPPET_WORDS = 40
ELLIPSIS = "…"


def _query_terms(tree) -> tuple[set[str], tuple[str, ...]]:
    terms: set[str] = set()
    prefixes: list[str] = []

    def walk(node):
        if node is None:
            return
        kind, value = node
        if kind == "term":
            terms.add(value)
        elif kind == "prefix":
            prefixes.append(value)
        elif kind == "phrase":
            terms.update(term for _, term in value)
        else:
            for item in value:
                walk(item)

    walk(tree)
    return terms, tuple(prefixes)


def highlighted(text: str, tree, words: IndexWords, start: str, end: str) -> str:
    """The window of SNIPPET_WORDS words of `text` holding the most matched words (the first
    such), each matched word between `start` and `end`, an ellipsis where text is cut."""
    terms, prefixes = _query_terms(tree)
    runs = list(RUN_RE.finditer(text))
    words.learn(match.group() for match in runs)
    marked = [
        any(t in terms or (prefixes and t.startswith(prefixes)) for t in words.terms(m.group()))
        for m in runs
    ]
    first, best = 0, sum(marked[:SNIPPET_WORDS])
    window = sum(marked[:SNIPPET_WORDS])
    for index in range(SNIPPET_WORDS, len(runs)):
        window += marked[index] - marked[index - SNIPPET_WORDS]
        if window > best:
            first, best = index - SNIPPET_WORDS + 1, window
    last = min(len(runs), first + SNIPPET_WORDS) - 1
    begin = runs[first].start() if first > 0 else 0
    finish = runs[last].end() if last < len(runs) - 1 else len(text)
    parts = [ELLIPSIS] if begin > 0 else []
    position = begin
    for index in range(first, last + 1):
        if marked[index]:
            match = runs[index]
            parts += [text[position : match.start()], start, match.group(), end]
            position = match.end()
    parts.append(text[position:finish])
    if finish < len(text):
        parts.append(ELLIPSIS)
    return "".join(parts)
