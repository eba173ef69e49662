"""How much of the release the archive holds: per post and year, the cables the release had
(its index, `sample_corpus/cable2month.csv.gz`) against the cables ingested, full text or
partial extract.

The release index is read once per process (`release_index()`, 0.7 s, about 2 MB): it is
fixed data shipped with the code, like `cables/data/stations.csv`, so it lives with the
deployment rather than in the database (a table would be a 251,287-row data migration in every
new database, test databases and scratch archives included). The archive's side is one pass
over (reference ID, partial, origin) of every cable, matched against the index in Python, stored per
archive version as the `coverage` summary (`cables/lib/summaries.py`): 4-5 s for 250,000 cables on
SQLite (measured on a busy 2-core machine), paid once after each change by the ingest that made
it or a background thread, never by a reader; the page itself then takes about 60 ms.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import F

from cables.lib.release import release_entry, release_index
from cables.lib.summaries import summary
from cables.models import Cable, Reference
from cables.parsing.release_index import OTHER, ReleaseIndex

logger = logging.getLogger(__name__)

OTHER_LABEL = "Other: IDs that name no station of the release"
# Archive cables outside the release index listed by ID on the coverage page (all are counted).
UNINDEXED_LISTED = 500
SORTS = {
    "cables": "Most cables in the release",
    "missing": "Most cables missing",
    "held": "Smallest share held",
    "post": "Post name",
}
# The IDs of a post-year are looked up in chunks (SQLite binds at most 32,766 parameters, and
# 09STATE alone has 4,095 cables).
_CHUNK = 900

# --- the archive's side, stored per archive version ---------------------------------------------


def _archive_counts() -> dict:
    index = release_index()
    held: Counter = Counter()
    origins: Counter = Counter()  # (post, origin) -> cables
    unindexed = []
    cables = Cable.objects.order_by().values_list("reference_id", "partial", "origin")
    for reference_id, partial, origin in cables.iterator(chunk_size=10_000):
        located = index.locate(reference_id)
        if located is None:
            unindexed.append(reference_id)
            continue
        held[(located[0], located[1], partial)] += 1
        if origin:
            origins[(located[0], origin)] += 1
    by_post_year: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0])
    for (post, year, partial), n in held.items():
        by_post_year[(post, year)][1 if partial else 0] += n
    unindexed.sort()
    return {
        "held": [[post, year, full, part] for (post, year), (full, part) in by_post_year.items()],
        "unindexed_count": len(unindexed),
        "unindexed": unindexed[:UNINDEXED_LISTED],
        "labels": _post_labels(origins),
    }


def _post_labels(origins: Counter) -> dict[str, str]:
    """Each post's name as the archive's cables give it (`Embassy Astana` for ASTANA): the
    origin most of its cables carry."""
    best: dict[str, tuple[int, str]] = {}
    for (post, origin), n in origins.items():
        if post != OTHER and (post not in best or (n, origin) > best[post]):
            best[post] = (n, origin)
    return {post: origin for post, (_, origin) in best.items()}


def archive_counts() -> dict:
    return summary("coverage", _archive_counts)


# --- what the pages show -------------------------------------------------------------------------


@dataclass
class Row:
    """One line of a coverage table: a post, a year or a total."""

    key: object
    label: str = ""
    exist: int = 0
    full: int = 0
    partial: int = 0

    @property
    def held(self) -> int:
        return self.full + self.partial

    @property
    def missing(self) -> int:
        return self.exist - self.held

    @property
    def share_held(self) -> float:
        return self.held / self.exist if self.exist else 0.0

    @property
    def percent_held(self) -> str:
        percent = 100 * self.share_held
        # Never "100%" for a post that misses a cable, nor "0%" for one that holds some.
        if 99.5 <= percent < 100:
            return ">99%"
        if 0 < percent < 0.5:
            return "<1%"
        return f"{percent:.0f}%"

    def add(self, exist: int, full: int, partial: int) -> None:
        self.exist += exist
        self.full += full
        self.partial += partial


@dataclass
class Coverage:
    posts: list[Row]
    years: list[Row]
    total: Row
    shown: Row | None = None  # the posts a name filter kept, when it left some out
    unindexed_count: int = 0
    unindexed: list[str] = field(default_factory=list)
    index_available: bool = True
    release_total: int = 0
    post_count: int = 0  # stations of the release (OTHER is none)


def post_label(post: str, labels: dict[str, str]) -> str:
    return OTHER_LABEL if post == OTHER else labels.get(post, "")


def _cells() -> tuple[ReleaseIndex, dict, dict[tuple[str, int], list[int]]]:
    """(index, stored archive counts, (post, year) -> [exist, full, partial])."""
    index = release_index()
    counts = archive_counts()
    cells: dict[tuple[str, int], list[int]] = {key: [n, 0, 0] for key, n in index.counts.items()}
    for post, year, full, partial in counts["held"]:
        cell = cells.setdefault((post, year), [0, 0, 0])
        cell[1] += full
        cell[2] += partial
    return index, counts, cells


def overview(name: str = "", year: int | None = None, sort: str = "cables") -> Coverage:
    """Every post (those whose station or name contains `name`), for one year or all, and every
    year, with the whole release's total."""
    index, counts, cells = _cells()
    labels = counts["labels"]
    posts: dict[str, Row] = {}
    years: dict[int, Row] = {}
    total = Row("total", f"All posts, {year}" if year else "All posts")
    wanted = _normalise(name)
    for (post, post_year), numbers in cells.items():
        years.setdefault(post_year, Row(post_year, str(post_year))).add(*numbers)
        if year is not None and post_year != year:
            continue
        total.add(*numbers)
        label = post_label(post, labels)
        if wanted and wanted not in _normalise(post) and wanted not in _normalise(label):
            continue
        posts.setdefault(post, Row(post, label)).add(*numbers)
    shown = None
    if wanted:
        shown = Row("shown", "Posts shown")
        for row in posts.values():
            shown.add(row.exist, row.full, row.partial)
    return Coverage(
        posts=sort_rows(list(posts.values()), sort),
        years=sorted(years.values(), key=lambda row: row.key),
        total=total,
        shown=shown,
        unindexed_count=counts["unindexed_count"],
        unindexed=counts["unindexed"],
        index_available=index.available,
        release_total=index.total,
        post_count=len({post for post, _ in index.counts if post != OTHER}),
    )


def release_years() -> list[int]:
    return sorted({year for _, year in release_index().counts})


def sort_rows(rows: list[Row], sort: str) -> list[Row]:
    name = lambda row: (row.key == OTHER, str(row.key))  # noqa: E731 - Other goes last
    orders = {
        "post": name,
        "cables": lambda row: (-row.exist, *name(row)),
        "missing": lambda row: (-row.missing, *name(row)),
        "held": lambda row: (row.share_held, -row.exist, *name(row)),
    }
    return sorted(rows, key=orders.get(sort, orders["cables"]))


def _normalise(text: str) -> str:
    return "".join(character for character in text.upper() if character.isalnum())


@dataclass
class PostCoverage:
    post: str
    label: str
    years: list[Row]
    total: Row
    year: int | None = None
    # The post's cables of `year`: (entry, "full" | "partial" | "missing"), by serial number.
    full: list = field(default_factory=list)
    partial: list = field(default_factory=list)
    missing: list = field(default_factory=list)


def known_post(post: str) -> bool:
    index = release_index()
    return post == OTHER or post in index.stations


def post_coverage(post: str, year: int | None = None) -> PostCoverage | None:
    """One post's cables per year; with `year`, the cables of that year one by one. None for
    a name that is no post of the release."""
    if not known_post(post):
        return None
    index, counts, cells = _cells()
    years = [Row(y, str(y), *numbers) for (p, y), numbers in cells.items() if p == post]
    years.sort(key=lambda row: row.key)
    total = Row("total", "All years")
    for row in years:
        total.add(row.exist, row.full, row.partial)
    result = PostCoverage(post, post_label(post, counts["labels"]), years, total, year)
    if year is not None:
        entries = index.entries(post, year)
        partial = _held_partial([entry.reference_id for entry in entries])
        for entry in entries:
            state = partial.get(entry.reference_id)
            lists = result.missing if state is None else result.partial if state else result.full
            lists.append(entry)
    return result


def _held_partial(reference_ids: list[str]) -> dict[str, bool]:
    """reference ID -> partial, for those of `reference_ids` the archive holds."""
    held = {}
    for start in range(0, len(reference_ids), _CHUNK):
        chunk = reference_ids[start : start + _CHUNK]
        held.update(
            Cable.objects.order_by()
            .filter(reference_id__in=chunk)
            .values_list("reference_id", "partial")
        )
    return held


@dataclass
class MissingCable:
    reference_id: str
    post: str
    label: str
    year: int
    month_name: str
    post_year: Row
    cited_by: list


def missing_cable(reference_id: str) -> MissingCable | None:
    """What the archive knows of a cable of the release it does not hold; None when the
    release has no such ID (or the archive holds it after all)."""
    entry = release_entry(reference_id)
    if entry is None or Cable.objects.filter(reference_id=reference_id).exists():
        return None
    _, counts, cells = _cells()
    return MissingCable(
        reference_id=reference_id,
        post=entry.post,
        label=post_label(entry.post, counts["labels"]),
        year=entry.year,
        month_name=entry.month_name,
        post_year=Row(entry.year, str(entry.year), *cells.get((entry.post, entry.year), [0, 0, 0])),
        cited_by=list(
            Reference.objects.filter(reference_id=reference_id)
            .select_related("cable")
            .order_by(F("cable__created").desc(nulls_last=True))
            .only("cable__reference_id", "cable__subject", "cable__created", "cable__origin")
        ),
    )
