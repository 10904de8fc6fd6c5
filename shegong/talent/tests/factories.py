"""Builders for the talent and recruitment tests. Workers are written directly (no service, no audit) so a test states
only what it is about; the services under test are called by the tests themselves."""

import datetime
import itertools

from shegong.accounts.models import Role, RoleAssignment, User
from shegong.testing.world import DISTRICT_A, PASSWORD
from shegong.workers.identity import id_number_from_body, name_initials
from shegong.workers.models import CreditEvent, SocialWorker

_serial = itertools.count(1)


def make_worker(name: str = "", region: str = DISTRICT_A, agency=None, account=None, **values) -> SocialWorker:
    serial = next(_serial)
    name = name or f"测试社工{serial}"
    birth = datetime.date(1980 + serial % 20, 1 + serial % 12, 1 + serial % 28)
    body = f"{region[:6]}{birth:%Y%m%d}{serial % 1000:03d}"
    if agency is None:
        values.setdefault("employer_kind", "community")
        values.setdefault("employer_name", "测试社区居委会")
    return SocialWorker.objects.create(
        name=name,
        name_initials=name_initials(name),
        id_number=id_number_from_body(body),
        birth_date=birth,
        sex="M" if serial % 2 else "F",
        region_id=region,
        province_code=region[:2],
        agency=agency,
        account=account,
        **values,
    )


def make_user(username: str, role: str, *, region: str | None = None, agency=None) -> User:
    user = User(username=username, display_name=username, home_region_id=region, home_agency=agency)
    user.set_password(PASSWORD)
    user.save()
    RoleAssignment.objects.create(user=user, role=Role.objects.get(code=role), region_id=region, agency=agency)
    return user


def blacklist(worker: SocialWorker, recorded_by: User, on: datetime.date | None = None) -> CreditEvent:
    return CreditEvent.objects.create(
        worker=worker,
        kind=CreditEvent.Kind.VIOLATION,
        severity=CreditEvent.Severity.BLACKLIST,
        title="测试：列入黑名单",
        occurred_on=on or datetime.date(2024, 1, 1),
        recorded_by=recorded_by,
    )


def domain(code: str = "social_assistance", name: str = "社会救助"):
    from shegong.refdata.models import Dictionary, DictionaryItem

    dictionary, _created = Dictionary.objects.get_or_create(code="service_domain", defaults={"name": "服务领域"})
    item, _created = DictionaryItem.objects.get_or_create(dictionary=dictionary, code=code, defaults={"name": name})
    return item


def post_type(code: str = "professional", name: str = "专业社工岗"):
    """An item of the post_type dictionary (seeded by refdata's migration; a transactional test's flush removes it)."""
    from shegong.refdata.models import Dictionary, DictionaryItem

    dictionary, _created = Dictionary.objects.get_or_create(code="post_type", defaults={"name": "岗位类型"})
    item, _created = DictionaryItem.objects.get_or_create(dictionary=dictionary, code=code, defaults={"name": name})
    return item
