"""The demo (deterministic, idempotent, every status and rating level present) and the badge other apps show."""

import io

import pytest
from django.template import Context, Template

from shegong.agencies import demo, services
from shegong.agencies.models import Agency, AgencyRating, AgencyStatus
from shegong.agencies.tests.conftest import days_ago

pytestmark = pytest.mark.django_db


def load(context=None):
    context = context if context is not None else {"stdout": io.StringIO(), "logins": []}
    demo.load(context)
    return context


def test_the_demo_keeps_the_first_three_and_has_every_status_and_level_and_loads_once():
    context = load()
    assert [agency.name for agency in context["agencies"]] == [name for name, _region, _form in demo.DEMO_AGENCIES]
    agencies = list(Agency.objects.all())
    assert len(agencies) >= 300
    assert {agency.current_status() for agency in agencies} == set(AgencyStatus.values)
    assert {agency.current_rating_level() for agency in agencies} >= {1, 2, 3, 4, 5, None}
    lapsed = [agency for agency in agencies if agency.latest_rating_level and agency.current_rating_level() is None]
    assert lapsed
    assert len({agency.region_id[:6] for agency in agencies}) == 11  # every district of 广州
    names = sorted(Agency.objects.values_list("name", "credit_code", "latest_status"))
    ratings = AgencyRating.objects.count()
    load()
    assert sorted(Agency.objects.values_list("name", "credit_code", "latest_status")) == names
    assert AgencyRating.objects.count() == ratings


def test_the_demo_is_the_same_on_every_database():
    plan = list(demo._plan(*_districts(), days_ago(0), lambda region, day: _policy()))
    again = list(demo._plan(*_districts(), days_ago(0), lambda region, day: _policy()))
    assert [(row[0].name, row[0].credit_code, row[1], row[2]) for row in plan] == [
        (row[0].name, row[0].credit_code, row[1], row[2]) for row in again
    ]


def _districts():
    from shegong.regions.models import Region

    districts = list(Region.objects.filter(parent_id=demo.CITY, level=3).order_by("code"))
    return districts, {district.code: [] for district in districts}


def _policy():
    from shegong.agencies import rules

    return rules.rating_policy("440104000000", days_ago(0))


def render(agency, **options) -> str:
    args = " ".join(f"{key}={value}" for key, value in options.items())
    return Template("{% load agencies %}{% agency_badge agency " + args + " %}").render(Context({"agency": agency}))


def test_the_badge_marks_listed_agencies_only_and_costs_no_query(world, django_assert_num_queries):
    agency = Agency.objects.get(pk=world.agency_a.pk)
    with django_assert_num_queries(0):
        assert render(agency).strip() == ""
        assert "正常" in render(agency, show_normal=True)
        assert render(None).strip() == ""
    services.agency_change_status(
        actor=world.city_admin,
        agency=agency,
        status=AgencyStatus.BLACKLIST,
        reason="违法",
        source_document="甲",
        valid_from=days_ago(2),
    )
    services.agency_rate(
        actor=world.city_admin, agency=agency, level=4, score=880, rated_on=days_ago(2), source_document="乙"
    )
    agency = Agency.objects.get(pk=agency.pk)
    with django_assert_num_queries(0):
        html = render(agency, show_rating=True)
    assert 'data-testid="agency-status-blacklist"' in html and "黑名单" in html and "4A" in html
