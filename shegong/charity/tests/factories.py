"""Builders for the charity tests: stations through the real service, points, donations and allocations through the
charity services as the installation (actor None) unless a test says who acts."""

import datetime
from decimal import Decimal

from shegong.charity import services
from shegong.charity.models import Kind, PurposeKind
from shegong.stations.tests.factories import Kind as StationKind
from shegong.stations.tests.factories import make_station
from shegong.testing.world import STREET_A

STREET_B = "440105001000"  # a street of 海珠区 (district B)
OPENED = datetime.date(2024, 1, 1)


def make_point(street: str = STREET_A, name: str = "", opened_on=OPENED, agency=None):
    station = make_station(StationKind.STATION, street, name=name, agency=agency)
    return services.point_open(actor=None, station=station, opened_on=opened_on, public_note="欢迎捐赠")


def give(point, amount="100.00", *, actor=None, on=None, **values):
    values.setdefault("handler", "王经办")
    values.setdefault("donor_name", "" if values.get("anonymous") else "李善人")
    kind = values.pop("kind", Kind.MONEY)
    if kind == Kind.GOODS:
        values.setdefault("items", "大米")
        values.setdefault("quantity", 10)
        values.setdefault("estimated_value", Decimal(amount))
        amount = None
    return services.donation_receive(
        actor=actor,
        point=point,
        received_on=on or datetime.date(2025, 3, 1),
        kind=kind,
        amount=Decimal(amount) if amount is not None else None,
        **values,
    )


def allocate(point, amount="50.00", *, actor=None, on=None, **values):
    values.setdefault("approver", "张站长")
    values.setdefault("target", "group")
    if values["target"] == "group":
        values.setdefault("beneficiary_group", "北京街道困难老人 20 户")
    kind = values.pop("kind", Kind.MONEY)
    if kind == Kind.GOODS:
        values.setdefault("items", "大米")
        values.setdefault("quantity", 5)
        values.setdefault("estimated_value", Decimal(amount))
        amount = None
    values.setdefault("purpose_kind", PurposeKind.UNDIRECTED)
    return services.allocation_make(
        actor=actor,
        point=point,
        allocated_on=on or datetime.date(2025, 4, 1),
        kind=kind,
        amount=Decimal(amount) if amount is not None else None,
        **values,
    )
