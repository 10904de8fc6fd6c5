"""The sections this app and the talent app add to a worker's profile pages."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from shegong.recruitment import services
from shegong.talent import services as talent_services
from shegong.talent.tests.factories import make_user

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_staff_and_own_profile_pages_show_the_sections(client, world, make_opening, applicant):
    opening = make_opening(title="档案页岗位")
    services.application_submit(opening=opening, worker=applicant, actor=applicant.account)
    talent_services.honour_create(
        worker=applicant,
        title="越秀区优秀社工",
        level="district",
        awarded_on=datetime.date(2023, 5, 1),
        awarding_body="越秀区民政局",
        actor=world.district_a_admin,
    )
    services.pay_record(
        worker=applicant, effective_from=TODAY, monthly_pay=Decimal("6000"), actor=world.district_a_admin
    )
    client.force_login(world.district_a_admin)
    page = client.get(reverse("workers:detail", args=[applicant.pk])).content.decode()
    assert 'data-testid="talent-section"' in page and "越秀区优秀社工" in page
    assert 'data-testid="recruitment-section"' in page and "档案页岗位" in page
    assert 'data-testid="pay-link"' in page
    client.force_login(applicant.account)
    own = client.get(reverse("workers:me")).content.decode()
    assert "越秀区优秀社工" in own and "档案页岗位" in own
    assert 'data-testid="pay-link"' not in own


def test_the_pay_link_follows_pay_visibility(client, world, make_opening, applicant):
    other_agency_admin = make_user("agency_b_admin", "agency_admin", agency=world.agency_b)
    client.force_login(world.station_head_a)
    page = client.get(reverse("workers:detail", args=[applicant.pk])).content.decode()
    assert 'data-testid="pay-link"' not in page
    client.force_login(other_agency_admin)
    assert client.get(reverse("workers:detail", args=[applicant.pk])).status_code == 404
