"""Reads of recruitment and pay, always scoped to the actor.

The job board (招聘信息) is public to every signed-in user who may look for work: the open openings of the whole
country, filtered by region. Managing openings and applications is scoped to the agency (its admins) or the work
region (civil-affairs admins). Pay is scoped by the worker's current employer and region only (WorkerPay.data_scope).
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from shegong.core.scope import scope_q, scoped
from shegong.policies.kinds.base import add_years
from shegong.policies.models import PolicyRule
from shegong.policies.registry import Verdict
from shegong.recruitment import guidance
from shegong.recruitment.models import Employment, JobApplication, JobOpening, WorkerPay
from shegong.talent.access import covers_worker
from shegong.talent.policy import rules_by_region
from shegong.workers.grades import JobGrade

VIEW_BOARD = "recruitment.view_jobopening"
VIEW_APPLICATIONS = "recruitment.view_jobapplication"
VIEW_EMPLOYMENTS = "recruitment.view_employment"
VIEW_PAY = "recruitment.view_workerpay"


# --- Openings ------------------------------------------------------------------------------------------------------


def accepting_q(on: datetime.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}status": JobOpening.Status.OPEN, f"{prefix}opens_on__lte": on}) & (
        Q(**{f"{prefix}closes_on__isnull": True}) | Q(**{f"{prefix}closes_on__gte": on})
    )


def _with_counts(openings: QuerySet[JobOpening]) -> QuerySet[JobOpening]:
    return openings.select_related("agency", "region", "service_domain").annotate(
        hired_count=Count("applications", filter=Q(applications__state=JobApplication.State.HIRED)),
        application_count=Count("applications"),
    )


def board(actor, on: datetime.date | None = None) -> QuerySet[JobOpening]:
    """Openings taking applications today, anywhere (the board is open to every user allowed to look)."""
    if not actor.has_perm(VIEW_BOARD):
        return JobOpening.objects.none()
    return JobOpening.objects.filter(accepting_q(on or timezone.localdate())).select_related(
        "agency", "region", "service_domain"
    )


def managed_openings(actor) -> QuerySet[JobOpening]:
    """Every opening (drafts and closed ones too) of the agencies and regions the actor oversees."""
    return _with_counts(scoped(JobOpening, actor, VIEW_APPLICATIONS))


def opening_visible_q(actor, on: datetime.date) -> Q:
    """An opening page is readable when it takes applications (to anyone who may use the board), when the actor
    oversees it, or when the actor applied to it."""
    q = scope_q(actor, JobOpening, VIEW_APPLICATIONS)
    if actor.has_perm(VIEW_BOARD):
        q |= accepting_q(on)
    q |= Q(Exists(JobApplication.objects.filter(opening=OuterRef("pk"), worker__account=actor)))
    return q


def opening_get(actor, pk: int) -> JobOpening:
    from django.http import Http404

    opening = (
        _with_counts(JobOpening.objects.filter(opening_visible_q(actor, timezone.localdate()))).filter(pk=pk).first()
    )
    if opening is None:
        raise Http404
    return opening


# --- Applications and employment -----------------------------------------------------------------------------------


def applications(actor) -> QuerySet[JobApplication]:
    return scoped(JobApplication, actor, VIEW_APPLICATIONS).select_related(
        "opening", "opening__agency", "opening__agency__region", "opening__region", "worker", "worker__region"
    )


def applications_of_worker(worker) -> QuerySet[JobApplication]:
    return worker.job_applications.select_related(
        "opening", "opening__agency", "opening__agency__region", "opening__region"
    ).order_by("-submitted_at", "-pk")


def blacklisted_ids(worker_ids, on: datetime.date | None = None) -> set[int]:
    from shegong.workers.selectors import blacklisted_worker_ids

    return blacklisted_worker_ids(worker_ids, on)


def employments(actor) -> QuerySet[Employment]:
    return scoped(Employment, actor, VIEW_EMPLOYMENTS).select_related(
        "worker", "worker__region", "agency", "application__opening"
    )


# --- Pay -----------------------------------------------------------------------------------------------------------


def can_view_pay(actor, worker) -> bool:
    """The employer's administrators and the civil-affairs administrators of the worker's region; nobody else (not
    the worker's peers, not another agency)."""
    return actor.has_perm(VIEW_PAY) and covers_worker(actor, VIEW_PAY, worker)


def pay_history(worker) -> list[WorkerPay]:
    return list(worker.pay_records.select_related("agency", "recorded_by").order_by("-effective_from", "-pk"))


def current_pay(actor, on: datetime.date | None = None) -> QuerySet[WorkerPay]:
    """Each visible worker's pay in force on `on`: the latest record that has started."""
    on = on or timezone.localdate()
    later = WorkerPay.objects.filter(
        worker=OuterRef("worker"), effective_from__gt=OuterRef("effective_from"), effective_from__lte=on
    )
    return (
        scoped(WorkerPay, actor, VIEW_PAY)
        .filter(effective_from__lte=on)
        .filter(~Exists(later))
        .select_related("worker", "worker__region", "worker__agency")
    )


@dataclass(frozen=True)
class PayComparison:
    verdict: Verdict | None  # None: no pay guidance rule in force for the region
    rule: PolicyRule | None
    review_due: datetime.date | None  # when the guidance should be reviewed (profile start + period)
    as_of: datetime.date

    @property
    def position(self) -> str | None:
        return guidance.position_of(self.verdict)

    @property
    def label(self) -> str:
        if self.rule is None:
            return str(guidance.POSITION_LABELS[None])
        return str(guidance.POSITION_LABELS[self.position])

    @property
    def review_overdue(self) -> bool:
        return self.review_due is not None and self.as_of >= self.review_due

    @property
    def message(self) -> str:
        if self.rule is None:
            from django.utils.translation import gettext as _

            return _("所在地区的政策规则集未设薪酬指导价位。")
        return self.verdict.message


def _review_due(rule: PolicyRule | None) -> datetime.date | None:
    if rule is None:
        return None
    years = rule.rule_kind.typed_params(rule.params).get("review_period_years")
    return add_years(rule.profile.valid_from, years) if years else None


def compare(rule: PolicyRule | None, grade: str, pay, as_of: datetime.date) -> PayComparison:
    if rule is None:
        return PayComparison(None, None, None, as_of)
    facts = {"job_grade": grade or None, "monthly_pay": pay}
    return PayComparison(rule.evaluate(facts), rule, _review_due(rule), as_of)


def compare_history(worker, records: list[WorkerPay]) -> None:
    """Each record compared with the guidance in force for the worker's region on its own date (`.comparison`)."""
    rules: dict[datetime.date, PolicyRule | None] = {}
    for pay in records:
        if pay.effective_from not in rules:
            rules[pay.effective_from] = rules_by_region(guidance.KIND, [worker.region_id], pay.effective_from).get(
                worker.region_id
            )
        pay.comparison = compare(rules[pay.effective_from], worker.job_grade, pay.monthly_pay, pay.effective_from)


def compare_rows(rows, on: datetime.date, rules: dict | None = None) -> None:
    """Current pay rows of a page compared with the guidance in force today (`.comparison`), rules read once."""
    rows = list(rows)
    rules = dict(rules or {})
    missing = {row.worker.region_id for row in rows} - set(rules)
    if missing:
        rules.update(rules_by_region(guidance.KIND, missing, on))
    for row in rows:
        row.comparison = compare(rules.get(row.worker.region_id), row.worker.job_grade, row.monthly_pay, on)


def position_q(rows: QuerySet[WorkerPay], position: str, on: datetime.date) -> tuple[Q, dict]:
    """A condition selecting the current pay rows in `position` (below / within / above / unknown) of the guidance in
    force for each worker's region and grade, and the rules it used, so the page shows what it filtered by."""
    region_codes = set(rows.order_by().values_list("worker__region_id", flat=True).distinct())
    rules = rules_by_region(guidance.KIND, region_codes, on)
    by_rule: dict[int, tuple[PolicyRule, list[str]]] = {}
    unruled: list[str] = []
    for code, rule in rules.items():
        if rule is None:
            unruled.append(code)
        else:
            by_rule.setdefault(rule.pk, (rule, []))[1].append(code)
    known = Q(pk__in=[])
    wanted = Q(pk__in=[])
    for rule, codes in by_rule.values():
        params = rule.rule_kind.typed_params(rule.params)
        for grade in JobGrade.values:
            low, high = guidance.grade_range(params, grade)
            if low is None and high is None:
                continue
            here = Q(worker__region_id__in=codes, worker__job_grade=grade)
            known |= here
            below = Q(monthly_pay__lt=low) if low is not None else Q(pk__in=[])
            above = Q(monthly_pay__gt=high) if high is not None else Q(pk__in=[])
            if position == guidance.BELOW:
                wanted |= here & below
            elif position == guidance.ABOVE:
                wanted |= here & above
            elif position == guidance.WITHIN:
                wanted |= here & ~below & ~above
    if position == "unknown":
        return ~known, rules
    return wanted, rules
