"""REST endpoints for registration and continuing education, scoped exactly like the pages: a role without the view
permission gets 403, an object outside the caller's scope 404. Workers read their own through /mine-style owner
scope (a row whose worker is linked to the caller's account is always visible to them)."""

import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate

from shegong.core.scope import get_scoped_or_404
from shegong.regions.codes import InvalidCode, canonical
from shegong.regions.models import Region
from shegong.registration import selectors
from shegong.registration.models import Registration, TrainingRecord
from shegong.workers.models import SocialWorker

router = Router(tags=["registration"])


def _require(request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise HttpError(403, _("您没有查看该数据的权限。"))


class RegistrationOut(Schema):
    id: int
    worker_id: int
    worker_name: str = Field(alias="worker.name")
    region_code: str = Field(alias="worker.region_id")
    region_name: str = Field(alias="worker.region.name")
    certificate_id: int
    certificate_level: str = Field(alias="certificate.level")
    certificate_number: str = Field(alias="certificate.number")
    year_passed: int = Field(alias="certificate.year_passed")
    kind: str
    state: str
    state_label: str = Field(alias="get_state_display")
    previous_id: int | None
    submitted_at: datetime.datetime
    first_reviewed_by: str | None = None
    first_reviewed_at: datetime.datetime | None
    first_review_note: str
    final_reviewed_by: str | None = None
    final_reviewed_at: datetime.datetime | None
    final_review_note: str
    registered_on: datetime.date | None
    valid_from: datetime.date | None
    valid_until: datetime.date | None

    @staticmethod
    def resolve_first_reviewed_by(obj) -> str | None:
        return obj.first_reviewed_by.username if obj.first_reviewed_by_id else None

    @staticmethod
    def resolve_final_reviewed_by(obj) -> str | None:
        return obj.final_reviewed_by.username if obj.final_reviewed_by_id else None


class RegistrationQuery(Schema):
    state: Registration.State | None = None
    level: str | None = Field(None, description="assistant / intermediate / senior")
    kind: Registration.Kind | None = None
    region: str | None = Field(None, description="区划代码（2、4、6、9 或 12 位），含下级")
    expiring: bool = Field(False, description="只列 90 天内到期的已登记记录")


def _region(code: str | None) -> Region | None:
    if not code:
        return None
    try:
        region = Region.objects.filter(pk=canonical(code)).first()
    except InvalidCode:
        region = None
    if region is None:
        raise HttpError(400, _("没有区划代码为 %(code)s 的行政区划。") % {"code": code})
    return region


@router.get("/registrations", response=list[RegistrationOut], summary="执业登记列表")
@paginate(LimitOffsetPagination)
def registration_list(request, query: Query[RegistrationQuery]):
    _require(request, selectors.VIEW)
    filters = selectors.RegistrationFilters(
        state=query.state or "",
        level=query.level or "",
        kind=query.kind or "",
        region=_region(query.region),
        expiring=query.expiring,
    )
    return selectors.registration_list(actor=request.user, filters=filters).order_by("-submitted_at", "-id")


@router.get("/registrations/expiring", response=list[RegistrationOut], summary="即将到期的执业登记")
@paginate(LimitOffsetPagination)
def registration_expiring(request, days: int = Query(selectors.EXPIRING_DAYS, ge=1, le=366)):
    _require(request, selectors.VIEW)
    return selectors.expiring_registrations(actor=request.user, days=days)


@router.get("/registrations/{int:registration_id}", response=RegistrationOut, summary="执业登记详情")
def registration_detail(request, registration_id: int):
    return get_scoped_or_404(
        selectors.registrations_for(request.user), request.user, selectors.VIEW, pk=registration_id
    )


class TrainingOut(Schema):
    id: int
    worker_id: int
    worker_name: str = Field(alias="worker.name")
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    title: str
    provider: str
    hours: Decimal
    start_date: datetime.date
    end_date: datetime.date
    has_evidence: bool
    verified: bool
    verified_at: datetime.datetime | None

    @staticmethod
    def resolve_has_evidence(obj) -> bool:
        return bool(obj.evidence)

    @staticmethod
    def resolve_verified(obj) -> bool:
        return obj.is_verified


class TrainingQuery(Schema):
    worker_id: int | None = None
    kind: TrainingRecord.Kind | None = None
    verified: bool | None = None
    region: str | None = Field(None, description="区划代码，含下级")


@router.get("/training-records", response=list[TrainingOut], summary="继续教育记录列表")
@paginate(LimitOffsetPagination)
def training_list(request, query: Query[TrainingQuery]):
    _require(request, selectors.VIEW_TRAINING)
    filters = selectors.TrainingFilters(
        kind=query.kind or "",
        verified=query.verified,
        region=_region(query.region),
        worker_ids=[query.worker_id] if query.worker_id else None,
    )
    return selectors.training_list(actor=request.user, filters=filters)


@router.get("/training-records/{int:record_id}", response=TrainingOut, summary="继续教育记录详情")
def training_detail(request, record_id: int):
    return get_scoped_or_404(
        selectors.training_records_for(request.user), request.user, selectors.VIEW_TRAINING, pk=record_id
    )


class HoursOut(Schema):
    continuing: Decimal
    training: Decimal
    degree: Decimal
    pending: Decimal
    continuing_total: Decimal
    frontline_total: Decimal


class PeriodOut(Schema):
    registration_id: int
    certificate_level: str
    valid_from: datetime.date
    valid_until: datetime.date
    hours: HoursOut
    required: Decimal
    shortfall: Decimal
    met: bool


class TotalsOut(Schema):
    worker_id: int
    as_of: datetime.date
    periods: list[PeriodOut]
    all_time: HoursOut
    frontline_minimum: Decimal
    frontline_target_year: int | None
    frontline_met: bool
    degree_hours: Decimal
    sources: dict[str, str]


def _hours(hours: selectors.Hours) -> dict:
    return {
        "continuing": hours.continuing,
        "training": hours.training,
        "degree": hours.degree,
        "pending": hours.pending_total,
        "continuing_total": hours.continuing_total,
        "frontline_total": hours.frontline_total,
    }


@router.get("/workers/{int:worker_id}/training-totals", response=TotalsOut, summary="社会工作者的学时统计")
def training_totals(request, worker_id: int):
    perm = selectors.VIEW_TRAINING if request.user.has_perm(selectors.VIEW_TRAINING) else selectors.VIEW
    worker = get_scoped_or_404(SocialWorker.objects.select_related("region"), request.user, perm, pk=worker_id)
    today = timezone.localdate()
    summary = selectors.training_summary(worker, today=today)
    return {
        "worker_id": worker.pk,
        "as_of": today,
        "periods": [
            {
                "registration_id": period.registration.pk,
                "certificate_level": period.registration.certificate.level,
                "valid_from": period.registration.valid_from,
                "valid_until": period.registration.valid_until,
                "hours": _hours(period.hours),
                "required": period.required,
                "shortfall": period.shortfall,
                "met": period.met,
            }
            for period in summary.periods
        ],
        "all_time": _hours(summary.all_time),
        "frontline_minimum": summary.policy.frontline_minimum_hours,
        "frontline_target_year": summary.policy.frontline_target_year,
        "frontline_met": summary.frontline_met,
        "degree_hours": summary.policy.degree_hours,
        "sources": summary.policy.sources,
    }
