"""Forms of the casework pages. They parse and offer choices; every rule is the services' (a refusal comes back as the
service's ValidationError, put on the form by add_service_error). Kept short: workers fill them on a phone."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy

from shegong.accounts.forms import style_fields
from shegong.casework import selectors
from shegong.casework.models import (
    NEED_AREAS,
    Case,
    CaseAssessment,
    CaseCrisis,
    CaseGoal,
    CaseReview,
    CaseSession,
    ClosureReason,
    IntakeSource,
)
from shegong.core.listing import YES_NO, ListFilterForm, Sort, blank, date_input, yes_no
from shegong.refdata.models import DictionaryItem
from shegong.stations.models import Station
from shegong.workers.models import SocialWorker

ALL = gettext_lazy("全部")
RECIPIENT_CHOICES = 50


def domain_choices() -> list:
    items = DictionaryItem.objects.filter(dictionary__code="service_domain", is_active=True).order_by(
        "sort_order", "pk"
    )
    return [(item.code, item.name) for item in items]


def domain_names() -> dict:
    return dict(DictionaryItem.objects.filter(dictionary__code="service_domain").values_list("code", "name"))


class StyledForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class VersionedForm(StyledForm):
    """A form editing a case carries the version it was read at (optimistic check in the services)."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, case: Case, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("version", case.version)
        super().__init__(*args, **kwargs)


class CaseFilterForm(ListFilterForm):
    SORTS = {
        "newest": Sort(gettext_lazy("接案日期新在前"), ("-opened_on", "-id")),
        "oldest": Sort(gettext_lazy("接案日期早在前"), ("opened_on", "id")),
        "stage": Sort(gettext_lazy("按阶段变更时间"), ("-stage_changed_at", "-id")),
        "code": Sort(gettext_lazy("按个案编号"), ("code",)),
    }
    DEFAULT_SORT = "newest"

    q = forms.CharField(label=gettext_lazy("搜索"), required=False, max_length=50)
    stage = forms.ChoiceField(label=gettext_lazy("阶段"), choices=blank(Case.Stage.choices), required=False)
    crisis = forms.ChoiceField(label=gettext_lazy("危机"), choices=YES_NO, required=False)
    awaiting_review = forms.ChoiceField(label=gettext_lazy("待督导"), choices=YES_NO, required=False)
    overdue = forms.ChoiceField(label=gettext_lazy("介入逾期未服务"), choices=YES_NO, required=False)
    station = forms.ModelChoiceField(
        label=gettext_lazy("站点"), queryset=Station.objects.none(), required=False, empty_label=ALL
    )
    worker = forms.ModelChoiceField(
        label=gettext_lazy("承办社工"), queryset=SocialWorker.objects.none(), required=False, empty_label=ALL
    )
    domain = forms.ChoiceField(label=gettext_lazy("服务领域"), required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        visible = selectors.case_search(actor=actor).order_by()
        self.fields["station"].queryset = Station.objects.filter(pk__in=visible.values("station_id")).order_by(
            "region_id", "name"
        )
        self.fields["worker"].queryset = SocialWorker.objects.filter(pk__in=visible.values("worker_id")).order_by(
            "name_initials", "pk"
        )
        self.fields["domain"].choices = blank(domain_choices())
        self.fields["q"].widget.attrs["placeholder"] = gettext_lazy("个案编号或服务对象姓名")

    def search_kwargs(self) -> dict:
        return {
            "q": self.value("q", ""),
            "stage": self.value("stage", ""),
            "crisis": yes_no(self.value("crisis")),
            "awaiting_review": yes_no(self.value("awaiting_review")),
            "overdue": yes_no(self.value("overdue")),
            "station": self.value("station"),
            "worker": self.value("worker"),
            "domain": self.value("domain", ""),
        }


class CaseOpenForm(StyledForm):
    """接案: the recipient is picked among the search results (`q`), the worker among the station's current staff."""

    recipient = forms.TypedChoiceField(label=gettext_lazy("服务对象"), coerce=int)
    station = forms.ModelChoiceField(label=gettext_lazy("站点"), queryset=Station.objects.none())
    worker = forms.TypedChoiceField(label=gettext_lazy("承办社工"), coerce=int)
    domain = forms.ChoiceField(label=gettext_lazy("服务领域"))
    opened_on = date_input(forms.DateField(label=gettext_lazy("接案日期")))
    source = forms.ChoiceField(label=gettext_lazy("个案来源"), choices=IntakeSource.choices)
    presenting_problem = forms.CharField(
        label=gettext_lazy("主要问题"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000
    )

    def __init__(self, *args, actor, q: str = "", **kwargs):
        from shegong.recipients.selectors import recipient_search

        kwargs.setdefault("initial", {}).setdefault("opened_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.actor = actor
        people = recipient_search(actor=actor, q=q).order_by("name_initials", "id")
        found = list(people[:RECIPIENT_CHOICES])
        chosen = self.data.get("recipient") or self.initial.get("recipient")
        if chosen and str(chosen).isdigit() and all(person.pk != int(chosen) for person in found):
            found += list(recipient_search(actor=actor).filter(pk=int(chosen)))
        self.fields["recipient"].choices = [("", "—")] + [
            (person.pk, f"{person.name}（{person.community.name}）") for person in found
        ]
        stations = selectors.stations_for(actor)
        self.fields["station"].queryset = stations
        staff = []
        for station in stations[:200]:
            staff += [(worker.pk, f"{worker.name}（{station.name}）") for worker in selectors.station_staff(station)]
        self.fields["worker"].choices = [("", "—"), *dict(staff).items()]
        own = SocialWorker.objects.filter(account=actor).values_list("pk", flat=True).first()
        if own is not None and own in dict(staff):
            self.fields["worker"].initial = own  # a worker opening a case usually carries it
        if len(found) == 1:
            self.fields["recipient"].initial = found[0].pk
        self.fields["domain"].choices = domain_choices()
        if len(stations) == 1:
            self.fields["station"].initial = stations[0]

    def service_values(self) -> dict:
        from shegong.recipients.selectors import recipient_search

        data = dict(self.cleaned_data)
        data["recipient"] = recipient_search(actor=self.actor).filter(pk=data["recipient"]).first()
        data["worker"] = SocialWorker.objects.filter(pk=data["worker"]).first()
        return data


class IntakeForm(VersionedForm):
    source = forms.ChoiceField(label=gettext_lazy("个案来源"), choices=IntakeSource.choices)
    presenting_problem = forms.CharField(
        label=gettext_lazy("主要问题"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000
    )
    intake_on = date_input(forms.DateField(label=gettext_lazy("接案日期")))


class AssessmentForm(VersionedForm):
    risk_level = forms.ChoiceField(label=gettext_lazy("风险等级"), choices=CaseAssessment.Risk.choices)
    risk_factors = forms.CharField(
        label=gettext_lazy("风险因素"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=4000
    )
    strengths = forms.CharField(
        label=gettext_lazy("优势与资源"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=4000
    )
    assessed_on = date_input(forms.DateField(label=gettext_lazy("预估日期")))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label in NEED_AREAS:
            self.fields[f"need_{key}"] = forms.CharField(
                label=gettext_lazy("需求：%(area)s") % {"area": label},
                required=False,
                max_length=1000,
                widget=forms.Textarea(attrs={"rows": 1}),
            )
        style_fields(self)

    def service_values(self) -> dict:
        data = self.cleaned_data
        return {
            "needs": {key: data.get(f"need_{key}", "") for key, _label in NEED_AREAS},
            "risk_level": data["risk_level"],
            "risk_factors": data["risk_factors"],
            "strengths": data["strengths"],
            "assessed_on": data["assessed_on"],
            "version": data["version"],
        }

    @staticmethod
    def initial_from(assessment) -> dict:
        if assessment is None:
            return {"assessed_on": timezone.localdate()}
        initial = {
            "risk_level": assessment.risk_level,
            "risk_factors": assessment.risk_factors,
            "strengths": assessment.strengths,
            "assessed_on": assessment.assessed_on,
        }
        initial.update({f"need_{key}": value for key, value in assessment.needs.items()})
        return initial


class PlanForm(VersionedForm):
    methods = forms.CharField(
        label=gettext_lazy("服务方法与策略"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000
    )
    planned_on = date_input(forms.DateField(label=gettext_lazy("计划日期")))


class GoalForm(StyledForm):
    description = forms.CharField(label=gettext_lazy("目标"), max_length=500)
    measure = forms.CharField(label=gettext_lazy("衡量方式"), max_length=500)
    target_date = date_input(forms.DateField(label=gettext_lazy("目标日期")))


class SessionForm(StyledForm):
    held_on = date_input(forms.DateField(label=gettext_lazy("服务日期")))
    kind = forms.ChoiceField(label=gettext_lazy("服务方式"), choices=CaseSession.Kind.choices)
    duration_minutes = forms.IntegerField(label=gettext_lazy("时长（分钟）"), min_value=1, max_value=1440)
    notes = forms.CharField(label=gettext_lazy("服务记录"), widget=forms.Textarea(attrs={"rows": 4}), max_length=8000)


class EvaluationForm(VersionedForm):
    overall = forms.CharField(label=gettext_lazy("总体评估"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    evaluated_on = date_input(forms.DateField(label=gettext_lazy("评估日期")))

    def __init__(self, *args, goals, **kwargs):
        super().__init__(*args, **kwargs)
        self.goals = list(goals)
        for goal in self.goals:
            self.fields[f"goal_{goal.pk}"] = forms.ChoiceField(
                label=gettext_lazy("目标“%(goal)s”的达成情况") % {"goal": goal.description},
                choices=blank(CaseGoal.Achievement.choices),
                initial=goal.achievement,
                required=False,
            )
            self.fields[f"goal_{goal.pk}_note"] = forms.CharField(
                label=gettext_lazy("达成说明"), required=False, max_length=1000, initial=goal.achievement_note
            )
        style_fields(self)

    def service_values(self) -> dict:
        data = self.cleaned_data
        return {
            "overall": data["overall"],
            "evaluated_on": data["evaluated_on"],
            "version": data["version"],
            "achievements": {
                goal.pk: (data.get(f"goal_{goal.pk}") or "", data.get(f"goal_{goal.pk}_note") or "")
                for goal in self.goals
            },
        }


class MoveForm(VersionedForm):
    """进入下一阶段 / 结案 / 重新开案: `to` names the target; the closure fields matter only for 结案."""

    to = forms.ChoiceField(label=gettext_lazy("目标阶段"), choices=Case.Stage.choices, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=gettext_lazy("原因或说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=1000
    )
    closure_reason = forms.ChoiceField(
        label=gettext_lazy("结案原因"), choices=blank(ClosureReason.choices), required=False
    )
    closure_summary = forms.CharField(
        label=gettext_lazy("结案小结"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=4000
    )
    on = date_input(forms.DateField(label=gettext_lazy("结案日期"), required=False))

    def __init__(self, *args, to: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].initial = to
        if to != Case.Stage.CLOSED:
            for name in ("closure_reason", "closure_summary", "on"):
                del self.fields[name]
        else:
            self.fields["on"].initial = timezone.localdate()


class CrisisForm(StyledForm):
    kind = forms.ChoiceField(label=gettext_lazy("危机类型"), choices=CaseCrisis.Kind.choices)
    note = forms.CharField(label=gettext_lazy("情况说明"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class ClearCrisisForm(StyledForm):
    note = forms.CharField(label=gettext_lazy("解除说明"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class ReviewForm(StyledForm):
    decision = forms.ChoiceField(label=gettext_lazy("审阅意见"), choices=CaseReview.Decision.choices)
    comment = forms.CharField(label=gettext_lazy("审阅说明"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
