"""The five seed cables (sample_corpus/mirror-pages) as archive rows, for the entity tests
(`tests.helpers.seed_mirror_pages`)."""

import pytest

from tests.helpers import SEED_REFERENCES, seed_mirror_pages


@pytest.mark.django_db
def test_the_seed_cables_have_their_real_paragraphs():
    cables = {cable.reference_id: cable for cable in seed_mirror_pages()}
    assert set(cables) == set(SEED_REFERENCES)
    first = cables["07ASTANA2223"].paragraphs.order_by("number").first()
    assert "Kazakhstan's parliamentary elections headed" in first.text
    assert cables["07ASTANA2244"].paragraphs.count() >= 20
