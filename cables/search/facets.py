"""Facet counts: a search's, exact and disjunctive, off the cable table (`table_facets`); and
the whole archive's per column, TAGS and entity, stored per archive version for the pages that
draw them (`whole_archive_facets`)."""

from __future__ import annotations

from django.db import connections
from django.db.models import Count

from cables.lib.summaries import summary
from cables.models import Cable, Mention, Tag
from cables.search.filters import FACET_PARAMETERS

from . import thresholds
from .results import COLUMN_FACETS, ENTITY_FACETS, FACET_LABELS, Facet, FacetItem


def _facet_items(name: str, rows, selected: list[str], labels=None, titles=None):
    selected_set = set(selected)
    counts = {str(value): count for value, count in rows if value not in (None, "")}
    for value in selected:  # a selected value stays visible even with no matches left
        counts.setdefault(value, 0)
    largest = max(counts.values(), default=0) or 1
    items = []
    for value, count in counts.items():
        is_selected = value in selected_set
        toggle = [v for v in selected if v != value] if is_selected else [*selected, value]
        items.append(
            FacetItem(
                value=value,
                label=(labels or {}).get(value, value),
                count=count,
                selected=is_selected,
                toggle=toggle,
                title=(titles or {}).get(value, ""),
                percent=round(100 * count / largest),
                name=name,
            )
        )
    return items


def _column_counts(ids, names: list[str]) -> dict[str, list]:
    """Counts of several cable columns: the matching cables read once, then one small GROUP BY
    per column. (One GROUP BY over all the columns returns about a row per cable, each turned
    into Python values and added up here: slower on both backends.)"""
    cables = Cable.objects.filter(id__in=ids).values_list(*names).order_by()
    inner, params = cables.query.get_compiler(using=cables.db).as_sql()
    connection = connections[cables.db]
    quote = connection.ops.quote_name
    # The other columns as typed NULLs: UNION ALL wants one type per column on PostgreSQL.
    blank = {
        name: f"CAST(NULL AS {Cable._meta.get_field(name).cast_db_type(connection)})"
        for name in names
    }
    arms = [
        f"SELECT {index}, "
        + ", ".join(quote(name) if other == name else blank[other] for other in names)
        + f", COUNT(*) FROM c GROUP BY {quote(name)}"
        for index, name in enumerate(names)
    ]
    sql = f"WITH c({', '.join(quote(name) for name in names)}) AS ({inner}) " + " UNION ALL ".join(
        arms
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    totals: dict[str, dict] = {name: {} for name in names}
    for index, *values, n in rows:
        name = names[index]
        value = values[index]
        if name == "partial":
            value = "partial" if value else "full"
        totals[name][value] = totals[name].get(value, 0) + n
    counted = {}
    for name, counts in totals.items():
        if name == "year":
            counted[name] = sorted(counts.items(), key=lambda item: (item[0] is None, item[0]))
        else:
            ranked = sorted(counts.items(), key=lambda item: (-item[1], str(item[0])))
            counted[name] = ranked[: thresholds.FACET_LIMIT]
    return counted


def _tag_counts(ids) -> list[tuple[str, str, int]]:
    """(code, definition, cables) of the most frequent TAGS: counted per tag id on the link
    table's (cable, tag) index alone, the tag rows read for the shown ones only."""
    counts = dict(
        Cable.tags.through.objects.filter(cable_id__in=ids)
        .values_list("tag_id")
        .annotate(n=Count("cable_id"))
        .order_by()
    )
    if not counts:
        return []
    # Rank by count, ties by code: only tags that can still make the cut need their code.
    threshold = sorted(counts.values(), reverse=True)[: thresholds.FACET_LIMIT][-1]
    contenders = [tag_id for tag_id, n in counts.items() if n >= threshold]
    tags = Tag.objects.filter(id__in=contenders).values_list("id", "code", "definition")
    rows = [(code, definition, counts[tag_id]) for tag_id, code, definition in tags]
    rows.sort(key=lambda row: (-row[2], row[0]))
    return rows[: thresholds.FACET_LIMIT]


def _entity_counts(ids, names: list[str]) -> dict[str, tuple[list, dict]]:
    """Cables with a confirmed or suggested mention, per entity: the distinct (cable, entity)
    pairs of the matching cables (off `mention_cable_entity_idx`), counted per entity in one
    GROUP BY; names and slugs read afterwards for the entities found only. (A COUNT(DISTINCT)
    grouped by the entities' names joined in sorted every mention: 12 ms for the 15,000
    mentions of the cables of "Tuyakbay" at full size, against 6.)"""
    columns = [f"{name}_id" for name in names]
    pairs = (
        Mention.objects.visible()
        .filter(cable_id__in=ids)
        .values_list("cable_id", *columns)
        .distinct()
        .order_by()
    )
    inner, params = pairs.query.get_compiler(using=pairs.db).as_sql()
    connection = connections[pairs.db]
    quote = connection.ops.quote_name
    listed = ", ".join(quote(column) for column in columns)
    sql = (
        f"WITH pairs({quote('cable_id')}, {listed}) AS ({inner}) "
        f"SELECT {listed}, COUNT(*) FROM pairs GROUP BY {listed}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    found: dict[str, dict] = {name: {} for name in names}
    for *entity_ids, n in rows:
        for name, entity_id in zip(names, entity_ids, strict=True):
            if entity_id is not None:
                found[name][entity_id] = found[name].get(entity_id, 0) + n
    counted = {}
    for name in names:
        if not found[name]:
            counted[name] = ([], {})
            continue
        model = Mention._meta.get_field(name).related_model
        entities = model.objects.using(pairs.db).filter(id__in=list(found[name]))
        slugs, labels = {}, {}
        for entity_id, slug, label in entities.values_list("id", "slug", "name"):
            slugs[entity_id], labels[slug] = slug, label
        counts = [(slugs[i], n) for i, n in found[name].items() if i in slugs]
        counts.sort(key=lambda item: (-item[1], labels[item[0]]))
        counted[name] = (counts[: thresholds.FACET_LIMIT], labels)
    return counted


def whole_archive_facets() -> dict:
    """Every facet's counts over the whole archive, stored per archive version (grouping
    every cable's TAGS took 2.6 s at full size): the entity pictures draw them."""

    def compute():
        everything = Cable.objects.order_by().values("id")
        return {
            "columns": _column_counts(everything, list(COLUMN_FACETS)),
            "tag": _tag_counts(everything),
            "entities": _entity_counts(everything, list(ENTITY_FACETS)),
        }

    return summary("facets", compute)


PARTIAL_LABELS = {"full": "Full text", "partial": "Partial extract"}


def table_facets(table, base, data: dict) -> list[Facet]:
    """Every facet counted exactly over the cables of `base` (a mask of `table`, see
    `cable_table.py`), each with its own selection left out (disjunctive). A selected value
    outside a facet's top list is shown with its own count."""
    masks = {name: table.value_mask(name, values) for name, values in data.items() if any(values)}
    facets = []
    for name in FACET_PARAMETERS:
        among = base
        for other, mask in masks.items():
            if other != name:
                among = among & mask
        counts = table.counts(name, among)
        selected = [str(v) for v in data.get(name, [])]
        labels, titles = None, None
        if name == "year":
            rows = sorted(counts.items())
        elif name in table.links:
            known = table.links[name].labels
            if name == "tag":
                titles = known
                rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
            else:
                labels = known
                rows = sorted(counts.items(), key=lambda item: (-item[1], known[item[0]]))
            rows = rows[: thresholds.FACET_LIMIT]
        else:
            rows = sorted(counts.items(), key=lambda item: (-item[1], str(item[0])))
            rows = rows[: thresholds.FACET_LIMIT]
            if name == "partial":
                labels = PARTIAL_LABELS
        listed = {str(value) for value, _ in rows}
        by_text = {str(value): n for value, n in counts.items()}
        rows += [(value, by_text.get(value, 0)) for value in selected if value not in listed]
        items = _facet_items(name, rows, selected, labels, titles)
        if items or selected:
            facets.append(Facet(name, FACET_LABELS[name], items, selected))
    return facets
