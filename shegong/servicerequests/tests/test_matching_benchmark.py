"""The matching benchmark runs end to end on a small batch of 广东's real communities and reports an exact match
with the reference (the timing goals are the benchmark's business, not the tests')."""

import io

import pytest

from shegong.servicerequests.benchmarks import BENCHMARKS, _communities, _generate


@pytest.mark.django_db
def test_benchmark_reports_both_solvers_and_no_gap():
    out = io.StringIO()

    class Writer:
        def write(self, text):
            out.write(text + "\n")

    BENCHMARKS["requests-matching"](Writer(), requests="400", workers="150", seed="3", repeat="1")
    text = out.getvalue()
    assert "广东省: 26,842 communities in 124 districts (shipped division files)" in text
    assert "gap: 0.000000 % (goal ≤ 1 %)" in text
    assert "generated 400 pending requests and 150 workers" in text
    lines = {line.split("  ")[0]: line.split() for line in text.splitlines() if line.startswith(("assigned", "total"))}
    assert lines["assigned"][1] == lines["assigned"][2], "solve and the reference assign as many"


@pytest.mark.django_db
def test_generated_batch_stays_inside_the_province_and_the_rules():
    import random

    communities, _source = _communities()
    assert communities and all(code.startswith("44") and len(code) == 12 for code in communities)
    batch, staff = _generate(communities, 200, 80, random.Random(1))
    assert len({r.id for r in batch}) == 200 and len({w.id for w in staff}) == 80
    assert all(0 <= w.open_load <= w.capacity and 3 <= w.capacity <= 8 for w in staff)
    assert all(street[:6] in w.districts for w in staff for street in w.streets)


@pytest.mark.django_db
def test_communities_come_from_the_region_table_only_when_it_holds_the_whole_province(monkeypatch):
    from shegong.regions.models import Region

    # The test database holds 广州's communities only: not all of 广东, so the shipped files are read.
    assert Region.objects.filter(level=5, pk__startswith="4401").exists()
    assert not Region.objects.filter(level=5, pk__startswith="4403").exists()
    communities, source = _communities()
    assert source == "shipped division files"
    assert any(code.startswith("4403") for code in communities), "深圳's communities come from the files"
    # For an area whose every city is in the table (广州 alone), the table is used.
    monkeypatch.setattr("shegong.servicerequests.benchmarks.PROVINCE", "4401")
    codes, source = _communities()
    assert source == "Region table"
    assert codes == sorted(Region.objects.filter(level=5, pk__startswith="4401").values_list("pk", flat=True))
