"""Every page and endpoint × every named user, in and out of scope; the forms through the pages; exports; the lists
hide withdrawn members and participants."""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from shegong.groupwork import services
from shegong.groupwork.models import CommunityActivity, GroupSession, GroupWork
from shegong.groupwork.tests.factories import (
    COMMUNITY_A,
    COMMUNITY_B,
    DAY,
    STREET_A,
    STREET_B,
    Kind,
    make_activity,
    make_group,
    make_recipient,
    make_station,
    make_worker,
    withdraw,
)
from shegong.persontimes.models import PersonTime
from shegong.stations.models import StaffAssignment
from shegong.testing.matrix import ViewCase, assert_matrix

pytestmark = pytest.mark.django_db
Stage = GroupWork.Stage

# Who reads the lists: the bureaus (view), the keepers (view), the social worker (add: their own rows).
SEES = {
    "city_admin": 200,
    "district_a_admin": 200,
    "district_b_admin": 200,
    "station_head_a": 200,
    "worker_b": 200,
    "agency_admin_a": 200,
    "outsider": 200,
}
# Group / activity A: station A in 北京街道 (越秀区), operated by agency A.
SEES_A = {
    "city_admin": 200,
    "district_a_admin": 200,
    "station_head_a": 200,
    "agency_admin_a": 200,
    "district_b_admin": 404,
    "worker_b": 404,
    "outsider": 404,
}
# Keeping A: the station head and the agency (change); the worker has add but is not its leader (404); bureaus 403.
KEEPS_A = {"station_head_a": 200, "agency_admin_a": 200, "worker_b": 404}
ADDS = {"station_head_a": 200, "agency_admin_a": 200, "worker_b": 200}


@pytest.fixture
def placed(world):
    station_a = make_station(Kind.STATION, STREET_A, agency=world.agency_a)
    station_b = make_station(Kind.STATION, STREET_B, agency=world.agency_b)
    leader_a = make_worker("李带领", region="440104003000")
    StaffAssignment.objects.create(
        station=station_a, worker=leader_a, role=StaffAssignment.Role.FULL_TIME, start_date=datetime.date(2024, 1, 1)
    )
    world.own_worker = make_worker("王社工", region="440105000000", account=world.worker_b)
    world.group_a = make_group(station_a, leader_a, stage=Stage.FORMATION)
    world.group_b = make_group(station_b, world.own_worker, name="海珠青少年小组", stage=Stage.FORMATION)
    for group in (world.group_a, world.group_b):
        member = services.member_add(actor=None, group=group, name="张三", joined_on=DAY)
        services.session_record(actor=None, group=group, held_on=DAY, theme="破冰", present=[member])
    world.session_a = world.group_a.sessions.get()
    world.session_b = world.group_b.sessions.get()
    world.activity_a = make_activity(station_a, leader_a, COMMUNITY_A, title="流水井邻里节")
    world.activity_b = make_activity(station_b, world.own_worker, COMMUNITY_B, title="下渡亲子游园")
    world.station_a = station_a
    world.leader_a = leader_a
    return world


def _group_a(w):
    return [w.group_a.pk]


def _group_b(w):
    return [w.group_b.pk]


def _session_a(w):
    return [w.group_a.pk, w.session_a.pk]


def _session_b(w):
    return [w.group_b.pk, w.session_b.pk]


def _activity_a(w):
    return [w.activity_a.pk]


def _activity_b(w):
    return [w.activity_b.pk]


KEEPERS_OUT = ["station_head_a", "agency_admin_a"]
CASES = [
    ViewCase("groupwork:group_list", {"anonymous": 302, **SEES}, default=403),
    ViewCase("groupwork:group_export", {"anonymous": 302, **SEES}, default=403, method="post"),
    ViewCase("groupwork:group_create", {"anonymous": 302, **ADDS}, default=403),
    ViewCase(
        "groupwork:group_detail",
        {"anonymous": 302, **SEES_A},
        default=403,
        args=_group_a,
        out_of_scope=_group_b,
        out_of_scope_users=["district_a_admin", "station_head_a", "agency_admin_a"],
    ),
    *[
        ViewCase(name, {"anonymous": 302, **KEEPS_A}, default=403, args=_group_a, out_of_scope=_group_b)
        for name in ("groupwork:group_edit", "groupwork:group_move", "groupwork:member_add", "groupwork:session_create")
    ],
    ViewCase(
        "groupwork:session_edit",
        {"anonymous": 302, **KEEPS_A},
        default=403,
        args=_session_a,
        out_of_scope=_session_b,
        out_of_scope_users=KEEPERS_OUT,
    ),
    ViewCase("groupwork:activity_list", {"anonymous": 302, **SEES}, default=403),
    ViewCase("groupwork:activity_export", {"anonymous": 302, **SEES}, default=403, method="post"),
    ViewCase("groupwork:activity_create", {"anonymous": 302, **ADDS}, default=403),
    ViewCase(
        "groupwork:activity_detail",
        {"anonymous": 302, **SEES_A},
        default=403,
        args=_activity_a,
        out_of_scope=_activity_b,
        out_of_scope_users=["district_a_admin", "station_head_a", "agency_admin_a"],
    ),
    ViewCase(
        "groupwork:activity_edit",
        {"anonymous": 302, **KEEPS_A},
        default=403,
        args=_activity_a,
        out_of_scope=_activity_b,
        out_of_scope_users=KEEPERS_OUT,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_permission_matrix(client, placed, case):
    case.check(client, placed)


def test_the_worker_reads_and_keeps_their_own(client, placed):
    """worker_b holds only the add permissions: their own group and activity answer 200, the others 404."""
    client.force_login(placed.worker_b)
    assert client.get(reverse("groupwork:group_detail", args=_group_b(placed))).status_code == 200
    assert client.get(reverse("groupwork:group_move", args=_group_b(placed))).status_code == 200
    assert client.get(reverse("groupwork:activity_edit", args=_activity_b(placed))).status_code == 200
    listed = [row.name for row in client.get(reverse("groupwork:group_list")).context["page"]]
    assert listed == ["海珠青少年小组"]
    listed = [row.title for row in client.get(reverse("groupwork:activity_list")).context["page"]]
    assert listed == ["下渡亲子游园"]


def test_post_only_views_matrix(client, placed):
    """Leaving and deleting change data: everyone but the keepers is refused (403 without permission, 404 out of
    scope); then the station head does it, and out of scope they get 404."""
    refused = {"anonymous": 302, "worker_b": 404, "station_head_a": None, "agency_admin_a": None}
    member = placed.group_a.members.get()
    assert_matrix(
        client,
        placed,
        reverse("groupwork:member_leave", args=[placed.group_a.pk, member.pk]),
        refused,
        default=403,
        method="post",
    )
    assert_matrix(
        client,
        placed,
        reverse("groupwork:session_delete", args=_session_a(placed)),
        refused,
        default=403,
        method="post",
    )
    client.force_login(placed.station_head_a)
    assert client.post(reverse("groupwork:session_delete", args=_session_b(placed))).status_code == 404
    assert client.post(reverse("groupwork:session_delete", args=_session_a(placed))).status_code == 302
    assert not GroupSession.objects.filter(pk=placed.session_a.pk).exists()
    assert not PersonTime.objects.filter(kind=PersonTime.Kind.GROUP_SESSION, source_id=placed.session_a.pk).exists()
    other = placed.group_b.members.get()
    assert client.post(reverse("groupwork:member_leave", args=[placed.group_b.pk, other.pk])).status_code == 404
    assert client.post(reverse("groupwork:member_leave", args=[placed.group_a.pk, member.pk])).status_code == 302
    member.refresh_from_db()
    assert member.left_on is not None


API = "/api/v1/groupwork"


def test_api_matrix(client, placed):
    assert_matrix(client, placed, f"{API}/groups/", {"anonymous": 401, **SEES}, default=403)
    assert_matrix(client, placed, f"{API}/groups/{placed.group_a.pk}", {"anonymous": 401, **SEES_A}, default=403)
    assert_matrix(
        client,
        placed,
        f"{API}/groups/{placed.group_b.pk}",
        {"district_a_admin": 404, "station_head_a": 404, "agency_admin_a": 404, "worker_b": 200},
    )
    assert_matrix(client, placed, f"{API}/activities/", {"anonymous": 401, **SEES}, default=403)
    assert_matrix(client, placed, f"{API}/activities/{placed.activity_a.pk}", {"anonymous": 401, **SEES_A}, default=403)
    assert_matrix(
        client,
        placed,
        f"{API}/activities/{placed.activity_b.pk}",
        {"district_a_admin": 404, "station_head_a": 404, "agency_admin_a": 404, "worker_b": 200},
    )


def test_api_session_matrix(client, placed):
    member = placed.group_a.members.get()
    payload = {"held_on": "2026-03-09", "theme": "信任建立", "present": [member.pk]}
    statuses = assert_matrix(
        client,
        placed,
        f"{API}/groups/{placed.group_a.pk}/sessions",
        {"anonymous": 401, "station_head_a": 201, "agency_admin_a": 201, "worker_b": 404},
        default=403,
        method="post",
        data=payload,
        content_type="application/json",
    )
    assert statuses["city_admin"] == 403
    assert list(placed.group_a.sessions.values_list("number", flat=True)) == [1, 2, 3]
    client.force_login(placed.station_head_a)
    answer = client.post(f"{API}/groups/{placed.group_b.pk}/sessions", payload, content_type="application/json")
    assert answer.status_code == 404
    client.force_login(placed.worker_b)
    own = placed.group_b.members.get()
    answer = client.post(
        f"{API}/groups/{placed.group_b.pk}/sessions",
        {"held_on": "2026-03-09", "theme": "信任建立", "present": [own.pk]},
        content_type="application/json",
    )
    assert answer.status_code == 201 and answer.json()["present_total"] == 1
    answer = client.post(
        f"{API}/groups/{placed.group_b.pk}/sessions",
        {"held_on": "2026-03-09", "theme": "x", "present": [member.pk]},
        content_type="application/json",
    )
    assert answer.status_code == 400 and "不属于本小组" in answer.json()["detail"]


def test_api_activity_create(client, placed):
    payload = {
        "title": "长者健康讲座",
        "station": placed.station_a.code,
        "community": COMMUNITY_A,
        "held_on": "2026-03-05",
        "domain": "community_building",
        "place": "社区活动室",
        "organiser": placed.leader_a.pk,
        "participants_count": 2,
        "participant_names": ["甲", "乙"],
    }
    assert_matrix(
        client,
        placed,
        f"{API}/activities/",
        {"anonymous": 401, "station_head_a": 201, "agency_admin_a": 201, "worker_b": 400},
        default=403,
        method="post",
        data=payload,
        content_type="application/json",
    )
    client.force_login(placed.station_head_a)
    answer = client.post(f"{API}/activities/", {**payload, "participants_count": 1}, content_type="application/json")
    assert answer.status_code == 400 and "不能少于" in answer.json()["detail"]
    assert CommunityActivity.objects.filter(title="长者健康讲座").count() == 2


def test_group_through_the_pages(client, placed):
    client.force_login(placed.station_head_a)
    response = client.post(
        reverse("groupwork:group_create"),
        {
            "name": "照顾者支持小组",
            "station": placed.station_a.pk,
            "region": COMMUNITY_A,
            "domain": "social_welfare",
            "leader": placed.leader_a.pk,
            "target_group": "失能老人照顾者",
            "goals": "减轻照顾压力",
            "planned_sessions": 6,
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    group = GroupWork.objects.get(name="照顾者支持小组")
    assert group.region_id == COMMUNITY_A
    recipient = make_recipient("陈大文", COMMUNITY_A)
    response = client.post(
        reverse("groupwork:member_add", args=[group.pk]), {"recipient": recipient.pk, "joined_on": "2026-03-01"}
    )
    assert response.status_code == 302
    # A session in 筹备期 is refused with the reason on the form.
    member = group.members.get()
    data = {"held_on": "2026-03-02", "theme": "破冰", "present": [member.pk]}
    response = client.post(reverse("groupwork:session_create", args=[group.pk]), data)
    assert response.status_code == 200 and "筹备期" in response.content.decode()
    # Early ending needs a reason; a plain move forward does not.
    response = client.post(
        reverse("groupwork:group_move", args=[group.pk]), {"to_stage": "ending", "effective_on": "2026-03-02"}
    )
    assert response.status_code == 200 and "原因" in response.content.decode()
    response = client.post(
        reverse("groupwork:group_move", args=[group.pk]), {"to_stage": "formation", "effective_on": "2026-03-02"}
    )
    assert response.status_code == 302
    assert client.post(reverse("groupwork:session_create", args=[group.pk]), data).status_code == 302
    session = group.sessions.get()
    assert PersonTime.objects.get(kind=PersonTime.Kind.GROUP_SESSION, source_id=session.pk).count == 1
    page = client.get(reverse("groupwork:group_detail", args=[group.pk])).content.decode()
    assert "陈大文" in page and 'data-testid="session-present">1<' in page
    # Attendance changed through the session page: recounted.
    data["present"] = []
    assert client.post(reverse("groupwork:session_edit", args=[group.pk, session.pk]), data).status_code == 302
    assert not PersonTime.objects.filter(kind=PersonTime.Kind.GROUP_SESSION, source_id=session.pk).exists()
    # The recipient withdraws consent: gone from the group page, the session stays.
    withdraw(recipient)
    page = client.get(reverse("groupwork:group_detail", args=[group.pk])).content.decode()
    assert "陈大文" not in page and "破冰" in page


def test_activity_through_the_pages_and_export(client, placed):
    client.force_login(placed.station_head_a)
    recipient = make_recipient("何阿婆", COMMUNITY_A)
    data = {
        "title": "中秋游园会",
        "station": placed.station_a.pk,
        "community": COMMUNITY_A,
        "held_on": "2026-03-05",
        "starts_at": "09:00",
        "ends_at": "11:30",
        "domain": "community_building",
        "place": "流水井社区广场",
        "organiser": placed.leader_a.pk,
        "participants_count": 1,
        "participants": [recipient.pk],
        "participant_names": "外来务工人员甲",
        "volunteers_count": 3,
        "volunteer_names": "志愿者A、志愿者B、志愿者C",
    }
    response = client.post(reverse("groupwork:activity_create"), data)
    assert response.status_code == 200 and "不能少于" in response.content.decode()
    data["participants_count"] = 80
    response = client.post(reverse("groupwork:activity_create"), data)
    assert response.status_code == 302, response.context["form"].errors
    activity = CommunityActivity.objects.get(title="中秋游园会")
    assert activity.named_participants == 2 and activity.volunteers_count == 3
    assert PersonTime.objects.get(kind=PersonTime.Kind.ACTIVITY, source_id=activity.pk).count == 80
    page = client.get(response["Location"]).content.decode()
    assert "何阿婆" in page and "外来务工人员甲" in page
    withdraw(recipient)
    page = client.get(response["Location"]).content.decode()
    assert "何阿婆" not in page
    # Export: the filtered list, no named participants, audited.
    answer = client.post(reverse("groupwork:activity_export") + "?q=中秋")
    sheet = openpyxl.load_workbook(io.BytesIO(answer.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    text = repr(rows)
    assert any("中秋游园会" in str(cell) for row in rows for cell in row) and "何阿婆" not in text
    assert len([row for row in rows if "中秋游园会" in row]) == 1
    answer = client.post(reverse("groupwork:group_export"))
    rows = list(openpyxl.load_workbook(io.BytesIO(answer.content)).active.iter_rows(values_only=True))
    assert any(placed.group_a.code in row for row in rows) and not any(placed.group_b.code in row for row in rows)


def test_list_filters(client, placed):
    client.force_login(placed.city_admin)
    names = [row.name for row in client.get(reverse("groupwork:group_list"), {"region": "440105"}).context["page"]]
    assert names == ["海珠青少年小组"]
    assert client.get(reverse("groupwork:group_list"), {"stage": "ending"}).context["page"].paginator.count == 0
    titles = [row.title for row in client.get(reverse("groupwork:activity_list"), {"q": "邻里"}).context["page"]]
    assert titles == ["流水井邻里节"]
    empty = client.get(reverse("groupwork:activity_list"), {"held_from": "2026-04-01"}).context["page"]
    assert empty.paginator.count == 0


def test_api_hides_withdrawn_members_and_participants(client, placed):
    recipient = make_recipient("陈大文", COMMUNITY_A)
    services.member_add(actor=None, group=placed.group_a, recipient=recipient, joined_on=DAY)
    activity = make_activity(
        placed.station_a, placed.leader_a, COMMUNITY_A, participants_count=5, participants=[recipient]
    )
    client.force_login(placed.station_head_a)
    names = [m["name"] for m in client.get(f"{API}/groups/{placed.group_a.pk}").json()["members"]]
    assert "陈大文" in names
    withdraw(recipient)
    names = [m["name"] for m in client.get(f"{API}/groups/{placed.group_a.pk}").json()["members"]]
    assert names == ["张三"]
    answer = client.get(f"{API}/activities/{activity.pk}").json()
    assert answer["participants"] == [] and answer["participants_count"] == 5
