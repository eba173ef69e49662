"""scripts/load_test.py: its request mix is made of pages the archive answers, its report
counts what it saw, and it sends traffic to this machine only."""

import importlib.util
import sys
from collections import Counter
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import ROOT

spec = importlib.util.spec_from_file_location("load_test", ROOT / "scripts" / "load_test.py")
load_test = importlib.util.module_from_spec(spec)
sys.modules["load_test"] = load_test
spec.loader.exec_module(load_test)

pytestmark = pytest.mark.django_db


def test_the_mix_is_made_of_the_archives_own_values(mirror_archive):
    values = load_test.archive_values(sample=100)
    assert sorted(values.references) == sorted(
        ["07ASTANA2223", "05ALMATY4029", "07ASTANA2244", "07ASTANA1848", "05ALMATY4123"]
    )
    assert "Embassy Astana" in values.origins
    assert "KZ" in values.tags
    assert "nursultan-nazarbayev" in values.people


@pytest.mark.parametrize("mix", sorted(load_test.MIXES))
def test_every_url_of_the_mix_is_a_page_the_archive_answers(client, mirror_archive, mix):
    pool = load_test.url_pool(load_test.archive_values(sample=100), mix, 120, seed=3)
    kinds = Counter(kind for kind, _ in pool)
    assert set(kinds) == set(load_test.MIXES[mix])
    for kind, url in pool:
        assert url.startswith("/") and "#" not in url
        status = client.get(url).status_code
        # Deep pages past the end of five cables are a shape of the mix: 404, as they should.
        past_the_end = "page" in parse_qs(urlsplit(url).query)
        assert status == 200 or (past_the_end and status == 404), (kind, url, status)


def test_search_pages_come_in_many_shapes(mirror_archive):
    pool = load_test.url_pool(load_test.archive_values(sample=100), "search", 400, seed=1)
    queries = [parse_qs(urlsplit(url).query) for _, url in pool]
    boxes = [q["q"][0] for q in queries if "q" in q]
    assert any(box.startswith('"') for box in boxes)
    assert any(" OR " in box for box in boxes)
    assert any(" -" in box for box in boxes)
    assert any(box.endswith("*") for box in boxes)
    assert any("origin:" in box for box in boxes)
    assert any("q" not in q and "tag" in q for q in queries)  # facet-only
    assert {"created", "-created"} <= {q["sort"][0] for q in queries if "sort" in q}
    assert any(int(q["page"][0]) >= 20 for q in queries if "page" in q)


def test_the_report_counts_statuses_and_server_errors():
    results = load_test.Results()
    results.latencies["search"] = [0.010 * i for i in range(1, 101)]
    results.statuses["search"] = Counter({"200": 97, "304": 1, "503": 1, "timeout": 1})
    report = load_test.summary(results, wall=10.0)
    row = report["kinds"]["search"]
    assert row["requests"] == 100
    assert row["per_second"] == 10.0
    assert row["p50_ms"] == pytest.approx(505, abs=6)
    assert row["p95_ms"] == pytest.approx(950, abs=6)
    assert row["max_ms"] == 1000.0
    assert row["server_errors"] == 1
    assert row["failed"] == 1
    assert "5xx and failed requests: 2 (target 0)" in load_test.target_lines(report, 8)


@pytest.mark.parametrize(
    "url", ["http://example.org:8000", "https://127.0.0.1:8443", "http://10.0.0.5:8000"]
)
def test_it_loads_this_machine_only(url, capsys):
    with pytest.raises(SystemExit):
        load_test.arguments(["--url", url])
    assert "local traffic only" in capsys.readouterr().err
