"""Real sample cables for the curation tests: the Brazilian cables naming Celso Amorim (one
also names Jaime Amorim, an MST leader), and cables from Baku, Ankara, Moscow and Astana that
name an Aliyev (Ilham Aliyev in Baku, Rakhat Aliyev in Astana)."""

from functools import cache

from cables.ingest.incremental import ingest_records, iter_path
from tests.conftest import CABLEGATE_HTML, SAMPLE_CSV

AMORIM_CSV = {"04BRASILIA873", "09STATE100957", "10BRASILIA7", "09BRASILIA1443"}
AMORIM_HTML = {"03BRASILIA3459", "05BRASILIA715"}
ALIYEV_CSV = {
    "08ASTANA338", "09ASTANA677", "06BAKU1661", "06BAKU1771", "07BAKU522", "10BAKU54",
    "06MOSCOW5645", "10ANKARA302",
}  # fmt: skip


@cache
def _sample_records() -> dict:
    return {
        record.reference_id: record
        for record in iter_path(SAMPLE_CSV)
        if getattr(record, "reference_id", None) in AMORIM_CSV | ALIYEV_CSV
    }


def ingest_sample(references: set[str], html: set[str] = frozenset()) -> None:
    records = _sample_records()
    ingest_records(records[reference] for reference in sorted(references))
    if html:
        ingest_records(
            record for path in CABLEGATE_HTML if path.stem in html for record in iter_path(path)
        )
