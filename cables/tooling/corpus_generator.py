"""A full-size synthetic cables.csv, built from real material, for ingest and search benchmarks.

Plain Python (no Django). What makes search and ingest cost what they cost is kept real:

- the reference IDs and months of the release (`cable2month.csv.gz`: reference ID, month of the
  year 1-12; the year is the ID's two-digit prefix: `07ASTANA2223,8` is August 2007);
- the classification mix of the release (published figures, `CLASSIFICATION_WEIGHTS`);
- paragraph counts and lengths, TAGS, subjects and signers of a real cable of
  `cablegate-sample.csv.gz` taken as a template for each generated cable;
- the text: real sentences recombined, so vocabulary and term frequencies are real;
- REF lines to earlier cables of the generated corpus and, about a quarter of them, to cables
  outside the release, as in the real one (232,319 references, 56,251 outside);
- the starter entities (Nazarbayev, Tuyakbay, Abilov, Nur Otan, Ak Zhol ...) come with sentences
  of the real Kazakhstan cables (mirror pages and the Astana cables of the sample), drawn often
  for cables from Astana and Almaty and rarely elsewhere.

Output is the layout of the official cables.csv byte for byte: no header, every field quoted,
quotes escaped with a backslash, fields spanning lines. Rows stream out one at a time: memory holds
the source material and the list of reference IDs, never the output.
"""

from __future__ import annotations

import bisect
import csv
import gzip
import io
import itertools
import random
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from cables.parsing import iter_path
from cables.parsing.fields import MONTHS

FULL_SIZE = 251_287

# Published figures for the release (sample_corpus/README.md).
CLASSIFICATION_WEIGHTS = {
    "CONFIDENTIAL": 97_070,
    "CONFIDENTIAL//NOFORN": 4_678,
    "SECRET": 11_322,
    "SECRET//NOFORN": 4_330,
    "UNCLASSIFIED": 75_792,
    "UNCLASSIFIED//FOR OFFICIAL USE ONLY": 58_095,
}
# References per cable: about 0.92 on average in the release (232,319 / 251,287).
REFERENCE_COUNT_WEIGHTS = {0: 50, 1: 25, 2: 13, 3: 8, 4: 4}
# Share of references naming a cable that is not in the release (56,251 / 232,319).
OUTSIDE_REFERENCE_SHARE = 0.24
# Share of sentences taken from the Kazakhstan material in cables from Kazakh posts, and the
# chance that a cable from elsewhere carries one such sentence.
KAZAKH_POSTS = {"ASTANA", "ALMATY"}
KAZAKH_SENTENCE_SHARE = 0.35
KAZAKH_ELSEWHERE_CHANCE = 0.003

MARKINGS = {
    "CONFIDENTIAL": "C",
    "CONFIDENTIAL//NOFORN": "C//NF",
    "SECRET": "S",
    "SECRET//NOFORN": "S//NF",
    "UNCLASSIFIED": "U",
    "UNCLASSIFIED//FOR OFFICIAL USE ONLY": "SBU",
}
CLASSIFICATION_LINES = {
    "CONFIDENTIAL": "C O N F I D E N T I A L",
    "CONFIDENTIAL//NOFORN": "C O N F I D E N T I A L",
    "SECRET": "S E C R E T",
    "SECRET//NOFORN": "S E C R E T",
    "UNCLASSIFIED": "UNCLAS",
    "UNCLASSIFIED//FOR OFFICIAL USE ONLY": "UNCLAS",
}
# The date-time group spells months as the parser reads them.
MONTH_ABBREVIATIONS = list(MONTHS)
PRECEDENCE_WEIGHTS = {"R": 70, "P": 25, "O": 5}

_ID_PARTS = re.compile(r"^(\d{2})(\D+?)(\d+)$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\"'-])")
_UPPER_RATIO_LETTERS = re.compile(r"[A-Za-z]")


@dataclass(slots=True)
class Template:
    """The shape of one real cable: paragraph markings and lengths, TAGS, subject, signer."""

    paragraph_lengths: list[int]
    marked: bool
    upper: bool
    tags: list[str]
    subject: str
    signer: str


@dataclass
class SourceMaterial:
    templates: list[Template] = field(default_factory=list)
    sentences: list[str] = field(default_factory=list)
    upper_sentences: list[str] = field(default_factory=list)
    kazakh_sentences: list[str] = field(default_factory=list)
    origin_by_post: dict[str, str] = field(default_factory=dict)
    signers_by_post: dict[str, list[str]] = field(default_factory=dict)
    routing_posts: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, sample_csv: Path, kazakh_paths: list[Path]) -> SourceMaterial:
        material = cls()
        signers = defaultdict(list)
        for cable in iter_path(sample_csv):
            if not cable.ok or not cable.paragraphs:
                continue
            texts = [p.text for p in cable.paragraphs if p.text.strip()]
            if not texts:
                continue
            upper = _is_upper(" ".join(texts)[:2000])
            material.templates.append(
                Template(
                    paragraph_lengths=[len(t) for t in texts],
                    marked=any(p.classification for p in cable.paragraphs),
                    upper=upper,
                    tags=list(cable.tags),
                    subject=" ".join(cable.subject.split()),
                    signer=cable.signers[0] if cable.signers else "",
                )
            )
            pool = material.upper_sentences if upper else material.sentences
            for text in texts:
                pool.extend(split_sentences(text))
            parts = _ID_PARTS.match(cable.reference_id)
            if parts:
                post = parts.group(2)
                if cable.origin:
                    material.origin_by_post.setdefault(post, cable.origin)
                if cable.signers and cable.signers[0] not in signers[post]:
                    signers[post].append(cable.signers[0])
                if post in KAZAKH_POSTS:
                    for text in texts:
                        material.kazakh_sentences.extend(split_sentences(text))
        for path in kazakh_paths:
            for cable in iter_path(path):
                if cable.ok:
                    for paragraph in cable.paragraphs:
                        material.kazakh_sentences.extend(split_sentences(paragraph.text))
        material.signers_by_post = dict(signers)
        material.routing_posts = sorted(material.origin_by_post)
        if not material.templates or not material.sentences:
            raise ValueError(f"{sample_csv}: no usable cables to learn from")
        if not material.upper_sentences:
            material.upper_sentences = [s.upper() for s in material.sentences[:5000]]
        if not material.kazakh_sentences:
            material.kazakh_sentences = material.sentences[:100]
        return material


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(" ".join(text.split())) if len(s.strip()) > 1]


def _is_upper(text: str) -> bool:
    letters = _UPPER_RATIO_LETTERS.findall(text)
    if not letters:
        return False
    return sum(1 for c in letters if c.isupper()) / len(letters) > 0.9


def load_reference_ids(path: Path) -> list[tuple[str, int]]:
    """(reference ID, month 1-12) of every cable of the release, in the file's order."""
    opener = gzip.open if str(path).endswith(".gz") else open
    result = []
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle):
            if len(row) >= 2 and row[1].strip().isdigit():
                result.append((row[0].strip(), int(row[1])))
    return result


def id_parts(reference_id: str) -> tuple[int, str, int] | None:
    """(four-digit year, post, serial) of `07ASTANA2223`, or None for a malformed ID."""
    match = _ID_PARTS.match(reference_id)
    if not match:
        return None
    two = int(match.group(1))
    year = 1900 + two if two >= 66 else 2000 + two
    return year, match.group(2), int(match.group(3))


def csv_datetime(value: datetime) -> str:
    """`12/28/1966 18:48`: month, day and hour without leading zeros, as in cables.csv."""
    return f"{value.month}/{value.day}/{value.year} {value.hour}:{value.minute:02d}"


def _weighted(rng: random.Random, choices: list, cumulative: list[int]):
    return choices[bisect.bisect_right(cumulative, rng.randrange(cumulative[-1]))]


def _cumulative(weights: dict) -> tuple[list, list[int]]:
    return list(weights), list(itertools.accumulate(weights.values()))


class CorpusGenerator:
    """Rows of a synthetic cables.csv; the same seed gives the same rows."""

    def __init__(
        self, material: SourceMaterial, reference_ids: list[tuple[str, int]], seed: int
    ) -> None:
        self.material = material
        self.reference_ids = reference_ids
        self.release = {reference_id for reference_id, _ in reference_ids}
        self.seed = seed
        self._classifications = _cumulative(CLASSIFICATION_WEIGHTS)
        self._reference_counts = _cumulative(REFERENCE_COUNT_WEIGHTS)
        self._precedences = _cumulative(PRECEDENCE_WEIGHTS)
        self._upper_templates = [t for t in material.templates if t.upper] or material.templates

    def chosen_ids(self, count: int) -> Iterator[tuple[str, int]]:
        """`count` (ID, month) pairs in release order: a seeded subset, or all plus extra IDs."""
        total = len(self.reference_ids)
        if count <= total:
            picked = sorted(random.Random(self.seed).sample(range(total), count))
            for index in picked:
                yield self.reference_ids[index]
            return
        yield from self.reference_ids
        # Beyond the release: the same posts and months with serials no real cable has.
        for round_number in itertools.count(1):
            for reference_id, month in self.reference_ids:
                if count <= total:
                    return
                parts = _ID_PARTS.match(reference_id)
                if parts:
                    serial = int(parts.group(3)) + 1_000_000 * round_number
                    yield f"{parts.group(1)}{parts.group(2)}{serial}", month
                    count -= 1

    def rows(self, count: int) -> Iterator[list[str]]:
        rng = random.Random(self.seed * 1_000_003 + 17)
        earlier: list[str] = []
        for row_number, (reference_id, month) in enumerate(self.chosen_ids(count), 1):
            yield self.row_for(rng, row_number, reference_id, month, earlier)
            earlier.append(reference_id)

    # --- one cable -----------------------------------------------------------------------------

    def row_for(
        self, rng: random.Random, row_number: int, reference_id: str, month: int, earlier: list
    ) -> list[str]:
        parts = id_parts(reference_id)
        year, post, serial = parts if parts else (2009, "STATE", row_number)
        created = datetime(year, month, rng.randint(1, 28), rng.randrange(24), rng.randrange(60))
        classification = _weighted(rng, *self._classifications)
        template = rng.choice(self._upper_templates if year < 1990 else self.material.templates)
        references = self._references(rng, year, post, earlier)
        origin = self.material.origin_by_post.get(post) or (
            "Secretary of State" if post == "STATE" else f"Embassy {post.title()}"
        )
        header = self._header(rng, created, post, serial, classification)
        body = self._body(rng, template, created, post, serial, classification, references)
        return [
            str(row_number),
            csv_datetime(created),
            reference_id,
            origin,
            classification,
            "|".join(references),
            header,
            body,
        ]

    def _references(self, rng: random.Random, year: int, post: str, earlier: list) -> list[str]:
        wanted = _weighted(rng, *self._reference_counts)
        found: list[str] = []
        for _ in range(wanted):
            if earlier and rng.random() >= OUTSIDE_REFERENCE_SHARE:
                # Most references are to recent cables; some reach far back.
                window = earlier[-5000:] if rng.random() < 0.7 else earlier
                target = rng.choice(window)
            else:
                target = self._outside_reference(rng, year, post)
            if target not in found:
                found.append(target)
        return found

    def _outside_reference(self, rng: random.Random, year: int, post: str) -> str:
        ref_post = post if rng.random() < 0.5 else "STATE"
        while True:
            candidate = f"{year % 100:02d}{ref_post}{rng.randint(1, 99_999)}"
            if candidate not in self.release:
                return candidate

    def _header(
        self, rng: random.Random, created: datetime, post: str, serial: int, classification: str
    ) -> str:
        precedence = _weighted(rng, *self._precedences)
        zulu = f"{created.day:02d}{created.hour:02d}{created.minute:02d}Z"
        month = MONTH_ABBREVIATIONS[created.month - 1]
        sender = "SECSTATE WASHDC" if post == "STATE" else f"AMEMBASSY {post}"
        lines = [
            f"VZCZCXRO{rng.randint(1000, 9999)}",
            f"{precedence}{precedence} RUEH{post[:3]}",
            f"DE RUEH{post[:2]} #{serial % 10000:04d}/01 "
            f"{created.timetuple().tm_yday:03d}{created.hour:02d}{created.minute:02d}",
            "ZNY CCCCC ZZH" if classification.startswith(("C", "S")) else "ZNR UUUUU ZZH",
            f"{precedence} {zulu} {month} {created.year % 100:02d}",
            f"FM {sender}",
            f"TO RUEHC/SECSTATE WASHDC {rng.randint(1, 9999):04d}",
        ]
        posts = self.material.routing_posts
        if posts:
            infos = rng.sample(posts, min(len(posts), rng.randint(0, 4)))
            for index, info in enumerate(infos):
                prefix = "INFO " if index == 0 else ""
                lines.append(f"{prefix}RUEH{info[:2]}/AMEMBASSY {info} {rng.randint(1, 9999):04d}")
        return "\n".join(lines)

    def _body(
        self,
        rng: random.Random,
        template: Template,
        created: datetime,
        post: str,
        serial: int,
        classification: str,
        references: list[str],
    ) -> str:
        unclassified = classification.startswith("UNCLASSIFIED")
        lines = [f"{CLASSIFICATION_LINES[classification]} {post} {serial:06d} ", "", "SIPDIS", ""]
        if classification.endswith("NOFORN"):
            lines[2:2] = ["NOFORN", ""]
        if classification == "UNCLASSIFIED//FOR OFFICIAL USE ONLY":
            lines[2:2] = ["SENSITIVE", ""]
        declassify = (
            "N/A" if unclassified else (created + timedelta(days=3652)).strftime("%m/%d/%Y")
        )
        lines.append(f"E.O. 12958: DECL: {declassify}")
        tags = list(template.tags) or ["PREL", "PGOV"]
        if post in KAZAKH_POSTS and "KZ" not in tags:
            tags.append("KZ")
        lines.append(f"TAGS: {' '.join(tags)}")
        lines.append(f"SUBJECT: {template.subject or 'NO SUBJECT'}")
        lines.append("")
        if references:
            items = []
            for letter, target in zip("ABCDEFGHIJ", references, strict=False):
                parts = id_parts(target)
                if parts:
                    items.append(f"{letter}. {parts[0] % 100:02d} {parts[1]} {parts[2]}")
            if items:
                lines.append("REF: " + "\n     ".join(items))
                lines.append("")
        signer = self._signer(rng, post, template)
        if not unclassified:
            lines.append(f"Classified By: Ambassador {signer.title()}, reasons 1.4 (b) and (d)")
            lines.append("")
        kazakh = post in KAZAKH_POSTS
        one_kazakh = not kazakh and rng.random() < KAZAKH_ELSEWHERE_CHANCE
        marking = MARKINGS[classification]
        for number, length in enumerate(template.paragraph_lengths, 1):
            text = self._paragraph_text(rng, length, template.upper, kazakh)
            if one_kazakh and number == 1:
                text = f"{text} {self._kazakh_sentence(rng, template.upper)}"
            mark = f"({marking}) " if template.marked else ""
            lines.append(f"{number}. {mark}{text}")
            lines.append("")
        lines.append(signer)
        return "\n".join(lines)

    def _signer(self, rng: random.Random, post: str, template: Template) -> str:
        known = self.material.signers_by_post.get(post)
        if known:
            return known[rng.randrange(len(known))]
        # A post with no sample cable: a stable signer of its own, chosen by the post's name.
        signers = [t.signer for t in self.material.templates if t.signer]
        if not signers:
            return "RICE"
        return signers[sum(map(ord, post)) % len(signers)]

    def _kazakh_sentence(self, rng: random.Random, upper: bool) -> str:
        sentence = rng.choice(self.material.kazakh_sentences)
        return sentence.upper() if upper else sentence

    def _paragraph_text(self, rng: random.Random, length: int, upper: bool, kazakh: bool) -> str:
        pool = self.material.upper_sentences if upper else self.material.sentences
        pieces: list[str] = []
        size = 0
        while size < length * 0.9 or not pieces:
            if kazakh and rng.random() < KAZAKH_SENTENCE_SHARE:
                sentence = self._kazakh_sentence(rng, upper)
            else:
                sentence = pool[rng.randrange(len(pool))]
            pieces.append(sentence)
            size += len(sentence) + 1
        return " ".join(pieces)


class _GzipOutput(io.TextIOWrapper):
    """Text into a gzip file with a fixed header time, so equal content gives equal bytes whatever the name."""

    def __init__(self, path: Path) -> None:
        self._raw = open(path, "wb")  # noqa: SIM115 - closed in close()
        # Level 3: most of the size gain of the default level at several times its speed.
        compressed = gzip.GzipFile(
            filename="", fileobj=self._raw, mode="wb", compresslevel=3, mtime=0
        )
        super().__init__(compressed, encoding="utf-8", newline="")

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._raw.close()


def open_output(path: Path):
    """A text handle for `path`, gzip-compressed when the name ends in .gz."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".gz":
        return _GzipOutput(path)
    return open(path, "w", encoding="utf-8", newline="")


def format_row(values: list[str]) -> str:
    """One row as the official cables.csv writes it.

    Every field quoted; backslash, double quote and apostrophe escaped with a backslash (the
    official file writes `ADVISORS\\' QUALMS`, which `csv.writer` cannot produce); fields keep
    their newlines; rows end with a newline. `csv.reader(..., escapechar="\\",
    doublequote=False)` reads it back exactly.
    """
    return ",".join(f'"{_escape(value)}"' for value in values) + "\n"


def _escape(value: str) -> str:
    # Chained replace runs in C; str.translate to multi-character strings is 50 times slower.
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("'", "\\'")


def write_corpus(
    generator: CorpusGenerator, count: int, out: Path, progress=None, every: int = 10_000
) -> int:
    """Write `count` cables to `out`; returns the number written."""
    written = 0
    with open_output(out) as handle:
        for row in generator.rows(count):
            handle.write(format_row(row))
            written += 1
            if progress is not None and written % every == 0:
                progress(written)
    return written
