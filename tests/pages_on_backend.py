"""The search pages of one request mix on one archive, as JSON: what tests/test_same_pages.py
compares between the two backends.

Run as a script against an empty database (DATABASE_URL or SQLITE_PATH, RANK_INDEX_DIR): it
migrates, loads the starter list and the sample inputs, and prints each page's cables (in
order), total, whether the total is exact, and facet counts (`cables/tooling/same_pages.py`).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INPUTS = [
    ROOT / "sample_corpus" / "mirror-pages",
    ROOT / "sample_corpus" / "cablegate-html",
    ROOT / "sample_corpus" / "cablegate-html-2011",
    ROOT / "sample_corpus" / "cablegate-sample.csv.gz",
]
# Words, common words, phrases with common words, OR, exclusions, prefixes, typed fields,
# entities, facets, date sorts, deep pages, and pages without text.
MIX = [
    "q=election",
    "q=elections",
    "q=Nazarbayev",
    "q=the",
    'q="the united states"',
    "q=corruption",
    'q="secretary of state"',
    "q=kazakh*",
    "q=oil OR gas",
    "q=embassy -the",
    "q=government -minister",
    "q=election fraud",
    "q=U.S. sanctions",
    "q=origin:astana election",
    "q=tag:PGOV parliament",
    "q=year:2007 election",
    "q=person:nazarbayev",
    "q=from:2007-01 to:2007-12 vote",
    "q=election&tag=PGOV",
    "q=the&classification=CONFIDENTIAL",
    "q=the&year=2008",
    "q=election&sort=-created",
    "q=the&sort=created",
    "q=election&page=2",
    "q=the&page=40",
    "tag=KZ",
    "year=2007&sort=created",
]


def main() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cablearchive.settings")
    os.environ["RATELIMIT_ENABLE"] = "0"
    os.environ["PAGE_CACHE_SECONDS"] = "0"
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from cables.entities.loading import load_starter_list
    from cables.ingest.incremental import ingest_paths
    from cables.tooling.same_pages import api_pages

    call_command("migrate", verbosity=0)
    load_starter_list()
    summary = ingest_paths(INPUTS)
    assert summary.failed == 0, summary
    json.dump(api_pages(Client(), MIX), sys.stdout)


if __name__ == "__main__":
    main()
