"""The same URL on two archives: each search page as its cables (in order), total, whether the
total is exact and its facet counts, read through the API; and the differences between two
such readings. `tests/test_same_pages.py` compares the sample on both backends,
`scripts/same_pages.py` two full-size archives."""

from __future__ import annotations


def page_of(payload: dict) -> dict:
    return {
        "cables": [hit["reference_id"] for hit in payload["results"]],
        "count": payload["count"],
        "count_exact": payload["count_exact"],
        "num_pages": payload["num_pages"],
        "facets": {
            name: {item["value"]: item["count"] for item in items}
            for name, items in payload["facets"].items()
        },
        "facets_estimated": payload["facets_estimated"],
    }


def api_pages(client, queries: list[str]) -> dict[str, dict]:
    """{query string: page} of `/api/cables/?<query string>` for each, by a Django test client."""
    found = {}
    for query in queries:
        response = client.get(f"/api/cables/?{query}")
        if response.status_code != 200:
            raise AssertionError(f"/api/cables/?{query}: {response.status_code}")
        found[query] = page_of(response.json())
    return found


def differences(here: dict[str, dict], there: dict[str, dict]) -> list[tuple]:
    """What differs between two readings of the same queries: the cables and their order and
    whether the total is exact, always; the total and the facets not estimated on either side,
    where both totals are exact (the archive's API gives every count as exact; the rules for
    estimates stay for a reading that marks some)."""
    found = []
    for query in here:
        mine, theirs = here[query], there[query]
        for key in ("cables", "count_exact"):
            if mine[key] != theirs[key]:
                found.append((query, key, mine[key], theirs[key]))
        if not _estimated_alike(mine, theirs):
            lists = [page["facets_estimated"] for page in (mine, theirs)]
            found.append((query, "facets_estimated", *lists))
        if not (mine["count_exact"] and theirs["count_exact"]):
            continue
        for key in ("count", "num_pages"):
            if mine[key] != theirs[key]:
                found.append((query, key, mine[key], theirs[key]))
        estimated = {*mine["facets_estimated"], *theirs["facets_estimated"]}
        for name in sorted((mine["facets"].keys() | theirs["facets"].keys()) - estimated):
            ours, other = mine["facets"].get(name, {}), theirs["facets"].get(name, {})
            if ours != other:
                values = sorted(
                    v for v in ours.keys() | other.keys() if ours.get(v) != other.get(v)
                )
                found.append((query, name, {v: (ours.get(v), other.get(v)) for v in values[:5]}))
    return found


def _estimated_alike(mine: dict, theirs: dict) -> bool:
    """Each facet shown on both sides is estimated on both or on neither; one shown on one
    side only is estimated there (its sample held no value on the other side)."""
    for name in mine["facets"].keys() | theirs["facets"].keys():
        shown = [page for page in (mine, theirs) if name in page["facets"]]
        estimated = {name in page["facets_estimated"] for page in shown}
        if len(estimated) > 1 or (len(shown) == 1 and estimated == {False}):
            return False
    return True
