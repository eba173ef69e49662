"""The TAGS definitions shipped with the code (`cables/data/tag_definitions.csv`).

This module is the one reader of the file: the parser takes its codes (`tag_codes`), ingest its
definitions and kinds (`tag_definitions`), the entities their countries (the geographic rows).
"""

from __future__ import annotations

import csv
import functools
from pathlib import Path

TAG_DEFINITIONS_FILE = Path(__file__).resolve().parent.parent / "data" / "tag_definitions.csv"


@functools.cache
def tag_definitions() -> dict[str, tuple[str, str]]:
    """code -> (definition, kind) of every defined row; empty when the file cannot be read."""
    try:
        with TAG_DEFINITIONS_FILE.open(encoding="utf-8", newline="") as handle:
            return {
                row["code"].strip(): (
                    (row.get("definition") or "").strip(),
                    (row.get("kind") or "").strip(),
                )
                for row in csv.DictReader(handle)
                if row.get("code")
            }
    except (OSError, KeyError, csv.Error):
        return {}


def tag_codes() -> frozenset[str]:
    """Every code of the table."""
    return frozenset(tag_definitions())


MULTI_WORD_TAGS_FILE = Path(__file__).resolve().parent.parent / "data" / "multi_word_tags.csv"


@functools.cache
def multi_word_tags() -> dict[str, str]:
    """Written form -> the tag: TAGS of several words the release holds as one (`HUMAN RIGHTS`),
    glued on the original pages' tag links (`HUMANRIGHTS`) or written apart (`COUNTER TERRORISM`
    is `COUNTERTERRORISM`). Read from `multi_word_tags.csv`; empty when it cannot be read."""
    try:
        with MULTI_WORD_TAGS_FILE.open(encoding="utf-8", newline="") as handle:
            return {
                " ".join(row["written"].split()).upper(): " ".join(row["tag"].split()).upper()
                for row in csv.DictReader(handle)
                if row.get("written") and row.get("tag")
            }
    except (OSError, KeyError, csv.Error):
        return {}
