#!/usr/bin/env python3
"""Many readers at once: concurrent clients against gunicorn, latency and throughput per kind.

    SQLITE_PATH=var/full.sqlite3 .venv/bin/python scripts/load_test.py --clients 8 --mix mixed
    DATABASE_URL=postgres://... .venv/bin/python scripts/load_test.py --clients 50 --seconds 60
    .venv/bin/python scripts/load_test.py --url http://127.0.0.1:8000 --clients 8

Without `--url` it starts gunicorn itself (`--workers`, DEBUG=0, a generated SECRET_KEY,
ALLOWED_HOSTS=127.0.0.1, RATELIMIT_ENABLE=0, static files collected into a temporary
directory) on 127.0.0.1 and a free port, serving the archive that DATABASE_URL or SQLITE_PATH
selects, and stops it at the end. With `--url` it loads a server already running on this
machine (127.0.0.1, localhost or ::1 only); the archive DATABASE_URL or SQLITE_PATH selects must
be the one it serves, since the request mix is built from it.

The mix is built from the archive's own values: random reference IDs, the most frequent
origins, TAGS, years and entities. `search`: search pages of many shapes (words, phrases, OR,
exclusions, prefixes, fields typed in the box, facets and combined facets, facet-only pages,
date sorts, deep pages); `cables`: cable pages (a `#parN` fragment never reaches the server, so
none is sent); `mixed`: both, plus the home, origins, TAGS, help, entity pages and the API.

Each client is a thread with a keep-alive connection (http.client), requesting URLs one after
the other for `--seconds` or until `--max-requests` in all. `--conditional 0.3` sends
If-None-Match on 30% of the requests for a URL the client already has an ETag for. Reports per
kind: requests, req/s, p50/p95/max latency, status counts, and each worker's RSS at the end; saves JSON in bench-results/.
Targets (issue 13, full size, this 2-core machine): >= 100 search pages/s and >= 500 cable
pages/s at 8 clients, p95 < 1 s at 50 clients, no 5xx. The client shares the machine's cores
with the server: the figures are a lower bound of the server's own.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cablearchive.settings")

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
MAX_SECONDS = 900
MAX_CLIENTS = 200
REQUEST_TIMEOUT = 60  # seconds: a request slower than this counts as status "timeout"
TARGETS = {
    "search_per_second_at_8": 100,
    "cable_per_second_at_8": 500,
    "p95_seconds_at_50": 1.0,
}
# Words a researcher of the cables types: topics, places, offices.
WORDS = [
    "election",
    "government",
    "minister",
    "opposition",
    "corruption",
    "oil",
    "gas",
    "nuclear",
    "military",
    "embassy",
    "president",
    "parliament",
    "security",
    "trade",
    "human",
    "rights",
    "police",
    "border",
    "energy",
    "economy",
    "bank",
    "terrorism",
    "visit",
    "meeting",
    "foreign",
    "press",
    "uranium",
    "taliban",
    "gazprom",
    "refugees",
]
PHRASES = [
    "human rights",
    "foreign minister",
    "prime minister",
    "the united states",
    "civil society",
    "free and fair",
    "rule of law",
    "ruling party",
]


# --- The request mix -----------------------------------------------------------------------


@dataclass
class ArchiveValues:
    references: list[str]
    origins: list[str]
    tags: list[str]
    years: list[int]
    people: list[str]
    parties: list[str]


def archive_values(sample: int) -> ArchiveValues:
    """Random reference IDs and the most frequent facet values, read from the archive."""
    import django

    django.setup()
    from django.db.models import Count

    from cables.models import Cable, Party, Person, Tag

    ids = list(Cable.objects.order_by().values_list("id", flat=True))
    chosen = random.sample(ids, min(sample, len(ids)))
    references = list(Cable.objects.filter(id__in=chosen).values_list("reference_id", flat=True))
    cables = Cable.objects.order_by()

    def most(column: str, n: int) -> list:
        rows = cables.values_list(column).annotate(n=Count("id")).order_by("-n")[:n]
        return [value for value, _ in rows if value]

    tags = list(Tag.objects.annotate(n=Count("cables")).filter(n__gt=0).order_by("-n")[:40])
    mentioned = Count("mentions")
    return ArchiveValues(
        references=references,
        origins=most("origin", 40),
        tags=[tag.code for tag in tags],
        years=most("year", 10),
        people=list(
            Person.objects.annotate(n=mentioned)
            .filter(n__gt=0)
            .order_by("-n")[:20]
            .values_list("slug", flat=True)  # fmt: skip
        ),
        parties=list(
            Party.objects.annotate(n=mentioned)
            .filter(n__gt=0)
            .order_by("-n")[:10]
            .values_list("slug", flat=True)  # fmt: skip
        ),
    )


def search_url(values: ArchiveValues, rng: random.Random) -> str:
    """One search page of a shape a researcher produces."""
    word, other, third = rng.sample(WORDS, 3)
    origin = rng.choice(values.origins) if values.origins else ""
    tag = rng.choice(values.tags) if values.tags else ""
    year = rng.choice(values.years) if values.years else 2008
    shapes = [
        {"q": word},
        {"q": f"{word} {other}"},
        {"q": f'"{rng.choice(PHRASES)}"'},
        {"q": f"{word} OR {other} OR {third}"},
        {"q": f"{word} -{other}"},
        {"q": "embassy -the"},
        {"q": word[:4] + "*"},
        {"q": f"{word} origin:{origin.split()[-1].lower()}" if origin else word},
        {"q": word, "tag": tag},
        {"q": word, "origin": origin, "year": year},
        {"q": word, "sort": "-created"},
        {"q": word, "sort": "created"},
        {"q": word, "page": rng.choice([2, 5, 20])},
        {"tag": tag},
        {"origin": origin},
        {"year": year, "tag": tag},
        {"sort": "created", "page": rng.choice([2, 20, 200])},
    ]
    if values.people:
        shapes.append({"person": rng.choice(values.people)})
        shapes.append({"q": word, "person": rng.choice(values.people)})
    params = {key: value for key, value in rng.choice(shapes).items() if value != ""}
    return "/cables/?" + urlencode(params)


def cable_url(values: ArchiveValues, rng: random.Random) -> str:
    return f"/cable/{rng.choice(values.references)}/"


def browse_url(values: ArchiveValues, rng: random.Random) -> str:
    choices = ["/", "/origins/", "/tags/", "/cables/help/"]
    if values.people:
        choices.append(f"/person/{rng.choice(values.people)}/")
    if values.parties:
        choices.append(f"/party/{rng.choice(values.parties)}/")
    return rng.choice(choices)


def api_url(values: ArchiveValues, rng: random.Random) -> str:
    if rng.random() < 0.5:
        return "/api/cables/?" + urlencode({"q": rng.choice(WORDS)})
    return f"/api/cables/{rng.choice(values.references)}/"


KINDS = {"search": search_url, "cable": cable_url, "browse": browse_url, "api": api_url}
MIXES = {
    "search": {"search": 1.0},
    "cables": {"cable": 1.0},
    "mixed": {"search": 0.4, "cable": 0.4, "browse": 0.1, "api": 0.1},
}


def url_pool(values: ArchiveValues, mix: str, size: int, seed: int) -> list[tuple[str, str]]:
    """A fixed pool of (kind, url): clients draw from it, so popular pages repeat as in life."""
    rng = random.Random(seed)
    weights = MIXES[mix]
    kinds = rng.choices(list(weights), weights=list(weights.values()), k=size)
    return [(kind, KINDS[kind](values, rng)) for kind in kinds]


# --- The clients -----------------------------------------------------------------------------


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    lock: threading.Lock = field(default_factory=threading.Lock)
    count: int = 0


def client(host, port, pool, results, stop_at, max_requests, conditional, seed) -> None:
    rng = random.Random(seed)
    connection = http.client.HTTPConnection(host, port, timeout=REQUEST_TIMEOUT)
    etags: dict[str, str] = {}
    while time.monotonic() < stop_at:
        with results.lock:
            if results.count >= max_requests:
                break
            results.count += 1
        kind, url = rng.choice(pool)
        headers = {"Accept-Encoding": "identity"}
        if url in etags and rng.random() < conditional:
            headers["If-None-Match"] = etags[url]
        began = time.perf_counter()
        try:
            connection.request("GET", url, headers=headers)
            response = connection.getresponse()
            response.read()
            status: int | str = response.status
            if response.getheader("ETag"):
                etags[url] = response.getheader("ETag")
        except (OSError, http.client.HTTPException) as error:
            status = "timeout" if isinstance(error, socket.timeout) else type(error).__name__
            connection.close()
            connection = http.client.HTTPConnection(host, port, timeout=REQUEST_TIMEOUT)
        elapsed = time.perf_counter() - began
        with results.lock:
            results.latencies[kind].append(elapsed)
            results.statuses[kind][str(status)] += 1
    connection.close()


def run_clients(host, port, pool, *, clients, seconds, max_requests, conditional, seed):
    results = Results()
    stop_at = time.monotonic() + seconds
    threads = [
        threading.Thread(
            target=client,
            args=(host, port, pool, results, stop_at, max_requests, conditional, seed + i),
            daemon=True,
        )
        for i in range(clients)
    ]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + REQUEST_TIMEOUT + 5)
    return results, time.perf_counter() - began


def percentile(values: list[float], share: float) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


def summary(results: Results, wall: float) -> dict:
    kinds = {}
    every = []
    statuses: Counter = Counter()
    for kind, latencies in sorted(results.latencies.items()):
        every += latencies
        statuses.update(results.statuses[kind])
        kinds[kind] = figures(latencies, results.statuses[kind], wall)
    return {"kinds": kinds, "all": figures(every, statuses, wall)}


def figures(latencies: list[float], statuses: Counter, wall: float) -> dict:
    return {
        "requests": len(latencies),
        "per_second": round(len(latencies) / wall, 1) if wall else 0.0,
        "p50_ms": round(1000 * percentile(latencies, 0.50), 1),
        "p95_ms": round(1000 * percentile(latencies, 0.95), 1),
        "max_ms": round(1000 * max(latencies, default=0.0), 1),
        "statuses": dict(sorted(statuses.items())),
        "server_errors": sum(n for status, n in statuses.items() if status.startswith("5")),
        "failed": sum(n for status, n in statuses.items() if not status.isdigit()),
    }


def target_lines(report: dict, clients: int) -> list[str]:
    kinds = report["kinds"]
    lines = []
    if clients == 8:
        for kind, name in (
            ("search", "search_per_second_at_8"),
            ("cable", "cable_per_second_at_8"),
        ):
            if kind in kinds:
                got, want = kinds[kind]["per_second"], TARGETS[name]
                lines.append(f"{kind} pages/s at 8 clients: {got} (target >= {want})")
    if clients == 50:
        got = report["all"]["p95_ms"] / 1000
        lines.append(f"p95 at 50 clients: {got:.2f} s (target < {TARGETS['p95_seconds_at_50']} s)")
    errors = report["all"]["server_errors"] + report["all"]["failed"]
    lines.append(f"5xx and failed requests: {errors} (target 0)")
    return lines


def print_report(report: dict) -> None:
    print(
        f"{'kind':<8} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  statuses"
    )
    for kind, row in [*report["kinds"].items(), ("all", report["all"])]:
        print(
            f"{kind:<8} {row['requests']:>9} {row['per_second']:>8} {row['p50_ms']:>8}"
            f" {row['p95_ms']:>8} {row['max_ms']:>8}  {row['statuses']}"
        )


# --- The server ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_environment(static_root: str) -> dict:
    env = dict(os.environ)
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        RATELIMIT_ENABLE="0",
        STATIC_ROOT=static_root,
    )
    return env


def start_gunicorn(workers: int, port: int, env: dict, log: Path) -> subprocess.Popen:
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "collectstatic", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "cablearchive.wsgi:application",
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--timeout",
        "120",
        "--error-logfile",
        str(log),
    ]
    return subprocess.Popen(command, cwd=ROOT, env=env)


def worker_rss_mib(server_pid: int) -> dict[str, int]:
    """Each gunicorn worker's resident memory (the rank index is memory-mapped: its pages
    read count here), by pid; Linux only, else empty."""
    rss = {}
    for task in Path(f"/proc/{server_pid}/task").glob("*/children"):
        for pid in task.read_text().split():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmRSS:"):
                    rss[pid] = round(int(line.split()[1]) / 1024)
    return rss


def wait_until_up(host: str, port: int, server: subprocess.Popen | None, seconds: int = 90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server is not None and server.poll() is not None:
            raise SystemExit(f"gunicorn exited with status {server.returncode} before serving.")
        try:
            connection = http.client.HTTPConnection(host, port, timeout=10)
            connection.request("GET", "/cables/help/")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"http://{host}:{port}/ did not answer within {seconds} s.")


# --- Command line ----------------------------------------------------------------------------


def arguments(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a server already running on this machine (default: start gunicorn)")  # fmt: skip
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (default 3)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (default 8)")
    parser.add_argument("--seconds", type=float, default=60, help="duration (default 60)")
    parser.add_argument("--max-requests", type=int, default=500_000, help="stop after this many requests in all (default 500000)")  # fmt: skip
    parser.add_argument("--mix", choices=sorted(MIXES), default="mixed", help="what the clients request (default mixed)")  # fmt: skip
    parser.add_argument("--conditional", type=float, default=0.0, help="share of repeated URLs asked with If-None-Match (0-1, default 0)")  # fmt: skip
    parser.add_argument("--pool", type=int, default=2000, help="distinct URLs in the mix (default 2000)")  # fmt: skip
    parser.add_argument("--seed", type=int, default=1, help="random seed of the mix (default 1)")
    parser.add_argument("--warmup", type=float, default=3, help="seconds of load before measuring (default 3)")  # fmt: skip
    parser.add_argument("--out", default=str(ROOT / "bench-results"), help="directory of the JSON report (default bench-results/)")  # fmt: skip
    args = parser.parse_args(argv)
    if not 0 < args.seconds <= MAX_SECONDS:
        parser.error(f"--seconds must be in (0, {MAX_SECONDS}]")
    if not 0 < args.clients <= MAX_CLIENTS:
        parser.error(f"--clients must be in 1..{MAX_CLIENTS}")
    if not 0 <= args.conditional <= 1:
        parser.error("--conditional is a share between 0 and 1")
    if args.url:
        parts = urlsplit(args.url)
        if parts.scheme != "http" or parts.hostname not in LOCAL_HOSTS:
            parser.error(
                "--url must be http:// on 127.0.0.1, localhost or ::1 (local traffic only)"
            )
    return args


def main(argv=None) -> int:
    args = arguments(argv)
    values = archive_values(sample=max(args.pool, 100))
    if not values.references:
        print("The archive holds no cables: ingest a corpus first.", file=sys.stderr)
        return 1
    pool = url_pool(values, args.mix, args.pool, args.seed)
    server = log = None
    workers_rss: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="load-test-") as scratch:
        if args.url:
            parts = urlsplit(args.url)
            host, port = parts.hostname, parts.port or 80
        else:
            host, port = "127.0.0.1", free_port()
            log = Path(scratch) / "gunicorn.log"
            server = start_gunicorn(args.workers, port, server_environment(scratch), log)
        try:
            wait_until_up(host, port, server)
            if args.warmup:
                run_clients(
                    host, port, pool, clients=args.clients, seconds=args.warmup,
                    max_requests=args.max_requests, conditional=0.0, seed=args.seed + 1000,
                )  # fmt: skip
            results, wall = run_clients(
                host, port, pool, clients=args.clients, seconds=args.seconds,
                max_requests=args.max_requests, conditional=args.conditional, seed=args.seed,
            )  # fmt: skip
            workers_rss = worker_rss_mib(server.pid) if server is not None else {}
        finally:
            if server is not None:
                server.terminate()
                try:
                    server.wait(20)
                except subprocess.TimeoutExpired:
                    server.kill()
                errors = [line for line in log.read_text().splitlines() if "Traceback" in line or "[ERROR]" in line] if log and log.exists() else []  # fmt: skip
                if errors:
                    print(f"gunicorn logged {len(errors)} errors; the first: {errors[0]}", file=sys.stderr)  # fmt: skip
    report = summary(results, wall)
    from django.db import connection

    meta = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "backend": connection.vendor,
        "database": str(connection.settings_dict["NAME"]),
        "cables_sampled": len(values.references),
        "url": args.url or f"gunicorn --workers {args.workers} (started by the script)",
        "clients": args.clients,
        "seconds": args.seconds,
        "wall_seconds": round(wall, 1),
        "mix": args.mix,
        "conditional": args.conditional,
        "pool": args.pool,
        "seed": args.seed,
        "commit": git_commit(),
        "worker_rss_mib": workers_rss,
    }
    print(
        f"{meta['backend']} {meta['database']}: {args.clients} clients, {args.mix} mix,"
        f" {wall:.0f} s, {meta['url']}"
    )
    print_report(report)
    if workers_rss:
        print("worker RSS after the run, MiB: " + ", ".join(f"{v}" for v in workers_rss.values()))
    for line in target_lines(report, args.clients):
        print(line)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    path = out / f"load-{meta['backend']}-{args.mix}-c{args.clients}-{stamp}.json"
    path.write_text(json.dumps({**meta, **report}, indent=2) + "\n")
    print(f"saved {path}")
    return 1 if report["all"]["server_errors"] else 0


def git_commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        return ""


if __name__ == "__main__":
    sys.exit(main())
