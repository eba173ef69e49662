"""A selected facet value outside a facet's top list, counted on its own: the search page and
the API show its true count beside the results, never 0. And the one value selected in a
facet counts exactly the results (facets are disjunctive: the cables passing the other
filters and this value are the result set), even where the facet's other counts are
estimated."""

from __future__ import annotations

from cables.models import Cable, Mention

ENTITY_FACETS = ("person", "party", "election")


def counts_of_values(name: str, values: list[str], ids, scale: float = 1.0) -> list[tuple]:
    """(value, cables) of each value of facet `name` among the cables `ids` (a subquery), each
    counted on its own; multiplied by `scale` when the ids are a sample."""
    rows = []
    for value in values:
        if name == "tag":
            links = Cable.tags.through.objects.filter(cable_id__in=ids, tag__code=value)
            count = links.values("cable_id").distinct().count()
        elif name in ENTITY_FACETS:
            mentions = Mention.objects.visible().filter(
                cable_id__in=ids, **{f"{name}__slug": value}
            )
            count = mentions.values("cable_id").distinct().count()
        else:
            cables = Cable.objects.filter(id__in=ids)
            if name == "partial":
                cables = cables.filter(partial=(value == "partial"))
            elif name == "year":
                cables = cables.filter(year=int(value)) if value.isdigit() else cables.none()
            else:
                cables = cables.filter(**{name: value})
            count = cables.count()
        rows.append((value, round(count * scale) if count and scale != 1 else count))
    return rows


def pin_selected_counts(facets, total: int) -> None:
    """The count of a facet's only selected value: the result set's exact total."""
    for facet in facets:
        if len(facet.selected) != 1:
            continue
        for item in facet.items:
            if item.selected:
                item.count, item.exact = total, True
