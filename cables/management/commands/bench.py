"""Benchmark: generate (or reuse) a corpus, bulk-load it, time the request mix on the real views.

    python manage.py bench --cables 20000            # corpus in var/bench/, ingest, the mix
    python manage.py bench --corpus /tmp/c.csv.gz    # a corpus you have
    python manage.py bench --skip-ingest             # query what the archive holds
    python manage.py bench --mix-only --repeat 3     # the mix and overlap@20 alone

The backend is the one DATABASE_URL selects (SQLite without it; set SQLITE_PATH to keep the
benchmark archive apart from yours). Ingest needs an empty archive: `--reset` empties it first.

The mix (`cables/tooling/mix_shapes.py`, run by `cables/tooling/bench_mix.py`) is about 100 request shapes a researcher produces, each with
a kind: names, topics, phrases, OR, exclusions, prefixes, combined facets, fields typed in the
box, entity facets, date sorts, deep pages (one past the end: 404), facet-only pages, the API,
the first row of an export; and the home, origins, tags, entity and cable pages. Facet values
and slugs are read from the archive. Each shape goes through the real views (Django test
client), so it pays for ranking, snippets, the total and the facets; p50/p95/max are reported
per kind and for search pages apart from browse pages, next to the targets of issue 13, and
every shape over 1 s is named. Every search shape is compared with the exhaustive ranking
(`cables/search/exhaustive.py`, computed in the same run, timed apart): overlap@20 per shape.

The first search pages with text also run through the naive baseline in the same run: plain top
20 plus count over the paragraphs (PostgreSQL: ts_rank_cd over `search_vector @@ tsquery`;
SQLite: FTS5 bm25), and the ratio is printed. Results are saved as JSON in
bench-results/<backend>-<date>.json. The machine is shared: figures are noisy, compare medians
of several runs.
"""

from __future__ import annotations

import json
import os
import platform
import time
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client, override_settings

from cables.ingest.bulk import bulk_load
from cables.ingest.bulk_tables import peak_memory_mb
from cables.models import Cable
from cables.search import get_backend
from cables.search.index_store import build
from cables.search.query import parse_query, to_fts5
from cables.search.words import tsquery_of
from cables.tooling.bench_mix import mix_report, run_mix, summarise
from cables.tooling.mix_shapes import BROWSE, SEARCH, Shape, build_mix

CABLE_PAGES = 20
NAIVE_LIMIT = 20


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
        parser.add_argument(
            "--mix-only",
            action="store_true",
            help="Only the request mix and its overlap@20, on what the archive holds (no "
            "ingest, no naive baseline, no cable-page sweep).",
        )
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
        # Every pass renders its pages: the server's store of rendered pages would answer the
        # repeats (what it saves is measured by scripts/load_test.py, not here).
        settings.PAGE_CACHE_SECONDS = 0
        backend = connection.vendor
        report: dict = {
            "backend": backend,
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": f"{platform.node()} {platform.machine()}, {_cpus()} CPUs",
            "note": "shared machine: figures are noisy",
        }
        call_command("migrate", verbosity=0, interactive=False)
        if not (options["skip_ingest"] or options["mix_only"]):
            report["ingest"] = self._ingest(options)
        report["cables"] = Cable.objects.count()
        if not report["cables"]:
            raise CommandError("The archive is empty: nothing to query.")
        shapes = build_mix()
        self.stdout.write(
            f"{len(shapes)} request shapes, {options['repeat']} timed passes after a warm-up"
        )
        began = time.perf_counter()
        # One client asks for the same exports again and again: the limits meant for many
        # readers would answer 429 and time nothing (the load test turns them off too).
        with override_settings(RATELIMIT_ENABLE=False):
            run_mix(shapes, options["repeat"], progress=self.stdout.write)
        report["mix"] = mix_report(shapes, backend)
        report["mix"]["repeat"] = options["repeat"]
        report["mix"]["seconds"] = round(time.perf_counter() - began, 1)
        if not options["mix_only"]:
            text_shapes = [s for s in shapes if _naive_comparable(s)]
            view_times: dict[str, list[float]] = {}
            for shape in text_shapes:
                view_times.setdefault(shape.kind, []).extend(shape.times)
            report["queries"] = _by_kind(view_times)
            report["cable_page"] = self._cable_pages(options["repeat"])
            report["naive"] = self._naive(options["repeat"], text_shapes)
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
                build()  # an empty rank index: the next load publishes on it
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
        build()

    # --- the real views ------------------------------------------------------------------------

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

    def _naive(self, repeat: int, shapes: list[Shape]) -> dict:
        times: dict[str, list[float]] = {shape.kind: [] for shape in shapes}
        for run in range(repeat + 1):
            for shape in shapes:
                parsed = parse_query(shape.query)
                began = time.perf_counter()
                self._naive_query(parsed)
                if run:
                    times[shape.kind].append(time.perf_counter() - began)
        return _by_kind(times)

    @staticmethod
    def _naive_query(parsed) -> tuple[list, int]:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # The archive's terms (words.py), as the search matches them.
                query = tsquery_of(parsed.text)
                for node in parsed.excluded:
                    query = f"({query}) & !({tsquery_of(node)})" if tsquery_of(node) else query
                cursor.execute(
                    "SELECT id, ts_rank_cd(search_vector, q) AS rank FROM cables_paragraph, "
                    "CAST(%s AS tsquery) q WHERE search_vector @@ q "
                    "ORDER BY rank DESC LIMIT %s",
                    [query, NAIVE_LIMIT],
                )
                top = cursor.fetchall()
                cursor.execute(
                    "SELECT count(*) FROM cables_paragraph "
                    "WHERE search_vector @@ CAST(%s AS tsquery)",
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
        self._print_mix(report["mix"], report["backend"])
        if "naive" in report:
            w("\nthe naive baseline over the first search pages with text (facets left out)")
            w(f"{'kind':<18}{'view p50':>10}{'view p95':>10}{'naive p50':>11}{'naive p95':>11}")
            for kind in report["queries"]:
                view = report["queries"][kind]
                naive = report["naive"].get(kind, {})
                w(
                    f"{kind:<18}{_ms(view.get('p50_ms')):>10}{_ms(view.get('p95_ms')):>10}"
                    f"{_ms(naive.get('p50_ms')):>11}{_ms(naive.get('p95_ms')):>11}"
                )
            page = report["cable_page"]
            w(f"cable page: p50 {_ms(page['p50_ms'])}, p95 {_ms(page['p95_ms'])}")
            w(
                f"naive / view: p50 x{report['ratio_p50_naive_over_view']}, "
                f"p95 x{report['ratio_p95_naive_over_view']} (above 1: the view is faster)"
            )
        w(f"peak memory of this process and its workers: {report['peak_memory_mb']} MB")

    def _print_mix(self, mix: dict, backend: str) -> None:
        w = self.stdout.write
        targets = mix["targets"]
        search, browse = targets[SEARCH], targets[BROWSE]
        w(
            f"\nrequest mix: {mix['shape_count']} shapes, {mix['repeat']} timed passes after a "
            f"warm-up, {mix['seconds']} s with the exhaustive rankings; targets ({backend}): "
            "search pages "
            f"p50 <= {search['p50_ms']} ms, p95 <= {search['p95_ms']} ms; browse, entity and "
            f"cable pages p95 <= {browse['p95_ms']} ms; nothing over {search['max_ms']} ms; "
            f"overlap@20 {targets['overlap']:.2f}"
        )
        w(f"{'status':>6}{'p50':>9}{'max':>9}{'overlap':>9}  {'kind':<17}url")
        for shape in mix["shapes"]:
            mark = " " if shape["status"] == shape["expected_status"] else "!"
            over = " >1s" if shape["over_1s"] else ""
            w(
                f"{mark}{shape['status']:>5}{_ms(shape['p50_ms']):>9}{_ms(shape['max_ms']):>9}"
                f"{_overlap(shape.get('overlap')):>9}  {shape['kind']:<17}{shape['url']}{over}"
                + (f"  ({shape['note']})" if shape["note"] else "")
            )
        w(f"\n{'kind':<18}{'group':<8}{'shapes':>7}{'p50':>9}{'p95':>9}{'max':>9}{'overlap':>9}")
        for kind, row in mix["kinds"].items():
            w(
                f"{kind:<18}{row['group']:<8}{row['shapes']:>7}{_ms(row['p50_ms']):>9}"
                f"{_ms(row['p95_ms']):>9}{_ms(row['max_ms']):>9}"
                f"{_overlap(row['overlap_mean']):>9}"
            )
        for group, row in mix["groups"].items():
            figures = ", ".join(
                f"{name[:-3]} {_ms(row[name])} (target {limit} ms: "
                f"{'met' if row['met'][name] else 'MISSED'})"
                for name, limit in row["target"].items()
            )
            w(f"{group} pages, {row['n']} requests: {figures}")
        overall = mix["overall"]
        w(
            f"all requests: p50 {_ms(overall['p50_ms'])}, p95 {_ms(overall['p95_ms'])}, "
            f"max {_ms(overall['max_ms'])}"
        )
        exhaustive = mix["exhaustive_ranking"]
        w(
            f"overlap@20: mean {_overlap(mix['overlap_mean'])} over {mix['overlap_shapes']} "
            f"search shapes (target {targets['overlap']:.2f}); the exhaustive ranking took p50 "
            f"{_ms(exhaustive['p50_ms'])}, max {_ms(exhaustive['max_ms'])} (not in the timings)"
        )
        w(f"shapes over 1 s: {', '.join(mix['over_1s']) or 'none'}")
        wrong_counts = mix["wrong_counts"]
        w(
            f"counts given as exact, checked against an exhaustive count: "
            f"{mix['counts_checked']:,}, wrong: {sum(map(len, wrong_counts.values()))}; "
            f"pages with an estimate: {len(mix['estimated'])}"
        )
        for url, wrong in wrong_counts.items():
            w(f"wrong counts on {url}: {'; '.join(wrong)}")
        w(f"same cables as the ranking, other order: {', '.join(mix['order_differs']) or 'none'}")
        wrong = mix["wrong_status"]
        w(
            "wrong status: "
            + (", ".join(f"{url} answered {status}" for url, status in wrong.items()) or "none")
        )
        for shape in mix["shapes"]:
            if shape.get("exact_order") is False:
                w(
                    f"overlap {shape['overlap']:.2f} for {shape['url']}: shown "
                    f"{shape['shown_ids']}, expected {shape['expected_ids']}"
                )


def _overlap(value) -> str:
    return "-" if value is None else f"{value:.2f}"


def _naive_comparable(shape: Shape) -> bool:
    """A first search page with text: what the naive top 20 (facets left out) stands for."""
    return (
        shape.path == "/cables/"
        and shape.deep_page is None
        and shape.expected_status == 200
        and parse_query(shape.query).text is not None
    )


def _by_kind(times: dict[str, list[float]]) -> dict:
    result = {kind: summarise(values) for kind, values in times.items()}
    result["overall"] = summarise([t for values in times.values() for t in values])
    return result


def _ms(value) -> str:
    return "-" if value is None else f"{value:.0f} ms"


def _ratio(naive, view):
    if not naive or not view:
        return None
    return round(naive / view, 2)


def _cpus() -> int:
    return os.cpu_count() or 0
