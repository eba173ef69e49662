"""The review queue: names the tagger could not place, stored with their places and counts."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count

from cables.models import (
    Cable,
    EntitySuggestion,
    SuggestionPlace,
)

from .tagger import EXAMPLES_KEPT


def store_suggestions(
    suggestions: list[tuple[str, str, str, dict]],
    cables: list[Cable],
    *,
    full_names: set[str] | None = None,
    recount_later: set[int] | None = None,
) -> int:
    """Add new names to the review queue and count where each pending name was seen.

    The places of these cables are replaced, so re-tagging never inflates a count; a pending
    name no longer found anywhere (the rules got stricter, the text changed) leaves the queue.
    With `recount_later`, the names whose places changed are added to it instead of being
    counted now: a bulk load stores its names group by group and counts them once at the end
    (`recount_suggestions`), not again for every group a common name appears in.
    """
    cable_ids = {cable.reference_id: cable.pk for cable in cables}
    # Only the difference is written: re-tagging unchanged cables writes nothing here.
    stored = {
        (suggestion_id, cable_id, number): pk
        for pk, suggestion_id, cable_id, number in SuggestionPlace.objects.filter(
            cable_id__in=list(cable_ids.values())
        ).values_list("pk", "suggestion_id", "cable_id", "paragraph_number")
    }
    wanted: set[tuple[int, int, int | None]] = set()
    touched: set[int] = set()
    grouped: dict[tuple[str, str], tuple[str, list[dict]]] = {}
    for kind, name, reason, example in suggestions:
        name = name[:200]
        entry = grouped.setdefault((kind, name), (reason, []))
        entry[1].append(example)
    if full_names is None:
        full_names = pending_full_names()
    folded = _fold_surnames(grouped, full_names)
    existing = {
        (s.kind, s.name): s
        for s in EntitySuggestion.objects.filter(name__in={name for _, name in grouped})
    }
    created = []
    changed = []
    for (kind, name), (reason, examples) in grouped.items():
        suggestion = existing.get((kind, name))
        if suggestion is None:
            created.append(
                EntitySuggestion(kind=kind, name=name, reason=reason, examples=_dedupe(examples))
            )
        elif suggestion.status == EntitySuggestion.Status.PENDING:
            merged = _dedupe(suggestion.examples + examples)
            if merged != suggestion.examples:
                suggestion.examples = merged
                changed.append(suggestion)
    EntitySuggestion.objects.bulk_create(created, ignore_conflicts=True)
    if changed:
        EntitySuggestion.objects.bulk_update(changed, ["examples"])
    if grouped:
        pending = {
            (s.kind, s.name): s.pk
            for s in EntitySuggestion.objects.filter(
                name__in={name for _, name in grouped}, status=EntitySuggestion.Status.PENDING
            ).only("pk", "kind", "name")
        }
        for key, (_, examples) in grouped.items():
            if key in pending:
                wanted.update(
                    (pending[key], cable_ids[e["reference_id"]], e.get("paragraph"))
                    for e in examples
                    if e["reference_id"] in cable_ids
                )
    gone = [pk for place, pk in stored.items() if place not in wanted]
    new = [place for place in wanted if place not in stored]
    touched.update(place[0] for place in stored if place not in wanted)
    touched.update(place[0] for place in new)
    if gone:
        SuggestionPlace.objects.filter(pk__in=gone).delete()
    SuggestionPlace.objects.bulk_create(
        [SuggestionPlace(suggestion_id=s, cable_id=c, paragraph_number=n) for s, c, n in new],
        batch_size=1000,
    )
    if folded:
        # Places already counted under a bare surname move to the full name.
        full_ids = dict(
            EntitySuggestion.objects.filter(
                kind="person", name__in=set(folded.values())
            ).values_list("name", "pk")
        )
        for single in EntitySuggestion.objects.filter(
            kind="person", name__in=list(folded), status=EntitySuggestion.Status.PENDING
        ):
            target = full_ids.get(folded[single.name])
            if target:
                SuggestionPlace.objects.filter(suggestion=single).update(suggestion_id=target)
                touched.update({single.pk, target})
    if recount_later is not None:
        recount_later.update(touched)
    else:
        recount_suggestions(touched)
    return len(created)


RECOUNT_CHUNK = 5000  # ids per query, well under SQLite's limit on bound parameters


def recount_suggestions(suggestion_ids) -> None:
    """Store how many places each of these names has; pending names left with none go."""
    ids = sorted(suggestion_ids)
    for offset in range(0, len(ids), RECOUNT_CHUNK):
        chunk = ids[offset : offset + RECOUNT_CHUNK]
        counts = dict(
            EntitySuggestion.objects.filter(pk__in=chunk)
            .annotate(n=Count("places"))
            .values_list("pk", "n")
        )
        rows = [
            row
            for row in EntitySuggestion.objects.filter(pk__in=chunk).only("pk", "occurrences")
            if row.occurrences != counts.get(row.pk, 0)
        ]
        for row in rows:
            row.occurrences = counts.get(row.pk, 0)
        EntitySuggestion.objects.bulk_update(rows, ["occurrences"], batch_size=1000)
        EntitySuggestion.objects.filter(
            pk__in=chunk, status=EntitySuggestion.Status.PENDING, occurrences=0
        ).delete()


def pending_full_names() -> set[str]:
    """Pending person names of more than one word (loaded once per tagging run)."""
    return set(
        EntitySuggestion.objects.filter(
            kind="person", status=EntitySuggestion.Status.PENDING, name__contains=" "
        ).values_list("name", flat=True)
    )


def _fold_surnames(grouped: dict, full_names: set[str]) -> dict[str, str]:
    """Count a bare surname ("Sobel") under the one full name ending in it ("Clifford Sobel").

    Only when exactly one pending or newly found full name ends in that word: "Singh" after
    titles stays on its own when the queue holds several Singhs. Changes `grouped` in place
    and adds this batch's full names to `full_names`; returns surname -> full name.
    """
    full_names.update(name for kind, name in grouped if kind == "person" and " " in name)
    singles = {name for kind, name in grouped if kind == "person" and " " not in name}
    if not singles:
        return {}
    by_surname: dict[str, set[str]] = defaultdict(set)
    for name in full_names:
        if name.split()[-1] in singles:
            by_surname[name.split()[-1]].add(name)
    folded = {}
    for word in singles:
        if len(by_surname.get(word, ())) == 1:
            (full,) = by_surname[word]
            reason, examples = grouped.pop(("person", word))
            grouped.setdefault(("person", full), (reason, []))[1].extend(examples)
            folded[word] = full
    return folded


def _dedupe(examples: list[dict]) -> list[dict]:
    seen = set()
    kept = []
    for example in examples:
        key = (example.get("reference_id"), example.get("paragraph"))
        if key not in seen:
            seen.add(key)
            kept.append(example)
    return kept[:EXAMPLES_KEPT]


def fold_pending_surnames() -> int:
    """Fold every pending bare surname into the one pending full name ending in it.

    Batches see names in corpus order, so "Amorim" may be queued before "Celso Amorim"
    appears; after a whole-archive run this catches up.
    """
    pending = EntitySuggestion.objects.filter(kind="person", status=EntitySuggestion.Status.PENDING)
    by_surname: dict[str, list[int]] = defaultdict(list)
    singles: dict[str, int] = {}
    for pk, name in pending.values_list("pk", "name"):
        if " " in name:
            by_surname[name.split()[-1]].append(pk)
        else:
            singles[name] = pk
    moves = {pk: by_surname[name][0] for name, pk in singles.items() if len(by_surname[name]) == 1}
    for single, full in moves.items():
        SuggestionPlace.objects.filter(suggestion_id=single).update(suggestion_id=full)
    targets = EntitySuggestion.objects.filter(pk__in=set(moves.values()))
    counts = dict(targets.annotate(n=Count("places")).values_list("pk", "n"))
    rows = list(targets.only("pk", "occurrences"))
    for row in rows:
        row.occurrences = counts.get(row.pk, 0)
    EntitySuggestion.objects.bulk_update(rows, ["occurrences"], batch_size=1000)
    EntitySuggestion.objects.filter(pk__in=list(moves)).delete()
    return len(moves)
