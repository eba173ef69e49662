"""Suggestions for the search box: people, parties, elections, TAGS and posts as one types.

What a suggestion can name is small even at full size (274 posts, the TAGS in use, the
curated entities: tens of thousands of names at most), so each process keeps it in memory,
built once per archive version: every name, alias, TAG code and definition is folded
(case and accents) and cut into its word tails ("nursultan nazarbayev", "nazarbayev"), all of
them in one sorted list. A typed prefix is then a bisect and a scan over the tails that start
with it, with no query to the database. The cable counts come from the stored archive summaries
(`cables/lib/summaries.py`), so building the index never counts the cables itself.
"""

from __future__ import annotations

import re
import threading
import time
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass
from operator import itemgetter
from urllib.parse import urlencode

from django.conf import settings
from django.db import connections
from django.db.models import Count
from django.urls import reverse

from cables.lib.archive_version import Version, current_version
from cables.lib.summaries import recount, summary
from cables.models import Alias, ArchiveSummary, Election, Mention, Party, Person, Tag
from cables.parsing.fields import STATION_ALIASES, canonical_station
from cables.reading import selectors as browse

MIN_LENGTH = 2  # folded characters; one letter would suggest half the archive
MAX_LENGTH = 100
DEFAULT_LIMIT = 10
MAX_LIMIT = 20
# An index built while a summary it reads was still being counted again (after a change, in
# the background) is rebuilt this many seconds later, to pick up the new counts.
PROVISIONAL_SECONDS = 10.0

KIND_LABELS = {
    "person": "Person",
    "party": "Party",
    "election": "Election",
    "tag": "TAG",
    "origin": "Post",
}

# Rank of a match, best first. The whole name (or alias, or code) equal to the typed text or
# starting with it beats a later word of it, which beats a word of a TAG's definition.
EXACT, WHOLE_PREFIX, WORD_PREFIX, DEFINITION = range(4)

# Letters NFKD leaves whole (no combining mark to drop).
_LETTERS = str.maketrans(
    {"ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i"}
)
_NOT_WORD = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """Lower case, no accents, words separated by one space: `Nur-Otan` -> `nur otan`,
    `São Paulo` -> `sao paulo`, `Patriots' Party` -> `patriots party`."""
    if text.isascii():  # nearly every name: no accent to drop (four times faster)
        return _NOT_WORD.sub(" ", text.lower()).strip()
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_LETTERS))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NOT_WORD.sub(" ", plain).strip()


def _tails(folded: str) -> list[str]:
    """The text from each word on: `a b c` -> `a b c`, `b c`, `c`."""
    tails = [folded]
    space = folded.find(" ")
    while space != -1:
        tails.append(folded[space + 1 :])
        space = folded.find(" ", space + 1)
    return tails


@dataclass(frozen=True)
class Entry:
    kind: str
    label: str
    detail: str
    cables: int
    facet: str
    value: str
    url: str | None


@dataclass(frozen=True)
class Suggestion:
    entry: Entry
    rank: int
    matched: str | None  # the alias or station that matched, when the label does not show it

    def as_json(self) -> dict:
        entry = self.entry
        search_url = f"{reverse('cables:search')}?{urlencode({entry.facet: entry.value})}"
        return {
            "kind": entry.kind,
            "kind_label": KIND_LABELS[entry.kind],
            "label": entry.label,
            "detail": entry.detail,
            "matched": self.matched,
            "cables": entry.cables,
            "facet": {"name": entry.facet, "value": entry.value},
            "search_url": search_url,
            "url": entry.url or search_url,
        }


class SuggestionIndex:
    """Names and their word tails in one sorted list (plain Python: built by `build_index`)."""

    def __init__(self):
        self.entries: list[Entry] = []
        self._keys: list[tuple[str, int, int, int, str]] = []
        self.tails: list[str] = []

    def add(self, entry: Entry, names: list[str], definition: str = "") -> None:
        """`names`: the label first, then aliases; `definition` (a TAG's definition, a post's
        country) matches from any of its words, ranked after every name."""
        number = len(self.entries)
        self.entries.append(entry)
        label = fold(entry.label)
        for name in names:
            folded = fold(name)
            if not folded:
                continue
            # An alias is named in a suggestion only when the label or detail does not show it.
            shown = None if folded in label or name in entry.detail else name
            for position, tail in enumerate(_tails(folded)):
                self._keys.append((tail, 0 if position == 0 else 1, 0, number, shown or ""))
        # From each word of the definition on: `human ri` finds PHUM (Human Rights).
        for tail in set(_tails(fold(definition))) if definition else ():
            self._keys.append((tail, 1, 1, number, ""))

    def freeze(self) -> SuggestionIndex:
        self._keys.sort(key=itemgetter(0))  # by the text alone: twice as fast as by tuple
        self.tails = [key[0] for key in self._keys]
        return self

    def search(self, text: str, limit: int = DEFAULT_LIMIT) -> list[Suggestion]:
        query = fold(text)
        if len(query) < MIN_LENGTH:
            return []
        best: dict[int, tuple[int, str]] = {}
        start = bisect_left(self.tails, query)
        for tail, later_word, in_definition, number, shown in self._keys[start:]:
            if not tail.startswith(query):
                break
            if in_definition:
                rank = DEFINITION
            elif later_word:
                rank = WORD_PREFIX
            else:
                rank = EXACT if tail == query else WHOLE_PREFIX
            if number not in best or (rank, shown) < best[number]:
                # The label's own match ("" sorts first) wins over an alias of the same rank.
                best[number] = (rank, shown)
        ordered = sorted(
            best.items(),
            key=lambda item: (
                item[1][0],
                -self.entries[item[0]].cables,
                self.entries[item[0]].label.casefold(),
            ),
        )
        return [
            Suggestion(self.entries[number], rank, shown or None)
            for number, (rank, shown) in ordered[:limit]
        ]


# --- Building the index from the archive ---------------------------------------------------

SUMMARIES = ("tags", "origins", "entity_cables")
ENTITY_KINDS = ("person", "party", "election")


def count_entity_cables() -> dict[str, dict[str, int]]:
    """Cables with a visible mention of each person, party and election (by id, as text:
    the summary is stored as JSON)."""
    counts = {}
    for kind in ENTITY_KINDS:
        rows = (
            Mention.objects.visible()
            .filter(**{f"{kind}__isnull": False})
            .values_list(f"{kind}_id")
            .annotate(n=Count("cable_id", distinct=True))
            .order_by()
        )
        counts[kind] = {str(pk): n for pk, n in rows}
    return counts


def entity_cable_counts() -> dict[str, dict[str, int]]:
    """Stored per archive version like the other summaries (computed at the end of an ingest)."""
    return summary("entity_cables", count_entity_cables)


def _join(*parts) -> str:
    return " · ".join(str(part) for part in parts if part)


def _origin_entries(index: SuggestionIndex) -> None:
    station_aliases: dict[str, list[str]] = {}
    for written, station in STATION_ALIASES.items():
        station_aliases.setdefault(station, []).append(written)
    for country, origins in browse.origins_by_country():
        for origin, n in origins:
            words = origin.split()
            # The station of the post's reference IDs (`Embassy San Jose`: 07SANJOSE123), and
            # the short forms cables write for it (`USUN` for USUNNEWYORK).
            station = next(
                (s for i in range(len(words)) if (s := canonical_station(" ".join(words[i:])))),
                None,
            )
            names = [origin]
            if station:
                names += [station, *station_aliases.get(station, [])]
            entry = Entry(
                kind="origin",
                label=origin,
                detail=_join(country, station and f"station {station}"),
                cables=n,
                facet="origin",
                value=origin,
                url=None,
            )
            index.add(entry, names, definition=country)  # `kazakh` finds Embassy Astana, last


# TAGS whose definition is a name (Kazakhstan, United Nations): matched like a name, not
# like the words of a subject's definition.
NAMED_BY_DEFINITION = {Tag.Kind.GEOGRAPHIC, Tag.Kind.ORGANISATION}


def _tag_entries(index: SuggestionIndex) -> None:
    kinds = dict(Tag.objects.exclude(kind=Tag.Kind.OTHER).values_list("code", "kind"))
    kind_labels = dict(Tag.Kind.choices)
    for row in browse.tag_counts():
        code, definition = row["code"], row["definition"]
        kind = kinds.get(code)
        entry = Entry(
            kind="tag",
            label=code,
            detail=_join(definition or "no definition recorded", kind and kind_labels[kind]),
            cables=row["n"],
            facet="tag",
            value=code,
            url=None,
        )
        if kind in NAMED_BY_DEFINITION and definition:
            index.add(entry, [code, definition])  # `kaz` finds KZ as it finds a name
        else:
            index.add(entry, [code], definition)


def _entity_entries(index: SuggestionIndex) -> None:
    counts = entity_cable_counts()
    aliases: dict[tuple[str, int], list[str]] = {}
    for text, *owners in Alias.objects.values_list("text", "person_id", "party_id", "election_id"):
        # Exactly one of the three is set (a constraint of the table).
        kind, pk = next((k, pk) for k, pk in zip(ENTITY_KINDS, owners, strict=True) if pk)
        aliases.setdefault((kind, pk), []).append(text)
    for kind, model in (("person", Person), ("party", Party), ("election", Election)):
        for entity in model.objects.order_by():
            cables = counts[kind].get(str(entity.pk), 0)
            if not cables:
                continue  # a suggestion must lead to cables: no name without any
            if kind == "person":
                detail = _join(entity.role, entity.country)
            elif kind == "election":
                detail = _join(entity.get_kind_display().lower(), entity.date, entity.country)
            else:
                detail = entity.country
            entry = Entry(
                kind=kind,
                label=entity.name,
                detail=detail,
                cables=cables,
                facet=kind,
                value=entity.slug,
                url=entity.get_absolute_url(),
            )
            index.add(entry, [entity.name, *aliases.get((kind, entity.pk), [])])


def build_index() -> SuggestionIndex:
    index = SuggestionIndex()
    _entity_entries(index)
    _tag_entries(index)
    _origin_entries(index)
    return index.freeze()


# --- One index per process, per archive version -------------------------------------------


@dataclass(frozen=True)
class _Built:
    version: Version
    index: SuggestionIndex
    fresh_until: float  # monotonic; an index built from summaries being counted again expires


_lock = threading.Lock()
_building_inline = threading.Lock()
_current: _Built | None = None
_building = False


def _summaries_current(version: Version) -> bool:
    stored = ArchiveSummary.objects.filter(name__in=SUMMARIES, version=version.number).count()
    return stored == len(SUMMARIES)


def rebuild() -> _Built:
    """Build the index of the current archive version and keep it for this process."""
    global _current
    version = current_version()  # read first: a change while building builds again
    index = build_index()
    # Counts read from a summary still being counted again are good enough for a while.
    fresh = float("inf") if _summaries_current(version) else PROVISIONAL_SECONDS
    built = _Built(version, index, time.monotonic() + fresh)
    with _lock:
        _current = built
    return built


def _rebuild_in_background() -> None:
    global _building
    with _lock:
        if _building:
            return
        _building = True

    def run():
        global _building
        try:
            rebuild()
        finally:
            connections.close_all()
            with _lock:
                _building = False

    threading.Thread(target=run, name="suggestion-index", daemon=True).start()


def current_index() -> tuple[SuggestionIndex, bool]:
    """This process's index, and whether it is the current archive version's.

    The first request of a process builds it (a second or so at full size). After a change the
    previous index answers while a thread builds the new one, as the stored summaries do (a
    curator's every decision is a change: typing must not wait for each); with
    SUMMARIES_IN_BACKGROUND off (tests) it is built in line.
    """
    version = current_version()
    built = _current
    if built is not None and built.version == version and time.monotonic() < built.fresh_until:
        return built.index, True
    if built is not None and settings.SUMMARIES_IN_BACKGROUND:
        _rebuild_in_background()
        return built.index, built.version == version
    with _building_inline:  # one build at a time; the others wait for it
        built = _current
        if built is None or built.version != version or time.monotonic() >= built.fresh_until:
            built = rebuild()
        return built.index, built.version == version


def forget_index() -> None:
    """Drop this process's index (tests roll the archive back behind its back)."""
    global _current
    with _lock:
        _current = None


def suggest(text: str, limit: int = DEFAULT_LIMIT) -> tuple[list[Suggestion], bool]:
    """Up to `limit` suggestions for `text`, best first (see SuggestionIndex.search), and
    whether they are the current archive version's (not while its index is being rebuilt)."""
    index, current = current_index()
    return index.search(text, limit), current


def refresh_after_curation() -> None:
    """The entities' cable counts stored again for the current archive version and this
    process's index built anew (registered with cables/entities/upkeep.py)."""
    recount("entity_cables", count_entity_cables)
    rebuild()
