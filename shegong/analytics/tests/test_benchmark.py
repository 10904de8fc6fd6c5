"""`./dev bench analytics` runs end to end at a tiny scale on the test database, through the bench command and the
same code path as the province run (generation, rebuild, panel against the naive way, writes, verify), so it cannot
rot. It times nothing: the figures it prints are not asserted, only that they are there and that the aggregates
agree with the raw records."""

import io
import re

import pytest
from django.core.management import call_command

from shegong.analytics import benchmarks
from shegong.analytics.models import Aggregate
from shegong.persontimes.models import PersonTime

pytestmark = pytest.mark.django_db


def test_the_benchmark_runs_at_a_tiny_scale_and_its_figures_agree_with_the_records():
    out = io.StringIO()
    call_command("bench", "analytics", "scale=tiny", "database=current", "records=300", "writes=6", stdout=out)
    text = out.getvalue()

    for level, name in benchmarks.LEVEL_NAMES.items():
        assert re.search(rf"^{level} {name}\s+\d+(\s+[\d.]+){{4}}\s+([\d.]+|-)\s+[\d.]+\s+\d+×$", text, re.M), text
    assert re.search(r"^maintenance on \(drain at commit\)\s+6\s+[\d.]+", text, re.MULTILINE), text
    assert re.search(r"^maintenance paused\s+6\s+[\d.]+", text, re.MULTILINE), text
    assert re.search(r"full rebuild \(maintenance.rebuild\): [\d.]+ s for 300 records", text), text
    # The writes made with maintenance on are counted; those made paused were deleted again, so nothing drifted.
    assert "verify after the writes: 0 differing aggregate rows" in text
    # 300 generated, then 6 written with the aggregates applied at commit (and 6 queued for a worker, then drained,
    # where the outbox exists); the paused ones are gone.
    queued = 6 if "queued for worker" in text else 0
    assert PersonTime.objects.filter(agency=benchmarks._agency()).count() == 306 + queued
    assert Aggregate.objects.filter(fact="person_times", level=1, grain="Y", dim="", dim2="").exists()


def test_the_naive_way_and_the_aggregates_give_the_same_figures_for_a_community_and_a_county():
    call_command(
        "bench", "analytics", "scale=tiny", "database=current", "records=200", "writes=0", stdout=io.StringIO()
    )
    from django.utils import timezone

    from shegong.analytics.periods import year_to_date
    from shegong.regions.models import Region

    period = year_to_date(timezone.localdate())
    indicators = benchmarks.panel_indicators()
    assert {indicator.code for indicator in indicators} >= {"person_times", "person_times_casework"}
    busiest = (
        PersonTime.objects.filter(region__level=5, occurred_on__gte=period.start)
        .values_list("region_id", flat=True)
        .order_by("region_id")
        .first()
    )
    for code in (busiest, busiest[:6] + "000000"):
        region = Region.objects.get(pk=code)
        fast = benchmarks.panel(indicators, region, period)
        slow = benchmarks.naive_panel(indicators, region, period)
        assert {key: value or 0 for key, value in fast.items()} == slow
        assert slow[("person_times", code)] > 0
