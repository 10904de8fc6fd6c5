"""Reading the charity ledger, always through the data scope (out of scope: 404).

Allocations to a recipient whose consent is withdrawn are left out of every list, export and API answer (the row stays
and the sums keep it: the money was spent). The public summary reads one point by its station code and returns only
sums, counts and destinations without personal data.

`facts` is the fact selector for the indicator catalogue (issue 7): yuan received and allocated by region, station,
month and kind, over the rows a user may see.
"""

import datetime

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.shortcuts import get_object_or_404

from shegong.charity import permissions
from shegong.charity.models import ZERO, Allocation, CharityPoint, Donation, Kind, PurposeKind
from shegong.core.scope import get_scoped_or_404, region_q, scoped

VISIBLE_ALLOCATION = Q(recipient__isnull=True) | Q(recipient__consent_withdrawn_on__isnull=True)


def point_search(*, actor, region=None, status: str = "", q: str = "") -> QuerySet:
    rows = scoped(CharityPoint, actor, permissions.VIEW_POINT).select_related("station", "station__region")
    if region is not None:
        rows = rows.filter(region_q("station__region", region.code, region.level))
    if status:
        rows = rows.filter(status=status)
    if q:
        rows = rows.filter(Q(station__name__contains=q) | Q(station__code__startswith=q))
    return rows


def point_get(*, actor, pk, perm: str = permissions.VIEW_POINT) -> CharityPoint:
    return get_scoped_or_404(CharityPoint.objects.select_related("station", "station__region"), actor, perm, pk=pk)


def donation_search(*, actor, point=None, kind: str = "", purpose_kind: str = "", since=None, until=None) -> QuerySet:
    rows = scoped(Donation, actor, permissions.VIEW_DONATION).select_related("point__station")
    if point is not None:
        rows = rows.filter(point=point)
    if kind:
        rows = rows.filter(kind=kind)
    if purpose_kind:
        rows = rows.filter(purpose_kind=purpose_kind)
    if since:
        rows = rows.filter(received_on__gte=since)
    if until:
        rows = rows.filter(received_on__lte=until)
    return rows


def donation_get(*, actor, pk) -> Donation:
    return get_scoped_or_404(Donation.objects.select_related("point__station"), actor, permissions.VIEW_DONATION, pk=pk)


def allocation_search(*, actor, point=None, kind: str = "", target: str = "", since=None, until=None) -> QuerySet:
    rows = (
        scoped(Allocation, actor, permissions.VIEW_ALLOCATION)
        .filter(VISIBLE_ALLOCATION)
        .select_related("point__station", "recipient", "project", "to_point__station")
    )
    if point is not None:
        rows = rows.filter(point=point)
    if kind:
        rows = rows.filter(kind=kind)
    if target:
        rows = rows.filter(target=target)
    if since:
        rows = rows.filter(allocated_on__gte=since)
    if until:
        rows = rows.filter(allocated_on__lte=until)
    return rows


def _value_sum(prefix: str = "") -> dict:
    return {
        "money": Sum(f"{prefix}amount", filter=Q(**{f"{prefix}kind": Kind.MONEY})),
        "goods": Sum(f"{prefix}estimated_value", filter=Q(**{f"{prefix}kind": Kind.GOODS})),
    }


def ledger(point: CharityPoint, year: int | None = None) -> dict:
    """A point's ledger: by kind and purpose (received, allocated, balance) and by month (received, allocated)."""
    donations = Donation.objects.filter(point=point)
    allocations = Allocation.objects.filter(point=point)
    if year:
        donations = donations.filter(received_on__year=year)
        allocations = allocations.filter(allocated_on__year=year)
    keys = ("kind", "purpose_kind", "purpose")
    buckets: dict[tuple, dict] = {}
    for row in donations.values(*keys).annotate(money=Sum("amount"), goods=Sum("estimated_value"), count=Count("id")):
        key = tuple(row[k] for k in keys)
        bucket = buckets.setdefault(key, {"received": ZERO, "allocated": ZERO, "donations": 0})
        bucket["received"] += (row["money"] if row["kind"] == Kind.MONEY else row["goods"]) or ZERO
        bucket["donations"] += row["count"]
    for row in allocations.values(*keys).annotate(money=Sum("amount"), goods=Sum("estimated_value")):
        key = tuple(row[k] for k in keys)
        bucket = buckets.setdefault(key, {"received": ZERO, "allocated": ZERO, "donations": 0})
        bucket["allocated"] += (row["money"] if row["kind"] == Kind.MONEY else row["goods"]) or ZERO
    kind_labels, purpose_labels = dict(Kind.choices), dict(PurposeKind.choices)
    by_purpose = [
        {
            "kind": kind,
            "kind_label": kind_labels[kind],
            "purpose_kind": purpose_kind,
            "purpose": purpose or purpose_labels[purpose_kind],
            "received": bucket["received"],
            "allocated": bucket["allocated"],
            "balance": bucket["received"] - bucket["allocated"],
            "donations": bucket["donations"],
        }
        for (kind, purpose_kind, purpose), bucket in sorted(buckets.items())
    ]
    months: dict[datetime.date, dict] = {}
    for row in donations.annotate(month=TruncMonth("received_on")).values("month").annotate(**_value_sum()):
        months.setdefault(row["month"], _zero_month())["received_money"] = row["money"] or ZERO
        months[row["month"]]["received_goods"] = row["goods"] or ZERO
    for row in allocations.annotate(month=TruncMonth("allocated_on")).values("month").annotate(**_value_sum()):
        months.setdefault(row["month"], _zero_month())["allocated_money"] = row["money"] or ZERO
        months[row["month"]]["allocated_goods"] = row["goods"] or ZERO
    totals = {kind: {"received": ZERO, "allocated": ZERO} for kind in Kind.values}
    for line in by_purpose:
        totals[line["kind"]]["received"] += line["received"]
        totals[line["kind"]]["allocated"] += line["allocated"]
    for total in totals.values():
        total["balance"] = total["received"] - total["allocated"]
    return {
        "by_purpose": by_purpose,
        "by_month": [{"month": month, **values} for month, values in sorted(months.items())],
        "totals": totals,
    }


def _zero_month() -> dict:
    return dict.fromkeys(("received_money", "received_goods", "allocated_money", "allocated_goods"), ZERO)


def public_point(code: str) -> CharityPoint:
    """A point by its station code for the public page (a closed point is still shown, with its status)."""
    return get_object_or_404(CharityPoint.objects.select_related("station"), station__code=code)


def public_summary(point: CharityPoint, today: datetime.date) -> dict:
    """This year's and last year's totals, donation counts by purpose and the latest allocations — no personal data:
    no donor, no phone, no recipient's name."""
    years = []
    for year in (today.year, today.year - 1):
        data = ledger(point, year)
        years.append({"year": year, "totals": data["totals"]})
    purposes = (
        Donation.objects.filter(point=point, received_on__year=today.year)
        .values("purpose_kind", "purpose")
        .annotate(count=Count("id"))
        .order_by("-count", "purpose")
    )
    labels = dict(PurposeKind.choices)
    latest = (
        Allocation.objects.filter(point=point)
        .select_related("project", "to_point__station")
        .order_by("-allocated_on", "-id")[:10]
    )
    return {
        "years": years,
        "purposes": [
            {"purpose": row["purpose"] or labels[row["purpose_kind"]], "count": row["count"]} for row in purposes
        ],
        "latest": [
            {
                "date": row.allocated_on,
                "kind": row.get_kind_display(),
                "value": row.value,
                "items": row.items,
                "quantity": row.quantity,
                "purpose": row.purpose or labels[row.purpose_kind],
                "target": row.public_target(),
            }
            for row in latest
        ],
    }


def facts(*, actor, since=None, until=None) -> list[dict]:
    """Issue 7's fact rows: yuan received and allocated per region (the station's), station, month and kind."""
    donations = scoped(Donation, actor, permissions.VIEW_DONATION)
    allocations = scoped(Allocation, actor, permissions.VIEW_ALLOCATION)
    if since:
        donations, allocations = donations.filter(received_on__gte=since), allocations.filter(allocated_on__gte=since)
    if until:
        donations, allocations = donations.filter(received_on__lte=until), allocations.filter(allocated_on__lte=until)
    rows: dict[tuple, dict] = {}
    for source, date_field, measure in (
        (donations, "received_on", "received"),
        (allocations, "allocated_on", "allocated"),
    ):
        grouped = (
            source.annotate(month=TruncMonth(date_field))
            .values("point__station__region_id", "point__station_id", "month", "kind")
            .annotate(money=Sum("amount"), goods=Sum("estimated_value"), count=Count("id"))
            .order_by()
        )
        for row in grouped:
            key = (row["point__station__region_id"], row["point__station_id"], row["month"], row["kind"])
            fact = rows.setdefault(
                key,
                {
                    "region": key[0],
                    "station": key[1],
                    "month": key[2],
                    "kind": key[3],
                    "received": ZERO,
                    "received_count": 0,
                    "allocated": ZERO,
                    "allocated_count": 0,
                },
            )
            fact[measure] += (row["money"] if row["kind"] == Kind.MONEY else row["goods"]) or ZERO
            fact[f"{measure}_count"] += row["count"]
    return [rows[key] for key in sorted(rows, key=lambda k: (k[0], k[1], k[2], k[3]))]
