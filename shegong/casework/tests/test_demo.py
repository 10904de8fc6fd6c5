"""The casework demo on a small run: every stage, content matching the stage, person-times, the worker login's
cases, and a second load that changes nothing."""

import io

import pytest
from django.utils import timezone

from shegong.casework import demo, services
from shegong.casework.models import Case, CaseReview, CaseSession, CaseStageEvent
from shegong.casework.selectors import awaiting_review_q
from shegong.casework.tests.factories import DOMAIN, post
from shegong.persontimes.models import PersonTime
from shegong.recipients.models import Recipient
from shegong.recipients.tests.factories import COMMUNITY_A, make_recipient
from shegong.stations.tests.factories import Kind, make_station, make_user, make_worker, service_domain
from shegong.testing.world import STREET_A

pytestmark = pytest.mark.django_db


def test_demo_loads_once(monkeypatch, world):
    monkeypatch.setattr(demo, "COUNT", 60)
    service_domain(DOMAIN)
    station = make_station(Kind.STATION, STREET_A)
    room = make_station(Kind.ROOM, COMMUNITY_A)
    for _index in range(3):
        post(station, make_worker(region=STREET_A))
    login = make_user("worker", "social_worker", region=STREET_A)
    post(room, make_worker(region=COMMUNITY_A, account=login), role="resident")
    for index in range(70):
        make_recipient(f"测试{index}", COMMUNITY_A, station=room if index < 3 else station)
    out = io.StringIO()
    demo.load({"stdout": out})
    cases = Case.objects.all()
    assert cases.count() == 60
    assert "个案：60 个" in out.getvalue()
    assert set(cases.values_list("stage", flat=True)) == set(Case.Stage.values)
    # The room had 3 people: the demo registered 5 more there so the login "worker" carries WORKER_CASES cases.
    assert cases.filter(worker__account=login).count() >= demo.WORKER_CASES
    assert Recipient.objects.filter(community_id=COMMUNITY_A).count() == 75
    for case in cases:
        for stage in list(Case.Stage.values)[: list(Case.Stage.values).index(case.stage)]:
            if case.stage != Case.Stage.CLOSED:
                assert services.incomplete(case, stage) is None, (case.code, stage)
        assert (case.closed_on is not None) == (case.stage == Case.Stage.CLOSED)
    awaiting = cases.filter(awaiting_review_q()).count()
    assert 0 < awaiting < 60 and CaseReview.objects.exists()  # reviewed after their last move, the rest 待督导
    first = CaseStageEvent.objects.filter(to_stage="intake").select_related("case").first()
    assert timezone.localtime(first.at).date() == first.case.opened_on
    sessions = CaseSession.objects.count()
    assert sessions and PersonTime.objects.filter(kind="case_session").count() == sessions
    demo.load({"stdout": io.StringIO()})
    assert Case.objects.count() == 60


def test_demo_cases_count_toward_the_contracted_project_of_their_station(monkeypatch, world):
    import datetime

    from shegong.projects.models import Project
    from shegong.projects.tests.factories import make_project

    monkeypatch.setattr(demo, "COUNT", 20)
    service_domain(DOMAIN)
    station = make_station(Kind.STATION, STREET_A)
    for _index in range(2):
        post(station, make_worker(region=STREET_A))
    for index in range(25):
        make_recipient(f"测试{index}", COMMUNITY_A, station=station)
    today = timezone.localdate()
    project = make_project(
        stations=[station], start=today - datetime.timedelta(days=200), end=today + datetime.timedelta(days=100)
    )
    Project.objects.filter(pk=project.pk).update(
        stage=Project.Stage.EXECUTING, agency=world.agency_a, contract_date=project.start_date
    )
    demo.load({"stdout": io.StringIO()})
    for case in Case.objects.all():
        in_period = case.opened_on >= project.start_date
        assert (case.project_id == project.pk) == in_period, (case.code, case.opened_on)
    assert Case.objects.filter(project=project).exists()
