"""Volunteer service certificates (志愿服务记录证明): numbers, 谁记录谁证明, the snapshot, the PDF, the public check,
the rate limit and the permission matrix of every certificate page."""

import datetime
import secrets
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from shegong.accounts.models import Role, RoleAssignment, User
from shegong.audit.models import AuditEntry
from shegong.stations.tests.factories import Kind, make_station
from shegong.testing.concurrency import at_once
from shegong.testing.matrix import ViewCase
from shegong.volunteers import public_views
from shegong.volunteers.certificates import Issuer, certificate_issue, certificate_revoke, mask_name
from shegong.volunteers.models import Certificate, ServiceRecord, Volunteer
from shegong.workers.identity import id_number_from_body

pytestmark = pytest.mark.django_db

STREET_A = "440104003000"  # 北京街道 (station_head_a)
COMMUNITY_A = "440104003104"
STREET_B = "440105001000"  # 海珠区 (worker_b's district)
COMMUNITY_B = "440105001101"
START = datetime.date(2026, 1, 1)
_serial = iter(range(100, 999))


@pytest.fixture(autouse=True)
def _no_rate_limit(monkeypatch):
    monkeypatch.setattr(public_views, "RATE_LIMIT", 1_000_000)


def station(street: str = STREET_A):
    from shegong.stations.models import Station

    return Station.objects.filter(region_id=street).first() or make_station(Kind.STATION, street)


def volunteer(name: str = "张小明", region: str = COMMUNITY_A, account=None) -> Volunteer:
    sequence = next(_serial)
    return Volunteer.objects.create(
        number=f"VT{secrets.token_hex(4)}",
        name=name,
        id_number=id_number_from_body(f"44010419900101{sequence:03d}"[:17]),
        birth_date=datetime.date(1990, 1, 1),
        sex="M",
        region_id=region,
        province_code=region[:2],
        station=station(STREET_A if region.startswith("440104") else STREET_B),
        registered_on=datetime.date(2025, 12, 1),
        account=account,
    )


def service(
    person: Volunteer, where, hours: str, *, day: datetime.date = datetime.date(2026, 3, 1), status="confirmed"
):
    confirmer = User.objects.filter(username="station_head_a").first()
    return ServiceRecord.objects.create(
        volunteer=person,
        service_date=day,
        hours=Decimal(hours),
        content=f"社区探访 {hours} 小时",
        region_id=where.region_id,
        province_code=where.region_id[:2],
        station=where,
        status=status,
        confirmed_by=confirmer if status == "confirmed" else None,
        confirmed_at=timezone.now() if status == "confirmed" else None,
    )


def issue(person, where, actor, **kwargs):
    kwargs.setdefault("period_start", START)
    kwargs.setdefault("period_end", timezone.localdate())
    return certificate_issue(volunteer=person, issuer=Issuer(station=where), actor=actor, **kwargs)


def keeper(street: str = STREET_B, username: str = "head_b") -> User:
    """A 站长 of the street's station (the world has none in 海珠区)."""
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(username=username, password="x", display_name=username)
        RoleAssignment.objects.create(user=user, role=Role.objects.get(code="station_head"), region_id=street)
    return user


def volunteer_user(username: str = "vol_user") -> User:
    user = User.objects.create_user(username=username, password="x", display_name=username)
    RoleAssignment.objects.create(user=user, role=Role.objects.get(code="volunteer"), region_id=COMMUNITY_A)
    return user


# --- Numbers and 谁记录谁证明 -----------------------------------------------------------------------------------------


def test_numbers_are_sequential_per_issuer_and_year(world):
    a, b = station(), station(STREET_B)
    person = volunteer()
    service(person, a, "2")
    service(person, b, "3")
    year = timezone.localdate().year
    first = issue(person, a, world.station_head_a)
    second = issue(person, a, world.station_head_a, handler="王经办")
    other = issue(person, b, keeper())
    assert first.number == f"{a.code}-{year}-000001"
    assert second.number == f"{a.code}-{year}-000002" and second.handler == "王经办"
    assert other.number == f"{b.code}-{year}-000001"
    assert first.handler == str(world.station_head_a) and not first.self_service


def test_only_the_issuers_confirmed_hours_in_the_period_count(world):
    a, b = station(), station(STREET_B)
    person = volunteer()
    service(person, a, "2.5", day=datetime.date(2026, 3, 1))
    service(person, a, "1", day=datetime.date(2026, 4, 1))
    service(person, a, "3", status="pending")
    void = service(person, a, "4", status="pending")
    ServiceRecord.objects.filter(pk=void.pk).update(status="void", void_reason="重复登记")
    service(person, b, "5")
    service(person, a, "6", day=datetime.date(2025, 12, 31))  # before the period
    certificate = issue(person, a, world.station_head_a)
    assert certificate.total_hours == Decimal("3.5")
    assert [line["hours"] for line in certificate.lines] == ["2.5", "1.0"]
    assert certificate.lines[0] == {"date": "2026-03-01", "hours": "2.5", "content": "社区探访 2.5 小时", "place": ""}
    assert certificate.id_number_masked.startswith("440104") and "*" in certificate.id_number_masked
    entry = AuditEntry.objects.get(object_type="volunteers.certificate", action="create")
    assert entry.changes["total_hours"] == [None, "3.5"]


def test_no_confirmed_hours_of_the_issuer_is_refused(world):
    a = station()
    person = volunteer()
    service(person, a, "3", status="pending")
    service(person, station(STREET_B), "2")
    with pytest.raises(ValidationError) as caught:
        issue(person, a, world.station_head_a)
    assert caught.value.error_dict["period_start"][0].code == "no_hours"
    assert not Certificate.objects.exists()


def test_bad_periods_are_refused_with_a_reason(world):
    a = station()
    person = volunteer()
    service(person, a, "2")
    with pytest.raises(ValidationError) as caught:
        issue(person, a, world.station_head_a, period_start=datetime.date(2026, 5, 1), period_end=START)
    assert caught.value.error_dict["period_start"][0].code == "order"
    with pytest.raises(ValidationError) as caught:
        issue(person, a, world.station_head_a, period_end=timezone.localdate() + datetime.timedelta(days=1))
    assert caught.value.error_dict["period_end"][0].code == "future"


def test_the_certificate_does_not_change_after_a_later_correction(world):
    a = station()
    person = volunteer()
    entry = service(person, a, "4")
    certificate = issue(person, a, world.station_head_a)
    ServiceRecord.objects.filter(pk=entry.pk).update(hours=Decimal("1.5"), content="更正后的内容")
    Volunteer.objects.filter(pk=person.pk).update(name="张大明")
    certificate.refresh_from_db()
    assert certificate.total_hours == Decimal("4") and certificate.lines[0]["hours"] == "4.0"
    assert certificate.lines[0]["content"] == "社区探访 4 小时" and certificate.volunteer_name == "张小明"
    later = issue(Volunteer.objects.get(pk=person.pk), a, world.station_head_a)
    assert later.total_hours == Decimal("1.5") and later.number != certificate.number


def test_who_may_issue(world):
    a = station()
    owner = volunteer_user()
    person = volunteer(account=owner)
    service(person, a, "2")
    for outsider in (world.outsider, world.district_b_admin, world.no_role, volunteer_user("someone_else")):
        with pytest.raises(PermissionDenied):
            issue(person, a, outsider)
    mine = issue(person, a, owner)
    assert mine.self_service and mine.handler == "" and mine.issued_by == owner
    entry = AuditEntry.objects.get(object_type="volunteers.certificate", object_id=str(mine.pk))
    assert "免费" in entry.note


def test_revoke_needs_a_reason_and_happens_once(world):
    a = station()
    person = volunteer()
    service(person, a, "2")
    certificate = issue(person, a, world.station_head_a)
    with pytest.raises(ValidationError) as caught:
        certificate_revoke(certificate=certificate, reason=" ", actor=world.station_head_a)
    assert caught.value.error_dict["reason"][0].code == "required"
    with pytest.raises(PermissionDenied):
        certificate_revoke(certificate=certificate, reason="错误", actor=world.district_b_admin)
    certificate_revoke(certificate=certificate, reason="服务时长登记有误", actor=world.station_head_a)
    certificate.refresh_from_db()
    assert certificate.is_revoked and certificate.revoked_by == world.station_head_a
    with pytest.raises(ValidationError) as caught:
        certificate_revoke(certificate=certificate, reason="再次", actor=world.station_head_a)
    assert caught.value.error_dict["reason"][0].code == "already_revoked"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers: no race to test")
def test_concurrent_issues_never_share_a_number(world):
    a = station()
    people = [volunteer(f"志愿者{n}") for n in range(4)]
    for person in people:
        service(person, a, "2")
    outcomes = at_once(
        {person.name: (lambda person=person: issue(person, a, world.station_head_a).number) for person in people}
    )
    year = timezone.localdate().year
    assert sorted(outcomes.values()) == [f"{a.code}-{year}-{n:06d}" for n in range(1, 5)]


# --- PDF and the public check --------------------------------------------------------------------------------------


def test_pdf_and_print_page(client, world):
    a = station()
    owner = volunteer_user()
    person = volunteer(account=owner)
    service(person, a, "2")
    certificate = issue(person, a, owner)
    client.force_login(owner)
    response = client.get(reverse("volunteers:certificate_pdf", args=[certificate.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    page = client.get(reverse("volunteers:certificate_detail", args=[certificate.pk])).content.decode()
    for text in (certificate.number, "居民身份证", certificate.id_number_masked, "免费出具", "线上自助出具", "/v/"):
        assert text in page
    assert person.id_number not in page


def test_public_check_valid_revoked_unknown(client, world):
    a = station()
    person = volunteer("张小明")
    service(person, a, "2.5")
    certificate = issue(person, a, world.station_head_a)
    response = client.get(reverse("certificate_verify:verify", args=[certificate.number]))
    body = response.content.decode()
    assert response.status_code == 200 and 'data-status="valid"' in body
    assert "张*明" in body and "张小明" not in body and "2.5" in body and a.name in body
    assert person.number not in body and certificate.id_number_masked not in body
    certificate_revoke(certificate=certificate, reason="有误", actor=world.station_head_a)
    body = client.get(reverse("certificate_verify:verify", args=[certificate.number])).content.decode()
    assert 'data-status="revoked"' in body and "有误" not in body
    response = client.get(reverse("certificate_verify:verify", args=["NOPE-2026-000001"]))
    assert response.status_code == 404 and 'data-status="unknown"' in response.content.decode()
    lookup = client.get(reverse("certificate_verify:lookup"), {"number": f" {certificate.number} "})
    assert lookup.status_code == 302 and lookup["Location"].endswith(f"/v/{certificate.number}/")
    assert client.get(reverse("certificate_verify:lookup")).status_code == 200


def test_public_check_is_rate_limited(client, world, monkeypatch):
    monkeypatch.setattr(public_views, "RATE_LIMIT", 3)
    address = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"
    url = reverse("certificate_verify:verify", args=["NOPE-1"])
    statuses = [client.get(url, REMOTE_ADDR=address).status_code for _ in range(5)]
    assert statuses == [404, 404, 404, 429, 429]
    assert client.get(url, REMOTE_ADDR="192.0.2.77").status_code in (404, 429)


@pytest.mark.parametrize(
    ("name", "masked"), [("张小明", "张*明"), ("张三", "张*"), ("欧阳小明", "欧**明"), ("李", "李"), ("", "")]
)
def test_mask_name(name, masked):
    assert mask_name(name) == masked


# --- Pages: the permission matrix ----------------------------------------------------------------------------------


@pytest.fixture
def certificates(world):
    """One certificate of station A (北京街道) and one of a station in 海珠区, each of its own volunteer."""
    a, b = station(), station(STREET_B)
    person_a, person_b = volunteer(), volunteer("李四", COMMUNITY_B)
    service(person_a, a, "2")
    service(person_b, b, "3")
    world.cert_a = issue(person_a, a, world.station_head_a)
    world.cert_b = issue(person_b, b, keeper())
    return world


SEE_A = {
    "anonymous": 302,
    "city_admin": 200,
    "district_a_admin": 200,
    "station_head_a": 200,
    "district_b_admin": 404,
    "worker_b": 404,
    "outsider": 404,
    "no_role": 403,
}
LIST = {
    "anonymous": 302,
    "city_admin": 200,
    "district_a_admin": 200,
    "district_b_admin": 200,
    "station_head_a": 200,
    "worker_b": 200,
    "outsider": 200,
    "no_role": 403,
}
CASES = [
    ViewCase("volunteers:certificate_list", LIST),
    ViewCase("volunteers:certificate_export", {**LIST, "outsider": 200}, method="post"),
    ViewCase(
        "volunteers:certificate_issue",
        {"anonymous": 302, "station_head_a": 200, "agency_admin_a": 200, "no_role": 403, "city_admin": 403},
    ),
    ViewCase(
        "volunteers:certificate_detail",
        SEE_A,
        args=lambda w: [w.cert_a.pk],
        out_of_scope=lambda w: [w.cert_b.pk],
        out_of_scope_users=["district_a_admin", "station_head_a"],
    ),
    ViewCase(
        "volunteers:certificate_pdf",
        SEE_A,
        args=lambda w: [w.cert_a.pk],
        out_of_scope=lambda w: [w.cert_b.pk],
        out_of_scope_users=["district_a_admin", "station_head_a"],
    ),
    ViewCase(
        "volunteers:certificate_revoke",
        {"anonymous": 302, "city_admin": 403, "district_a_admin": 403, "no_role": 403, "station_head_a": 302},
        method="post",
        data={"reason": "测试撤销"},
        args=lambda w: [w.cert_a.pk],
        out_of_scope=lambda w: [w.cert_b.pk],
        out_of_scope_users=["station_head_a"],
    ),
    ViewCase("volunteers:certificate_mine", {"anonymous": 302, "station_head_a": 403, "no_role": 403}),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_permission_matrix(client, certificates, case):
    case.check(client, certificates)


def test_outsiders_list_nothing_of_guangzhou(client, certificates):
    client.force_login(certificates.outsider)
    body = client.get(reverse("volunteers:certificate_list")).content.decode()
    assert certificates.cert_a.number not in body and certificates.cert_b.number not in body
    client.force_login(certificates.district_a_admin)
    body = client.get(reverse("volunteers:certificate_list"), {"q": "张"}).content.decode()
    assert certificates.cert_a.number in body and certificates.cert_b.number not in body


def test_revoke_page_revokes(client, certificates):
    client.force_login(certificates.station_head_a)
    url = reverse("volunteers:certificate_revoke", args=[certificates.cert_a.pk])
    assert client.post(url, {"reason": "登记有误"}).status_code == 302
    certificates.cert_a.refresh_from_db()
    assert certificates.cert_a.revoked_reason == "登记有误"


def test_issue_page_and_self_service_page(client, world):
    a = station()
    owner = volunteer_user()
    person = volunteer(account=owner)
    service(person, a, "2")
    client.force_login(world.station_head_a)
    url = reverse("volunteers:certificate_issue")
    data = {"issuer": f"s:{a.pk}", "period_start": "2026-01-01", "period_end": timezone.localdate().isoformat()}
    response = client.post(url, {**data, "volunteer_number": "NOBODY"})
    assert response.status_code == 200 and "没有这个志愿者编号" in response.content.decode()
    response = client.post(url, {**data, "volunteer_number": person.number, "handler": "王经办"})
    certificate = Certificate.objects.get()
    assert response.status_code == 302 and certificate.handler == "王经办"
    response = client.post(url, {**data, "period_start": "2026-12-31", "volunteer_number": person.number})
    assert "不能晚于" in response.content.decode()

    client.force_login(owner)
    page = client.get(reverse("volunteers:certificate_mine")).content.decode()
    assert certificate.number in page and a.name in page
    response = client.post(reverse("volunteers:certificate_mine"), data)
    assert response.status_code == 302
    assert Certificate.objects.filter(volunteer=person, self_service=True).count() == 1
    # Only the organisations that confirmed hours of the volunteer are offered.
    response = client.post(reverse("volunteers:certificate_mine"), {**data, "issuer": f"s:{station(STREET_B).pk}"})
    assert response.status_code == 200 and Certificate.objects.count() == 2


def test_region_of_certificate_is_the_issuers(world):
    a = station()
    person = volunteer("王五", COMMUNITY_B)
    service(person, a, "2")
    certificate = issue(person, a, world.station_head_a)
    assert certificate.region_id == STREET_A and certificate.province_code == "44"


# --- REST ------------------------------------------------------------------------------------------------------------

API = "/api/v1/volunteers/certificates/"
API_SEE_A = {**SEE_A, "anonymous": 401}


def test_api_list_is_scoped(client, certificates):
    from shegong.testing.matrix import assert_matrix, visible_ids

    assert_matrix(client, certificates, API, {**LIST, "anonymous": 401})
    assert visible_ids(client, certificates.district_a_admin, API) == {certificates.cert_a.pk}
    assert visible_ids(client, certificates.outsider, API) == set()
    assert visible_ids(client, certificates.city_admin, API + "?status=revoked") == set()
    item = client.get(API + f"?q={certificates.cert_a.number}").json()[0]
    assert item["id_number"] == certificates.cert_a.id_number_masked and item["lines"][0]["hours"] == "2.0"


def test_api_detail_issue_and_revoke(client, certificates):
    from shegong.testing.matrix import assert_matrix

    assert_matrix(client, certificates, f"{API}{certificates.cert_a.pk}", API_SEE_A)
    for name in ("district_a_admin", "station_head_a"):
        client.force_login(certificates.users[name])
        assert client.get(f"{API}{certificates.cert_b.pk}").status_code == 404
    a = station()
    person = Volunteer.objects.get(pk=certificates.cert_a.volunteer_id)
    payload = {
        "volunteer_number": person.number,
        "issuer": f"s:{a.pk}",
        "period_start": "2026-01-01",
        "period_end": timezone.localdate().isoformat(),
    }
    expected = {"anonymous": 401, "no_role": 403, "city_admin": 403, "district_b_admin": 403}
    assert_matrix(client, certificates, API, expected, method="post", data=payload, content_type="application/json")
    client.force_login(keeper())
    response = client.post(API, payload, content_type="application/json")
    assert response.status_code == 404
    client.force_login(certificates.station_head_a)
    response = client.post(API, payload, content_type="application/json")
    assert response.status_code == 201 and response.json()["number"].endswith("-000002")
    bad = client.post(API, {**payload, "period_start": "2026-12-31"}, content_type="application/json")
    assert bad.status_code == 400 and "不能晚于" in bad.json()["detail"]
    url = f"{API}{certificates.cert_a.pk}/revoke"
    assert client.post(url, {"reason": ""}, content_type="application/json").status_code == 400
    client.force_login(keeper())
    assert client.post(url, {"reason": "x"}, content_type="application/json").status_code == 404
    client.force_login(certificates.station_head_a)
    response = client.post(url, {"reason": "有误"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["revoked"] is True


def test_menu_entries(client, world):
    from django.contrib.auth.models import Permission

    client.force_login(world.station_head_a)
    home = client.get("/").content.decode()
    assert 'data-nav="volunteers:certificate_list"' in home and 'data-nav="volunteers:certificate_mine"' not in home
    owner = volunteer_user()
    volunteer(account=owner)
    assert Permission.objects.filter(codename="add_signup").exists()
    client.force_login(owner)
    home = client.get("/").content.decode()
    assert 'data-nav="volunteers:certificate_mine"' in home and 'data-nav="volunteers:certificate_list"' not in home
