"""No N+1: a list page costs the same number of queries whatever the number of rows on it."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from shegong.talent import services
from shegong.talent.models import Honour, LeadingTalent
from shegong.talent.tests.factories import make_worker

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def add_supervisors(world, count: int, region: str) -> None:
    for _ in range(count):
        worker = make_worker(region=region, agency=world.agency_a if region.startswith("440104") else None)
        profile = services.supervisor_appoint(
            worker=worker,
            grade="junior",
            grade_since=datetime.date(2023, 1, 1),
            approving_authority="协会",
            actor=world.city_admin,
        )
        group = [make_worker(region=region), make_worker(region=region)]
        services.session_create(
            supervisor=profile,
            supervisees=group,
            held_on=TODAY,
            hours=Decimal("2"),
            topic="t",
            mode="group",
            actor=world.city_admin,
        )
        LeadingTalent.objects.create(
            worker=worker, level="municipal", selected_year=2022, field="社区", recorded_by=world.city_admin
        )
        Honour.objects.create(
            worker=worker,
            title="优秀",
            level="district",
            awarded_on=datetime.date(2023, 1, 1),
            awarding_body="区",
            recorded_by=world.city_admin,
        )


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    "url_name", ["talent:supervisor_list", "talent:session_list", "talent:leading_list", "talent:honour_list"]
)
def test_list_queries_do_not_grow_with_rows(client, world, url_name):
    client.force_login(world.city_admin)
    add_supervisors(world, 2, "440104003000")
    few = queries(client, reverse(url_name))
    # More rows, spread over more regions (the ratio limits are read once per page, not per row).
    add_supervisors(world, 4, "440105001000")
    add_supervisors(world, 2, "440106000000")
    assert queries(client, reverse(url_name)) == few
