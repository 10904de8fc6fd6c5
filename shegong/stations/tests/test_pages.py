"""The station pages: every view against every named user (assert_matrix), district A never seeing district B's
stations (404 on a detail), the forms going through the services, the network page's figures and its query count
staying the same however many children a region has."""

import datetime

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from shegong.audit.models import AuditEntry
from shegong.regions.models import Region
from shegong.stations import services
from shegong.stations.models import PresenceCheckIn, StaffAssignment, Station
from shegong.stations.tests.factories import LONG_AGO, make_station, make_worker, service_domain, staff
from shegong.testing.matrix import ViewCase
from shegong.testing.world import COMMUNITY_A, DISTRICT_A, DISTRICT_B, STREET_A

pytestmark = pytest.mark.django_db

Kind = Station.Kind
Role = StaffAssignment.Role
STREET_B = "440105001000"  # 赤岗街道, 海珠区
COMMUNITY_B = "440105001101"  # 下渡社区居委会

FORBIDDEN = {
    "anonymous": 302,
    "worker_b": 403,
    "system_admin": 403,
    "security_admin": 403,
    "audit_admin": 403,
    "no_role": 403,
}
VIEWERS = {"city_admin": 200, "district_a_admin": 200, "station_head_a": 200, "agency_admin_a": 200}
OTHERS_404 = {"district_b_admin": 404, "outsider": 404}


@pytest.fixture
def network(world):
    """A street station of district A run by agency A with a room below it, and district B's street station."""
    service_domain()
    station = make_station(Kind.STATION, STREET_A, name="北京街社工站", agency=world.agency_a)
    room = make_station(Kind.ROOM, COMMUNITY_A, name="流水井社区社工室", agency=world.agency_a)
    other = make_station(Kind.STATION, STREET_B, name="赤岗街社工站", agency=world.agency_b)
    other_room = make_station(Kind.ROOM, COMMUNITY_B, name="下渡社区社工室", agency=world.agency_b)
    resident = make_worker(name="驻点甲", region=STREET_A, agency=world.agency_a)
    post = services.staff_assign(actor=None, station=room, worker=resident, role=Role.RESIDENT, start_date=LONG_AGO)
    other_worker = make_worker(name="海珠乙", region=STREET_B, agency=world.agency_b)
    other_post = services.staff_assign(
        actor=None, station=other, worker=other_worker, role=Role.FULL_TIME, start_date=LONG_AGO
    )
    item = services.station_service_add(actor=None, station=station, domain="social_assistance", title="困难群众探访")
    other_item = services.station_service_add(actor=None, station=other, domain="social_assistance", title="探访")
    return {
        "station": station,
        "room": room,
        "other": other,
        "other_room": other_room,
        "post": post,
        "other_post": other_post,
        "item": item,
        "other_item": other_item,
    }


def _net(world):
    return world._network


CASES = [
    ViewCase("stations:network", {**FORBIDDEN, **VIEWERS, **OTHERS_404, "district_b_admin": 200, "outsider": 200}),
    ViewCase("stations:list", {**FORBIDDEN, **VIEWERS, "district_b_admin": 200, "outsider": 200}),
    ViewCase("stations:noncompliant", {**FORBIDDEN, **VIEWERS, "district_b_admin": 200, "outsider": 200}),
    ViewCase(
        "stations:export",
        {**FORBIDDEN, **VIEWERS, "district_b_admin": 200, "outsider": 200},
        method="post",
    ),
    ViewCase(
        "stations:create",
        {
            **FORBIDDEN,
            "city_admin": 200,
            "district_a_admin": 200,
            "district_b_admin": 200,
            "outsider": 200,
            "station_head_a": 403,
            "agency_admin_a": 403,
        },
    ),
    ViewCase(
        "stations:detail",
        {**FORBIDDEN, **VIEWERS, **OTHERS_404},
        args=lambda w: [_net(w)["station"].code],
        out_of_scope=lambda w: [_net(w)["other"].code],
        out_of_scope_users=["district_a_admin", "station_head_a", "agency_admin_a"],
    ),
    ViewCase(
        "stations:detail",
        {**FORBIDDEN, **VIEWERS, **OTHERS_404},
        args=lambda w: [_net(w)["room"].code],
        label="GET stations:detail (room)",
    ),
    ViewCase(
        "stations:edit",
        {**FORBIDDEN, **VIEWERS, **OTHERS_404},
        args=lambda w: [_net(w)["station"].code],
        out_of_scope=lambda w: [_net(w)["other"].code],
        out_of_scope_users=["district_a_admin", "station_head_a", "agency_admin_a"],
    ),
    ViewCase(
        "stations:status",
        {
            **FORBIDDEN,
            "city_admin": 200,
            "district_a_admin": 200,
            **OTHERS_404,
            "station_head_a": 403,
            "agency_admin_a": 403,
        },
        args=lambda w: [_net(w)["station"].code],
        out_of_scope=lambda w: [_net(w)["other"].code],
        out_of_scope_users=["district_a_admin"],
    ),
    ViewCase(
        "stations:service_add",
        {**FORBIDDEN, **VIEWERS, **OTHERS_404},
        args=lambda w: [_net(w)["station"].code],
        out_of_scope=lambda w: [_net(w)["other"].code],
        out_of_scope_users=["district_a_admin", "station_head_a", "agency_admin_a"],
    ),
    ViewCase(
        "stations:service_edit",
        {**FORBIDDEN, **VIEWERS, **OTHERS_404},
        args=lambda w: [_net(w)["station"].code, _net(w)["item"].pk],
        out_of_scope=lambda w: [_net(w)["other"].code, _net(w)["other_item"].pk],
        out_of_scope_users=["district_a_admin", "station_head_a", "agency_admin_a"],
    ),
    ViewCase(
        "stations:service_move",
        {
            **FORBIDDEN,
            "city_admin": 302,
            "district_a_admin": 302,
            "station_head_a": 302,
            "agency_admin_a": 302,
            **OTHERS_404,
        },
        method="post",
        data={"direction": "up"},
        args=lambda w: [_net(w)["station"].code, _net(w)["item"].pk],
        out_of_scope=lambda w: [_net(w)["other"].code, _net(w)["other_item"].pk],
        out_of_scope_users=["district_a_admin", "station_head_a", "agency_admin_a"],
    ),
    ViewCase(
        "stations:service_remove",
        {**FORBIDDEN, **OTHERS_404},
        method="post",
        args=lambda w: [_net(w)["station"].code, _net(w)["item"].pk],
        out_of_scope=lambda w: [_net(w)["other"].code, _net(w)["other_item"].pk],
        out_of_scope_users=["district_a_admin", "station_head_a", "agency_admin_a"],
    ),
    ViewCase(
        "stations:assign",
        {**FORBIDDEN, **VIEWERS, **OTHERS_404},
        args=lambda w: [_net(w)["station"].code],
        out_of_scope=lambda w: [_net(w)["other"].code],
        out_of_scope_users=["district_a_admin", "station_head_a", "agency_admin_a"],
    ),
    ViewCase(
        "stations:assignment_edit",
        {**FORBIDDEN, **VIEWERS, **OTHERS_404},
        args=lambda w: [_net(w)["room"].code, _net(w)["post"].pk],
        out_of_scope=lambda w: [_net(w)["other"].code, _net(w)["other_post"].pk],
        out_of_scope_users=["district_a_admin", "station_head_a", "agency_admin_a"],
    ),
    ViewCase(
        "stations:assignment_end",
        {**FORBIDDEN, **VIEWERS, **OTHERS_404},
        args=lambda w: [_net(w)["room"].code, _net(w)["post"].pk],
        out_of_scope=lambda w: [_net(w)["other"].code, _net(w)["other_post"].pk],
        out_of_scope_users=["district_a_admin", "station_head_a", "agency_admin_a"],
    ),
    ViewCase(
        "stations:check_in",
        {**FORBIDDEN, **VIEWERS, **OTHERS_404},
        args=lambda w: [_net(w)["room"].code],
        out_of_scope=lambda w: [_net(w)["other_room"].code],
        out_of_scope_users=["district_a_admin", "station_head_a", "agency_admin_a"],
    ),
    ViewCase(
        "stations:worker_presence",
        {**FORBIDDEN, **VIEWERS, **OTHERS_404},
        args=lambda w: [_net(w)["post"].worker_id],
        out_of_scope=lambda w: [_net(w)["other_post"].worker_id],
        out_of_scope_users=["district_a_admin", "station_head_a", "agency_admin_a"],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_permission_matrix(client, world, network, case):
    world._network = network
    case.check(client, world)


def test_a_permitted_user_removes_a_service_item(client, world, network):
    client.force_login(world.station_head_a)
    item = network["item"]
    response = client.post(reverse("stations:service_remove", args=[network["station"].code, item.pk]))
    assert response.status_code == 302
    assert not network["station"].services.exists()


# --- Scope in lists, the network and the non-compliant list ----------------------------------------------------------


def codes(response, testid="station-row"):
    import re

    return set(re.findall(rf'data-testid="{testid}" data-code="([^"]+)"', response.content.decode()))


def test_lists_show_only_the_users_scope(client, world, network):
    everything = {station.code for station in Station.objects.all()}
    client.force_login(world.city_admin)
    assert codes(client.get(reverse("stations:list"))) == everything
    client.force_login(world.district_a_admin)
    assert codes(client.get(reverse("stations:list"))) == {network["station"].code, network["room"].code}
    # A filter naming district B is refused beside the field (and narrows nothing): never B's stations.
    response = client.get(reverse("stations:list"), {"region": DISTRICT_B})
    assert codes(response) == {network["station"].code, network["room"].code}
    assert "所选区划不在您的管辖范围内" in response.content.decode()
    client.force_login(world.district_b_admin)
    assert codes(client.get(reverse("stations:list"))) == {network["other"].code, network["other_room"].code}
    client.force_login(world.agency_admin_a)
    assert codes(client.get(reverse("stations:list"))) == {network["station"].code, network["room"].code}


def test_network_page_is_scoped_and_outside_nodes_are_404(client, world, network):
    client.force_login(world.district_a_admin)
    response = client.get(reverse("stations:network"))
    assert response.status_code == 200
    page = response.context["network"]
    assert page.node.code == DISTRICT_A
    assert page.summary.total == 2
    assert client.get(reverse("stations:network"), {"region": "440105"}).status_code == 404
    assert client.get(reverse("stations:network"), {"region": "4401"}).status_code == 404
    assert client.get(reverse("stations:network"), {"region": "99"}).status_code == 404
    assert client.get(reverse("stations:noncompliant"), {"region": "440105"}).status_code == 404
    client.force_login(world.city_admin)
    page = client.get(reverse("stations:network")).context["network"]
    by_code = {node.region.code: node for node in page.children}
    assert by_code[DISTRICT_A].total == 2 and by_code[DISTRICT_B].total == 2
    assert by_code[DISTRICT_A].coverage.townships == 18
    assert page.summary.total == 4


def test_station_head_drills_down_to_their_street(client, world, network):
    client.force_login(world.station_head_a)
    response = client.get(reverse("stations:network"))
    page = response.context["network"]
    assert page.node.code == STREET_A
    assert codes(response, "network-station") == {network["station"].code, network["room"].code}
    rows = {node.region.code: node for node in page.children}
    assert rows[COMMUNITY_A].count(Kind.ROOM) == 1
    assert page.summary.coverage.townships == 1 and page.summary.coverage.townships_with_station == 1


def test_export_is_the_filtered_list_and_audited(client, world, network):
    client.force_login(world.district_a_admin)
    response = client.post(reverse("stations:export") + "?kind=room")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "站点编码"
    assert [row[0] for row in rows[1:]] == [network["room"].code]
    entry = AuditEntry.objects.filter(action="export", object_type="stations.station").latest("sequence")
    assert entry.changes["rows"] == [None, 1] and entry.changes["filters"][1] == {"kind": "room"}


def test_noncompliant_only_filter_and_list(client, world, network):
    # 广州 requires 3 days a week: the room's resident checked in on none last week, so the room fails.
    client.force_login(world.district_a_admin)
    response = client.get(reverse("stations:list"), {"noncompliant": "on"})
    assert codes(response) == {network["room"].code}
    response = client.get(reverse("stations:noncompliant"))
    assert codes(response, "noncompliant-row") == {network["room"].code}
    text = response.content.decode()
    assert "每周在社区服务天数 0 天，规定不少于 3 天" in text and "一社区一社工" in text
    # A nationwide user chooses a province first; under 广东 the room is there.
    from shegong.stations.tests.factories import make_user

    client.force_login(make_user("nation_admin", "civil_affairs_admin"))
    response = client.get(reverse("stations:noncompliant"))
    assert 'data-testid="pick-province"' in response.content.decode() and not codes(response, "noncompliant-row")
    response = client.get(reverse("stations:noncompliant"), {"region": "44"})
    assert codes(response, "noncompliant-row") == {network["room"].code, network["other_room"].code}


# --- Writes through the forms ----------------------------------------------------------------------------------------


def test_create_a_station_through_the_form(client, world):
    client.force_login(world.district_a_admin)
    data = {"name": "流花街社工站", "kind": "station", "region": "440104005", "status": "preparing"}
    response = client.post(reverse("stations:create"), data)
    assert response.status_code == 302
    station = Station.objects.get(name="流花街社工站")
    assert response["Location"] == reverse("stations:detail", args=[station.code])
    data.update(name="错误层级", region="440104")
    response = client.post(reverse("stations:create"), data)
    assert response.status_code == 200
    assert "镇街社工站只能设在街道或乡镇" in response.content.decode()
    data.update(region="440105001")
    response = client.post(reverse("stations:create"), data)
    assert "所选区划不在您的管辖范围内" in response.content.decode()


def test_assign_from_the_station_page_and_see_the_refusal(client, world, network):
    station = network["station"]
    worker = make_worker(name="新社工甲", region=STREET_A)
    busy = make_worker(name="忙碌乙", region=STREET_A)
    services.staff_assign(actor=None, station=network["other"], worker=busy, role=Role.FULL_TIME, start_date=LONG_AGO)
    client.force_login(world.station_head_a)
    page = client.get(reverse("stations:detail", args=[station.code])).content.decode()
    assert 'data-testid="assign-form"' in page and "新社工甲" in page  # suggested
    today = timezone.localdate().isoformat()
    url = reverse("stations:assign", args=[station.code])
    response = client.post(url, {"worker": "新社工甲", "role": "full_time", "full_time": "on", "start_date": today})
    assert response.status_code == 302
    assert StaffAssignment.objects.filter(station=station, worker=worker).exists()
    response = client.post(url, {"worker": busy.name, "role": "full_time", "full_time": "on", "start_date": today})
    # 忙碌乙 is in district A's street, so the station head finds them; the refusal is the service's.
    assert "同一人同一天只能在一个站点专职" in response.content.decode()


def test_status_form_and_check_in_form(client, world, network):
    client.force_login(world.district_a_admin)
    station = network["station"]
    response = client.post(
        reverse("stations:status", args=[station.code]),
        {"status": "suspended", "effective_on": timezone.localdate().isoformat(), "reason": ""},
    )
    assert response.status_code == 200 and "暂停或撤销站点须写明原因" in response.content.decode()
    client.force_login(world.station_head_a)
    room = network["room"]
    day = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    data = {"worker": network["post"].worker_id, "community": COMMUNITY_A, "date": day, "method": "manual", "note": ""}
    response = client.post(reverse("stations:check_in", args=[room.code]), data)
    assert response.status_code == 200 and "补录须写明原因" in response.content.decode()
    data["note"] = "忘记签到，已核实"
    response = client.post(reverse("stations:check_in", args=[room.code]), data)
    assert response.status_code == 302
    assert PresenceCheckIn.objects.filter(worker_id=network["post"].worker_id).count() == 1


def test_station_page_shows_verdicts_history_services_and_presence(client, world, network):
    client.force_login(world.district_a_admin)
    text = client.get(reverse("stations:detail", args=[network["room"].code])).content.decode()
    assert 'data-testid="verdict-presence_days_per_week"' in text
    assert "穗民案〔2020〕101号" in text  # the rule's source
    assert text.count('data-testid="presence-week"') == 9
    assert "驻点甲" in text and "新建站点" in text
    text = client.get(reverse("stations:detail", args=[network["station"].code])).content.decode()
    assert "困难群众探访" in text and 'data-testid="room-row"' in text
    assert 'data-testid="no-rules"' in text  # Guangzhou sets no staffing standard
    assert reverse("stations:poster", args=[network["station"].code]) in text


def test_the_pages_speak_english(client, world, network):
    client.force_login(world.district_a_admin)
    client.cookies["django_language"] = "en"
    try:
        overview = client.get(reverse("stations:network")).content.decode()
        listing = client.get(reverse("stations:list")).content.decode()
        room = client.get(reverse("stations:detail", args=[network["room"].code])).content.decode()
        refused = client.post(
            reverse("stations:create"), {"name": "x", "kind": "centre", "region": STREET_A, "status": "preparing"}
        ).content.decode()
    finally:
        translation.activate(settings.LANGUAGE_CODE)  # the middleware leaves the request's language active
    assert "Township (street) station coverage" in overview and "Operating stations compliant" in overview
    assert "Export to Excel" in listing and "Community social work room" in listing
    assert "Rule verdicts" in room and "Resident social worker" in room and "Community presence" in room
    assert "can only sit on a district or county (county level)" in refused


# --- The network page's query count ----------------------------------------------------------------------------------


def queries_for(client, code: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("stations:network"), {"region": code})
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_network_query_count_does_not_grow_with_children(client, world):
    client.force_login(world.city_admin)
    baiyun = "440111000000"
    assert Region.objects.filter(parent_id=baiyun).count() > Region.objects.filter(parent_id=DISTRICT_A).count()
    # One station in each district to begin with (with none at all, the judging stops after its first query).
    make_station(Kind.CENTRE, DISTRICT_A)
    make_station(Kind.CENTRE, baiyun)
    queries_for(client, "4401")  # the city's division counts go to the cache on the first visit
    empty = {code: queries_for(client, code) for code in ("440104", "440111", "4401")}
    # Stations (with staff and rooms) in some children of each node, many more in the larger district.
    for street in Region.objects.filter(parent_id=DISTRICT_A).order_by("code")[:3]:
        staff(make_station(Kind.STATION, street), 1)
    for street in Region.objects.filter(parent_id=baiyun).order_by("code")[:12]:
        staff(make_station(Kind.STATION, street), 2)
        room_region = Region.objects.filter(parent=street).order_by("code").first()
        if room_region is not None:
            make_station(Kind.ROOM, room_region)
    full = {code: queries_for(client, code) for code in ("440104", "440111", "4401")}
    assert full == empty, (empty, full)
    assert full["440104"] == full["440111"]  # 18 and 24 children, 3 and 24 stations
    # A street lists its own stations with their verdicts: a few queries more, also constant.
    baiyun_street = Region.objects.filter(parent_id=baiyun).order_by("code").first().short_code
    street_counts = {code: queries_for(client, code) for code in ("440104003", baiyun_street)}
    assert len(set(street_counts.values())) == 1, street_counts


def test_the_list_exports_service_lists_and_staff_in_the_import_layout(client, world):
    from openpyxl import load_workbook

    from shegong.audit.models import AuditEntry

    client.force_login(world.city_admin)
    page = client.get(reverse("stations:list"))
    assert reverse("tabular:import", args=["station-assignments"]) in page.content.decode()
    for what, first_header in [("services", "站点编码"), ("assignments", "站点编码")]:
        before = AuditEntry.objects.filter(action="export").count()
        response = client.post(reverse("stations:export_related", args=[what]))
        assert response.status_code == 200, what
        sheet = load_workbook(__import__("io").BytesIO(response.content)).worksheets[0]
        assert str(sheet.cell(row=1, column=1).value).startswith(first_header)
        assert AuditEntry.objects.filter(action="export").count() == before + 1
    assert client.post(reverse("stations:export_related", args=["nothing"])).status_code == 404
    client.force_login(world.no_role)
    assert client.post(reverse("stations:export_related", args=["services"])).status_code == 403
