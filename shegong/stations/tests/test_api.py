"""The stations API (/api/v1/stations/): who may call each endpoint (the matrix), what each caller sees (district A
against district B, a station head's street, 404 outside the scope), filters and paging, the detail with services,
current staff and verdicts, coverage per child region, the non-compliant list and the weekly check-ins."""

import datetime

import pytest
from django.utils import timezone

from shegong.policies.models import PolicyProfile, PolicyRule
from shegong.regions.models import Region
from shegong.stations import rules, services
from shegong.stations.models import PresenceCheckIn, Station
from shegong.stations.tests.factories import LONG_AGO, make_station, make_worker, service_domain, staff
from shegong.testing.matrix import assert_matrix, response_for, visible_ids
from shegong.testing.world import COMMUNITY_A, DISTRICT_A, STREET_A

pytestmark = pytest.mark.django_db

Kind = Station.Kind
Status = Station.Status
API = "/api/v1/stations/"
STREET_A2 = "440104004000"  # 六榕街道, 越秀区
STREET_B = "440105001000"  # 赤岗街道, 海珠区
# Who holds stations.view_station: the bureaus (民政), station heads and agency admins; anonymous callers get 401.
VIEWERS = {"anonymous": 401, "city_admin": 200, "district_a_admin": 200, "district_b_admin": 200}
VIEWERS |= {"station_head_a": 200, "agency_admin_a": 200, "outsider": 200}


@pytest.fixture
def network(world):
    """District A: a centre, 北京街 station (agency A) with two full-time staff, a room of 流水井社区 with its resident
    worker, 六榕街 station in preparation; district B: 赤岗街 station."""
    centre = make_station(Kind.CENTRE, DISTRICT_A)
    street = make_station(Kind.STATION, STREET_A, agency=world.agency_a, name="北京街社工站")
    room = make_station(Kind.ROOM, COMMUNITY_A, name="流水井社区社工室")
    preparing = make_station(Kind.STATION, STREET_A2, status=Status.PREPARING, opened_on=None)
    district_b = make_station(Kind.STATION, STREET_B, name="赤岗街社工站")
    head, colleague = staff(street, 2)
    resident = make_worker(name="驻点社工甲", region=COMMUNITY_A)
    services.staff_assign(actor=None, station=room, worker=resident, role="resident", start_date=LONG_AGO)
    return {
        "centre": centre,
        "street": street,
        "room": room,
        "preparing": preparing,
        "district_b": district_b,
        "resident": resident,
        "staff": [head, colleague],
    }


def ids(network, *names) -> set[int]:
    return {network[name].pk for name in names}


def get(client, user, url, **params):
    response = response_for(client, user, url, data=params)
    return response.status_code, response.json()


# --- The list ------------------------------------------------------------------------------------------------------


def test_who_may_list_stations(client, world, network):
    assert_matrix(client, world, API, VIEWERS, default=403)


def test_each_caller_sees_their_own_stations(client, world, network):
    district_a = ids(network, "centre", "street", "room", "preparing")
    assert visible_ids(client, world.city_admin, API) == district_a | ids(network, "district_b")
    assert visible_ids(client, world.district_a_admin, API) == district_a
    assert visible_ids(client, world.district_b_admin, API) == ids(network, "district_b")
    # The head of 北京街道 sees the street's station and the rooms under it.
    assert visible_ids(client, world.station_head_a, API) == ids(network, "street", "room")
    # The admin of agency A sees the station the agency operates.
    assert visible_ids(client, world.agency_admin_a, API) == ids(network, "street")
    assert visible_ids(client, world.outsider, API) == set()


def test_filters_and_paging(client, world, network):
    user = world.city_admin
    assert visible_ids(client, user, f"{API}?region=440104003") == ids(network, "street", "room")
    assert visible_ids(client, user, f"{API}?kind=station") == ids(network, "street", "preparing", "district_b")
    assert visible_ids(client, user, f"{API}?status=preparing&region=440104") == ids(network, "preparing")
    assert visible_ids(client, user, f"{API}?q=流水井") == ids(network, "room")
    status, page = get(client, user, API, limit=2, offset=1)
    assert status == 200 and (page["count"], page["limit"], page["offset"], len(page["items"])) == (5, 2, 1, 2)
    everything = get(client, user, API)[1]["items"]
    assert [item["id"] for item in page["items"]] == [item["id"] for item in everything[1:3]]
    first = next(item for item in everything if item["id"] == network["street"].pk)
    assert first["code"] == "S440104003" and first["agency_name"] == world.agency_a.name
    assert (first["kind_label"], first["status_label"], first["counts_in_coverage"]) == ("镇街社工站", "运营", True)
    for bad in ({"kind": "shop"}, {"status": "closed"}, {"region": "44010"}, {"sort": "age"}):
        assert get(client, user, API, **bad)[0] == 422, bad
    # The list page's other filters and sorts, through its own form.
    assert visible_ids(client, user, f"{API}?agency={world.agency_a.pk}") == ids(network, "street")
    names = [item["name"] for item in get(client, user, API, sort="name")[1]["items"]]
    assert names == sorted(names)
    # A region outside the caller's scope is refused like on the page, not silently empty.
    status, body = get(client, world.district_a_admin, API, region="440105")
    assert status == 422 and "管辖范围" in body["detail"]


def test_only_the_non_compliant(client, world, network):
    # 北京街 has 2 full-time staff; 越秀区's own standard asks for 3.
    profile = PolicyProfile.objects.create(name="越秀区标准", region_id=DISTRICT_A, valid_from=LONG_AGO)
    PolicyRule.objects.create(profile=profile, kind="staffing_minimum", params={"street_station": 3})
    failing = visible_ids(client, world.district_a_admin, f"{API}?noncompliant=true")
    assert network["street"].pk in failing and network["preparing"].pk not in failing
    assert failing <= ids(network, "street", "room", "centre")


# --- One station ---------------------------------------------------------------------------------------------------


def test_detail_matrix_and_scope(client, world, network):
    url = f"{API}{network['street'].code}"
    assert_matrix(
        client,
        world,
        url,
        {**VIEWERS, "district_b_admin": 404, "outsider": 404},
        default=403,
    )
    b_url = f"{API}{network['district_b'].code}"
    assert_matrix(
        client,
        world,
        b_url,
        {"anonymous": 401, "city_admin": 200, "district_b_admin": 200, "district_a_admin": 404},
        default=None,
    )
    for name in ("station_head_a", "agency_admin_a", "outsider"):
        assert get(client, world.users[name], b_url)[0] == 404
    assert get(client, world.city_admin, f"{API}S000000")[0] == 404


def test_detail_has_services_current_staff_and_verdicts(client, world, network):
    street = network["street"]
    domain = service_domain()
    services.station_service_add(actor=None, station=street, domain=domain.code, title="长者关爱", description="探访")
    former = make_worker(name="已离任社工", region=STREET_A)
    services.staff_assign(
        actor=None,
        station=street,
        worker=former,
        role="deputy",
        start_date=LONG_AGO,
        end_date=datetime.date(2021, 1, 1),
    )
    # 越秀区's own staffing standard (a district profile), so the street station is judged: 2 staff, 3 required.
    profile = PolicyProfile.objects.create(
        name="越秀区标准", region_id=DISTRICT_A, valid_from=datetime.date(2020, 1, 1)
    )
    PolicyRule.objects.create(
        profile=profile, kind="staffing_minimum", params={"street_station": 3}, source_text="越秀区测试文件"
    )
    status, body = get(client, world.district_a_admin, f"{API}{street.code}")
    assert status == 200
    assert body["services"] == [
        {
            "id": street.services.get().pk,
            "domain": domain.code,
            "domain_label": domain.name,
            "title": "长者关爱",
            "description": "探访",
            "is_active": True,
        }
    ]
    assert {row["worker"] for row in body["staff"]} == {worker.pk for worker in network["staff"]}
    assert all(row["full_time"] and row["role"] == "full_time" for row in body["staff"])
    judgement = body["judgement"]
    assert (judgement["judged"], judgement["compliant"], judgement["full_time_staff"]) == (True, False, 2)
    [verdict] = judgement["verdicts"]
    assert (verdict["kind"], verdict["passed"], verdict["status"]) == ("staffing_minimum", False, "fail")
    assert verdict["figures"]["minimum"] == 3 and verdict["source_text"] == "越秀区测试文件"
    assert verdict["profile_name"].startswith("越秀区标准")
    assert "id_number" not in str(body) and network["staff"][0].id_number not in str(body)


def test_a_room_shows_its_resident_and_the_presence_verdict(client, world, network):
    room, resident = network["room"], network["resident"]
    monday, _sunday = rules.last_complete_week(timezone.localdate())
    for offset in range(3):
        PresenceCheckIn.objects.create(
            worker=resident,
            station=room,
            community=room.region,
            date=monday + datetime.timedelta(days=offset),
            method="qr",
        )
    body = get(client, world.station_head_a, f"{API}{room.code}")[1]
    judgement = body["judgement"]
    assert (judgement["resident_worker"], judgement["resident_name"]) == (resident.pk, "驻点社工甲")
    assert judgement["presence_days"] == 3 and judgement["presence_week"] == f"{monday:%G-W%V}"
    presence = next(v for v in judgement["verdicts"] if v["kind"] == "presence_days_per_week")
    assert presence["passed"] is True and "广州" in presence["profile_name"]
    assert body["staff"] == [
        {
            "worker": resident.pk,
            "name": "驻点社工甲",
            "role": "resident",
            "role_label": "驻点社工",
            "full_time": True,
            "start_date": "2020-01-01",
            "end_date": None,
        }
    ]


# --- Coverage and the non-compliant list ---------------------------------------------------------------------------


def test_coverage_of_a_district_per_street(client, world, network):
    url = f"{API}coverage/440104"
    assert_matrix(
        client,
        world,
        url,
        {"anonymous": 401, "city_admin": 200, "district_a_admin": 200, "district_b_admin": 404, "outsider": 404},
    )
    body = get(client, world.district_a_admin, url)[1]
    summary = body["summary"]
    streets = Region.objects.filter(parent_id=DISTRICT_A).count()
    communities = Region.objects.filter(level=5, code__startswith="440104").count()
    assert summary["region"] == {"code": DISTRICT_A, "name": "越秀区", "level": 3}
    assert summary["stations"] == {"centre": 1, "room": 1, "station": 2}
    # Coverage counts operating stations only: 六榕街 is in preparation.
    assert (summary["townships"], summary["townships_with_station"]) == (streets, 1)
    assert (summary["communities"], summary["communities_with_room"]) == (communities, 1)
    assert summary["township_share"] == pytest.approx(1 / streets)
    assert len(body["children"]) == streets
    beijing = next(child for child in body["children"] if child["region"]["code"] == STREET_A)
    assert beijing["stations"] == {"room": 1, "station": 1} and beijing["townships_with_station"] == 1
    assert beijing["communities"] == Region.objects.filter(level=5, code__startswith="440104003").count()
    liurong = next(child for child in body["children"] if child["region"]["code"] == STREET_A2)
    assert (liurong["stations"], liurong["townships_with_station"]) == ({"station": 1}, 0)
    # A district admin cannot look at the city; the city admin sees both districts.
    assert get(client, world.district_a_admin, f"{API}coverage/4401")[0] == 404
    city = get(client, world.city_admin, f"{API}coverage/4401")[1]
    assert city["summary"]["stations"] == {"centre": 1, "room": 1, "station": 3}
    assert get(client, world.city_admin, f"{API}coverage/44010")[0] == 422
    assert get(client, world.city_admin, f"{API}coverage/440199")[0] == 404


def test_coverage_verdicts_follow_the_profile(client, world, network):
    profile = PolicyProfile.objects.create(name="越秀区覆盖目标", region_id=DISTRICT_A, valid_from=LONG_AGO)
    PolicyRule.objects.create(profile=profile, kind="township_station_coverage", params={"minimum": "100"})
    summary = get(client, world.district_a_admin, f"{API}coverage/440104")[1]["summary"]
    [verdict] = summary["verdicts"]
    assert (verdict["kind"], verdict["passed"]) == ("township_station_coverage", False)


def test_non_compliant_stations_of_a_region(client, world, network):
    # The room's resident checked in once last week (广州: 3 days required); the street station has 2 staff.
    monday, _sunday = rules.last_complete_week(timezone.localdate())
    room = network["room"]
    PresenceCheckIn.objects.create(
        worker=network["resident"], station=room, community=room.region, date=monday, method="location"
    )
    url = f"{API}non-compliant/440104"
    assert_matrix(
        client,
        world,
        url,
        {"anonymous": 401, "city_admin": 200, "district_a_admin": 200, "district_b_admin": 404, "outsider": 404},
    )
    body = get(client, world.district_a_admin, url)[1]
    assert body["region"]["code"] == DISTRICT_A
    [item] = body["items"]
    assert item["station"]["id"] == room.pk
    [failing] = item["failing"]
    assert (failing["kind"], failing["figures"]["days_per_week"], failing["figures"]["minimum"]) == (
        "presence_days_per_week",
        "1",
        3,
    )
    assert "驻点社工甲" in failing["message"] and failing["source_text"]
    # The station head of 北京街道 asks about their own street: the same room.
    head = get(client, world.station_head_a, f"{API}non-compliant/440104003")[1]
    assert [row["station"]["id"] for row in head["items"]] == [room.pk]
    assert get(client, world.station_head_a, f"{API}non-compliant/440104")[0] == 404
    assert get(client, world.district_b_admin, f"{API}non-compliant/440105")[1]["items"] == []


# --- Check-ins -----------------------------------------------------------------------------------------------------


def test_check_ins_of_a_week(client, world, network):
    room, resident = network["room"], network["resident"]
    monday, sunday = rules.last_complete_week(timezone.localdate())
    for offset, method in [(0, "qr"), (2, "location")]:
        PresenceCheckIn.objects.create(
            worker=resident,
            station=room,
            community=room.region,
            date=monday + datetime.timedelta(days=offset),
            method=method,
        )
    PresenceCheckIn.objects.create(
        worker=resident,
        station=room,
        community=room.region,
        date=monday - datetime.timedelta(days=1),
        method="manual",
        note="忘记签到",
    )
    url = f"{API}{room.code}/check-ins?week={monday:%G-W%V}"
    assert_matrix(
        client,
        world,
        url,
        {**VIEWERS, "district_b_admin": 404, "outsider": 404, "agency_admin_a": 404},
        default=403,
    )
    body = get(client, world.district_a_admin, url)[1]
    assert (body["monday"], body["sunday"]) == (monday.isoformat(), sunday.isoformat())
    assert [(item["date"], item["method"]) for item in body["items"]] == [
        (monday.isoformat(), "qr"),
        ((monday + datetime.timedelta(days=2)).isoformat(), "location"),
    ]
    assert body["items"][0]["community_name"] == room.region.name
    assert body["days_by_worker"] == [{"worker": resident.pk, "name": "驻点社工甲", "days": 2}]
    assert (body["presence"]["passed"], body["presence"]["figures"]["days_per_week"]) == (False, "2")
    # A date inside the week names the same week; this week (not complete) has no verdict yet.
    same = get(client, world.district_a_admin, f"{API}{room.code}/check-ins", week=sunday.isoformat())[1]
    assert same["week"] == body["week"]
    now = get(client, world.district_a_admin, f"{API}{room.code}/check-ins")[1]
    assert now["presence"] is None and now["monday"] == rules.iso_week(timezone.localdate())[0].isoformat()
    assert get(client, world.district_a_admin, f"{API}{room.code}/check-ins", week="2026-W60")[0] == 422
    assert get(client, world.district_b_admin, f"{API}{network['district_b'].code}/check-ins")[1]["items"] == []
