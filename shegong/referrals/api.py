"""REST endpoints of referrals, mounted at /api/v1/referrals/: the two lists (outgoing, incoming), one referral,
create and move. They read through the pages' selectors and filter form, so a referral is visible here exactly when
it is visible there (else 404), and a recipient who withdrew consent takes their referrals out of every answer."""

import datetime

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from shegong.agencies.models import Agency
from shegong.core.api_helpers import Paging, check_filters, query_dict, run_service
from shegong.core.scope import get_scoped_or_404
from shegong.recipients.models import Recipient
from shegong.referrals import permissions, selectors, services
from shegong.referrals.forms import ReferralFilterForm, departments
from shegong.referrals.models import Referral
from shegong.stations.models import Station

router = Router(tags=["referrals"])


class ReferralQuery(Paging):
    direction: str = Field("outgoing", pattern="^(outgoing|incoming)$")
    state: str = ""
    target_kind: str = ""
    region: str = Field("", description="division code: referrals of recipients living in its subtree")
    q: str = Field("", description="start of the recipient's name")


class ReferralOut(Schema):
    id: int
    state: str
    recipient_id: int
    recipient_name: str
    community: str
    case_id: int | None
    from_station: str = Field(description="station code")
    target_kind: str
    to_station: str | None = Field(description="station code")
    to_agency_id: int | None
    to_department: str | None = Field(description="code of the referral_department dictionary")
    target_name: str
    reason: str
    needs_summary: str
    created_at: datetime.datetime
    answered_at: datetime.datetime | None
    done_at: datetime.datetime | None
    revoked_at: datetime.datetime | None
    reject_reason: str
    revoke_reason: str
    allowed_moves: list[str] = Field(default_factory=list)


class ReferralPageOut(Schema):
    items: list[ReferralOut]
    count: int


class ReferralIn(Schema):
    recipient_id: int | None = None
    case_id: int | None = None
    from_station: str = Field(description="station code")
    to_station: str = ""
    to_agency_id: int | None = None
    to_department: str = ""
    to_unit: str = ""
    to_contact: str = ""
    reason: str
    needs_summary: str


class MoveIn(Schema):
    to_state: str = Field(description="accepted, rejected, done or revoked")
    note: str = ""


def _out(referral: Referral, moves: list[str] | None = None) -> dict:
    return {
        "id": referral.pk,
        "state": referral.state,
        "recipient_id": referral.recipient_id,
        "recipient_name": referral.recipient.name,
        "community": referral.region_id,
        "case_id": referral.case_id,
        "from_station": referral.from_station.code,
        "target_kind": referral.target_kind,
        "to_station": referral.to_station.code if referral.to_station_id else None,
        "to_agency_id": referral.to_agency_id,
        "to_department": referral.to_department.code if referral.to_department_id else None,
        "target_name": referral.target_name,
        "reason": referral.reason,
        "needs_summary": referral.needs_summary,
        "created_at": referral.created_at,
        "answered_at": referral.answered_at,
        "done_at": referral.done_at,
        "revoked_at": referral.revoked_at,
        "reject_reason": referral.reject_reason,
        "revoke_reason": referral.revoke_reason,
        "allowed_moves": moves or [],
    }


def _require_any(request, *perms: str) -> None:
    if not any(request.user.has_perm(perm) for perm in perms):
        raise HttpError(403, _("您没有执行此操作的权限。"))


@router.get("/", response=ReferralPageOut, summary="Referrals of the caller's side (outgoing or incoming)")
def referral_list(request, query: Query[ReferralQuery]):
    if query.direction == "incoming":
        _require_any(request, permissions.VIEW, permissions.ANSWER)
        base = selectors.incoming(request.user, permissions.VIEW) | selectors.incoming(request.user, permissions.ANSWER)
    else:
        _require_any(request, permissions.VIEW, permissions.ADD)
        base = selectors.outgoing(request.user, permissions.VIEW)
    form = ReferralFilterForm(
        query_dict(state=query.state, target_kind=query.target_kind, region=query.region, q=query.q),
        actor=request.user,
    )
    check_filters(form)
    rows = form.apply(base.distinct())
    return {"items": [_out(row) for row in query.window(rows)], "count": rows.count()}


@router.get("/{referral_id}", response=ReferralOut, summary="One referral visible to the caller")
def referral_detail(request, referral_id: int):
    _require_any(request, permissions.VIEW, permissions.ADD, permissions.ANSWER)
    referral = selectors.referral_get(actor=request.user, pk=referral_id)
    return _out(referral, selectors.allowed_moves(request.user, referral))


@router.post("/", response={201: ReferralOut}, summary="Refer a recipient to a station, an agency or a department")
def referral_create(request, payload: ReferralIn):
    _require_any(request, permissions.ADD)
    from shegong.casework.models import Case

    values = {
        "recipient": None,
        "case": None,
        "from_station": Station.objects.filter(code=payload.from_station).first(),
        "to_station": None,
        "to_agency": None,
        "to_department": None,
        "to_unit": payload.to_unit,
        "to_contact": payload.to_contact,
        "reason": payload.reason,
        "needs_summary": payload.needs_summary,
    }
    if payload.recipient_id is not None:
        values["recipient"] = get_scoped_or_404(
            Recipient, request.user, services.RECIPIENTS_VIEW, pk=payload.recipient_id
        )
    if payload.case_id is not None:
        values["case"] = get_scoped_or_404(Case, request.user, "casework.view_case", pk=payload.case_id)
    if payload.to_station:
        values["to_station"] = Station.objects.filter(code=payload.to_station).first()
        if values["to_station"] is None:
            raise HttpError(422, _("没有该编码的站点。"))
    if payload.to_agency_id is not None:
        values["to_agency"] = get_object_or_404(Agency, pk=payload.to_agency_id)
    if payload.to_department:
        values["to_department"] = departments().filter(code=payload.to_department).first()
        if values["to_department"] is None:
            raise HttpError(422, _("接收部门不在字典 referral_department 中。"))
    referral = run_service(lambda: services.referral_create(actor=request.user, **values))
    return Status(201, _out(referral))


@router.post("/{referral_id}/move", response=ReferralOut, summary="Accept, reject, complete or revoke a referral")
def referral_move(request, referral_id: int, payload: MoveIn):
    _require_any(request, permissions.ADD, permissions.ANSWER)
    referral = selectors.referral_get(actor=request.user, pk=referral_id)
    moved = run_service(
        lambda: services.referral_move(
            actor=request.user, referral=referral, to_state=payload.to_state, note=payload.note
        )
    )
    return _out(moved, selectors.allowed_moves(request.user, moved))
