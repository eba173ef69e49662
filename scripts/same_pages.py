#!/usr/bin/env python3
"""Does the same URL give the same page on two archives (SQLite and PostgreSQL, one corpus)?

    SQLITE_PATH=var/full.sqlite3 .venv/bin/python scripts/same_pages.py dump var/pages-sqlite.json
    DATABASE_URL=postgres://... .venv/bin/python scripts/same_pages.py dump var/pages-pg.json
    .venv/bin/python scripts/same_pages.py compare var/pages-sqlite.json var/pages-pg.json

`dump` reads, through the API in this process (page store and rate limits off), every search
page of the benchmark's mix (`cables/tooling/mix_shapes.py`: values read from the archive, so
the same on two archives of one corpus) and writes each page's cables in order, total, whether
it is exact, and its facet counts. `compare` prints what differs (`cables/tooling/same_pages.py`:
cables and order always; totals and facets where both are exact and not estimated) and a
summary, and exits 1 when anything differs.
"""

import json
import os
import sys
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def dump(path: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cablearchive.settings")
    os.environ["RATELIMIT_ENABLE"] = "0"
    os.environ["PAGE_CACHE_SECONDS"] = "0"
    import django

    django.setup()
    from django.test import Client

    from cables.tooling.mix_shapes import build_mix
    from cables.tooling.same_pages import api_pages

    queries = [
        urlencode(shape.params)
        for shape in build_mix()
        if shape.ranked and not shape.export and shape.params
    ]
    pages = api_pages(Client(), list(dict.fromkeys(queries)))
    Path(path).write_text(json.dumps(pages, indent=1))
    print(f"{len(pages)} pages written to {path}")


def compare(first: str, second: str) -> int:
    from cables.tooling.same_pages import differences

    here, there = (json.loads(Path(p).read_text()) for p in (first, second))
    shared = [q for q in here if q in there]
    found = differences({q: here[q] for q in shared}, {q: there[q] for q in shared})
    for difference in found:
        print("differs:", *difference[:2], str(difference[2:])[:300])
    differing = {d[0] for d in found}
    exact = sum(here[q]["count_exact"] and there[q]["count_exact"] for q in shared)
    same_cables = sum(here[q]["cables"] == there[q]["cables"] for q in shared)
    print(
        f"{len(shared)} pages: {len(shared) - len(differing)} identical, "
        f"{same_cables} with the same cables in the same order, {exact} counted exactly on both"
    )
    return 1 if found else 0


if __name__ == "__main__":
    command, *paths = sys.argv[1:]
    if command == "dump" and len(paths) == 1:
        dump(paths[0])
    elif command == "compare" and len(paths) == 2:
        sys.exit(compare(*paths))
    else:
        sys.exit(__doc__)
