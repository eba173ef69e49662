"""The request mix of `manage.py bench`: the search, browse and API shapes, built from the archive's own values."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count

from cables.models import Cable, Mention, Tag

SEARCH, BROWSE = "search", "browse"
PAST_THE_END = 999_999
SLOW_SECONDS = 1.0
# Targets of issue 13 (ms): search pages p50 / p95 per backend, browse pages p95, any request.
TARGETS = {
    "search": {"sqlite": (50, 150), "postgresql": (100, 300)},
    "browse_p95": 100,
    "max": 1000,
    "overlap": 1.0,
}


NAMES = ["Nazarbayev", "Tuyakbay", "Gazprom", "Taliban", "Karzai", "Chavez", "Qadhafi"]
TOPICS = ["uranium", "corruption", "narcotics", "pipeline", "trafficking", "piracy"]
COMMON = ["government", "election", "minister", "said"]
SEVERAL_WORDS = [
    "opposition party election fraud",
    "nuclear program iran sanctions",
    "oil gas pipeline russia",
    "human rights activists arrested",
]
PHRASES = [
    '"the united states"',
    '"secretary of state"',
    '"human rights"',
    '"foreign minister"',
    '"prime minister"',
    '"security forces"',
]
ORS = [
    "oil OR gas OR pipeline",
    "election OR vote OR ballot",
    "Taliban OR Qaeda OR insurgents",
    "corruption OR bribery OR fraud OR embezzlement",
]
EXCLUSIONS = ["embassy -the", "government -minister", "election -fraud", "president -the"]
PREFIXES = ["ele*", "nuc*", "gov*", "terror*"]


@dataclass
class Shape:
    kind: str
    group: str  # SEARCH or BROWSE
    path: str
    params: list[tuple[str, str]] = field(default_factory=list)  # repeated keys allowed
    expected_status: int = 200
    export: bool = False  # timed to the first row streamed, not the whole body
    deep_page: int | None = None  # a page wanted; a smaller archive gets its last page
    times: list[float] = field(default_factory=list)
    status: int | None = None
    note: str = ""
    overlap: float | None = None
    exact_order: bool | None = None
    shown_ids: list[int] = field(default_factory=list)
    expected_ids: list[int] = field(default_factory=list)
    exhaustive_seconds: float | None = None
    exact_counts: int = 0  # counts the page gives as exact, checked (bench_mix.check_counts)
    wrong_counts: list[str] = field(default_factory=list)
    estimated: list[str] = field(default_factory=list)  # "total" and facet names

    @property
    def url(self) -> str:
        return self.path + ("?" + urlencode(self.params) if self.params else "")

    @property
    def query(self) -> str:
        return dict(self.params).get("q", "")

    @property
    def page(self) -> int:
        return int(dict(self.params).get("page", 1))

    @property
    def filter_data(self) -> dict[str, list[str]]:
        """The facet parameters as request.GET lists (what exhaustive_ranking takes)."""
        data: dict[str, list[str]] = {}
        for key, value in self.params:
            if key not in ("q", "sort", "page"):
                data.setdefault(key, []).append(value)
        return data

    @property
    def ranked(self) -> bool:
        """A search page or search API page that answers 200: its ids have a ranking."""
        listing = self.path in ("/cables/", "/api/cables/")
        return listing and self.expected_status == 200

    def set_page(self, number: int) -> None:
        self.params = [(k, v) for k, v in self.params if k != "page"] + [("page", str(number))]


def search_page(kind, q="", *extra, api=False, **options) -> Shape:
    params = ([("q", q)] if q else []) + list(extra)
    return Shape(kind, SEARCH, "/api/cables/" if api else "/cables/", params, **options)


@dataclass
class ArchiveValues:
    """Facet values, entity slugs and cables that exist in this archive."""

    years: list[str]
    origins: list[str]
    year_origin: tuple[str, str]  # the busiest origin of the busiest year
    tags: list[str]  # most frequent TAGS first
    country_tag: str
    classifications: list[str]
    people: list[str]  # most mentioned first, then the least mentioned
    parties: list[str]
    elections: list[str]
    cables: list[str]  # reference ids spread over the archive

    @classmethod
    def read(cls) -> ArchiveValues:
        cables = Cable.objects.order_by()
        years = [
            str(y)
            for y, _ in cables.exclude(year=None)
            .values_list("year")
            .annotate(n=Count("id"))
            .order_by("-n", "year")[:2]
        ]
        origins = [
            o
            for o, _ in cables.exclude(origin="")
            .values_list("origin")
            .annotate(n=Count("id"))
            .order_by("-n", "origin")[:2]
        ]
        busiest = (
            cables.filter(year=int(years[0]))
            .exclude(origin="")
            .values_list("origin")
            .annotate(n=Count("id"))
            .order_by("-n", "origin")
            .first()
        )
        tag_counts = list(
            Tag.objects.annotate(n=Count("cables"))
            .filter(n__gt=0)
            .order_by("-n", "code")
            .values_list("code", flat=True)
        )
        country = next((code for code in tag_counts if len(code) == 2), tag_counts[0])
        classifications = [
            c
            for c, _ in cables.exclude(classification="")
            .values_list("classification")
            .annotate(n=Count("id"))
            .order_by("-n", "classification")[:2]
        ]
        total = cables.count()
        ids = list(Cable.objects.order_by("id").values_list("reference_id", flat=True))
        spread = ids[:: max(1, total // 5)][:5]
        return cls(
            years=years,
            origins=origins,
            year_origin=(years[0], busiest[0] if busiest else origins[0]),
            tags=tag_counts[:2],
            country_tag=country,
            classifications=classifications,
            people=_mentioned("person"),
            parties=_mentioned("party"),
            elections=_mentioned("election"),
            cables=spread,
        )

    @property
    def city(self) -> str:
        """The busiest origin as typed in the box: `astana` for Embassy Astana, `"san jose"`
        for Embassy San Jose."""
        place = " ".join(self.origins[0].split()[1:]).lower() or self.origins[0].lower()
        return f'"{place}"' if " " in place else place


def _mentioned(entity: str) -> list[str]:
    """Slugs of the most and the least mentioned entity of a type (empty: none mentioned)."""
    slugs = [
        slug
        for slug, _ in Mention.objects.visible()
        .filter(**{f"{entity}__isnull": False})
        .values_list(f"{entity}__slug")
        .annotate(n=Count("id"))
        .order_by("-n", f"{entity}__slug")
    ]
    return list(dict.fromkeys([slugs[0], slugs[-1]])) if slugs else []


def build_mix(values: ArchiveValues | None = None) -> list[Shape]:
    """The shapes, from what this archive holds."""
    v = values or ArchiveValues.read()
    year, origin = v.year_origin
    tag, cls = v.tags[0], v.classifications[0]
    shapes = [search_page("names", name) for name in NAMES]
    shapes += [search_page("topics", topic) for topic in TOPICS]
    shapes += [search_page("common words", word) for word in COMMON]
    shapes += [search_page("several words", words) for words in SEVERAL_WORDS]
    shapes += [search_page("phrases", phrase) for phrase in PHRASES]
    shapes += [search_page("or", query) for query in ORS]
    shapes += [search_page("exclusions", query) for query in EXCLUSIONS]
    shapes += [search_page("prefixes", query) for query in PREFIXES]
    shapes += [
        search_page("combined facets", "government", ("year", year), ("origin", origin)),
        search_page("combined facets", "minister", ("tag", tag), ("classification", cls)),
        search_page(
            "combined facets",
            "election",
            *[("year", y) for y in v.years],
            ("tag", v.country_tag),
        ),
        search_page(
            "combined facets", "oil", ("origin", origin), ("tag", tag), ("classification", cls)
        ),
        search_page("combined facets", "corruption", ("partial", "full"), ("year", year)),
    ]
    shapes += [
        search_page("typed fields", f"election origin:{v.city}"),
        search_page("typed fields", f"government tag:{tag}"),
        search_page("typed fields", f"minister from:{year}-01 to:{year}-12"),
        search_page("typed fields", f"oil class:{cls.split('/')[0].lower()}"),
        search_page("typed fields", f"nuclear origin:{v.city} tag:{v.country_tag}"),
    ]
    entity_facets = [
        *[("person", slug, "election") for slug in v.people],
        *[("party", slug, "") for slug in v.parties[:1]],
        *[("party", slug, "government") for slug in v.parties[1:]],
        *[("election", slug, "") for slug in v.elections[:1]],
        *[("election", slug, "president") for slug in v.elections[1:]],
    ]
    shapes += [search_page("entity facets", q, (name, slug)) for name, slug, q in entity_facets]
    shapes += [
        search_page("date sorts", "government", ("sort", "-created")),
        search_page("date sorts", "election", ("sort", "created")),
        search_page("date sorts", "minister", ("sort", "-released")),
        search_page("date sorts", '"human rights"', ("sort", "created")),
        search_page("date sorts", "", ("sort", "-created")),
        search_page("date sorts", "", ("sort", "created")),
        search_page("date sorts", "", ("sort", "-released")),
    ]
    shapes += [
        search_page("deep pages", "government", deep_page=20),
        search_page("deep pages", "government", deep_page=200),
        search_page("deep pages", "", deep_page=200),
        search_page("deep pages", "", ("sort", "created"), deep_page=20),
        search_page("deep pages", "election", ("sort", "-created"), deep_page=20),
        # Past the last page: 404. Past the pages shown at all (MAX_PAGE, 500): 400 with a
        # message, answered before any search.
        search_page("deep pages", "Nazarbayev", ("page", "400"), expected_status=404),
        search_page("deep pages", "", ("page", str(PAST_THE_END)), expected_status=400),
    ]
    shapes += [
        search_page("facet-only", "", ("tag", v.country_tag)),
        search_page("facet-only", "", ("year", year), ("origin", origin)),
        search_page("facet-only", "", ("classification", cls)),
        search_page("facet-only", "", *[("tag", t) for t in v.tags]),
        search_page("facet-only", "", ("partial", "partial")),
    ]
    shapes += [
        search_page("api search", "Nazarbayev", api=True),
        search_page("api search", '"human rights"', ("year", year), api=True),
        search_page("api search", "", ("tag", tag), api=True),
        search_page("api search", "government", ("sort", "-created"), api=True),
        search_page("api search", "election", api=True, deep_page=20),
    ]
    shapes += [
        Shape("export", SEARCH, "/api/cables/export.csv", [("q", "Nazarbayev")], export=True),
        Shape("export", SEARCH, "/api/cables/export.csv", [("tag", tag)], export=True),
        Shape("export", SEARCH, "/api/cables/export.json", [("q", "corruption")], export=True),
        Shape("export", SEARCH, "/api/cables/export.csv", [], export=True),
    ]
    shapes += [Shape("browse", BROWSE, path) for path in ("/", "/origins/", "/tags/")]
    shapes.append(Shape("browse", BROWSE, "/cables/help/"))
    shapes += [
        Shape("entity pages", BROWSE, f"/{name}/{slug}/")
        for name, slugs in (("person", v.people), ("party", v.parties), ("election", v.elections))
        for slug in slugs
    ]
    shapes += [Shape("cable pages", BROWSE, f"/cable/{ref}/") for ref in v.cables]
    shapes += [Shape("api cable", BROWSE, f"/api/cables/{ref}/") for ref in v.cables[:3]]
    return shapes
