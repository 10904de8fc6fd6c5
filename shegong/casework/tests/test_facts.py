"""Cases opened, closed and open in the indicator catalogue follow opening, domain changes, closing and reopening."""

import datetime

import pytest

from shegong.analytics import maintenance
from shegong.analytics.catalogue import indicator
from shegong.analytics.figures import Node, breakdown, evaluate
from shegong.analytics.periods import Period
from shegong.casework import services
from shegong.casework.models import Case, ClosureReason
from shegong.casework.tests.factories import OPENED, open_case, setting_a, setting_b
from shegong.regions.models import Region
from shegong.stations.tests.factories import service_domain
from shegong.testing.world import COMMUNITY_A, DISTRICT_A, DISTRICT_B

pytestmark = pytest.mark.django_db

MARCH = Period(datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))
APRIL = Period(datetime.date(2026, 4, 1), datetime.date(2026, 4, 30))
YEAR = Period(datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
CLOSED_ON = datetime.date(2026, 4, 10)


def value(code: str, region: str, period: Period):
    node = Node.of(Region.objects.get(pk=region))
    return evaluate([indicator(code)], [node], period)[(code, node)].value


def close(case: Case, reason=ClosureReason.CLIENT_ENDED, on=CLOSED_ON) -> Case:
    return services.case_move(
        case=case,
        to=Case.Stage.CLOSED,
        actor=None,
        closure_reason=reason,
        closure_summary="服务对象表示不再需要",
        on=on,
    )


def test_opened_closed_and_open_cases_follow_the_case(world):
    here = setting_a(world)
    first = open_case(here)
    open_case(here, opened_on=OPENED + datetime.timedelta(days=3))
    open_case(setting_b(world))
    assert value("cases_opened", DISTRICT_A, MARCH) == 2
    assert value("cases_opened", COMMUNITY_A, MARCH) == 2
    assert value("cases_opened", DISTRICT_B, MARCH) == 1
    assert value("cases_opened", DISTRICT_A, APRIL) == 0
    assert value("cases_open", DISTRICT_A, APRIL) == 2
    assert value("cases_open", DISTRICT_A, Period(datetime.date(2026, 2, 1), datetime.date(2026, 2, 28))) == 0

    close(first)
    assert value("cases_closed", DISTRICT_A, APRIL) == 1
    assert value("cases_closed", DISTRICT_A, MARCH) == 0
    assert value("cases_open", DISTRICT_A, MARCH) == 2  # still open at the end of March
    assert value("cases_open", DISTRICT_A, APRIL) == 1
    assert value("cases_goals_met_share", DISTRICT_A, YEAR) == 0

    # 重新开案: the case is open again and its earlier closure is no longer counted.
    services.case_move(case=Case.objects.get(pk=first.pk), to=Case.Stage.ASSESSMENT, actor=None, reason="问题复发")
    assert value("cases_closed", DISTRICT_A, YEAR) == 0
    assert value("cases_open", DISTRICT_A, APRIL) == 2
    assert maintenance.verify() == (0, [])


def test_domain_change_moves_the_case_in_the_breakdown(world):
    here = setting_a(world)
    service_domain("elderly")
    case = open_case(here)
    services.case_update(case=case, actor=None, domain="elderly")
    node = Node.of(Region.objects.get(pk=DISTRICT_A))
    assert [(code, total) for code, _label, total in breakdown(indicator("cases_opened"), node, YEAR)] == [
        ("elderly", 1)
    ]
    assert [(code, total) for code, _label, total in breakdown(indicator("cases_open"), node, YEAR)] == [("elderly", 1)]
    close(Case.objects.get(pk=case.pk), reason=ClosureReason.MOVED_AWAY)
    assert [(code, total) for code, _label, total in breakdown(indicator("cases_closed"), node, YEAR)] == [
        ("moved_away", 1)
    ]
    assert value("cases_open", DISTRICT_A, YEAR) == 0
    assert maintenance.verify() == (0, [])
