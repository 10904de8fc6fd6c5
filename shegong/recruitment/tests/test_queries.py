"""No N+1: a list page costs the same number of queries whatever the number of rows on it."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from shegong.recruitment import services
from shegong.recruitment.models import JobApplication
from shegong.talent.tests.factories import make_worker
from shegong.testing.world import STREET_A

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def grow(world, make_opening, make_applicant):
    counter = iter(range(1000))

    def add(count: int) -> None:
        for _ in range(count):
            serial = next(counter)
            opening = make_opening(title=f"岗位{serial}")
            worker = make_applicant(f"user{serial}")
            application = services.application_submit(opening=opening, worker=worker, actor=worker.account)
            services.application_transition(
                application=application, to_state=JobApplication.State.SHORTLISTED, actor=world.agency_admin_a
            )
            services.application_hire(application=application, started_on=TODAY, actor=world.agency_admin_a)
            staff = make_worker(region=STREET_A, agency=world.agency_a, job_grade="assistant_1")
            services.pay_record(
                worker=staff, effective_from=TODAY, monthly_pay=Decimal("6000"), actor=world.agency_admin_a
            )

    return add


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    "url_name",
    [
        "recruitment:opening_list",
        "recruitment:manage_list",
        "recruitment:application_list",
        "recruitment:employment_list",
        "recruitment:pay_list",
    ],
)
def test_list_queries_do_not_grow_with_rows(client, world, grow, url_name):
    grow(2)
    client.force_login(world.agency_admin_a)
    few = queries(client, reverse(url_name))
    grow(4)
    assert queries(client, reverse(url_name)) == few
