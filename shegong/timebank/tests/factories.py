"""Builders for the time-bank tests: accounts through the real services, as the installation (actor None)."""

from decimal import Decimal

from shegong.policies import services as policy_services
from shegong.policies.models import PolicyProfile
from shegong.recipients.tests.factories import make_recipient
from shegong.timebank import services
from shegong.timebank.models import Account
from shegong.volunteers.tests.factories import COMMUNITY_A, COMMUNITY_B, make_user, make_volunteer, station_a, station_b

__all__ = ["COMMUNITY_A", "COMMUNITY_B", "make_user", "station_a", "station_b"]


def volunteer_account(name: str = "李志愿", region: str = COMMUNITY_A, *, user=None) -> Account:
    volunteer = make_volunteer(name, region)
    if user is not None:
        volunteer.account = user
        volunteer.save(update_fields=["account"])
    return services.account_open(owner=volunteer, kind=Account.Kind.VOLUNTEER, actor=None)


def resident_account(name: str = "陈大文", region: str = COMMUNITY_A) -> Account:
    return services.account_open(owner=make_recipient(name, region), kind=Account.Kind.RESIDENT, actor=None)


def station_account(station=None) -> Account:
    station = station or station_a()
    existing = Account.objects.filter(station=station, kind=Account.Kind.STATION).first()
    return existing or services.account_open(owner=station, kind=Account.Kind.STATION, actor=None)


def funded(account: Account, hours) -> Account:
    issuer = station_account(station_a() if str(account.region_id).startswith("440104") else station_b())
    services.grant(issuer=issuer, account=account, hours=Decimal(hours), actor=None)
    account.refresh_from_db()
    return account


def set_rule(kind: str, params: dict, *, actor):
    """A rule in the 广州市 profile (the presets leave the time-bank kinds unset)."""
    profile = PolicyProfile.objects.filter(region_id="440100000000").order_by("-valid_from").first()
    existing = profile.rules.filter(kind=kind).first()
    if existing is not None:
        return policy_services.rule_set_params(actor=actor, rule=existing, params=params)
    return policy_services.rule_add(actor=actor, profile=profile, kind=kind, params=params, source_text="测试设定")
