#!/usr/bin/env python3
"""Soak test: many clients for minutes against gunicorn on the sample archive.

    python3 scripts/soak.py                      # 50 clients, 300 s, a scratch archive
    python3 scripts/soak.py --seconds 30 --clients 10 --archive var/soak.sqlite3

Builds (or reuses, with --archive) a SQLite archive of the bundled sample through the normal
commands (migrate, ingest, load_entities, load_tag_definitions, collectstatic), starts gunicorn
as in production (DEBUG=0, a fresh random SECRET_KEY, 3 workers, RATELIMIT_ENABLE=0 so the
clients measure the pages, not the limits) on 127.0.0.1 at a free port, and runs the clients
over a mix of pages: home, searches of several kinds, cable pages and their old addresses,
entity pages, the API and the first bytes of the exports. Only 127.0.0.1 is ever contacted.

Reports the requests, the status counts (a 5xx is a failure), p50/p95/p99 latency per kind
and the resident memory (RSS, from /proc) of each gunicorn worker at start, after the warm-up
and at the end. Exit status 1 on any 5xx or connection error. Standard library only.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import secrets
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from archive import SAMPLE_INPUTS, ensure_venv  # noqa: E402

HOST = "127.0.0.1"
EXPORT_BYTES = 64 * 1024  # an export is read this far, then the connection is closed
SEARCHES = [
    {},
    {"q": "election"},
    {"q": '"Nur Otan"'},
    {"q": "election fraud", "sort": "-created"},
    {"q": "Kazakh*"},
    {"q": "Abilov OR Zhandosov"},
    {"q": "election -Russia"},
    {"q": "origin:astana tag:PGOV"},
    {"q": "government", "page": "2"},
    {"q": "president", "year": "2007"},
    {"origin": "Embassy Astana"},
    {"tag": "PGOV", "year": "2009", "sort": "created"},
    {"q": "from:2007-07 to:2007-09 parliament"},
    {"q": "oil", "classification": "CONFIDENTIAL"},
    {"partial": "partial"},
    {"q": "zzqqxy"},  # no results: the suggestions path
]


def say(message: str) -> None:
    print(f"[soak] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        found += [int(child) for child in task.read_text().split()]
    return sorted(found)


def prepare_archive(python: Path, env: dict, archive: Path) -> None:
    def manage(*args: str) -> None:
        subprocess.run([str(python), "manage.py", *args], cwd=ROOT, env=env, check=True)

    manage("migrate", "--no-input", "-v", "0")
    manage("collectstatic", "--no-input", "-v", "0")
    with sqlite3.connect(archive) as db:
        cables = db.execute("SELECT count(*) FROM cables_cable").fetchone()[0]
    if cables:
        say(f"reusing {archive} ({cables} cables)")
        return
    say(f"ingesting the bundled sample into {archive} (a few minutes)")
    # As `archive.py run` does; one bad record does not stop the archive from being served.
    manage("load_tag_definitions")
    subprocess.run(
        [str(python), "manage.py", "ingest", *SAMPLE_INPUTS], cwd=ROOT, env=env, check=False
    )
    manage("load_entities")


# How often each kind of page is asked for (relative weights).
WEIGHTS = {
    "search": 25,
    "cable": 22,
    "api-search": 10,
    "api-cable": 10,
    "entity": 10,
    "old-address": 5,
    "home": 6,
    "browse": 5,
    "help": 2,
    "export": 5,
}


def url_mix(archive: Path, rng: random.Random) -> dict[str, list[str]]:
    """Paths of every kind of page, over real reference IDs and entity slugs."""
    with sqlite3.connect(archive) as db:
        references = [r for (r,) in db.execute("SELECT reference_id FROM cables_cable")]
        slugs = {
            kind: [s for (s,) in db.execute(f"SELECT slug FROM cables_{kind}")]
            for kind in ("person", "party", "election")
        }
    references = [quote(r) for r in rng.sample(references, min(300, len(references)))]
    return {
        "home": ["/"],
        "help": ["/cables/help/"],
        "browse": ["/origins/", "/tags/"],
        "search": ["/cables/?" + urlencode(params) for params in SEARCHES],
        "api-search": ["/api/cables/?" + urlencode(params) for params in SEARCHES],
        "cable": [f"/cable/{r}/" for r in references]
        + [f"/cable/{r}/?q=election" for r in references],
        "old-address": [f"/{r}" for r in references],
        "api-cable": [f"/api/cables/{r}/" for r in references],
        "entity": [
            f"/{kind}/{slug}/{suffix}"
            for kind, kind_slugs in slugs.items()
            for slug in kind_slugs[:40]
            for suffix in ("", "?order=oldest&page=2")
        ],
        "export": ["/api/cables/export.csv?q=election", "/api/cables/export.json"],
    }


class Results:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.statuses: Counter = Counter()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: Counter = Counter()
        self.server_errors: list[str] = []

    def add(self, kind: str, path: str, status: int | None, seconds: float, error: str = ""):
        with self.lock:
            if status is None:
                self.errors[error] += 1
                return
            self.statuses[status] += 1
            self.latencies[kind].append(seconds)
            if status >= 500 and len(self.server_errors) < 20:
                self.server_errors.append(f"{status} {path}")


def fetch(port: int, path: str, timeout: float) -> int:
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Host": "127.0.0.1", "Connection": "close"})
        response = connection.getresponse()
        if path.startswith("/api/cables/export"):
            response.read(EXPORT_BYTES)  # the first bytes; closing drops the rest
        else:
            response.read()
        return response.status
    finally:
        connection.close()


def client(port, mix, deadline, results, seed, timeout, budget):
    rng = random.Random(seed)
    kinds = [kind for kind in WEIGHTS if mix.get(kind)]
    weights = [WEIGHTS[kind] for kind in kinds]
    while time.monotonic() < deadline and budget.take():
        kind = rng.choices(kinds, weights)[0]
        path = rng.choice(mix[kind])
        started = time.monotonic()
        try:
            status = fetch(port, path, timeout)
        except (OSError, http.client.HTTPException) as error:
            results.add(kind, path, None, 0.0, type(error).__name__)
            continue
        results.add(kind, path, status, time.monotonic() - started)


class Budget:
    """At most `count` requests in all (None: no bound but the time)."""

    def __init__(self, count: int | None) -> None:
        self.left = count
        self.lock = threading.Lock()

    def take(self) -> bool:
        if self.left is None:
            return True
        with self.lock:
            if self.left <= 0:
                return False
            self.left -= 1
            return True


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def wait_until_ready(port: int, server: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"[soak] gunicorn exited with {server.returncode} before answering")
        try:
            if fetch(port, "/", 10) == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit("[soak] gunicorn did not answer / within 90 s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=300, help="how long the clients run")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument(
        "--max-requests", type=int, default=None, help="stop after this many requests in all"
    )
    parser.add_argument(
        "--warmup", type=float, default=30, help="seconds after which the warm RSS is read"
    )
    parser.add_argument(
        "--rss-every", type=float, default=30, help="seconds between two RSS readings"
    )
    parser.add_argument("--timeout", type=float, default=60, help="per-request timeout (s)")
    parser.add_argument(
        "--archive",
        type=Path,
        help="SQLite archive to use (built there if empty; default: a "
        "scratch file removed at the end)",
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument("--seed", type=int, default=1, help="seed of the URL choices")
    args = parser.parse_args()

    python = ensure_venv("requirements.txt")
    scratch = tempfile.TemporaryDirectory(prefix="soak-")
    archive = (args.archive or Path(scratch.name) / "soak.sqlite3").resolve()
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "HTTPS"}}
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=HOST,
        RATELIMIT_ENABLE="0",
        SQLITE_PATH=str(archive),
        STATIC_ROOT=str(Path(scratch.name) / "static"),
        PYTHONUNBUFFERED="1",
    )
    prepare_archive(python, env, archive)
    mix = url_mix(archive, random.Random(args.seed))

    port = free_port()
    gunicorn = [str(python), "-m", "gunicorn", "--workers", str(args.workers)]
    gunicorn += ["--bind", f"{HOST}:{port}", "--log-level", "warning", "cablearchive.wsgi"]
    say(f"starting gunicorn ({args.workers} workers) at http://{HOST}:{port}/")
    server = subprocess.Popen(gunicorn, cwd=ROOT, env=env)
    try:
        wait_until_ready(port, server)
        workers = children(server.pid)
        rss_start = {pid: rss_kib(pid) for pid in workers}
        say(
            f"workers {workers}; {args.clients} clients for {args.seconds:.0f} s over {sum(map(len, mix.values()))} URLs"
        )

        results = Results()
        budget = Budget(args.max_requests)
        started = time.monotonic()
        deadline = started + args.seconds
        threads = [
            threading.Thread(
                target=client,
                args=(port, mix, deadline, results, args.seed * 1000 + n, args.timeout, budget),
                daemon=True,
            )
            for n in range(args.clients)
        ]
        for thread in threads:
            thread.start()
        rss_warm = None
        timeline = [(0.0, rss_start)]
        while any(thread.is_alive() for thread in threads):
            time.sleep(1)
            now = time.monotonic() - started
            if rss_warm is None and now >= min(args.warmup, args.seconds):
                rss_warm = {pid: rss_kib(pid) for pid in children(server.pid)}
            if now - timeline[-1][0] >= args.rss_every and now < args.seconds:
                timeline.append((now, {pid: rss_kib(pid) for pid in children(server.pid)}))
            if time.monotonic() > deadline + args.timeout + 10:
                say("clients still running past the deadline; stopping")
                break
        elapsed = time.monotonic() - started
        workers_end = children(server.pid)
        rss_end = {pid: rss_kib(pid) for pid in workers_end}
        timeline.append((elapsed, rss_end))
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
        scratch.cleanup()

    return report(args, results, elapsed, workers, rss_start, rss_warm or {}, rss_end, timeline)


def report(args, results, elapsed, workers, rss_start, rss_warm, rss_end, timeline) -> int:
    every = [s for values in results.latencies.values() for s in values]
    requests = sum(results.statuses.values())
    server_errors = sum(n for status, n in results.statuses.items() if status >= 500)
    figures = {
        "clients": args.clients,
        "seconds": round(elapsed, 1),
        "requests": requests,
        "requests_per_second": round(requests / elapsed, 1) if elapsed else 0,
        "statuses": dict(sorted(results.statuses.items())),
        "server_errors": server_errors,
        "connection_errors": dict(results.errors),
        "latency_ms": {
            kind: {
                "n": len(values),
                "p50": round(1000 * statistics.median(values), 1),
                "p95": round(1000 * percentile(values, 0.95), 1),
                "p99": round(1000 * percentile(values, 0.99), 1),
            }
            for kind, values in sorted([*results.latencies.items(), ("all", every)])
            if values
        },
        "workers_replaced": sorted(set(workers) ^ set(rss_end)),
        "rss_kib": {
            str(pid): {
                "start": rss_start.get(pid),
                "warm": rss_warm.get(pid),
                "end": rss_end.get(pid),
            }
            for pid in sorted(set(rss_start) | set(rss_end))
        },
        "rss_timeline_kib": [
            {"second": round(second), **{str(pid): kib for pid, kib in readings.items()}}
            for second, readings in timeline
        ],
    }
    say(
        f"{requests} requests in {elapsed:.0f} s ({figures['requests_per_second']}/s) "
        f"by {args.clients} clients"
    )
    say(
        f"statuses: {figures['statuses']}; 5xx: {server_errors}; "
        f"connection errors: {figures['connection_errors'] or 0}"
    )
    print("\n| kind | requests | p50 ms | p95 ms | p99 ms |\n|---|---:|---:|---:|---:|")
    for kind, row in figures["latency_ms"].items():
        print(f"| {kind} | {row['n']} | {row['p50']} | {row['p95']} | {row['p99']} |")
    print("\n| worker pid | RSS start MiB | after warm-up MiB | end MiB |\n|---|---:|---:|---:|")
    for pid, row in figures["rss_kib"].items():
        cells = [f"{row[k] / 1024:.1f}" if row[k] else "-" for k in ("start", "warm", "end")]
        print(f"| {pid} | {' | '.join(cells)} |")
    pids = sorted(set(rss_start) | set(rss_end))
    print("\n| second | " + " | ".join(f"{pid} MiB" for pid in pids) + " |")
    print("|---:|" + "---:|" * len(pids))
    for second, readings in timeline:
        cells = [f"{readings[p] / 1024:.1f}" if readings.get(p) else "-" for p in pids]
        print(f"| {second:.0f} | {' | '.join(cells)} |")
    for line in results.server_errors:
        say(f"server error: {line}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 1 if server_errors or results.errors else 0


if __name__ == "__main__":
    sys.exit(main())
