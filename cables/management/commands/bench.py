"""Benchmark: generate (or reuse) a corpus, bulk-load it, time the real search page and cable page.

    python manage.py bench --cables 20000            # corpus in var/bench/, ingest, queries
    python manage.py bench --corpus /tmp/c.csv.gz    # a corpus you have
    python manage.py bench --skip-ingest             # query what the archive holds

The backend is the one DATABASE_URL selects (SQLite without it; set SQLITE_PATH to keep the
benchmark archive apart from yours). Ingest needs an empty archive: `--reset` empties it first.

Every query of a fixed mix goes through the real search view (`/cables/?q=...`, Django test
client), so it pays for ranking, snippets, the total and the facets. The same mix also runs
through the naive baseline in the same run: plain top 20 plus count over the paragraphs
(PostgreSQL: ts_rank_cd over `search_vector @@ to_tsquery`; SQLite: FTS5 bm25), and the ratio
is printed. Results are saved as JSON in bench-results/<backend>-<date>.json. The machine is
shared: figures are noisy, compare medians of several runs.
"""

from __future__ import annotations

import json
import platform
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client

from cables.bulk import bulk_load, peak_memory_mb
from cables.models import Cable
from cables.search import get_backend
from cables.search.query import parse_query, to_fts5, to_tsquery

# (kind, query text, extra GET parameters: facet filters as the page's facet links set them)
QUERY_MIX = [
    ("common", "government", {}),
    ("common", "election", {}),
    ("common", "minister", {}),
    ("common", "said", {}),
    ("rare", "fraud", {}),
    ("rare", "Nazarbayev", {}),
    ("rare", "Tuyakbay", {}),
    ("phrase", '"human rights"', {}),
    ("phrase", '"prime minister"', {}),
    ("phrase", '"security forces"', {}),
    ("or", "oil OR gas", {}),
    ("or", "election OR vote", {}),
    ("exclusion", "election -fraud", {}),
    ("exclusion", "government -minister", {}),
    ("prefix", "terror*", {}),
    ("prefix", "elect*", {}),
    ("prefix", "nucle*", {}),
    ("facet", "government", {"classification": "SECRET"}),
    ("facet", "election", {"year": "2009"}),
    ("facet", "minister", {"tag": "PGOV"}),
    ("facet", "oil", {"origin": "Embassy Cairo"}),
    ("filter", "election tag:PREL", {}),
    ("all", "", {}),
]
CABLE_PAGES = 20
NAIVE_LIMIT = 20


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def summarise(times: list[float]) -> dict:
    return {
        "n": len(times),
        "p50_ms": round(statistics.median(times) * 1000, 1) if times else None,
        "p95_ms": round(percentile(times, 0.95) * 1000, 1) if times else None,
    }


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--cables", type=int, default=20_000, help="Corpus size to generate.")
        parser.add_argument("--corpus", help="Use this cables.csv[.gz] instead of generating.")
        parser.add_argument(
            "--seed", type=int, default=1, help="Seed of the generated corpus (default 1)."
        )
        parser.add_argument("--reset", action="store_true", help="Empty the archive first.")
        parser.add_argument("--skip-ingest", action="store_true", help="Query what is there.")
        parser.add_argument("--workers", type=int, default=None, help="Parser processes.")
        parser.add_argument(
            "--no-entities", action="store_true", help="Skip entity tagging during the load."
        )
        parser.add_argument("--repeat", type=int, default=3, help="Timed passes over the mix.")
        parser.add_argument(
            "--out-dir",
            default=str(settings.BASE_DIR / "bench-results"),
            help="Where the JSON results are saved (default bench-results/).",
        )

    def handle(self, *args, **options):
        backend = connection.vendor
        report: dict = {
            "backend": backend,
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": f"{platform.node()} {platform.machine()}, {_cpus()} CPUs",
            "note": "shared machine: figures are noisy",
        }
        call_command("migrate", verbosity=0, interactive=False)
        if not options["skip_ingest"]:
            report["ingest"] = self._ingest(options)
        report["cables"] = Cable.objects.count()
        if not report["cables"]:
            raise CommandError("The archive is empty: nothing to query.")
        report["queries"] = self._queries(options["repeat"])
        report["cable_page"] = self._cable_pages(options["repeat"])
        report["naive"] = self._naive(options["repeat"])
        report["ratio_p50_naive_over_view"] = _ratio(
            report["naive"]["overall"]["p50_ms"], report["queries"]["overall"]["p50_ms"]
        )
        report["ratio_p95_naive_over_view"] = _ratio(
            report["naive"]["overall"]["p95_ms"], report["queries"]["overall"]["p95_ms"]
        )
        report["peak_memory_mb"] = round(peak_memory_mb(), 1)
        self._print(report)
        out_dir = Path(options["out_dir"])
        out_dir.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H%M%S")
        path = out_dir / f"{backend}-{stamp}.json"
        path.write_text(json.dumps(report, indent=2))
        self.stdout.write(f"saved {path}")

    # --- ingest ------------------------------------------------------------------------------

    def _corpus(self, options) -> Path:
        if options["corpus"]:
            path = Path(options["corpus"])
            if not path.exists():
                raise CommandError(f"{path}: no such corpus file")
            return path
        path = (
            Path(settings.BASE_DIR) / "var" / "bench" / f"cables-{options['cables']}"
            f"-seed{options['seed']}.csv.gz"
        )
        if not path.exists():
            self.stdout.write(f"generating {options['cables']:,} cables into {path}")
            call_command(
                "generate_corpus",
                cables=options["cables"],
                out=str(path),
                seed=options["seed"],
                stdout=self.stdout,
                stderr=self.stderr,
            )
        return path

    def _ingest(self, options) -> dict:
        corpus = self._corpus(options)
        if Cable.objects.exists():
            if not options["reset"]:
                raise CommandError(
                    "The archive holds cables: use --reset to empty it, or --skip-ingest."
                )
            self._empty_archive()
        self.stdout.write(f"bulk loading {corpus} into {connection.vendor}")
        summary = bulk_load(
            [corpus],
            workers=options["workers"],
            stdout=self.stdout,
            tag_entities=not options["no_entities"],
        )
        return {
            "corpus": str(corpus),
            "cables": summary.created,
            "paragraphs": summary.paragraphs,
            "mentions": summary.mentions,
            "failed": summary.failed,
            "seconds": round(summary.seconds, 1),
            "load_seconds": round(summary.parse_seconds, 1),
            "index_seconds": round(summary.index_seconds, 1),
            "entity_tagging_seconds": round(summary.tagging_seconds, 1),
            "store_seconds": round(summary.store_seconds, 1),
            "cables_per_second": round(summary.cables_per_second, 1),
            "peak_memory_mb": round(peak_memory_mb(), 1),
        }

    @staticmethod
    def _empty_archive() -> None:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("TRUNCATE cables_cable, cables_tag CASCADE")
                return
            for table in (
                "cables_mention",
                "cables_cable_tags",
                "cables_reference",
                "cables_source",
                "cables_paragraph",
                "cables_cable",
            ):
                cursor.execute(f"DELETE FROM {table}")
        get_backend().rebuild()  # from no paragraphs: empty search indexes

    # --- the real views ------------------------------------------------------------------------

    def _queries(self, repeat: int) -> dict:
        client = Client()
        times: dict[str, list[float]] = {}
        statuses = {}
        for run in range(repeat + 1):  # the first pass warms caches and is not counted
            for kind, text, extra in QUERY_MIX:
                url = "/cables/?" + urlencode({"q": text, **extra})
                began = time.perf_counter()
                response = client.get(url)
                elapsed = time.perf_counter() - began
                statuses[url] = response.status_code
                if run:
                    times.setdefault(kind, []).append(elapsed)
        bad = {url: status for url, status in statuses.items() if status != 200}
        if bad:
            self.stderr.write(f"queries that did not answer 200: {bad}")
        result = {kind: summarise(values) for kind, values in times.items()}
        result["overall"] = summarise([t for values in times.values() for t in values])
        result["non_200"] = bad
        return result

    def _cable_pages(self, repeat: int) -> dict:
        client = Client()
        total = Cable.objects.count()
        step = max(1, total // CABLE_PAGES)
        ids = list(Cable.objects.order_by("id").values_list("reference_id", flat=True)[::step])
        times = []
        for run in range(repeat + 1):
            for reference_id in ids[:CABLE_PAGES]:
                began = time.perf_counter()
                response = client.get(f"/cable/{reference_id}/")
                if run:
                    times.append(time.perf_counter() - began)
                if response.status_code != 200:
                    self.stderr.write(f"/cable/{reference_id}/: {response.status_code}")
        return summarise(times)

    # --- the naive baseline --------------------------------------------------------------------

    def _naive(self, repeat: int) -> dict:
        times: dict[str, list[float]] = {}
        for run in range(repeat + 1):
            for kind, text, _ in QUERY_MIX:
                parsed = parse_query(text)
                if parsed.text is None:
                    continue
                began = time.perf_counter()
                self._naive_query(parsed)
                if run:
                    times.setdefault(kind, []).append(time.perf_counter() - began)
        result = {kind: summarise(values) for kind, values in times.items()}
        result["overall"] = summarise([t for values in times.values() for t in values])
        return result

    @staticmethod
    def _naive_query(parsed) -> tuple[list, int]:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                query = to_tsquery(parsed.text)
                for node in parsed.excluded:
                    query = f"({query}) & !({to_tsquery(node)})"
                cursor.execute(
                    "SELECT id, ts_rank_cd(search_vector, q) AS rank FROM cables_paragraph, "
                    "to_tsquery('english', %s) q WHERE search_vector @@ q "
                    "ORDER BY rank DESC LIMIT %s",
                    [query, NAIVE_LIMIT],
                )
                top = cursor.fetchall()
                cursor.execute(
                    "SELECT count(*) FROM cables_paragraph "
                    "WHERE search_vector @@ to_tsquery('english', %s)",
                    [query],
                )
            else:
                query = to_fts5(parsed.text)
                for node in parsed.excluded:
                    query = f"({query}) NOT ({to_fts5(node)})"
                cursor.execute(
                    "SELECT rowid, bm25(cables_paragraph_fts) FROM cables_paragraph_fts "
                    "WHERE cables_paragraph_fts MATCH %s ORDER BY bm25(cables_paragraph_fts) "
                    "LIMIT %s",
                    [query, NAIVE_LIMIT],
                )
                top = cursor.fetchall()
                cursor.execute(
                    "SELECT count(*) FROM cables_paragraph_fts WHERE cables_paragraph_fts MATCH %s",
                    [query],
                )
            return top, cursor.fetchone()[0]

    # --- output --------------------------------------------------------------------------------

    def _print(self, report: dict) -> None:
        w = self.stdout.write
        w(f"\n{report['backend']} on {report['machine']}, {report['date']} ({report['note']})")
        w(f"cables in the archive: {report['cables']:,}")
        ingest = report.get("ingest")
        if ingest:
            w(
                f"ingest: {ingest['cables']:,} cables, {ingest['paragraphs']:,} paragraphs in "
                f"{ingest['seconds']} s (load {ingest['load_seconds']} s, then entity "
                f"tagging {ingest['entity_tagging_seconds']} s with the search index "
                f"({ingest['index_seconds']} s) built alongside): "
                f"{ingest['cables_per_second']:,} cables/s, "
                f"peak memory {ingest['peak_memory_mb']} MB"
            )
        w(f"{'kind':<12}{'view p50':>10}{'view p95':>10}{'naive p50':>11}{'naive p95':>11}")
        for kind in [*dict.fromkeys(k for k, _, _ in QUERY_MIX), "overall"]:
            view = report["queries"].get(kind, {})
            naive = report["naive"].get(kind, {})
            w(
                f"{kind:<12}{_ms(view.get('p50_ms')):>10}{_ms(view.get('p95_ms')):>10}"
                f"{_ms(naive.get('p50_ms')):>11}{_ms(naive.get('p95_ms')):>11}"
            )
        page = report["cable_page"]
        w(f"cable page: p50 {_ms(page['p50_ms'])}, p95 {_ms(page['p95_ms'])}")
        w(
            f"naive / view: p50 x{report['ratio_p50_naive_over_view']}, "
            f"p95 x{report['ratio_p95_naive_over_view']} (above 1: the view is faster)"
        )
        w(f"peak memory of this process and its workers: {report['peak_memory_mb']} MB")


def _ms(value) -> str:
    return "-" if value is None else f"{value:.0f} ms"


def _ratio(naive, view):
    if not naive or not view:
        return None
    return round(naive / view, 2)


def _cpus() -> int:
    import os

    return os.cpu_count() or 0
