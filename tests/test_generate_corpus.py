"""The synthetic full-size corpus: deterministic, in the official layout, realistic in its mix."""

import csv
import io
import random
import statistics
from collections import Counter

import pytest
from django.core.management import call_command

from cables.parsing import iter_path
from cables.parsing.fields import parse_csv_datetime
from cables.tooling.corpus_generator import (
    CLASSIFICATION_WEIGHTS,
    CorpusGenerator,
    SourceMaterial,
    format_row,
    id_parts,
    load_reference_ids,
    write_corpus,
)

from .conftest import CORPUS, FIRST_ROWS_CSV, MIRROR_PAGES, SAMPLE_CSV

SIZE = 1500
STARTER_NAMES = ("Nazarbayev", "Tuyakbay", "Abilov", "Nur Otan", "Ak Zhol", "NSDP")


@pytest.fixture(scope="module")
def material():
    return SourceMaterial.load(SAMPLE_CSV, MIRROR_PAGES)


@pytest.fixture(scope="module")
def release():
    return load_reference_ids(CORPUS / "cable2month.csv.gz")


@pytest.fixture(scope="module")
def corpus(material, release, tmp_path_factory):
    path = tmp_path_factory.mktemp("corpus") / "cables.csv"
    write_corpus(CorpusGenerator(material, release, seed=7), SIZE, path)
    return path


@pytest.fixture(scope="module")
def parsed(corpus):
    return list(iter_path(corpus))


@pytest.fixture(scope="module")
def rows(corpus):
    with open(corpus, encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle, escapechar="\\", doublequote=False))


def test_the_writer_reproduces_the_official_first_rows_byte_for_byte():
    original = FIRST_ROWS_CSV.read_bytes()
    parsed = list(
        csv.reader(io.StringIO(original.decode(), newline=""), escapechar="\\", doublequote=False)
    )
    assert "".join(format_row(row) for row in parsed).encode() == original


def test_the_month_numbers_are_months_of_the_year(release):
    months = dict(release)
    assert len(release) == 251_287
    assert months["07ASTANA2223"] == 8
    assert months["66BUENOSAIRES2481"] == 12
    assert {month for _, month in release} == set(range(1, 13))


def test_the_same_seed_gives_the_same_bytes_and_another_seed_differs(material, release, tmp_path):
    paths = {}
    for name, seed in (("a", 3), ("b", 3), ("c", 4)):
        paths[name] = tmp_path / f"{name}.csv.gz"
        write_corpus(CorpusGenerator(material, release, seed=seed), 150, paths[name])
    assert paths["a"].read_bytes() == paths["b"].read_bytes()
    assert paths["a"].read_bytes() != paths["c"].read_bytes()


def test_rows_have_the_eight_fields_of_cables_csv_and_round_trip(rows, material, release):
    assert len(rows) == SIZE
    assert {len(row) for row in rows} == {8}
    regenerated = list(CorpusGenerator(material, release, seed=7).rows(SIZE))
    assert rows == regenerated
    assert [row[0] for row in rows] == [str(n) for n in range(1, SIZE + 1)]


def test_reference_ids_and_dates_come_from_the_release(rows, release):
    months = dict(release)
    ids = [row[2] for row in rows]
    assert len(set(ids)) == SIZE
    assert all(reference_id in months for reference_id in ids)
    for row in rows:
        created = parse_csv_datetime(row[1])
        year, _, _ = id_parts(row[2])
        assert (created.year, created.month) == (year, months[row[2]])


def test_classifications_follow_the_release_mix(rows):
    counts = Counter(row[4] for row in rows)
    total = sum(CLASSIFICATION_WEIGHTS.values())
    for classification, weight in CLASSIFICATION_WEIGHTS.items():
        assert counts[classification] / SIZE == pytest.approx(weight / total, abs=0.03)


def test_references_point_mostly_inside_the_corpus_and_some_outside(rows, release):
    in_release = {reference_id for reference_id, _ in release}
    generated = set()
    inside = outside = 0
    for row in rows:
        for target in filter(None, row[5].split("|")):
            if target in generated:
                inside += 1
            else:
                assert target not in in_release
                outside += 1
        generated.add(row[2])
    per_cable = (inside + outside) / SIZE
    assert 0.7 < per_cable < 1.2
    assert 0.15 < outside / (inside + outside) < 0.35


def test_the_project_parser_reads_every_cable_with_its_fields(parsed, rows):
    assert len(parsed) == SIZE
    assert all(cable.ok for cable in parsed)
    more_than_written = 0
    for cable, row in zip(parsed, rows, strict=True):
        assert cable.reference_id == row[2]
        assert cable.classification == row[4]
        written = set(filter(None, row[5].split("|")))
        # Every REF the generator wrote is read; real paragraph text it recycles may hold a REF
        # of its own (`... poorest regions. REF: QUITO 877 CLASSIFIED BY: ...`).
        assert written <= set(cable.references)
        more_than_written += set(cable.references) != written
        assert cable.tags and cable.subject and cable.signers and cable.paragraphs
    assert more_than_written <= SIZE // 100


def test_paragraph_counts_and_lengths_match_the_real_sample(material, parsed):
    real = material.templates
    generated = parsed
    real_counts = [len(t.paragraph_lengths) for t in real]
    generated_counts = [len(c.paragraphs) for c in generated]
    assert abs(statistics.median(generated_counts) - statistics.median(real_counts)) <= 1
    assert statistics.mean(generated_counts) == pytest.approx(
        statistics.mean(real_counts), rel=0.15
    )
    real_size = statistics.median(sum(t.paragraph_lengths) for t in real)
    generated_size = statistics.median(sum(len(p.text) for p in c.paragraphs) for c in generated)
    assert generated_size == pytest.approx(real_size, rel=0.25)


def test_cables_from_kazakh_posts_name_the_starter_entities(material, release):
    generator = CorpusGenerator(material, release, seed=1)
    rng = random.Random(1)
    kazakh = [generator.row_for(rng, n, f"07ASTANA{n}", 8, [])[7] for n in range(1, 41)]
    elsewhere = [generator.row_for(rng, n, f"07CAIRO{n}", 8, [])[7] for n in range(1, 41)]

    def naming(bodies):
        return sum(any(name in body for name in STARTER_NAMES) for body in bodies)

    assert naming(kazakh) >= 20
    assert naming(elsewhere) <= 3


def test_the_command_writes_a_gzip_corpus(tmp_path):
    out = tmp_path / "small.csv.gz"
    call_command("generate_corpus", cables=20, out=str(out), seed=5, stdout=io.StringIO())
    parsed = list(iter_path(out))
    assert len(parsed) == 20 and all(cable.ok for cable in parsed)
