"""Reads for registration and continuing education, always scoped to the actor (DESIGN.md §5)."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, DecimalField, Q, QuerySet, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core.fields import blind_index_for
from shegong.core.scope import NOTHING, grants_of, region_q, scoped
from shegong.regions.codes import subtree_bounds
from shegong.regions.models import Region
from shegong.registration.models import Registration, TrainingRecord
from shegong.registration.policy import RegistrationPolicy, policy_for

VIEW = "registration.view_registration"
SUBMIT = "registration.add_registration"
FIRST_REVIEW = "registration.first_review_registration"
FINAL_REVIEW = "registration.final_review_registration"
VIEW_TRAINING = "registration.view_trainingrecord"
ADD_TRAINING = "registration.add_trainingrecord"
CHANGE_TRAINING = "registration.change_trainingrecord"
DELETE_TRAINING = "registration.delete_trainingrecord"
VERIFY_TRAINING = "registration.verify_trainingrecord"

# 初审 by the district (区县) bureau or below, 终审 by the city (地市) bureau or above.
FIRST_REVIEW_MIN_LEVEL = Region.Level.COUNTY
FINAL_REVIEW_MAX_LEVEL = Region.Level.CITY
EXPIRING_DAYS = 90
ZERO = Decimal(0)


# --- Who may do what -------------------------------------------------------------------------------------------------


def _covers(grant, region_code: str) -> bool:
    if grant.nationwide:
        return True
    if not grant.region_code:
        return False
    low, high = subtree_bounds(grant.region_code, grant.region_level)
    return low <= region_code <= high


def _first_review_grants(user) -> list:
    return [
        grant
        for grant in grants_of(user)
        if FIRST_REVIEW in grant.permissions and grant.region_code and grant.region_level >= FIRST_REVIEW_MIN_LEVEL
    ]


def _final_review_grants(user) -> list:
    return [
        grant
        for grant in grants_of(user)
        if FINAL_REVIEW in grant.permissions
        and (grant.nationwide or (grant.region_code and grant.region_level <= FINAL_REVIEW_MAX_LEVEL))
    ]


def may_first_review(user, registration: Registration) -> bool:
    """A civil-affairs admin whose district-level (or lower) assignment covers the worker's region (区县民政)."""
    return any(_covers(grant, registration.worker.region_id) for grant in _first_review_grants(user))


def may_final_review(user, registration: Registration) -> bool:
    """A civil-affairs admin whose city-level (or higher, or nationwide) assignment covers the worker's region."""
    return any(_covers(grant, registration.worker.region_id) for grant in _final_review_grants(user))


def reviews_anything(user) -> bool:
    return bool(_first_review_grants(user) or _final_review_grants(user))


def _acts_for_worker(user, worker, perm: str) -> bool:
    """Whether the user holds `perm` over the worker (region subtree, agency, nationwide), or is the worker."""
    if worker.account_id is not None and worker.account_id == getattr(user, "pk", None):
        return True
    for grant in grants_of(user):
        if perm not in grant.permissions:
            continue
        if _covers(grant, worker.region_id) or (grant.agency_id and grant.agency_id == worker.agency_id):
            return True
    return False


def may_submit_for(user, worker) -> bool:
    return _acts_for_worker(user, worker, SUBMIT)


def may_add_training_for(user, worker) -> bool:
    return _acts_for_worker(user, worker, ADD_TRAINING)


def may_verify_training_for(user, worker) -> bool:
    # A worker never verifies their own hours, even if they also hold the permission somewhere.
    if worker.account_id is not None and worker.account_id == getattr(user, "pk", None):
        return False
    return any(
        VERIFY_TRAINING in grant.permissions
        and (_covers(grant, worker.region_id) or (grant.agency_id and grant.agency_id == worker.agency_id))
        for grant in grants_of(user)
    )


def may_change_training(user, record: TrainingRecord) -> bool:
    """Staff with the change permission over the worker; the worker themselves only while it is unverified."""
    if record.worker.account_id is not None and record.worker.account_id == getattr(user, "pk", None):
        return not record.is_verified
    return _acts_for_worker(user, record.worker, CHANGE_TRAINING)


def may_delete_training(user, record: TrainingRecord) -> bool:
    if record.worker.account_id is not None and record.worker.account_id == getattr(user, "pk", None):
        return not record.is_verified
    return _acts_for_worker(user, record.worker, DELETE_TRAINING)


# --- Registrations ---------------------------------------------------------------------------------------------------


def registrations_for(user, perm: str = VIEW) -> QuerySet[Registration]:
    return scoped(Registration, user, perm).select_related(
        "worker", "worker__region", "worker__agency", "certificate", "first_reviewed_by", "final_reviewed_by"
    )


@dataclass
class RegistrationFilters:
    state: str = ""
    level: str = ""
    kind: str = ""
    region: Region | None = None
    expiring: bool = False
    query: str = ""


ID_NUMBER_SHAPE = re.compile(r"\d{17}[\dXx]")


def _person_q(text: str, path: str = "worker") -> Q:
    """A worker by name (contains), pinyin initials (prefix) or, for an 18-character ID number, exactly through the
    keyed hash of the encrypted column (the only way to match it)."""
    text = text.strip()
    if ID_NUMBER_SHAPE.fullmatch(text):
        from shegong.workers.models import SocialWorker

        return Q(**{f"{path}__id_number_index": blind_index_for(SocialWorker, "id_number", text)})
    return Q(**{f"{path}__name__icontains": text}) | Q(**{f"{path}__name_initials__istartswith": text.lower()})


def expiring_q(today: datetime.date, days: int = EXPIRING_DAYS) -> Q:
    """Registrations in force whose last valid day falls within the next `days` days (today included)."""
    return Q(
        state=Registration.State.REGISTERED, valid_until__gte=today, valid_until__lte=today + datetime.timedelta(days)
    )


def registration_list(
    *, actor, filters: RegistrationFilters | None = None, today: datetime.date | None = None
) -> QuerySet[Registration]:
    filters = filters or RegistrationFilters()
    today = today or timezone.localdate()
    rows = registrations_for(actor)
    if filters.state:
        rows = rows.filter(state=filters.state)
    if filters.level:
        rows = rows.filter(certificate__level=filters.level)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.region is not None:
        rows = rows.filter(region_q("worker__region", filters.region.code, filters.region.level))
    if filters.expiring:
        rows = rows.filter(expiring_q(today)).order_by("valid_until", "id")
    if filters.query:
        rows = rows.filter(_person_q(filters.query) | Q(certificate__number=filters.query.strip().upper()))
    return rows


def expiring_registrations(*, actor, days: int = EXPIRING_DAYS, today: datetime.date | None = None):
    today = today or timezone.localdate()
    return registrations_for(actor).filter(expiring_q(today, days)).order_by("valid_until", "id")


def review_queue(*, actor) -> QuerySet[Registration]:
    """What waits for this reviewer: 待审核 in their district-level subtrees (初审), 初审通过 in their city-level (or
    wider) subtrees (终审) except those they reviewed first themselves, 终审通过 waiting to be registered."""
    q = NOTHING
    for grant in _first_review_grants(actor):
        q |= Q(state=Registration.State.PENDING) & region_q("worker__region", grant.region_code, grant.region_level)
    for grant in _final_review_grants(actor):
        where = Q() if grant.nationwide else region_q("worker__region", grant.region_code, grant.region_level)
        q |= (Q(state=Registration.State.FIRST_APPROVED) & ~Q(first_reviewed_by=actor) & where) | (
            Q(state=Registration.State.FINAL_APPROVED) & where
        )
    return (
        Registration.objects.filter(q)
        .select_related("worker", "worker__region", "worker__agency", "certificate", "first_reviewed_by")
        .order_by("submitted_at", "id")
    )


@dataclass
class TimelineStep:
    label: str
    when: datetime.datetime | datetime.date | None
    who: object = None
    note: str = ""
    tone: str = "secondary"  # Bootstrap colour of the step's marker


def timeline(registration: Registration) -> list[TimelineStep]:
    """The registration's history from its own fields: every move stamps who and when, so nothing else is read."""
    State = Registration.State
    steps = [TimelineStep(_("提交申请"), registration.submitted_at, registration.submitted_by, tone="primary")]
    if registration.first_reviewed_at:
        approved = registration.state != State.FIRST_REJECTED
        steps.append(
            TimelineStep(
                _("初审通过") if approved else _("初审未通过"),
                registration.first_reviewed_at,
                registration.first_reviewed_by,
                registration.first_review_note,
                "success" if approved else "danger",
            )
        )
    if registration.final_reviewed_at:
        approved = registration.state != State.FINAL_REJECTED
        steps.append(
            TimelineStep(
                _("终审通过") if approved else _("终审未通过"),
                registration.final_reviewed_at,
                registration.final_reviewed_by,
                registration.final_review_note,
                "success" if approved else "danger",
            )
        )
    if registration.registered_on:
        steps.append(
            TimelineStep(
                _("已登记，有效期 %(start)s 至 %(end)s")
                % {"start": registration.valid_from, "end": registration.valid_until},
                registration.registered_on,
                registration.registered_by,
                tone="success",
            )
        )
    if registration.state == State.EXPIRED:
        steps.append(TimelineStep(_("已到期"), registration.closed_at, tone="warning"))
    if registration.state == State.SUPERSEDED:
        steps.append(TimelineStep(_("已办理再登记"), registration.closed_at, tone="info"))
    return steps


def history_of_certificate(*, actor, registration: Registration) -> QuerySet[Registration]:
    return registrations_for(actor).filter(certificate_id=registration.certificate_id).order_by("-submitted_at", "-id")


# --- Credit: open violations -----------------------------------------------------------------------------------------


def open_violations(worker, today: datetime.date | None = None):
    """The worker's violations in force today (they block a renewal), as the workers app defines them."""
    from shegong.workers.selectors import open_violations as violations_in_force

    return violations_in_force(worker, today or timezone.localdate()).order_by("-occurred_on", "id")


# --- Training hours --------------------------------------------------------------------------------------------------


def scoped_worker_exists(user, worker, perm: str = VIEW_TRAINING) -> bool:
    """Whether the worker lies in the user's scope for `perm` (or is the user's own record)."""
    from shegong.workers.models import SocialWorker

    return scoped(SocialWorker, user, perm).filter(pk=worker.pk).exists()


def training_records_for(user, perm: str = VIEW_TRAINING) -> QuerySet[TrainingRecord]:
    return scoped(TrainingRecord, user, perm).select_related("worker", "worker__region", "verified_by")


@dataclass
class TrainingFilters:
    kind: str = ""
    region: Region | None = None
    verified: bool | None = None
    query: str = ""
    worker_ids: list[int] | None = None


def training_list(*, actor, filters: TrainingFilters | None = None) -> QuerySet[TrainingRecord]:
    filters = filters or TrainingFilters()
    rows = training_records_for(actor)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.region is not None:
        rows = rows.filter(region_q("worker__region", filters.region.code, filters.region.level))
    if filters.verified is not None:
        rows = rows.filter(verified_at__isnull=not filters.verified)
    if filters.worker_ids is not None:
        rows = rows.filter(worker_id__in=filters.worker_ids)
    if filters.query:
        rows = rows.filter(_person_q(filters.query) | Q(title__icontains=filters.query.strip()))
    return rows.order_by("-end_date", "-id")


def _sum(kind_q: Q, verified: bool) -> Sum:
    condition = kind_q & Q(verified_at__isnull=False) if verified else kind_q & Q(verified_at__isnull=True)
    return Sum(
        Case(
            When(condition, then="hours"),
            default=Value(ZERO),
            output_field=DecimalField(max_digits=9, decimal_places=1),
        )
    )


@dataclass
class Hours:
    """Hours of one span (a registration period, or all time): verified ones count; pending ones await checking."""

    continuing: Decimal = ZERO  # verified continuing education
    training: Decimal = ZERO  # verified other training
    degree: Decimal = ZERO  # the degree credit, if the counted degree is verified and falls in the span
    pending: Decimal = ZERO  # continuing education and training not yet verified
    pending_degree: Decimal = ZERO  # the degree credit awaiting verification

    @property
    def pending_total(self) -> Decimal:
        return self.pending + self.pending_degree

    @property
    def continuing_total(self) -> Decimal:
        """What a renewal counts: verified continuing education plus the degree credit."""
        return self.continuing + self.degree

    @property
    def frontline_total(self) -> Decimal:
        """What the front-line training target counts: all verified social work learning plus the degree credit."""
        return self.continuing + self.training + self.degree


def counted_degree(worker, *, verified: bool = True) -> TrainingRecord | None:
    """The one degree record that counts (the earliest finished): a second degree adds nothing."""
    degrees = TrainingRecord.objects.filter(worker=worker, kind=TrainingRecord.Kind.DEGREE)
    if verified:
        degrees = degrees.filter(verified_at__isnull=False)
    return degrees.order_by("end_date", "id").first()


def hours_between(
    worker, policy: RegistrationPolicy, start: datetime.date | None = None, end: datetime.date | None = None
) -> Hours:
    """Hours of records that ended within [start, end] (both inclusive; None = open). Two queries."""
    span = Q()
    if start is not None:
        span &= Q(end_date__gte=start)
    if end is not None:
        span &= Q(end_date__lte=end)
    continuing = Q(kind=TrainingRecord.Kind.CONTINUING)
    training = Q(kind=TrainingRecord.Kind.TRAINING)
    totals = TrainingRecord.objects.filter(span, worker=worker).aggregate(
        continuing=_sum(continuing, True),
        training=_sum(training, True),
        pending=_sum(continuing | training, False),
    )
    hours = Hours(
        continuing=totals["continuing"] or ZERO, training=totals["training"] or ZERO, pending=totals["pending"] or ZERO
    )

    def within(record: TrainingRecord | None) -> bool:
        return (
            record is not None
            and (start is None or record.end_date >= start)
            and (end is None or record.end_date <= end)
        )

    verified_degree = counted_degree(worker)
    if within(verified_degree):
        hours.degree = policy.degree_hours
    elif verified_degree is None and within(counted_degree(worker, verified=False)):
        hours.pending_degree = policy.degree_hours
    return hours


@dataclass
class PeriodHours:
    registration: Registration
    hours: Hours
    required: Decimal

    @property
    def shortfall(self) -> Decimal:
        return max(self.required - self.hours.continuing_total, ZERO)

    @property
    def met(self) -> bool:
        return self.hours.continuing_total >= self.required


@dataclass
class TrainingSummary:
    policy: RegistrationPolicy
    periods: list[PeriodHours] = field(default_factory=list)
    all_time: Hours = field(default_factory=Hours)

    @property
    def frontline_shortfall(self) -> Decimal:
        return max(self.policy.frontline_minimum_hours - self.all_time.frontline_total, ZERO)

    @property
    def frontline_met(self) -> bool:
        return self.all_time.frontline_total >= self.policy.frontline_minimum_hours


def period_hours(registration: Registration, policy: RegistrationPolicy) -> PeriodHours:
    hours = hours_between(registration.worker, policy, registration.valid_from, registration.valid_until)
    return PeriodHours(registration, hours, policy.required_hours(registration.certificate.level))


def training_summary(worker, *, today: datetime.date | None = None) -> TrainingSummary:
    """Totals per registration period (every registration that was in force) and toward the front-line target."""
    policy = policy_for(worker.region, today)
    registrations = (
        Registration.objects.filter(worker=worker, state__in=Registration.WAS_REGISTERED)
        .select_related("certificate", "worker")
        .order_by("-valid_from", "-id")
    )
    summary = TrainingSummary(policy=policy, all_time=hours_between(worker, policy))
    summary.periods = [period_hours(registration, policy) for registration in registrations]
    return summary
