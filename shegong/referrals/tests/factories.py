"""Builders for the referrals tests: two stations (北京街道 in district A, 下渡 street in district B with a head), two
recipients who consented to referral sharing, and referrals made through the real service."""

from shegong.recipients.models import ConsentScope
from shegong.recipients.tests.factories import COMMUNITY_A, COMMUNITY_B, make_recipient
from shegong.referrals import services
from shegong.referrals.models import Referral
from shegong.stations import services as station_services
from shegong.stations.tests.factories import LONG_AGO, Kind, make_station, make_user, make_worker
from shegong.testing.world import STREET_A

STREET_B = "440105001000"  # the street of 下渡社区, 海珠区 (district B)
SHARING = [ConsentScope.SERVICE_RECORD, ConsentScope.REFERRAL_SHARING]


def make_head(station, username: str):
    account = make_user(username, "station_head", region=station.region_id)
    worker = make_worker(region=station.region_id, account=account)
    station_services.staff_assign(actor=None, station=station, worker=worker, role="head", start_date=LONG_AGO)
    return account


def setup(world):
    """Put the referral fixtures on the world and return it."""
    world.station_a = make_station(Kind.STATION, STREET_A)
    world.station_b = make_station(Kind.STATION, STREET_B, agency=world.agency_b)
    world.head_b = make_head(world.station_b, "head_b")
    world.recipient_a = make_recipient("陈大文", COMMUNITY_A, consent_scopes=SHARING)
    world.recipient_b = make_recipient("黄海珠", COMMUNITY_B, consent_scopes=SHARING)
    return world


def refer(world, *, actor=None, recipient=None, from_station=None, **target) -> Referral:
    if not target:
        target = {"to_station": world.station_b}
    return services.referral_create(
        actor=actor,
        recipient=recipient or world.recipient_a,
        from_station=from_station or world.station_a,
        reason="需要法律援助",
        needs_summary="家庭纠纷，需要专业支持",
        **target,
    )


def drive(referral: Referral, state: str) -> Referral:
    """Bring a fresh referral to `state` along the allowed moves (as the installation)."""
    path = {
        Referral.State.IN_PROGRESS: [],
        Referral.State.ACCEPTED: [(Referral.State.ACCEPTED, "")],
        Referral.State.REJECTED: [(Referral.State.REJECTED, "不在服务范围")],
        Referral.State.DONE: [(Referral.State.ACCEPTED, ""), (Referral.State.DONE, "已提供服务")],
        Referral.State.REVOKED: [(Referral.State.REVOKED, "家属已自行联系")],
    }[state]
    for to_state, note in path:
        referral = services.referral_move(actor=None, referral=referral, to_state=to_state, note=note)
    return referral
