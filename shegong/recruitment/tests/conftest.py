import datetime

import pytest
from django.utils import timezone

from shegong.recruitment import services
from shegong.talent.tests.factories import domain, make_user, make_worker
from shegong.testing.world import DISTRICT_A, STREET_A


@pytest.fixture
def make_opening(world):
    """An opening of agency A (published unless told otherwise), posted by its admin."""

    def make(publish=True, agency=None, actor=None, **fields):
        fields.setdefault("title", "一线社工")
        fields.setdefault("post_type", "professional")
        fields.setdefault("service_domain", domain())
        fields.setdefault("region", world.agency_a.region)
        fields.setdefault("headcount", 2)
        fields.setdefault("pay_min", 6000)
        fields.setdefault("pay_max", 8000)
        fields.setdefault("opens_on", timezone.localdate() - datetime.timedelta(days=5))
        opening = services.opening_create(
            agency=agency or world.agency_a, actor=actor or world.agency_admin_a, **fields
        )
        if publish:
            services.opening_publish(opening=opening, actor=actor or world.agency_admin_a)
            opening.refresh_from_db()
        return opening

    return make


@pytest.fixture
def applicant(world):
    """A social worker with a sign-in account (in district A, employed by a community)."""
    account = make_user("applicant", "social_worker", region=DISTRICT_A)
    return make_worker("应聘者", region=STREET_A, account=account)


@pytest.fixture
def make_applicant(world):
    def make(username: str, name: str = "", **values):
        account = make_user(username, "social_worker", region=DISTRICT_A)
        return make_worker(name or username, region=STREET_A, account=account, **values)

    return make
