import pytest

from shegong.accounts.models import Role, RoleAssignment, User
from shegong.registration.tests.factories import make_certificate, make_worker
from shegong.testing.world import CITY, DISTRICT_A


@pytest.fixture
def worker(world):
    """A worker of district A (越秀区) at the district A agency, with an account of their own."""
    account = User.objects.create_user(username="worker_a", password="x", display_name="越秀社工")
    return make_worker(name="李越秀", agency=world.agency_a, account=account)


@pytest.fixture
def certificate(worker):
    return make_certificate(worker, level="intermediate")


@pytest.fixture
def both_levels(world):
    """One person holding civil-affairs admin at district A and at the city: both reviews, but never both on one."""
    user = User.objects.create_user(username="both_levels", password="x")
    role = Role.objects.get(code="civil_affairs_admin")
    RoleAssignment.objects.create(user=user, role=role, region_id=DISTRICT_A)
    RoleAssignment.objects.create(user=user, role=role, region_id=CITY)
    return user


@pytest.fixture
def second_district_a_admin(world):
    user = User.objects.create_user(username="district_a_admin_2", password="x")
    RoleAssignment.objects.create(user=user, role=Role.objects.get(code="civil_affairs_admin"), region_id=DISTRICT_A)
    return user
