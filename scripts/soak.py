#!/usr/bin/env python3
"""Soak test: many readers for minutes against gunicorn on the sample archive while writers
write, on SQLite or PostgreSQL.

    python3 scripts/soak.py                                   # 50 clients, 600 s, scratch SQLite
    python3 scripts/soak.py --database-url postgres://postgres@127.0.0.1:5432/scratch_soak
    python3 scripts/soak.py --seconds 30 --clients 10 --archive var/soak.sqlite3

Builds (or reuses) an archive of the bundled sample through the normal commands (migrate,
load_tag_definitions, load_entities, ingest --bulk sample_corpus/, collectstatic) in a scratch
SQLite file or in the PostgreSQL database --database-url names (a SCRATCH database: the soak
writes to it). Starts gunicorn as the README's production command does (`-c gunicorn.conf.py`,
DEBUG=0, a fresh random SECRET_KEY, RATELIMIT_ENABLE=0 so the clients measure the pages, not
the limits) on 127.0.0.1 at a free port, and runs the clients over a mix of pages (home,
searches, cable pages and old addresses, entity pages, the API, the first bytes of exports)
while scripts/soak_writer.py ingests new cables and curators confirm, reject and merge through
the archive's services. Only 127.0.0.1 is ever contacted; the run stops by itself.

Checks: no 5xx and no connection error; every API search page consistent with itself (a
one-page result shows exactly `count` rows, a full page 20); no lost write (every write the
writer committed is in the archive afterwards, and every new cable answers on the API).
Reports requests, statuses, p50/p95/p99 per kind, the writes, and the RSS of each worker.
Exit status 1 on any failed check. Standard library only (the writer runs in Django).
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
from archive import ensure_venv  # noqa: E402

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


def manage(python: Path, env: dict, *args: str, capture: bool = False) -> str:
    result = subprocess.run(
        [str(python), "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        stdout=subprocess.PIPE if capture else None,
    )
    return result.stdout or ""


def counts(python: Path, env: dict) -> dict[str, int]:
    out = manage(python, env, "archive_counts", capture=True)
    return {name: int(value) for name, value in (line.split() for line in out.splitlines())}


def prepare_archive(python: Path, env: dict) -> dict[str, int]:
    manage(python, env, "migrate", "--no-input", "-v", "0")
    manage(python, env, "collectstatic", "--no-input", "-v", "0")
    held = counts(python, env)
    if held["cables"]:
        say(f"reusing the archive ({held['cables']} cables)")
        return held
    say("loading the bundled sample in bulk (about a minute)")
    manage(python, env, "load_tag_definitions")
    manage(python, env, "load_entities")
    manage(python, env, "ingest", "--bulk", "--progress", "never", "sample_corpus/")
    return counts(python, env)


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


MIX_QUERY = """
import json
from cables.models import Cable, Election, Party, Person
print(json.dumps({
    "references": list(Cable.objects.values_list("reference_id", flat=True)),
    "person": list(Person.objects.values_list("slug", flat=True)),
    "party": list(Party.objects.values_list("slug", flat=True)),
    "election": list(Election.objects.values_list("slug", flat=True)),
}))
"""


def url_mix(python: Path, env: dict, rng: random.Random) -> dict[str, list[str]]:
    """Paths of every kind of page, over real reference IDs and entity slugs."""
    held = json.loads(
        manage(python, env, "shell", "--no-imports", "-c", MIX_QUERY, capture=True).splitlines()[-1]
    )
    references = held.pop("references")
    slugs = held
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
        self.inconsistent: list[str] = []
        # Exports refused while every export slot of the worker was busy (503 with
        # Retry-After, by design: exports never take every thread); not server errors.
        self.deferred_exports = 0

    def add(self, kind: str, path: str, status: int | None, seconds: float, error: str = ""):
        with self.lock:
            if status is None:
                self.errors[error] += 1
                return
            if status == DEFERRED:
                self.deferred_exports += 1
                return
            self.statuses[status] += 1
            self.latencies[kind].append(seconds)
            if status >= 500 and len(self.server_errors) < 20:
                self.server_errors.append(f"{status} {path}")


PER_PAGE = 20
DEFERRED = -1  # an export refused for now: every export slot busy (503, Retry-After)


def consistent(body: bytes) -> str:
    """'' if an API search page agrees with itself, else what disagrees: a page holds the rows
    its count says (one page: `count` rows; a page before the last: PER_PAGE)."""
    data = json.loads(body)
    rows, count, pages = len(data["results"]), data["count"], data["num_pages"]
    if not data.get("count_exact", True):
        return ""
    if pages == 1 and rows != count:
        return f"count {count} but {rows} rows"
    if data["page"] < pages and rows != PER_PAGE:
        return f"page {data['page']} of {pages} holds {rows} rows"
    return ""


def fetch(port: int, path: str, timeout: float, results=None) -> int:
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Host": "127.0.0.1", "Connection": "close"})
        response = connection.getresponse()
        if path.startswith("/api/cables/export"):
            response.read(EXPORT_BYTES)  # the first bytes; closing drops the rest
            if response.status == 503 and response.getheader("Retry-After"):
                return DEFERRED
        else:
            body = response.read()
            if results is not None and path.startswith("/api/cables/?") and response.status == 200:
                problem = consistent(body)
                if problem:
                    with results.lock:
                        results.inconsistent.append(f"{path}: {problem}")
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
            status = fetch(port, path, timeout, results)
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


def wait_until_ready(port: int, server: subprocess.Popen, seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"[soak] gunicorn exited with {server.returncode} before answering")
        try:
            if fetch(port, "/readyz", 10) == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"[soak] gunicorn was not ready within {seconds:.0f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=600, help="how long the clients run")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument(
        "--max-requests", type=int, default=None, help="stop after this many requests in all"
    )
    parser.add_argument(
        "--warmup", type=float, default=30, help="seconds after which the warm RSS is read"
    )
    parser.add_argument(
        "--rss-every", type=float, default=60, help="seconds between two RSS readings"
    )
    parser.add_argument("--timeout", type=float, default=60, help="per-request timeout (s)")
    parser.add_argument(
        "--archive",
        type=Path,
        help="SQLite archive to use (built there if empty; default: a "
        "scratch file removed at the end)",
    )
    parser.add_argument(
        "--database-url",
        help="a SCRATCH PostgreSQL database to use instead of SQLite (built there if empty; "
        "the writers write to it)",
    )
    parser.add_argument(
        "--write-every", type=float, default=2.0, help="seconds between two writes (0: none)"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument("--seed", type=int, default=1, help="seed of the URL choices")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: free)")
    parser.add_argument(
        "--python", type=Path, help="the interpreter with the requirements (default: .venv's)"
    )
    args = parser.parse_args()

    python = args.python or ensure_venv("requirements.txt")
    scratch = tempfile.TemporaryDirectory(prefix="soak-")
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "HTTPS"}}
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=HOST,
        RATELIMIT_ENABLE="0",
        STATIC_ROOT=str(Path(scratch.name) / "static"),
        RANK_INDEX_DIR=str(Path(scratch.name) / "rank-index"),
        EXPORT_DIR=str(Path(scratch.name) / "exports"),
        PYTHONUNBUFFERED="1",
    )
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
        backend = "postgresql"
    else:
        archive = (args.archive or Path(scratch.name) / "soak.sqlite3").resolve()
        env["SQLITE_PATH"] = str(archive)
        backend = "sqlite"
    held = prepare_archive(python, env)
    mix = url_mix(python, env, random.Random(args.seed))
    writes_log = Path(scratch.name) / "writes.jsonl"

    port = args.port or free_port()
    gunicorn = [str(python), "-m", "gunicorn", "-c", "gunicorn.conf.py"]
    gunicorn += ["--workers", str(args.workers), "--bind", f"{HOST}:{port}"]
    gunicorn += ["--log-level", "warning"]
    say(f"starting gunicorn ({args.workers} workers, {backend}) at http://{HOST}:{port}/")
    server = subprocess.Popen(gunicorn, cwd=ROOT, env=env)
    writer = None
    try:
        wait_until_ready(port, server)
        workers = children(server.pid)
        rss_start = {pid: rss_kib(pid) for pid in workers}
        say(
            f"workers {workers}; {args.clients} clients for {args.seconds:.0f} s over "
            f"{sum(map(len, mix.values()))} URLs; a write every {args.write_every} s"
        )
        if args.write_every > 0:
            writer = subprocess.Popen(
                [str(python), "scripts/soak_writer.py", "--seconds", str(args.seconds)]
                + ["--every", str(args.write_every), "--log", str(writes_log)],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
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
        if writer is not None:
            writer.wait(timeout=args.timeout + 60)
        writes = check_writes(python, env, port, writes_log, args.timeout)
        workers_end = children(server.pid)
        rss_end = {pid: rss_kib(pid) for pid in workers_end}
        timeline.append((elapsed, rss_end))
    finally:
        if writer is not None and writer.poll() is None:
            writer.kill()
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
        scratch.cleanup()

    return report(
        args,
        backend,
        held,
        results,
        writes,
        elapsed,
        workers,
        rss_start,
        rss_warm or {},
        rss_end,
        timeline,
    )


def check_writes(python: Path, env: dict, port: int, log: Path, timeout: float) -> dict:
    """The writer's committed writes, each looked for in the archive, and each new cable
    asked for on the API."""
    if not log.exists():
        return {"writes": 0, "by_kind": {}, "lost": [], "not_served": []}
    out = subprocess.run(
        [str(python), "scripts/soak_writer.py", "--verify", str(log)],
        cwd=ROOT,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        check=False,
    ).stdout
    verdict = json.loads(out.strip().splitlines()[-1])
    new = [
        json.loads(line)["reference_id"]
        for line in log.read_text().splitlines()
        if '"ingest"' in line
    ]
    verdict["not_served"] = [
        reference
        for reference in new
        if fetch(port, f"/api/cables/{quote(reference)}/", timeout) != 200
    ]
    return verdict


def report(
    args, backend, held, results, writes, elapsed, workers, rss_start, rss_warm, rss_end, timeline
) -> int:
    every = [s for values in results.latencies.values() for s in values]
    requests = sum(results.statuses.values())
    server_errors = sum(n for status, n in results.statuses.items() if status >= 500)
    figures = {
        "backend": backend,
        "cables_at_start": held["cables"],
        "clients": args.clients,
        "workers": args.workers,
        "seconds": round(elapsed, 1),
        "requests": requests,
        "requests_per_second": round(requests / elapsed, 1) if elapsed else 0,
        "statuses": dict(sorted(results.statuses.items())),
        "server_errors": server_errors,
        "connection_errors": dict(results.errors),
        "inconsistent_pages": len(results.inconsistent),
        "deferred_exports": results.deferred_exports,
        "writes": writes["writes"],
        "writes_by_kind": writes["by_kind"],
        "lost_writes": len(writes["lost"]) + len(writes["not_served"]),
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
        f"by {args.clients} clients on {backend}"
    )
    say(
        f"statuses: {figures['statuses']}; 5xx: {server_errors}; "
        f"connection errors: {figures['connection_errors'] or 0}; "
        f"inconsistent pages: {figures['inconsistent_pages']}; exports deferred (503 with "
        f"Retry-After, every export slot busy): {results.deferred_exports}"
    )
    say(
        f"writes during it: {writes['writes']} {writes['by_kind']}; lost: "
        f"{len(writes['lost'])}; new cables not served: {len(writes['not_served'])}"
    )
    print("\n| kind | requests | p50 ms | p95 ms | p99 ms |\n|---|---:|---:|---:|---:|")
    for kind, row in figures["latency_ms"].items():
        print(f"| {kind} | {row['n']} | {row['p50']} | {row['p95']} | {row['p99']} |")
    print("\n| worker pid | RSS start MiB | after warm-up MiB | end MiB |\n|---|---:|---:|---:|")
    for pid, row in figures["rss_kib"].items():
        cells = [f"{row[k] / 1024:.1f}" if row[k] else "-" for k in ("start", "warm", "end")]
        print(f"| {pid} | {' | '.join(cells)} |")
    for line in results.server_errors:
        say(f"server error: {line}")
    for line in results.inconsistent[:20]:
        say(f"inconsistent page: {line}")
    for entry in writes["lost"][:20]:
        say(f"lost write: {entry}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    failed = server_errors or results.errors or results.inconsistent or figures["lost_writes"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
