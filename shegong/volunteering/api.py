"""REST endpoints of volunteer needs, mounted at /api/v1/volunteering/ (for a future mini-program as much as for the
pages): a volunteer's needs near them, sign-up, check-in and check-out; the organiser's accept and confirm hours.
They go through the same selectors and services as the pages: out of scope = 404, no permission = 403."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from shegong.volunteering import selectors, services
from shegong.volunteering.models import NeedShift

router = Router(tags=["volunteering"])

VIEW = "volunteering.view_volunteerneed"
CHANGE = "volunteering.change_volunteerneed"
SIGN_UP = "volunteering.add_signup"


class ShiftOut(Schema):
    id: int
    day: datetime.date
    starts_at: datetime.time
    ends_at: datetime.time
    needed: int
    places_left: int


class NeedOut(Schema):
    id: int
    code: str = Field(description="the check-in code its QR encodes")
    title: str
    roles: str
    place: str
    region: str = Field(description="12-digit division code")
    region_name: str
    status: str
    shifts: list[ShiftOut]


class SignUpOut(Schema):
    id: int
    shift: int
    need: int
    status: str
    reason: str
    checked_in_at: datetime.datetime | None
    checked_out_at: datetime.datetime | None
    hours: Decimal | None = Field(description="confirmed hours, once the organiser confirmed them")


class CheckIn(Schema):
    action: str = Field("in", pattern="^(in|out)$")


class Decision(Schema):
    accept: bool
    reason: str = ""


class Hours(Schema):
    hours: Decimal | None = None
    reason: str = ""


def _require(request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise HttpError(403, "permission denied")


def _need_out(need) -> dict:
    shifts = selectors.shifts_with_places(need)
    return {
        "id": need.pk,
        "code": need.code,
        "title": need.title,
        "roles": need.roles,
        "place": need.place,
        "region": need.region_id,
        "region_name": need.region.name,
        "status": need.status,
        "shifts": [
            {
                "id": s.pk,
                "day": s.day,
                "starts_at": s.starts_at,
                "ends_at": s.ends_at,
                "needed": s.needed,
                "places_left": s.places_left,
            }
            for s in shifts
        ],
    }


def _signup_out(signup) -> dict:
    return {
        "id": signup.pk,
        "shift": signup.shift_id,
        "need": signup.shift.need_id,
        "status": signup.status,
        "reason": signup.reason,
        "checked_in_at": signup.checked_in_at,
        "checked_out_at": signup.checked_out_at,
        "hours": signup.record.hours if signup.record_id else None,
    }


def _refused(exc: ValidationError) -> HttpError:
    return HttpError(400, " ".join(str(message) for message in exc.messages))


def _volunteer(request):
    _require(request, SIGN_UP)
    return selectors.volunteer_or_404(request.user)


@router.get("/near", response=list[NeedOut], summary="Open needs near the signed-in volunteer")
def needs_near(request):
    volunteer = _volunteer(request)
    return [_need_out(need) for need in selectors.needs_near(volunteer)[:100]]


@router.get("/mine", response=list[SignUpOut], summary="The signed-in volunteer's sign-ups")
def my_signups(request):
    volunteer = _volunteer(request)
    return [_signup_out(signup) for signup in selectors.signups_of_volunteer(volunteer)[:200]]


@router.post("/shifts/{shift_id}/signup", response={201: SignUpOut}, summary="Sign up for a shift")
def signup_create(request, shift_id: int):
    volunteer = _volunteer(request)

    shift = NeedShift.objects.filter(pk=shift_id).select_related("need").first()
    if shift is None:
        raise HttpError(404, "not found")
    selectors.need_for_volunteer_or_404(volunteer, shift.need_id)
    try:
        signup = services.signup_create(actor=request.user, shift=shift, volunteer=volunteer)
    except ValidationError as exc:
        raise _refused(exc) from exc
    return 201, _signup_out(signup)


@router.post("/signups/{signup_id}/attendance", response=SignUpOut, summary="Check in or out of an accepted sign-up")
def attendance(request, signup_id: int, body: CheckIn):
    volunteer = _volunteer(request)
    signup = selectors.signup_of_volunteer_or_404(volunteer, signup_id)
    action = services.signup_check_out if body.action == "out" else services.signup_check_in
    try:
        signup = action(actor=request.user, signup=signup)
    except ValidationError as exc:
        raise _refused(exc) from exc
    return _signup_out(signup)


@router.get("/needs/{need_id}", response=NeedOut, summary="One need in the caller's scope")
def need_detail(request, need_id: int):
    _require(request, VIEW)
    return _need_out(selectors.need_or_404(request.user, need_id))


@router.get("/needs/{need_id}/signups", response=list[SignUpOut], summary="The sign-ups of a need in scope")
def need_signups(request, need_id: int):
    _require(request, VIEW)
    need = selectors.need_or_404(request.user, need_id)
    return [_signup_out(signup) for signup in selectors.signups_of_need(need)]


def _kept_signup(request, need_id: int, signup_id: int):
    _require(request, CHANGE)
    need = selectors.need_or_404(request.user, need_id, CHANGE)
    return selectors.signup_of_need_or_404(need, signup_id)


@router.post("/needs/{need_id}/signups/{signup_id}/decide", response=SignUpOut, summary="Accept or decline")
def signup_decide(request, need_id: int, signup_id: int, body: Decision):
    signup = _kept_signup(request, need_id, signup_id)
    try:
        signup = services.signup_decide(actor=request.user, signup=signup, accept=body.accept, reason=body.reason)
    except ValidationError as exc:
        raise _refused(exc) from exc
    return _signup_out(signup)


@router.post("/needs/{need_id}/signups/{signup_id}/hours", response=SignUpOut, summary="Confirm or correct the hours")
def hours_confirm(request, need_id: int, signup_id: int, body: Hours):
    signup = _kept_signup(request, need_id, signup_id)
    try:
        services.hours_confirm(actor=request.user, signup=signup, hours=body.hours, reason=body.reason)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    except ValidationError as exc:
        raise _refused(exc) from exc
    signup.refresh_from_db()
    return _signup_out(signup)
