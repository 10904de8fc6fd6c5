"""Builders for the recipients tests. Recipients go through the real service as the installation (actor None), so
their encryption, keyed hash and derived fields are what production writes."""

import datetime
import itertools

from shegong.recipients import services
from shegong.recipients.models import Recipient
from shegong.regions.models import Region
from shegong.stations.tests.factories import Kind, make_station  # noqa: F401  (re-exported)
from shegong.workers.identity import id_number_from_body

COMMUNITY_A = "440104003104"  # 流水井社区, 北京街道, 越秀区 (district A, station_head_a's street)
COMMUNITY_A2 = "440104001007"  # 三眼井社区, another street of 越秀区
COMMUNITY_B = "440105001101"  # 下渡社区, 海珠区 (district B)
_serial = itertools.count(1)


def id_number(birth: str = "19500101", place: str = "440104", sequence: int | None = None) -> str:
    """A checksum-valid ID number; odd sequence numbers are men, even ones women (GB 11643)."""
    sequence = next(_serial) % 1000 if sequence is None else sequence
    return id_number_from_body(f"{place}{birth}{sequence:03d}")


def make_recipient(name: str = "陈大文", community: str = COMMUNITY_A, *, actor=None, **values) -> Recipient:
    values.setdefault("id_number", id_number())
    if not values["id_number"]:
        values.setdefault("no_id_reason", Recipient.NoIdReason.NO_DOCUMENT)
        values.setdefault("birth_date", datetime.date(2015, 5, 1))
        values.setdefault("sex", "F")
    values.setdefault("consent_given_on", datetime.date(2026, 1, 5))
    return services.recipient_create(actor=actor, name=name, community=Region.objects.get(pk=community), **values)


def withdraw(recipient: Recipient, actor=None, reason: str = "本人要求撤回") -> Recipient:
    return services.recipient_withdraw_consent(
        actor=actor, recipient=recipient, on=datetime.date(2026, 2, 1), reason=reason
    )
