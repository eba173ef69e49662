"""Readers' collections: saved paragraphs with notes, shared read-only, exported (issue 16)."""
