"""A time budget for a search: no query holds a worker longer than `SEARCH_TIME_BUDGET` seconds.

    with time_budget(settings.SEARCH_TIME_BUDGET):
        results = search(...)

- PostgreSQL: `SET LOCAL statement_timeout` inside a transaction (a savepoint when one is open
  already); the server cancels a statement that runs past the budget.
- SQLite: a progress handler that aborts the running statement once the deadline has passed.
- Both: no new statement starts after the deadline (a search of many short statements is
  bounded too; the worst case is a statement begun just before the deadline, so about twice
  the budget on PostgreSQL).

Past the budget the block raises `SearchTooBroad`, which the views answer with 503 and a
message on how to narrow the query. The block gets the budget object: setting its
`per_statement` gives each statement from then on a budget of its own (a streamed export, once
its first rows are out, may stream for long, but no single step of it may hang).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from contextlib import ExitStack, contextmanager

from django.db import OperationalError, connections, router, transaction

from cablearchive.routers import PRIMARY, ReplicaRouter, replica_aliases

# SQLite calls the handler every this many virtual-machine instructions (well under 1 ms).
SQLITE_PROGRESS_STEPS = 10_000
POSTGRES_QUERY_CANCELED = "57014"
# Answered with 503: a broad query may fit once the server is less busy; a proxy must not keep it.
RETRY_AFTER_SECONDS = 30

TOO_BROAD = (
    "This search took too long: the query is too broad for the archive to answer in time. "
    "Narrow it and try again: add a word, put words in quotes to search a phrase, choose a "
    "year or an origin, or use a longer prefix before the *."
)


class SearchTooBroad(Exception):
    """The search ran past its time budget."""

    def __init__(self, seconds: float):
        super().__init__(TOO_BROAD)
        self.seconds = seconds


def too_broad_headers(response):
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class Budget:
    def __init__(self, seconds: float, per_statement: bool, aliases: list[str]):
        self.seconds = seconds
        self.per_statement = per_statement
        self.aliases = aliases
        self.at = time.monotonic() + seconds
        self.suspended = False  # inside `outside_budget`

    def passed(self) -> bool:
        return time.monotonic() >= self.at

    def interrupts(self) -> bool:
        """SQLite's progress handler: True aborts the running statement."""
        return not self.suspended and self.passed()

    def before_statement(self, execute, sql, params, many, context):
        if self.per_statement:
            self.at = time.monotonic() + self.seconds
        elif not self.suspended and self.passed():
            raise SearchTooBroad(self.seconds)
        return execute(sql, params, many, context)


_active = threading.local()  # the budget of the block this thread is in


@contextmanager
def outside_budget():
    """Run the block without the current time budget, and give its time back to the budget
    afterwards: upkeep a request happens to trigger (reading the cable table of a new archive
    version) is not the request's own work, and cut short it would be read again and again."""
    deadline = getattr(_active, "budget", None)
    if deadline is None or deadline.suspended:
        yield
        return
    postgres = [a for a in deadline.aliases if connections[a].vendor == "postgresql"]
    started = time.monotonic()
    deadline.suspended = True
    try:
        _statement_timeout(postgres, 0)
        yield
    finally:
        deadline.suspended = False
        deadline.at += time.monotonic() - started
        _statement_timeout(postgres, deadline.seconds)


def _statement_timeout(aliases: list[str], seconds: float) -> None:
    for alias in aliases:
        connection = connections[alias]
        if connection.in_atomic_block and not connection.needs_rollback:
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL statement_timeout = {round(seconds * 1000):d}")


def _was_cut_short(error: OperationalError, deadline: Budget) -> bool:
    cause = error.__cause__
    if getattr(getattr(cause, "diag", None), "sqlstate", None) == POSTGRES_QUERY_CANCELED:
        return True
    return "interrupted" in str(error) and deadline.passed()


@contextmanager
def _postgres_limit(connection, deadline: Budget):
    milliseconds = max(1, round(deadline.seconds * 1000))
    with transaction.atomic(using=connection.alias):
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL statement_timeout = {milliseconds:d}")
        yield


@contextmanager
def _sqlite_limit(connection, deadline: Budget):
    if connection.allow_thread_sharing and connection._thread_ident != threading.get_ident():
        # Another thread's connection (the test live server's in-memory database): the
        # handler, called with the connection's mutex held, waits for the GIL, which a third
        # thread holds while it waits for that mutex. Statements still start within budget.
        yield
        return
    connection.ensure_connection()
    raw = connection.connection
    raw.set_progress_handler(deadline.interrupts, SQLITE_PROGRESS_STEPS)
    try:
        yield
    finally:
        raw.set_progress_handler(None, SQLITE_PROGRESS_STEPS)


LIMITS = {"postgresql": _postgres_limit, "sqlite": _sqlite_limit}


def read_aliases() -> list[str]:
    """Where a search may read: the primary, and the replicas when the replica router is on."""
    if any(isinstance(each, ReplicaRouter) for each in router.routers):
        return [PRIMARY, *replica_aliases()]
    return [PRIMARY]


@contextmanager
def time_budget(
    seconds: float, using: str | Iterable[str] | None = None, *, per_statement: bool = False
):
    """Bound the database work of the block by `seconds` on the databases `using` (default:
    those a search may read, so reads routed to a replica are bounded too)."""
    aliases = [using] if isinstance(using, str) else list(using or read_aliases())
    deadline = Budget(seconds, per_statement, aliases)
    outer, _active.budget = getattr(_active, "budget", None), deadline
    try:
        with ExitStack() as stack:
            for alias in aliases:
                connection = connections[alias]
                limit = LIMITS.get(connection.vendor)
                if limit:
                    stack.enter_context(limit(connection, deadline))
                # Inside the limit: the savepoint's rollback or release after it is never refused.
                stack.enter_context(connection.execute_wrapper(deadline.before_statement))
            yield deadline
    except OperationalError as error:
        if _was_cut_short(error, deadline):
            raise SearchTooBroad(seconds) from error
        raise
    finally:
        _active.budget = outer
