"""The corpus at a glance (home, origins) and what a cable page shows besides its text."""

import re
from collections import Counter, defaultdict

from django.db.models import Count, F

from cables.lib.summaries import summary
from cables.models import Cable, Reference, Tag


def _overview_counts() -> dict:
    cables = Cable.objects.order_by()
    return {
        "total": cables.count(),
        "years": list(cables.values_list("year").annotate(n=Count("id")).order_by("year")),
        "classifications": list(
            cables.values_list("classification").annotate(n=Count("id")).order_by("-n")
        ),
        "origins": list(
            cables.values_list("origin").annotate(n=Count("id")).order_by("-n", "origin")[:20]
        ),
    }


def overview() -> dict:
    counts = summary("overview", _overview_counts)
    largest = max((n for _, n in counts["years"]), default=0) or 1
    return {
        "total": counts["total"],
        "years": [(year, n, round(100 * n / largest)) for year, n in counts["years"]],
        "classifications": counts["classifications"],
        "origins": counts["origins"],
        "newest": list(
            # The most recently written, undated last: read off cable_newest_idx.
            Cable.objects.order_by(F("created").desc(nulls_last=True), "reference_id").only(
                "reference_id", "subject", "created", "origin"
            )[:10]
        ),
    }


# Posts that stand in no country: their cables carry the TAGS of whatever they report on,
# so the country-TAG rule below would file USUN New York under the first country it discussed.
POSTS_OUTSIDE_A_COUNTRY = (
    (
        re.compile(r"^(Secretary of State|US Delegation, Secretary|Department of State)"),
        "Washington",
    ),
    (
        re.compile(r"^(USUN|USEU|UNVIE|USOSCE|USNATO|Mission |US Mission|USMISSION|UN Rome)"),
        "Missions to international organisations",
    ),
)


def group_of_post(origin: str) -> str | None:
    for pattern, group in POSTS_OUTSIDE_A_COUNTRY:
        if pattern.match(origin):
            return group
    return None


def origins_by_country() -> list[tuple[str, list[tuple[str, int]]]]:
    """Origins with their cable counts, grouped by the country TAG their cables carry most
    (stored per archive version: grouping every cable's TAGS takes seconds at full size)."""
    return summary("origins", _origins_by_country)


def tag_counts() -> list[dict]:
    """Every TAG carried by a cable, with its definition and how many cables carry it, most
    frequent first (stored per archive version)."""
    return summary("tags", _tag_counts)


def _tag_counts() -> list[dict]:
    tags = Tag.objects.annotate(n=Count("cables")).filter(n__gt=0).order_by("-n", "code")
    return [{"code": t.code, "definition": t.definition, "n": t.n} for t in tags]


def _origins_by_country() -> list[tuple[str, list[tuple[str, int]]]]:
    """Origins with their cable counts, grouped by the country TAG their cables carry most.

    The archive has no table of posts; a post's cables nearly always carry its country's
    two-letter TAG (Embassy Astana: KZ), so the most frequent one names the group. Washington
    and the missions to international organisations get groups of their own.
    """
    counts = dict(Cable.objects.order_by().values_list("origin").annotate(n=Count("id")).order_by())
    country_tags = (
        Cable.tags.through.objects.filter(tag__code__regex=r"^[A-Z]{2}$")
        .values_list("cable__origin", "tag__code", "tag__definition")
        .annotate(n=Count("id"))
        .order_by()
    )
    best: dict[str, Counter] = defaultdict(Counter)
    names = {}
    for origin, code, definition, n in country_tags:
        best[origin][code] += n
        names[code] = definition or code
    groups: dict[str, list] = defaultdict(list)
    for origin, n in counts.items():
        if not origin:
            continue
        group = group_of_post(origin)
        if group is None:
            code = best[origin].most_common(1)[0][0] if best[origin] else ""
            group = names.get(code, "Other") if code else "Other"
        groups[group].append((origin, n))
    return [
        (country, sorted(origins, key=lambda item: (-item[1], item[0])))
        for country, origins in sorted(groups.items(), key=lambda g: (g[0] == "Other", g[0]))
    ]


def cable_context(cable: Cable) -> dict:
    """Everything around a cable's text, in a fixed small number of queries."""
    same_origin = Cable.objects.filter(origin=cable.origin).exclude(id=cable.id)
    previous_cable = next_cable = None
    if cable.created and cable.origin:
        previous_cable = (
            same_origin.filter(created__lt=cable.created)
            .order_by("-created", "-reference_id")
            .only("reference_id", "subject", "created")
            .first()
        )
        next_cable = (
            same_origin.filter(created__gt=cable.created)
            .order_by("created", "reference_id")
            .only("reference_id", "subject", "created")
            .first()
        )
    return {
        "cable": cable,
        "tags": list(cable.tags.all()),
        "paragraphs": list(cable.paragraphs.all()),
        "references": list(
            cable.references.select_related("target").only(
                "reference_id", "position", "cable_id", "target__reference_id", "target__subject"
            )
        ),
        "referenced_by": list(
            Reference.objects.filter(target=cable)
            .select_related("cable")
            .order_by(F("cable__created").desc(nulls_last=True))
            .only("cable__reference_id", "cable__subject", "cable__created", "cable__origin")
        ),
        "previous_cable": previous_cable,
        "next_cable": next_cable,
    }
