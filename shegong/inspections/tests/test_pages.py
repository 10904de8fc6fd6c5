"""Every page and form of the app against every named user, in and out of scope (shegong/testing/matrix.py); the
station head and the agency admin see only their own items; the lists query a constant number of times."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shegong.inspections.models import Attachment, RectificationItem
from shegong.inspections.tests.factories import world_setup
from shegong.testing.matrix import ViewCase, assert_matrix

pytestmark = pytest.mark.django_db

FORBIDDEN = {
    "anonymous": 302,
    "worker_b": 403,
    "evaluator": 403,
    "system_admin": 403,
    "security_admin": 403,
    "audit_admin": 403,
    "no_role": 403,
}
BUREAU = {"city_admin": 200, "district_a_admin": 200, "district_b_admin": 200, "outsider": 200}
BUREAU_ONLY = {**FORBIDDEN, **BUREAU, "station_head_a": 403, "agency_admin_a": 403}
BUREAU_A = {**FORBIDDEN, "city_admin": 200, "district_a_admin": 200, "district_b_admin": 404, "outsider": 404}
BUREAU_A_ONLY = {**BUREAU_A, "station_head_a": 403, "agency_admin_a": 403}
ITEM_A = {**BUREAU_A, "station_head_a": 200, "agency_admin_a": 200}


def _file(data, kind):
    return Attachment.objects.filter(finding=data["finding_a"], content_type=kind).get().pk


CASES = [
    ViewCase("inspections:plan_list", BUREAU_ONLY),
    ViewCase("inspections:plan_create", {**BUREAU_ONLY}),
    ViewCase(
        "inspections:plan_detail",
        BUREAU_A_ONLY,
        args=lambda w: [w.data["plan_a"].pk],
        out_of_scope=lambda w: [w.data["plan_b"].pk],
        out_of_scope_users=["district_a_admin"],
    ),
    ViewCase(
        "inspections:plan_add_target",
        {**BUREAU_A_ONLY, "city_admin": 302, "district_a_admin": 302},
        method="post",
        args=lambda w: [w.data["plan_a"].pk],
        data={"station": ""},
    ),
    ViewCase(
        "inspections:plan_sample",
        {**BUREAU_A_ONLY, "city_admin": 302, "district_a_admin": 302},
        method="post",
        args=lambda w: [w.data["plan_a"].pk],
        data={"count": "0"},
    ),
    ViewCase("inspections:inspection_list", BUREAU_ONLY),
    ViewCase("inspections:inspection_export", {**BUREAU_ONLY}, method="post"),
    ViewCase(
        "inspections:inspection_detail",
        BUREAU_A_ONLY,
        args=lambda w: [w.data["inspection_a"].pk],
        out_of_scope=lambda w: [w.data["inspection_b"].pk],
        out_of_scope_users=["district_a_admin"],
    ),
    ViewCase(
        "inspections:inspection_record",
        {**BUREAU_A_ONLY},
        method="post",
        args=lambda w: [w.data["inspection_a"].pk],
        label="record a locked inspection: the page again with the refusal",
    ),
    ViewCase(
        "inspections:finding_add",
        {**BUREAU_A_ONLY},
        method="post",
        args=lambda w: [w.data["inspection_a"].pk],
        data={"description": ""},
    ),
    ViewCase(
        "inspections:inspection_correct",
        {**BUREAU_A_ONLY},
        method="post",
        args=lambda w: [w.data["inspection_a"].pk],
        data={"reason": ""},
    ),
    ViewCase(
        "inspections:item_create",
        BUREAU_A_ONLY,
        args=lambda w: [w.data["finding_a"].pk],
        out_of_scope=lambda w: [w.data["finding_b"].pk],
        out_of_scope_users=["district_a_admin"],
    ),
    ViewCase("inspections:item_list", {**FORBIDDEN, **BUREAU, "station_head_a": 200, "agency_admin_a": 200}),
    ViewCase(
        "inspections:item_export",
        {**FORBIDDEN, **BUREAU, "station_head_a": 200, "agency_admin_a": 200},
        method="post",
    ),
    ViewCase(
        "inspections:item_detail",
        ITEM_A,
        args=lambda w: [w.data["item_a"].pk],
        out_of_scope=lambda w: [w.data["item_b"].pk],
        out_of_scope_users=["district_a_admin", "station_head_a", "agency_admin_a"],
    ),
    ViewCase(
        "inspections:item_detail",
        {**BUREAU_A, "station_head_a": 404, "agency_admin_a": 200},
        args=lambda w: [w.data["agency_item"].pk],
        label="an agency's item: not the station head's",
    ),
    ViewCase(
        "inspections:item_submit",
        {**BUREAU_A, "city_admin": 403, "district_a_admin": 403, "station_head_a": 200, "agency_admin_a": 200},
        method="post",
        args=lambda w: [w.data["item_a"].pk],
        data={"text": ""},
    ),
    ViewCase(
        "inspections:item_review",
        {**BUREAU_A, "station_head_a": 403, "agency_admin_a": 403},
        method="post",
        args=lambda w: [w.data["item_a"].pk],
        data={"decision": ""},
    ),
    ViewCase(
        "inspections:attachment",
        ITEM_A,
        args=lambda w: [_file(w.data, "image/png")],
        label="a finding's photo: the bureau and the item's owner",
    ),
    ViewCase(
        "inspections:attachment",
        {**ITEM_A, "station_head_a": 200},
        args=lambda w: [_file(w.data, "application/pdf")],
        label="a finding's file",
    ),
]


@pytest.fixture
def data(world):
    world.data = world_setup(world)
    return world.data


@pytest.mark.parametrize("case", CASES, ids=str)
def test_permission_matrix(client, world, data, case):
    case.check(client, world)


def test_station_and_agency_pages_show_their_open_and_overdue_items(client, world, data):
    client.force_login(world.station_head_a)
    page = client.get(reverse("stations:detail", args=[data["a"].code])).content.decode()
    assert 'data-testid="rectification-panel"' in page
    assert data["item_a"].required_action in page
    client.force_login(world.district_b_admin)
    page = client.get(reverse("stations:detail", args=[data["b"].code])).content.decode()
    assert 'data-testid="panel-open">1<' in page
    client.force_login(world.agency_admin_a)
    page = client.get(reverse("agencies:detail", args=[world.agency_a.pk])).content.decode()
    assert 'data-testid="panel-open">1<' in page
    # A user without the permission sees no panel at all.
    client.force_login(world.evaluator)
    response = client.get(reverse("agencies:detail", args=[world.agency_a.pk]))
    assert response.status_code in (200, 403)
    assert b"rectification-panel" not in response.content


def test_lists_do_not_query_per_row(client, world, data):
    from shegong.inspections.tests.factories import make_item

    client.force_login(world.city_admin)

    def queries(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    urls = [
        reverse("inspections:item_list"),
        reverse("inspections:inspection_list"),
        reverse("inspections:plan_list"),
        reverse("stations:detail", args=[data["a"].code]),
    ]
    before = [queries(url) for url in urls]
    for _ in range(5):
        make_item(data["finding_a"])
        make_item(data["agency_finding"])
    assert [queries(url) for url in urls] == before
    assert RectificationItem.objects.count() == 13


def test_photo_thumbnail_is_a_small_jpeg_and_files_are_never_inline_html(client, world, data):
    client.force_login(world.station_head_a)
    photo = _file(data, "image/png")
    response = client.get(reverse("inspections:attachment", args=[photo]) + "?thumb=1")
    assert response["Content-Type"] == "image/jpeg"
    document = client.get(reverse("inspections:attachment", args=[_file(data, "application/pdf")]))
    assert document["Content-Disposition"].startswith("attachment;")
    assert document["X-Content-Type-Options"] == "nosniff"
    assert_matrix(client, world, reverse("inspections:attachment", args=[999999]), {"station_head_a": 404})
