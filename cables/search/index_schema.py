"""What the rank index holds: its schema and the documents made of the paragraph table's rows.

Per paragraph: its id, its cable's id, its length, and its words as the archive's one tokenizer
makes them (`words.py`), so the index matches exactly what the database matches. Per
cable: one more document with every word of its paragraphs, so "which cables hold a word
anywhere" (an exclusion, `-the`) is one hit per cable.
"""

from __future__ import annotations

import tantivy

from .words import IndexWords, archive_words

WORDS = "words"
CABLE_WORDS = "cable_words"
TOKENIZER = "spaces"


def _schema():
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("pid", stored=False, indexed=True, fast=True)
    builder.add_integer_field("cable", stored=False, indexed=True, fast=True)
    # The paragraph's length in characters: with the ids, what the check compares per cable
    # (`index_store.differing_cables`).
    builder.add_integer_field("chars", stored=False, indexed=False, fast=True)
    builder.add_text_field(WORDS, stored=False, tokenizer_name=TOKENIZER, index_option="position")
    builder.add_text_field(
        CABLE_WORDS, stored=False, tokenizer_name=TOKENIZER, index_option="basic"
    )
    return builder.build()


SCHEMA = _schema()


def open_index(path: str) -> tantivy.Index:
    """The tantivy index in `path` (created empty when there is none), with its tokenizer."""
    index = tantivy.Index(SCHEMA, path=path, reuse=True)
    # The words are the database's terms already: split on spaces, nothing else.
    index.register_tokenizer(
        TOKENIZER, tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()
    )
    return index


def index_words(using: str) -> IndexWords:
    """The archive's tokenizer (`words.py`): the same on every backend."""
    return archive_words()


def worded(words: IndexWords, rows) -> list[tuple[int, int, int, str]]:
    """(paragraph id, cable id, length, index text) of (id, cable id, length, text) rows."""
    texts = words.index_texts([text for *_, text in rows])
    return [(*row[:3], text) for row, text in zip(rows, texts, strict=True)]


def add_worded(writer, rows) -> int:
    """Add (paragraph id, cable id, length, index text) rows and a cable document for each
    cable among them; returns how many paragraphs."""
    by_cable: dict[int, list[str]] = {}
    for pid, cable_id, chars, words in rows:
        document = tantivy.Document()
        document.add_integer("pid", pid)
        document.add_integer("cable", cable_id)
        document.add_integer("chars", chars)
        document.add_text(WORDS, words)
        writer.add_document(document)
        by_cable.setdefault(cable_id, []).append(words)
    for cable_id, texts in by_cable.items():
        # A cable split over two chunks gets two such documents: "holds the word" is still
        # right.
        document = tantivy.Document()
        document.add_integer("cable", cable_id)
        document.add_text(CABLE_WORDS, " ".join(texts))
        writer.add_document(document)
    return len(rows)
