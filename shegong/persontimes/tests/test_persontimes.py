"""服务人次: the services' record/erase, totals by scope and filters, the page, its export, the totals endpoint, the
station panel and the project's 实际产出 panel (planned against actual)."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from shegong.persontimes import selectors, services
from shegong.persontimes.models import PersonTime
from shegong.projects.models import PlannedOutput
from shegong.projects.tests.factories import make_project
from shegong.regions.models import Region
from shegong.stations.tests.factories import Kind, make_station
from shegong.talent.tests.factories import domain
from shegong.testing.matrix import assert_matrix
from shegong.testing.world import COMMUNITY_A, DISTRICT_A, STREET_A

pytestmark = pytest.mark.django_db

COMMUNITY_B = "440105001101"
STREET_B = "440105001000"
JAN, FEB = datetime.date(2026, 1, 10), datetime.date(2026, 2, 20)
YEAR = {"start": "2026-01-01", "end": "2026-10-31"}
SEES = {
    "city_admin": 200,
    "district_a_admin": 200,
    "district_b_admin": 200,
    "station_head_a": 200,
    "agency_admin_a": 200,
    "outsider": 200,
}


@pytest.fixture
def counted(world):
    domain("social_assistance", "社会救助")
    domain("community_building", "社区建设")
    world.station_a = make_station(Kind.STATION, STREET_A)
    world.station_b = make_station(Kind.STATION, STREET_B)
    world.project = make_project(DISTRICT_A, stations=[world.station_a])
    a = Region.objects.get(pk=COMMUNITY_A)
    services.record(
        kind=PersonTime.Kind.CASE_SESSION,
        source_id=1,
        occurred_on=JAN,
        count=1,
        station=world.station_a,
        region=a,
        domain="social_assistance",
        project=world.project,
    )
    services.record(
        kind=PersonTime.Kind.GROUP_SESSION,
        source_id=1,
        occurred_on=FEB,
        count=8,
        station=world.station_a,
        region=a,
        domain="social_assistance",
    )
    services.record(
        kind=PersonTime.Kind.ACTIVITY,
        source_id=1,
        occurred_on=FEB,
        count=50,
        station=world.station_b,
        region=Region.objects.get(pk=COMMUNITY_B),
        domain="community_building",
    )
    return world


def test_record_replaces_and_erase_removes(counted):
    row = services.record(
        kind=PersonTime.Kind.ACTIVITY, source_id=1, occurred_on=FEB, count=60, station=counted.station_b
    )
    assert PersonTime.objects.filter(kind="activity").count() == 1 and row.count == 60
    assert row.region_id == STREET_B and row.province_code == "44"
    assert services.record(kind="activity", source_id=1, occurred_on=FEB, count=0, station=counted.station_b) is None
    assert not PersonTime.objects.filter(kind="activity").exists()
    with pytest.raises(ValueError):
        services.record(kind="activity", source_id=2, occurred_on=FEB, count=-1, station=counted.station_b)


@pytest.mark.parametrize(
    ("user", "total"),
    [
        ("city_admin", 59),
        ("district_a_admin", 9),
        ("station_head_a", 9),
        ("district_b_admin", 50),
        ("agency_admin_a", 0),
        ("outsider", 0),
    ],
)
def test_totals_follow_the_scope(counted, user, total):
    sums = selectors.totals(selectors.person_times(getattr(counted, user)))
    assert sums.total == total


def test_totals_by_kind_domain_month_and_filters(counted):
    rows = selectors.person_times(counted.city_admin)
    assert selectors.totals(rows).by_kind == {"case_session": 1, "group_session": 8, "activity": 50}
    assert selectors.by_domain(rows) == {"social_assistance": 9, "community_building": 50}
    months = selectors.by_month(rows)
    assert [(m["month"], m["total"]) for m in months] == [
        (datetime.date(2026, 1, 1), 1),
        (datetime.date(2026, 2, 1), 58),
    ]
    assert selectors.totals(selectors.person_times(counted.city_admin, start=FEB)).total == 58
    assert selectors.totals(selectors.person_times(counted.city_admin, project=counted.project)).total == 1
    region = Region.objects.get(pk=DISTRICT_A)
    assert selectors.totals(selectors.person_times(counted.city_admin, region=region)).total == 9


def test_page_and_export_matrix(client, counted):
    url = reverse("persontimes:summary") + "?start=2026-01-01"
    assert_matrix(client, counted, url, {"anonymous": 302, **SEES}, default=403)
    assert_matrix(
        client, counted, reverse("persontimes:export"), {"anonymous": 302, **SEES}, default=403, method="post"
    )


def test_page_shows_the_viewers_figures(client, counted):
    client.force_login(counted.district_a_admin)
    response = client.get(reverse("persontimes:summary"), YEAR)
    assert response.context["totals"].total == 9
    assert ("社会救助", 9) in response.context["domains"]
    response = client.get(reverse("persontimes:summary"), {**YEAR, "domain": "community_building"})
    assert response.context["totals"].total == 0
    client.force_login(counted.city_admin)
    response = client.get(reverse("persontimes:summary"), {**YEAR, "station": counted.station_b.pk})
    assert response.context["totals"].total == 50


def test_export_sums_by_month_kind_and_domain(client, counted):
    client.force_login(counted.city_admin)
    response = client.post(reverse("persontimes:export") + "?start=2026-01-01&end=2026-10-31")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    body = [row for row in rows if row and row[0] in ("2026-01", "2026-02")]
    assert ("2026-02", "社区活动", "社区建设", 50, 1) in [tuple(row[:5]) for row in body]


def test_api_totals_matrix_and_filters(client, counted):
    url = "/api/v1/persontimes/totals?start=2026-01-01"
    assert_matrix(client, counted, url, {"anonymous": 401, **SEES}, default=403)
    client.force_login(counted.district_b_admin)
    answer = client.get("/api/v1/persontimes/totals", YEAR).json()
    assert answer["total"] == 50 and answer["by_kind"] == {"activity": 50}
    assert answer["by_month"] == [{"month": "2026-02", "by_kind": {"activity": 50}, "total": 50}]
    # A project or station outside the caller's scope is not a filter they can use.
    assert client.get("/api/v1/persontimes/totals", {"project": counted.project.pk}).status_code == 422
    assert client.get("/api/v1/persontimes/totals", {"region": "440104"}).status_code == 422


def test_station_panel(client, counted):
    client.force_login(counted.city_admin)
    totals = selectors.station_this_year(counted.station_a, on=datetime.date(2026, 11, 1))
    assert totals.total == 9 and totals.by_kind == {"case_session": 1, "group_session": 8}
    page = client.get(reverse("stations:detail", args=[counted.station_a.code])).content.decode()
    assert 'data-testid="station-person-times"' in page


def test_project_panel_compares_planned_with_actual(client, counted):
    from shegong.casework.tests.factories import Setting, open_case, post
    from shegong.groupwork.tests.factories import make_activity
    from shegong.recipients.tests.factories import make_recipient
    from shegong.stations.tests.factories import make_worker

    worker = post(counted.station_a, make_worker(region=STREET_A))
    setting = Setting(station=counted.station_a, worker=worker, recipient=make_recipient("陈大文", COMMUNITY_A))
    open_case(setting, project=counted.project)
    make_activity(counted.station_a, worker, COMMUNITY_A, project=counted.project, participants_count=30)
    PlannedOutput.objects.create(project=counted.project, measure="person_times", domain="", planned=100)
    PlannedOutput.objects.create(project=counted.project, measure="cases", domain="social_assistance", planned=4)
    lines = {(line.measure, line.domain): line for line in selectors.project_outputs(counted.project)}
    assert lines[("person_times", "")].actual == 31 and lines[("person_times", "")].percent == 31
    assert lines[("cases", "social_assistance")].actual == 1 and lines[("cases", "social_assistance")].percent == 25
    assert lines[("activities", "")].planned is None and lines[("activities", "")].actual == 1
    assert ("groups", "") not in lines
    client.force_login(counted.city_admin)
    page = client.get(reverse("projects:detail", args=[counted.project.pk])).content.decode()
    assert 'data-testid="project-outputs"' in page and "实际产出" in page
