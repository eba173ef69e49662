#!/usr/bin/env python3
"""Search and cable-page latency on the 4,533-cable sample: p50/p95, printed and saved as JSON.

    .venv/bin/python scripts/bench_search.py [--ingest] [--rounds 3]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ca_bench .venv/bin/python scripts/bench_search.py --ingest

Uses the database the settings point at (SQLITE_PATH or DATABASE_URL). With --ingest, an
archive holding fewer cables than the sample first gets the sample through `ingest_paths`.
Measured: the service call `search()` (ranking, page of snippets and all facet counts) for a
fixed mix of 20 queries, the same queries as the rendered /cables/ page, and cable pages, all
through the Django test client in this process (no network, no web server).
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cablearchive.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from cables.models import Cable  # noqa: E402
from cables.search.service import search  # noqa: E402

SAMPLE = ROOT / "sample_corpus" / "cablegate-sample.csv.gz"
SAMPLE_SIZE = 4533

# (query box, facet parameters): common and rare words, phrases, OR, exclusion, prefixes,
# typed field filters and facet selections.
QUERIES = [
    ("election", {}),
    ("minister", {}),
    ("said", {}),
    ("fraud", {}),
    ('"human rights"', {}),
    ('"prime minister"', {}),
    ("election fraud", {}),
    ("opposition OR dissident", {}),
    ("nuclear -Iran", {}),
    ("elect*", {}),
    ("terror*", {"classification": ["SECRET"]}),
    ("corruption", {"year": ["2009"]}),
    ("oil gas", {"tag": ["EPET"]}),
    ("president", {"tag": ["PGOV", "PREL"]}),
    ("tag:PGOV", {}),
    ("origin:moscow", {}),
    ("class:secret from:2008-01 to:2008-12", {}),
    ("", {"year": ["2008"]}),
    ("", {}),
    ("military", {"partial": ["full"]}),
]


def percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(p95 * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


def timed(call) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ingest", action="store_true", help="ingest the sample if missing")
    parser.add_argument("--rounds", type=int, default=3, help="repetitions of the query mix")
    parser.add_argument("--cable-pages", type=int, default=100, help="cable pages to fetch")
    parser.add_argument("--out", default=str(ROOT / "bench-results"))
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    if args.ingest and Cable.objects.count() < SAMPLE_SIZE:
        from cables.ingest.incremental import ingest_paths

        started = time.perf_counter()
        summary = ingest_paths([SAMPLE], progress=True)
        call_command("load_tag_definitions", verbosity=0)
        print(f"ingest: {summary.line()} in {time.perf_counter() - started:.1f} s")
    # Fresh planner statistics, as after any bulk load (stale ones made PostgreSQL expect
    # 20 cables of 2009 instead of 1,638 and pick a nested loop 30x slower).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    cables = Cable.objects.count()
    paragraphs = Cable.paragraphs.rel.related_model.objects.count()
    vendor = connection.vendor
    print(f"{vendor}: {cables} cables, {paragraphs} paragraphs")
    if not cables:
        print("The archive is empty: run with --ingest.")
        return 1

    host = next((h for h in settings.ALLOWED_HOSTS if h not in ("*", "")), "localhost")
    client = Client(HTTP_HOST=host.lstrip("."))
    per_query: dict[str, list[float]] = {}
    service, page = [], []
    for _ in range(args.rounds):
        for query, facets in QUERIES:
            elapsed = timed(lambda q=query, f=facets: list(search(q, f, "", 1).page))
            service.append(elapsed)
            per_query.setdefault(f"{query} {facets}".strip(), []).append(elapsed)
            params = {"q": query, **facets}
            elapsed = timed(lambda p=params: client.get("/cables/", p))
            page.append(elapsed)
    totals = {
        f"{query} {facets}".strip(): search(query, facets, "", 1).total for query, facets in QUERIES
    }

    references = list(Cable.objects.values_list("reference_id", flat=True))
    random.Random(4533).shuffle(references)
    cable_pages = []
    for reference_id in references[: args.cable_pages]:
        response_time = timed(lambda r=reference_id: client.get(f"/cable/{r}/"))
        cable_pages.append(response_time)

    report = {
        "vendor": vendor,
        "cables": cables,
        "paragraphs": paragraphs,
        "rounds": args.rounds,
        "search_service": percentiles(service),
        "search_page": percentiles(page),
        "cable_page": percentiles(cable_pages),
        "per_query_median_ms": {
            key: round(statistics.median(v) * 1000, 1) for key, v in per_query.items()
        },
        "per_query_total": totals,
    }
    for name in ("search_service", "search_page", "cable_page"):
        figures = report[name]
        print(
            f"{name:15} n={figures['n']:4}  p50 {figures['p50_ms']:7.1f} ms  "
            f"p95 {figures['p95_ms']:7.1f} ms  max {figures['max_ms']:7.1f} ms"
        )
    for key, median in report["per_query_median_ms"].items():
        print(f"  {median:7.1f} ms  {totals[key]:5} cables  {key}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"search-{vendor}.json"
    path.write_text(json.dumps(report, indent=2))
    print(f"saved {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
