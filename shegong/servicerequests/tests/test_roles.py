"""The roles grant the request permissions the brief names (station heads dispatch, bureaus oversee and dispatch)."""

import pytest

pytestmark = pytest.mark.django_db


def test_roles_grant_the_request_permissions(world):
    assert world.station_head_a.has_perm("servicerequests.dispatch_servicerequest")
    assert world.station_head_a.has_perm("servicerequests.view_servicerequest")
    assert world.district_a_admin.has_perm("servicerequests.dispatch_servicerequest")
    assert world.agency_admin_a.has_perm("servicerequests.view_servicerequest")
    assert not world.agency_admin_a.has_perm("servicerequests.dispatch_servicerequest")
    assert not world.worker_b.has_perm("servicerequests.view_servicerequest")
    assert not world.no_role.has_perm("servicerequests.view_servicerequest")
