"""The request mix of `manage.py bench`: the shapes of request a researcher produces, timed
through the real views, and overlap@20 of each search page with the exhaustive ranking.

A shape is one URL with a kind ("names", "phrases", "deep pages", "cable pages" ...) and a
group: "search" (search pages, the search API, the first rows of an export) or "browse" (home,
origins, tags, entity and cable pages, the cable API). Facet values, entity slugs and cable
ids are read from the archive at the start of a run, so the mix works on any corpus.

Every search shape (search page or API, relevance or date sort) is compared with
`exhaustive_ranking()` computed in the same run, outside the page timings: the cable ids of
the page shown against positions 20(N-1)+1..20N of the ranking (paged as the search pages
are, orphans included). So are its counts: the total must be the length of that ranking, and
every facet count the count of `exhaustive_counts()`, which counts every value over every matching
cable in the database. (The API says whether its counts are exact; one it marks estimated
would be listed, not checked.)
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.http import QueryDict
from django.template import Template
from django.test import Client
from django.test.utils import instrumented_test_render

from cables.models import Cable
from cables.search import thresholds
from cables.search.exhaustive import effective_sort, exhaustive_counts, exhaustive_ranking

from .mix_shapes import BROWSE, SEARCH, SLOW_SECONDS, TARGETS, Shape

# --- running it ----------------------------------------------------------------------------


class Rankings:
    """exhaustive_ranking() once per (query, filters, sort), timed apart from the pages."""

    def __init__(self, using: str = "default"):
        self.using = using
        self.cache: dict[tuple, tuple[list[int], float]] = {}

    def get(self, shape: Shape, sort: str) -> tuple[list[int], float]:
        data = shape.filter_data
        key = (shape.query, tuple(sorted((k, tuple(v)) for k, v in data.items())), sort)
        if key not in self.cache:
            began = time.perf_counter()
            ranking = exhaustive_ranking(shape.query, data, sort, using=self.using)
            self.cache[key] = (ranking, time.perf_counter() - began)
        return self.cache[key]


def documented_page(ranking: list[int], number: int) -> list[int]:
    """Positions 20(N-1)+1..20N of the ranking, paged as the search pages are."""
    paginator = Paginator(ranking, thresholds.PER_PAGE, orphans=thresholds.ORPHANS)
    if number > paginator.num_pages:
        return []
    return list(paginator.page(number).object_list)


def last_page(ranking: list[int]) -> int:
    return Paginator(ranking, thresholds.PER_PAGE, orphans=thresholds.ORPHANS).num_pages


@contextmanager
def template_context_recorded():
    """Templates rendered as under the test runner, so `response.context` is filled: for the
    untimed requests that read a page's cable ids, never for the timed ones."""
    original = Template._render
    Template._render = instrumented_test_render
    try:
        yield
    finally:
        Template._render = original


@dataclass
class Counts:
    """What a page says of its counts: the total, and per facet its counts and which of them
    it gives as exact."""

    total: int
    total_exact: bool
    # facet name -> (estimated, {value: (count, counted exactly on its own)})
    facets: dict[str, tuple[bool, dict[str, tuple[int, bool]]]]


def _page_ids(client: Client, shape: Shape) -> tuple[list[int], str, Counts]:
    """(cable ids of the page shown, the sort the search applied, its counts) of a ranked
    shape."""
    if shape.path == "/api/cables/":
        answer = client.get(shape.url).json()
        refs = [row["reference_id"] for row in answer["results"]]
        by_ref = dict(Cable.objects.filter(reference_id__in=refs).values_list("reference_id", "id"))
        estimated = set(answer["facets_estimated"])
        counts = Counts(
            answer["count"],
            answer["count_exact"],
            {
                name: (name in estimated, {i["value"]: (i["count"], False) for i in items})
                for name, items in answer["facets"].items()
            },
        )
        return [by_ref[ref] for ref in refs], answer["sort"], counts
    with template_context_recorded():
        response = client.get(shape.url)
    results = response.context["results"]
    # The search page gives every count as exact.
    counts = Counts(
        results.total,
        True,
        {
            facet.name: (False, {item.value: (item.count, False) for item in facet.items})
            for facet in results.facets
        },
    )
    return [hit.cable.id for hit in results.page], results.sort, counts


def _shape_sort(shape: Shape) -> str:
    """The sort the search applies to this shape's parameters (relevance or a date)."""
    params = dict(shape.params)
    return effective_sort(params.get("q", ""), params.get("sort", ""))


def resolve_deep_pages(shapes: list[Shape], rankings: Rankings, client: Client) -> None:
    """Deep pages ask for page 20 or 200; an archive with fewer pages gets its last page."""
    for shape in shapes:
        if shape.deep_page is None:
            continue
        ranking, _ = rankings.get(shape, _shape_sort(shape))
        last = last_page(ranking)
        shape.set_page(min(shape.deep_page, last))
        if shape.deep_page > last:
            shape.note = f"page {shape.deep_page} wanted, the last is {last}"


def _timed(client: Client, shape: Shape) -> tuple[float, int]:
    began = time.perf_counter()
    response = client.get(shape.url)
    if shape.export and response.status_code == 200:
        # The header, then the first cable's row: the first byte of the results. The test
        # client's wrapper of the stream (its `_iterator`) is closed, not the response: it
        # closes the response without the request's connection clean-up, which would close
        # the connection (inside a test's transaction, or SQLite's after every request).
        stream = response._iterator
        next(stream, None)
        next(stream, None)
        elapsed = time.perf_counter() - began
        stream.close()
        return elapsed, response.status_code
    return time.perf_counter() - began, response.status_code


def run_mix(
    shapes: list[Shape],
    repeat: int,
    using: str = "default",
    progress: Callable[[str], None] | None = None,
) -> Rankings:
    """Time every shape `repeat` times (after one untimed warm-up pass), then compute the
    overlap of every ranked shape with the exhaustive ranking."""
    client = Client()
    rankings = Rankings(using)
    resolve_deep_pages(shapes, rankings, client)
    for run in range(repeat + 1):
        for shape in shapes:
            elapsed, shape.status = _timed(client, shape)
            if run:
                shape.times.append(elapsed)
        if progress:
            progress(f"pass {run + 1} of {repeat + 1} done" + (" (warm-up)" if not run else ""))
    for shape in shapes:
        if shape.ranked and shape.status == 200:
            measure_overlap(client, shape, rankings)
    return rankings


def measure_overlap(client: Client, shape: Shape, rankings: Rankings) -> None:
    shown, sort, counts = _page_ids(client, shape)
    ranking, seconds = rankings.get(shape, sort)
    expected = documented_page(ranking, shape.page)
    shape.shown_ids, shape.expected_ids = shown, expected
    shape.exhaustive_seconds = seconds
    shape.overlap = overlap(shown, expected)
    shape.exact_order = shown == expected
    check_counts(shape, counts, len(ranking))


def check_counts(shape: Shape, counts: Counts, matching: int) -> None:
    """Every count the page gives as exact against the exhaustive count; what is estimated
    is listed in `shape.estimated`, what is wrong in `shape.wrong_counts`."""
    shape.estimated, shape.wrong_counts, shape.exact_counts = [], [], 0
    if not counts.total_exact:
        shape.estimated.append("total")
    else:
        shape.exact_counts += 1
        if counts.total != matching:
            shape.wrong_counts.append(f"total {counts.total}, exhaustive {matching}")
    params = QueryDict(mutable=True)
    for key, value in shape.params:
        params.appendlist(key, value)
    checked: dict[str, dict] = {}
    for name, (estimated, items) in counts.facets.items():
        if estimated:
            shape.estimated.append(name)
        values = {value: n for value, (n, alone) in items.items() if alone or not estimated}
        if values:
            checked[name] = values
    every = exhaustive_counts(list(checked), shape.query, params) if checked else {}
    for name, values in checked.items():
        for value, n in values.items():
            shape.exact_counts += 1
            expected = every[name].get(value, 0)
            if n != expected:
                shape.wrong_counts.append(f"{name}={value} {n}, exhaustive {expected}")


def overlap(shown: list[int], expected: list[int]) -> float:
    """Share of the documented page's cables that the page shows (1.0: the same cables)."""
    if not shown and not expected:
        return 1.0
    return len(set(shown) & set(expected)) / max(len(shown), len(expected))


# --- figures -------------------------------------------------------------------------------


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
        "max_ms": round(max(times) * 1000, 1) if times else None,
    }


def _mean(values: list[float]) -> float | None:
    return round(statistics.fmean(values), 3) if values else None


def mix_report(shapes: list[Shape], backend: str) -> dict:
    """Per shape, per kind and per group: timings, overlap, targets and what missed them."""
    search_p50, search_p95 = TARGETS["search"].get(backend, TARGETS["search"]["postgresql"])
    targets = {
        SEARCH: {"p50_ms": search_p50, "p95_ms": search_p95, "max_ms": TARGETS["max"]},
        BROWSE: {"p95_ms": TARGETS["browse_p95"], "max_ms": TARGETS["max"]},
        "overlap": TARGETS["overlap"],
    }
    kinds: dict[str, dict] = {}
    for kind in dict.fromkeys(s.kind for s in shapes):
        members = [s for s in shapes if s.kind == kind]
        overlaps = [s.overlap for s in members if s.overlap is not None]
        kinds[kind] = {
            "group": members[0].group,
            "shapes": len(members),
            **summarise([t for s in members for t in s.times]),
            "overlap_mean": _mean(overlaps),
            "overlap_shapes": len(overlaps),
        }
    groups = {}
    for group in (SEARCH, BROWSE):
        summary = summarise([t for s in shapes if s.group == group for t in s.times])
        met = {
            name: summary[name] is not None and summary[name] <= limit
            for name, limit in targets[group].items()
        }
        groups[group] = {**summary, "target": targets[group], "met": met}
    overlaps = [s.overlap for s in shapes if s.overlap is not None]
    exhaustive = [s.exhaustive_seconds for s in shapes if s.exhaustive_seconds is not None]
    return {
        "shapes": [_shape_record(s) for s in shapes],
        "shape_count": len(shapes),
        "kinds": kinds,
        "groups": groups,
        "overall": summarise([t for s in shapes for t in s.times]),
        "targets": targets,
        "overlap_mean": _mean(overlaps),
        "overlap_shapes": len(overlaps),
        "overlap_below_1": [s.url for s in shapes if s.overlap is not None and s.overlap < 1],
        # The same cables as the ranking's page, in another order.
        "order_differs": [s.url for s in shapes if s.overlap == 1 and s.exact_order is False],
        "over_1s": [s.url for s in shapes if s.times and max(s.times) > SLOW_SECONDS],
        "wrong_status": {s.url: s.status for s in shapes if s.status != s.expected_status},
        "exhaustive_ranking": summarise(exhaustive),
        "counts_checked": sum(s.exact_counts for s in shapes),
        "wrong_counts": {s.url: s.wrong_counts for s in shapes if s.wrong_counts},
        # Shapes with an estimate on the page (the total or a facet), what was estimated.
        "estimated": {s.url: s.estimated for s in shapes if s.estimated},
    }


def _shape_record(shape: Shape) -> dict:
    record = {
        "kind": shape.kind,
        "group": shape.group,
        "url": shape.url,
        "status": shape.status,
        "expected_status": shape.expected_status,
        **summarise(shape.times),
        "over_1s": bool(shape.times) and max(shape.times) > SLOW_SECONDS,
        "note": shape.note,
    }
    if shape.overlap is not None:
        record.update(
            overlap=round(shape.overlap, 3),
            exact_order=shape.exact_order,
            exhaustive_ms=round(shape.exhaustive_seconds * 1000, 1),
            exact_counts=shape.exact_counts,
            wrong_counts=shape.wrong_counts,
            estimated=shape.estimated,
        )
        if not shape.exact_order:
            record.update(shown_ids=shape.shown_ids, expected_ids=shape.expected_ids)
    return record
