"""The rank index's life cycle: immutable generations, published by writers, read by servers.

Layout, one directory per database (`cables.lib.index_generation.index_dir`):

    CURRENT            {"generation": 42, "version": 1234, "name": "g000042-3fa9c1d2"}: what
                       readers use (replaced atomically)
    publish.lock       held (flock) by the one process publishing; the kernel drops it if it dies
    g000042-3fa9c1d2/  a tantivy index, never changed once published

A writer publishes after its transaction commits (`publish_on_commit`): under the lock it reads
the archive version, makes the next generation directory (hard links to the previous one's
files, which tantivy never rewrites, then its changes committed there; or every paragraph,
when there is no index yet or a full build is asked for), and replaces CURRENT. A change that
touches no paragraph (curation) only stamps the current generation with the new version.
Readers never build anything (`rank_index` answers 503 while there is no index); they switch by
reading CURRENT. Old generations are removed after RANK_INDEX_KEEP_GENERATIONS newer ones.
`rank_index --rebuild` builds a generation from scratch; `rank_index` (the check) compares the
index with the paragraph table, cable by cable, and publishes the cables that differ.
"""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import re
import secrets
import shutil
import threading
import time
from collections import deque
from contextlib import contextmanager
from pathlib import Path

import tantivy
from django.conf import settings
from django.db import connections, transaction

from cables.lib.archive_version import current_version
from cables.lib.forked import detach_connections
from cables.lib.index_generation import (
    CURRENT,
    Stamp,
    index_dir,
    parse_stamp,
    read_stamp,
    write_stamp,
)

from .index_schema import SCHEMA, add_worded, index_words, open_index, worded
from .words import IndexWords

BUILD_CHUNK = 20_000
WRITER_HEAP = 200_000_000
GENERATION_RE = re.compile(r"^g(\d{6,})-[0-9a-f]+$")
LOCK = "publish.lock"
STAMP_FILE = "STAMP"  # in each generation: the stamp it was published with


# --- publishing --------------------------------------------------------------------------


class Publication:
    """An on-commit callback publishing what its transaction changed (see
    `publish_on_commit`); the cables of every publication pending on a connection are
    published by the first to run."""

    def __init__(self, using: str) -> None:
        self.using = using

    def __call__(self) -> None:
        pending = _pending().pop(self.using, None)
        if pending is None:
            # Another publication of this commit published it all; only a newer archive
            # version (a later commit's) is still to be stamped.
            stamp = read_stamp(self.using)
            if stamp is not None and stamp.version >= current_version(self.using).number:
                return
            pending = set()
        try:
            publish(self.using, None if EVERYTHING in pending else sorted(pending))
        except BaseException:
            # Left for the next publication (the index stays behind the archive meanwhile:
            # its pages are not stored, and `rank_index` would publish them too).
            _pending().setdefault(self.using, set()).update(pending)
            raise


EVERYTHING = -1  # among the pending cable ids: every paragraph is to be indexed anew
# Per thread, as Django's connections are: another thread's transaction commits on its own.
_local = threading.local()


def _pending() -> dict[str, set[int]]:
    if not hasattr(_local, "pending"):
        _local.pending = {}
    return _local.pending


def publish_on_commit(cable_ids=(), using: str = "default", everything: bool = False) -> None:
    """Publish a generation holding these cables' paragraphs as the table holds them then
    (none: deleted), and stamped with the archive version, once the current transaction
    commits: a rolled-back write never reaches the index. Every writer that raises the
    archive version calls it, with the cables whose paragraphs it wrote (none: a change the
    index does not hold, stamped only)."""
    pending = _pending().setdefault(using, set())
    pending.update(cable_ids)
    if everything:
        pending.add(EVERYTHING)
    transaction.on_commit(Publication(using), using=using)


def publish(using: str = "default", cable_ids: list[int] | None = None, stdout=None) -> Stamp:
    """Publish the next generation: these cables' paragraphs re-read from the table (None:
    every paragraph); returns its stamp."""
    root = index_dir(using)
    root.mkdir(parents=True, exist_ok=True)
    with _publishing(root):
        # Read before the paragraphs: a generation may hold more than its version says,
        # never less.
        version = current_version(using).number
        previous = read_stamp(using)
        if previous is not None and cable_ids == [] and (root / previous.name).is_dir():
            stamp = Stamp(previous.generation, max(version, previous.version), previous.name)
        else:
            number = _next_generation(root, previous)
            stamp = Stamp(number, version, f"g{number:06d}-{secrets.token_hex(4)}")
            target = root / stamp.name
            if previous is None or cable_ids is None or not (root / previous.name).is_dir():
                _build(using, target, stdout)
            else:
                _link_generation(root / previous.name, target)
                _replace_cables(using, target, cable_ids)
            (target / STAMP_FILE).write_text(f"{stamp.generation} {stamp.version}\n")
        write_stamp(using, stamp)
        _collect_garbage(root, stamp)
    return stamp


def build(using: str = "default", stdout=None) -> Stamp:
    """A generation of every paragraph, from scratch (a bulk load, `rank_index --rebuild`)."""
    return publish(using, None, stdout)


@contextmanager
def _publishing(root: Path):
    with open(root / LOCK, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def generations(root: Path) -> list[int]:
    return sorted(_generation_dirs(root))


def _generation_dirs(root: Path) -> dict[int, Path]:
    found = {}
    for path in root.iterdir() if root.is_dir() else []:
        match = GENERATION_RE.match(path.name)
        if match and path.is_dir():
            found[int(match.group(1))] = path
    return found


def _next_generation(root: Path, previous: Stamp | None) -> int:
    known = generations(root) + ([previous.generation] if previous else [])
    return max(known, default=0) + 1


def _link_generation(source: Path, target: Path) -> None:
    """The previous generation's files in a new directory, as hard links: tantivy writes a
    segment file once and replaces its meta files by renaming, so the old directory stays as
    it was."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir()
    for path in source.iterdir():
        if path.is_file() and not path.name.startswith(".tantivy-") and path.name != STAMP_FILE:
            os.link(path, target / path.name)


def _collect_garbage(root: Path, current: Stamp) -> None:
    """Remove the generations older than the newest few before the current one, and any left
    by a publication that died (numbered after the current one)."""
    found = _generation_dirs(root)
    older = sorted(n for n in found if n < current.generation)
    keep = set(older[-max(0, settings.RANK_INDEX_KEEP_GENERATIONS - 1) :]) | {current.generation}
    if settings.RANK_INDEX_KEEP_GENERATIONS <= 1:
        keep = {current.generation}
    for number, path in found.items():
        if number not in keep and path.name != current.name:
            shutil.rmtree(path, ignore_errors=True)


def _writer(index):
    return index.writer(heap_size=WRITER_HEAP, num_threads=1)


def _finish(writer) -> None:
    writer.commit()
    writer.wait_merging_threads()


def _replace_cables(using: str, target: Path, cable_ids: list[int]) -> None:
    index = open_index(str(target))
    writer = _writer(index)
    words = index_words(using)
    for cable_id in sorted(set(cable_ids)):
        writer.delete_documents_by_term("cable", cable_id)
    for rows in paragraph_rows(using, cable_ids):
        add_worded(writer, worded(words, rows))
    _finish(writer)


def _build(using: str, target: Path, stdout=None, workers: int | None = None) -> None:
    """Index every paragraph in `target`. The words of the paragraphs are worked out on
    `workers` processes (all cores by default): that is most of the cost."""
    began = time.perf_counter()
    if target.exists():
        shutil.rmtree(target)
    target.mkdir()
    writer = _writer(open_index(str(target)))
    words = index_words(using)
    added = 0
    workers = workers or os.cpu_count() or 1
    if _paragraph_count(using) < 4 * BUILD_CHUNK:
        workers = 1  # a few chunks: forking would cost more than it saves
    chunks = paragraph_rows(using)
    if workers > 1:
        context = multiprocessing.get_context("fork")
        with context.Pool(workers, initializer=_start_worker, initargs=(using,)) as pool:
            # The chunks are read here, on this thread's connection, a few at a time in
            # flight, added in order.
            pending: deque = deque()
            for rows in chunks:
                pending.append(pool.apply_async(_worded_rows, (rows,)))
                if len(pending) > 2 * workers:
                    added += add_worded(writer, pending.popleft().get())
            while pending:
                added += add_worded(writer, pending.popleft().get())
    else:
        for rows in chunks:
            added += add_worded(writer, worded(words, rows))
    _finish(writer)
    if stdout is not None:
        stdout.write(f"  rank index: {added:,} paragraphs in {time.perf_counter() - began:.0f} s\n")


def _paragraph_count(using: str) -> int:
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM cables_paragraph")
        return int(cursor.fetchone()[0])


def paragraph_rows(using: str, cable_ids=None):
    """(id, cable_id, length, text) of every paragraph, or of these cables', in chunks of
    whole cables: each chunk gets one cable document per cable (`add_worded`), and a cable
    split over two chunks would have two, counted twice by a count of cable documents."""
    connection = connections[using]
    select = "SELECT id, cable_id, LENGTH(text), text FROM cables_paragraph "
    if cable_ids is None:
        last = 0
        while True:
            with connection.cursor() as cursor:
                cursor.execute(
                    select + "WHERE cable_id > %s ORDER BY cable_id, number LIMIT %s",
                    [last, BUILD_CHUNK],
                )
                rows = cursor.fetchall()
                if len(rows) == BUILD_CHUNK:
                    # The last cable may go on past the limit: it starts the next chunk, or
                    # is read whole when it is the only one.
                    cut = rows[-1][1]
                    rows = [row for row in rows if row[1] != cut]
                    if not rows:
                        cursor.execute(select + "WHERE cable_id = %s ORDER BY number", [cut])
                        rows = cursor.fetchall()
            if not rows:
                return
            yield rows
            last = rows[-1][1]
    ids = sorted(set(cable_ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join(["%s"] * len(chunk))
        with connection.cursor() as cursor:
            cursor.execute(
                select + f"WHERE cable_id IN ({marks})",
                chunk,
            )
            yield cursor.fetchall()


_worker_words: IndexWords | None = None


def _start_worker(using: str) -> None:
    """A build's worker process: no connection of the parent's (a forked SQLite or
    PostgreSQL connection is not safe to use), a tokeniser oracle of its own."""
    global _worker_words
    detach_connections()
    _worker_words = index_words(using)


def _worded_rows(rows):
    return worded(_worker_words, rows)


def copy_from(source: Path, using: str = "default") -> Stamp:
    """Install the generation another server published in `source` (its database's index
    directory, on a shared or copied file system): the generation named by its stamp is
    copied whole, then the stamp (a new server, or one catching up with the writer)."""
    stamp = _read_stamp_in(source)
    if stamp is None or not (source / stamp.name).is_dir():
        raise FileNotFoundError(f"{source}: no published generation (no {CURRENT} stamp)")
    root = index_dir(using)
    root.mkdir(parents=True, exist_ok=True)
    with _publishing(root):
        target = root / stamp.name
        if not target.is_dir():
            partial = root / f"{stamp.name}.copying"
            shutil.rmtree(partial, ignore_errors=True)
            shutil.copytree(
                source / stamp.name, partial, ignore=shutil.ignore_patterns(".tantivy-*")
            )
            partial.rename(target)
        write_stamp(using, stamp)
        _collect_garbage(root, stamp)
    return stamp


def _read_stamp_in(directory: Path) -> Stamp | None:
    return parse_stamp(directory / CURRENT)


# --- the explicit check ------------------------------------------------------------------


# tantivy refuses an aggregation of more than 65,000 buckets: cables are counted this many ids
# at a time.
CHECK_RANGE = 50_000


def indexed_cables(index: tantivy.Index) -> dict[int, tuple[int, int, int, int]]:
    """{cable id: (paragraphs, sum of their ids, sum of their lengths, cable documents)} as
    the index holds them."""
    searcher = index.searcher()
    if searcher.num_docs == 0:
        return {}
    paragraphs = tantivy.Query.exists_query("pid")
    # One cable document per cable: two would count the cable twice.
    cable_documents = tantivy.Query.boolean_query(
        [(tantivy.Occur.Must, tantivy.Query.all_query()), (tantivy.Occur.MustNot, paragraphs)]
    )
    sums = {"pids": {"sum": {"field": "pid"}}, "chars": {"sum": {"field": "chars"}}}
    highest = searcher.aggregate(tantivy.Query.all_query(), {"top": {"max": {"field": "cable"}}})[
        "top"
    ]["value"]
    found: dict[int, tuple[int, int, int, int]] = {}
    for low in range(0, int(highest or 0) + 1, CHECK_RANGE):
        ids = tantivy.Query.range_query(
            SCHEMA, "cable", tantivy.FieldType.Integer, low, low + CHECK_RANGE - 1
        )
        documents = {
            c: int(b["doc_count"])
            for c, b in _cable_buckets(searcher, cable_documents, ids).items()
        }
        for cable_id, bucket in _cable_buckets(searcher, paragraphs, ids, sums).items():
            found[cable_id] = (
                int(bucket["doc_count"]),
                int(bucket["pids"]["value"]),
                int(bucket["chars"]["value"]),
                documents.get(cable_id, 0),
            )
        for cable_id, count in documents.items():
            found.setdefault(cable_id, (0, 0, 0, count))
    return found


def _cable_buckets(searcher, query, ids, aggs=None) -> dict[int, dict]:
    """{cable id: its bucket} of the documents matching `query` among the cables `ids`."""
    terms = {"terms": {"field": "cable", "size": CHECK_RANGE}}
    result = searcher.aggregate(
        tantivy.Query.boolean_query([(tantivy.Occur.Must, query), (tantivy.Occur.Must, ids)]),
        {"cables": {**terms, "aggs": aggs} if aggs else terms},
    )
    return {int(bucket["key"]): bucket for bucket in result["cables"]["buckets"]}


def table_cables(using: str) -> dict[int, tuple[int, int, int, int]]:
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT cable_id, COUNT(*), SUM(id), SUM(LENGTH(text)) FROM cables_paragraph "
            "GROUP BY cable_id"
        )
        return {c: (int(n), int(ids), int(chars), 1) for c, n, ids, chars in cursor.fetchall()}


def differing_cables(using: str = "default") -> list[int] | None:
    """The cables whose paragraphs (count, ids, lengths) differ between the table and the
    published generation, or that have other than one cable document there; None when there
    is no index. A whole scan of the paragraph table: an explicit tool (after a crash between
    a commit and its publication, a restored backup), never run by a request."""
    stamp = read_stamp(using)
    if stamp is None or not (index_dir(using) / stamp.name).is_dir():
        return None
    indexed = indexed_cables(open_index(str(index_dir(using) / stamp.name)))
    table = table_cables(using)
    return sorted(c for c in indexed.keys() | table.keys() if indexed.get(c) != table.get(c))


def repair(using: str = "default", stdout=None) -> int:
    """Publish the cables that differ (everything when there is no index or most differ);
    returns how many cables differed (-1: there was no index)."""
    differing = differing_cables(using)
    if differing is None:
        build(using, stdout)
        return -1
    if len(differing) > 1000 and len(differing) > len(table_cables(using)) // 2:
        build(using, stdout)
    else:
        publish(using, differing)
    return len(differing)
