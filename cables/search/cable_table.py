"""Every cable's facet values and dates, held in memory once per process and archive version.

A search counts its total and facets over every matching cable, exactly: the facet filters
become boolean masks over this table and each facet one `numpy.bincount`, milliseconds for the
whole archive (251,287 cables at full size). GROUP BYs in the database over a sample of the
matches took tens of milliseconds and were estimates. The date sorts are orders of the table
computed once, so a page in date order is a slice of them. The same arrays on every backend
give the same counts and the same order for the same cables.

The table is read from the database the search reads (one query per column group, in batches)
when a search first needs it at a new archive version, outside the search's time budget (it is
the process's upkeep, not the request's work), and kept while the archive version stays the
same: every change readers can see raises it (`cables/lib/archive_version.py`).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
from django.db import connections

from cables.lib.archive_version import current_version
from cables.models import Cable, Mention, Tag

from .budget import outside_budget
from .months import MonthCounts
from .results import ENTITY_FACETS

NO_DATE = np.iinfo(np.int64).min  # `created` unknown: outside every date range


@dataclass
class Column:
    """One value per cable: `codes[i]` indexes `values` (-1: none)."""

    codes: np.ndarray
    values: list


@dataclass
class Links:
    """Several values per cable (TAGS, people …): one row per distinct (cable, value)."""

    cables: np.ndarray  # the cable's position in the table, grouped by value
    codes: np.ndarray  # index into `values`, ascending
    values: list[str]  # tag codes, entity slugs
    labels: dict[str, str]  # value -> definition or name
    starts: np.ndarray  # value i's rows are [starts[i], starts[i + 1])


class CableTable:
    """The facet values and dates of every cable of one archive version."""

    def __init__(self, version, ids, dates: dict, references, columns: dict, links: dict) -> None:
        self.version = version  # the archive version read (number, time of the change)
        self.ids = ids  # sorted cable ids; a cable's position is its index here
        # `created` and `released` in microseconds since the epoch (UTC), NO_DATE when unknown.
        self.created = dates["created"]
        self.released = dates["released"]
        self.references = references  # each cable's place in the order of reference IDs
        self.columns: dict[str, Column] = columns
        self.links: dict[str, Links] = links
        self._orders: dict[str, np.ndarray] = {}
        # Position by id (-1: none), one lookup instead of a binary search per id.
        self._position = np.full(int(ids[-1]) + 1 if len(ids) else 0, -1, dtype=np.int64)
        self._position[ids] = np.arange(len(ids))

    def __len__(self) -> int:
        return len(self.ids)

    def of_ids(self, cable_ids) -> np.ndarray:
        """A mask of these cables (ids the table does not hold are left out)."""
        mask = np.zeros(len(self.ids), dtype=bool)
        where = self._positions(cable_ids)
        mask[where[where >= 0]] = True
        return mask

    def kept(self, cable_ids: list[int], mask: np.ndarray) -> set[int]:
        """The cables of `cable_ids` in `mask` (a ranking's candidates passing the filters)."""
        where = self._positions(cable_ids)
        passing = (where >= 0) & mask[np.maximum(where, 0)]
        return set(np.asarray(cable_ids, dtype=np.int64)[passing].tolist())

    def _positions(self, cable_ids) -> np.ndarray:
        """Each cable's position in the table, -1 for an id it does not hold."""
        wanted = np.asarray(cable_ids, dtype=np.int64)
        if not len(self._position):  # an empty archive
            return np.full(len(wanted), -1, dtype=np.int64)
        inside = (wanted >= 0) & (wanted < len(self._position))
        return np.where(inside, self._position[np.where(inside, wanted, 0)], -1)

    def everything(self) -> np.ndarray:
        return np.ones(len(self.ids), dtype=bool)

    def ids_of(self, mask: np.ndarray) -> list[int]:
        """The sorted cable ids of a mask."""
        return self.ids[mask].tolist()

    def in_order(self, mask: np.ndarray, sort: str, offset: int, stop: int) -> list[int]:
        """The ids of `[offset:stop]` of the cables of `mask` in a date sort's order: the
        dated cables by date (newest or oldest first), then the undated ones, ties and
        undated cables by reference ID."""
        order = self._order(sort)
        return self.ids[order[mask[order]][offset:stop]].tolist()

    def _order(self, sort: str) -> np.ndarray:
        if sort not in self._orders:
            dates = self.released if sort == "-released" else self.created
            dated = np.flatnonzero(dates != NO_DATE)
            keys = dates[dated] if sort == "created" else -dates[dated]
            dated = dated[np.lexsort((self.references[dated], keys))]
            undated = np.flatnonzero(dates == NO_DATE)
            undated = undated[np.argsort(self.references[undated], kind="stable")]
            self._orders[sort] = np.concatenate([dated, undated])
        return self._orders[sort]

    # --- filters -----------------------------------------------------------------------
    def filtered(self, data: dict, mask: np.ndarray) -> np.ndarray:
        """The cables of `mask` passing these facet and date filters, as CableFilter does."""
        for name, values in data.items():
            if any(values):  # an empty date is no bound (the form's reading)
                mask = mask & self.value_mask(name, values)
        return mask

    def value_mask(self, name: str, values) -> np.ndarray:
        """The cables with any of these values of facet `name` (or in the date bound)."""
        if name in ("date_from", "date_to"):
            day = values[0] if isinstance(values, list | tuple) else values
            day = day if isinstance(day, date) else date.fromisoformat(str(day))
            if name == "date_to":
                day += timedelta(days=1)
            bound = _microseconds(datetime.combine(day, time(), UTC))
            known = self.created != NO_DATE
            return known & (self.created >= bound if name == "date_from" else self.created < bound)
        if name == "partial":
            wanted = [v for v in values if v in ("full", "partial")]
            if len(wanted) != 1:
                return self.everything()
        if name in self.columns:
            column = self.columns[name]
            wanted = {str(v) for v in values}
            codes = [i for i, value in enumerate(column.values) if str(value) in wanted]
            return np.isin(column.codes, codes)
        links = self.links[name]
        wanted_values = set(values)
        mask = np.zeros(len(self.ids), dtype=bool)
        for i, value in enumerate(links.values):
            if value in wanted_values:
                mask[links.cables[links.starts[i] : links.starts[i + 1]]] = True
        return mask

    # --- counts ------------------------------------------------------------------------
    def counts(self, name: str, mask: np.ndarray) -> dict:
        """{value: cables} of facet `name` over the cables of `mask`, every value counted."""
        if name in self.columns:
            column = self.columns[name]
            codes = column.codes[mask]
            n = np.bincount(codes[codes >= 0], minlength=len(column.values))
            return {column.values[i]: int(n[i]) for i in np.flatnonzero(n)}
        links = self.links[name]
        n = np.bincount(links.codes[mask[links.cables]], minlength=len(links.values))
        return {links.values[i]: int(n[i]) for i in np.flatnonzero(n)}

    def months(self, mask: np.ndarray, year: int) -> MonthCounts:
        """Cables per month of `year` among the cables of `mask` (by `created`, UTC)."""
        in_year = mask & self.value_mask("year", [str(year)])
        created = self.created[in_year]
        dated = created[created != NO_DATE].astype("datetime64[us]")
        months = dated.astype("datetime64[M]").astype(np.int64) % 12
        counts = np.bincount(months, minlength=12)
        return MonthCounts(year, [int(n) for n in counts], int((created == NO_DATE).sum()))


_tables: dict[str, CableTable] = {}
_lock = threading.Lock()


def cable_table(using: str) -> CableTable:
    """The cable table of the archive version `using` reads now, read once per process and
    version (two threads needing a new one read it once)."""
    version = current_version(using)
    table = _tables.get(using)
    if table is not None and table.version == version:
        return table
    with outside_budget(), _lock:
        table = _tables.get(using)
        if table is None or table.version != version:
            table = _read_table(using, version)
            if current_version(using) == version:
                _tables[using] = table  # no change while it was read: keep it
    return table


def forget_tables() -> None:
    """Read every table again at its next use (tests roll their data back, and the archive
    version with it)."""
    _tables.clear()


# Rows read per fetch: the table is built batch by batch, never from every row as Python
# tuples at once (1.4 million TAGS links as tuples held about 150 MB more in each worker).
BATCH = 50_000


def _batches(using: str, sql: str, params=()):
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(BATCH):
            yield rows


class _Codes:
    """Values coded in the order first seen, renumbered in sorted order at the end."""

    def __init__(self) -> None:
        self.index: dict = {}

    def codes(self, values) -> np.ndarray:
        index = self.index
        return np.fromiter(
            (-1 if v in (None, "") else index.setdefault(v, len(index)) for v in values),
            dtype=np.int32,
            count=len(values),
        )

    def column(self, codes: np.ndarray) -> Column:
        values = sorted(self.index, key=str)
        renumber = np.empty(len(values) + 1, dtype=np.int32)
        renumber[-1] = -1  # "none" (-1) stays -1
        renumber[[self.index[v] for v in values]] = np.arange(len(values))
        return Column(renumber[codes], values)


def _read_table(using: str, version) -> CableTable:
    quote = connections[using].ops.quote_name
    named = {name: _Codes() for name in ("year", "origin", "classification")}
    parts: dict[str, list] = {name: [] for name in (*named, "id", "partial", "created", "released")}
    references: list[str] = []
    for rows in _batches(
        using,
        "SELECT id, year, origin, classification, partial, created, released, reference_id "
        f"FROM {quote(Cable._meta.db_table)} ORDER BY id",
    ):
        n = len(rows)
        parts["id"].append(np.fromiter((row[0] for row in rows), dtype=np.int64, count=n))
        for offset, name in enumerate(named, start=1):
            parts[name].append(named[name].codes([row[offset] for row in rows]))
        parts["partial"].append(np.fromiter((bool(r[4]) for r in rows), dtype=np.int32, count=n))
        for offset, name in ((5, "created"), (6, "released")):
            dates = (_microseconds(row[offset]) for row in rows)
            parts[name].append(np.fromiter(dates, dtype=np.int64, count=n))
        references.extend(row[7] for row in rows)

    def joined(name, dtype):
        return np.concatenate(parts[name]) if parts[name] else np.empty(0, dtype=dtype)

    ids = joined("id", np.int64)
    columns = {name: codes.column(joined(name, np.int32)) for name, codes in named.items()}
    columns["partial"] = Column(joined("partial", np.int32), ["full", "partial"])
    dates = {name: joined(name, np.int64) for name in ("created", "released")}
    # Reference IDs in code point order (SQLite's, and PostgreSQL's in the C collation).
    order = np.empty(len(references), dtype=np.int64)
    order[sorted(range(len(references)), key=references.__getitem__)] = np.arange(len(references))
    del references

    through = Cable.tags.through._meta.db_table
    tags = dict(Tag.objects.using(using).values_list("id", "code"))
    definitions = dict(Tag.objects.using(using).values_list("code", "definition"))
    sql = f"SELECT {quote('cable_id')}, {quote('tag_id')} FROM {quote(through)}"
    links = {"tag": _links(ids, _batches(using, sql), tags, definitions)}
    for name in ENTITY_FACETS:
        pairs = (
            Mention.objects.using(using)
            .visible()
            .filter(**{f"{name}__isnull": False})
            .values_list("cable_id", f"{name}_id")
            .distinct()
            .order_by()
        )
        pair_sql, params = pairs.query.get_compiler(using=using).as_sql()
        model = Mention._meta.get_field(name).related_model
        entities = list(model.objects.using(using).values_list("id", "slug", "name"))
        slugs = {pk: slug for pk, slug, _ in entities}
        labels = {slug: label for _, slug, label in entities}
        links[name] = _links(ids, _batches(using, pair_sql, params), slugs, labels)
    return CableTable(version, ids, dates, order, columns, links)


def _links(ids, batches, names: dict, labels: dict) -> Links:
    """Links of batches of (cable id, linked id) rows, the linked ids named by `names`."""
    values = sorted(set(names.values()))
    index = {value: i for i, value in enumerate(values)}
    code_of = np.full(max(names, default=0) + 1, -1, dtype=np.int32)
    for pk, name in names.items():
        code_of[pk] = index[name]
    found_cables, found_codes = [], []
    for rows in batches:
        pairs = np.array(rows, dtype=np.int64).reshape(-1, 2)
        linked = pairs[:, 1]
        known = (linked >= 0) & (linked < len(code_of))
        codes = np.where(known, code_of[np.where(known, linked, 0)], -1)
        found_cables.append(pairs[codes >= 0, 0])
        found_codes.append(codes[codes >= 0])
    cable_ids = np.concatenate(found_cables) if found_cables else np.empty(0, dtype=np.int64)
    codes = np.concatenate(found_codes) if found_codes else np.empty(0, dtype=np.int32)
    positions = np.searchsorted(ids, cable_ids)
    held = positions < len(ids)
    held[held] = ids[positions[held]] == cable_ids[held]
    positions, codes = positions[held].astype(np.int64), codes[held]
    by_value = np.argsort(codes, kind="stable")
    positions, codes = positions[by_value], codes[by_value]
    starts = np.searchsorted(codes, np.arange(len(values) + 1))
    return Links(positions, codes, values, labels, starts)


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _microseconds(value) -> int:
    if value is None:
        return NO_DATE
    if isinstance(value, str):  # SQLite hands back the stored text (UTC)
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return (value - EPOCH) // timedelta(microseconds=1)
