"""Forms of the inspection pages. They parse and offer choices (scoped to the actor); every rule is the services'
(a refusal comes back as the service's ValidationError, put on the form by add_service_error)."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from shegong.accounts.forms import region_roots, style_fields
from shegong.accounts.models import User
from shegong.agencies.models import Agency
from shegong.core import uploads
from shegong.core.listing import ListFilterForm, Sort, blank, date_input
from shegong.core.scope import region_q, scoped
from shegong.inspections import selectors
from shegong.inspections.models import ChecklistResult, Finding, Inspection, InspectionPlan, RectificationItem
from shegong.regions.codes import ancestor_codes
from shegong.regions.forms import RegionField
from shegong.stations.models import Station

WHOLE_YEAR = "year"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (photos from a phone); the services check each one's type and size."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".jpg,.jpeg,.png,.pdf,.doc,.docx,.xls,.xlsx"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def inspector_choices(actor):
    """Bureau users who may inspect in the actor's regions: assigned at one of those regions, above or below them."""
    roots = region_roots(actor, selectors.CHANGE_INSPECTION)
    users = User.objects.filter(
        is_active=True,
        assignments__role__permissions__codename="change_inspection",
        assignments__role__permissions__content_type__app_label="inspections",
    )
    if roots is not None:
        where = Q(pk=actor.pk)
        for root in roots:
            where |= region_q("assignments__region_id", root.code, root.level)
            where |= Q(assignments__region_id__in=ancestor_codes(root.code, root.level))
        users = users.filter(where)
    return users.distinct().order_by("username")


QUARTERS = [
    ("1", gettext_lazy("第一季度")),
    ("2", gettext_lazy("第二季度")),
    ("3", gettext_lazy("第三季度")),
    ("4", gettext_lazy("第四季度")),
]


class UserChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.display_name or obj.username


class PlanForm(forms.Form):
    region = RegionField(label=gettext_lazy("组织区划"), max_level=4)
    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=2000, max_value=2100)
    quarter = forms.ChoiceField(
        label=gettext_lazy("季度"),
        choices=[
            (WHOLE_YEAR, gettext_lazy("全年（每季度一轮，共四轮）")),
            *QUARTERS,
        ],
    )
    kind = forms.ChoiceField(label=gettext_lazy("督查方式"), choices=InspectionPlan.Kind.choices)
    title = forms.CharField(label=gettext_lazy("名称"), max_length=200)
    checklist = forms.MultipleChoiceField(label=gettext_lazy("检查项目"), widget=forms.CheckboxSelectMultiple)
    inspectors = UserChoices(label=gettext_lazy("督查人员"), queryset=User.objects.none(), required=False)
    notes = forms.CharField(label=gettext_lazy("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].within = region_roots(actor, selectors.ADD_PLAN)
        self.fields["checklist"].choices = selectors.checklist_choices()
        self.fields["inspectors"].queryset = inspector_choices(actor)
        self.initial.setdefault("year", timezone.localdate().year)
        self.initial.setdefault("checklist", [code for code, _label in self.fields["checklist"].choices])
        style_fields(self)


class PlanEditForm(forms.Form):
    """A plan after its creation (services.plan_update says what may still change); its region stays."""

    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(label=gettext_lazy("季度"), choices=QUARTERS, coerce=int)
    kind = forms.ChoiceField(label=gettext_lazy("督查方式"), choices=InspectionPlan.Kind.choices)
    title = forms.CharField(label=gettext_lazy("名称"), max_length=200)
    checklist = forms.MultipleChoiceField(label=gettext_lazy("检查项目"), widget=forms.CheckboxSelectMultiple)
    inspectors = UserChoices(label=gettext_lazy("督查人员"), queryset=User.objects.none(), required=False)
    notes = forms.CharField(label=gettext_lazy("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, plan: InspectionPlan, actor, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "year": plan.year,
                "quarter": plan.quarter,
                "kind": plan.kind,
                "title": plan.title,
                "checklist": list(plan.checklist),
                "inspectors": list(plan.inspectors.all()),
                "notes": plan.notes,
            },
        )
        super().__init__(*args, **kwargs)
        choices = selectors.checklist_choices()
        known = {code for code, _label in choices}
        # An area no longer in the dictionary stays choosable while the plan holds it.
        choices += [(code, code) for code in plan.checklist if code not in known]
        self.fields["checklist"].choices = choices
        # The plan's present inspectors stay choosable (unticking one is how they leave the plan).
        self.fields["inspectors"].queryset = User.objects.filter(
            Q(pk__in=inspector_choices(actor).order_by().values("pk")) | Q(pk__in=plan.inspectors.values("pk"))
        ).order_by("username")
        style_fields(self)


class TargetForm(forms.Form):
    station = forms.ModelChoiceField(label=gettext_lazy("站点"), queryset=Station.objects.none(), required=False)
    agency = forms.ModelChoiceField(label=gettext_lazy("机构"), queryset=Agency.objects.none(), required=False)
    project = forms.ModelChoiceField(label=gettext_lazy("关联项目"), queryset=None, required=False)
    scheduled_on = date_input(forms.DateField(label=gettext_lazy("计划日期"), required=False))

    def __init__(self, *args, plan: InspectionPlan, actor, **kwargs):
        from shegong.projects.models import Project

        super().__init__(*args, **kwargs)
        inside = region_q("region_id", plan.region_id, plan.region.level)
        self.fields["station"].queryset = (
            Station.objects.filter(inside).exclude(status=Station.Status.REVOKED).order_by("region_id", "kind", "name")
        )
        self.fields["agency"].queryset = Agency.objects.filter(inside).order_by("name")
        self.fields["project"].queryset = (
            scoped(Project, actor, "projects.view_project").filter(inside).order_by("name")
        )
        style_fields(self)


class SampleForm(forms.Form):
    count = forms.IntegerField(label=gettext_lazy("抽取站点数"), min_value=1, max_value=200, initial=3)
    kinds = forms.MultipleChoiceField(
        label=gettext_lazy("站点类型"),
        choices=Station.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("不选表示全部类型"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class RecordForm(forms.Form):
    """The visit: date, summary, and a result + notes per checklist area of the plan (fields result_<code>)."""

    visited_on = date_input(forms.DateField(label=gettext_lazy("督查日期"), required=False))
    summary = forms.CharField(label=gettext_lazy("督查意见"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, inspection: Inspection, labels: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.areas = list(inspection.plan.checklist)
        current = {row.area: row for row in inspection.results.all()}
        self.initial.setdefault("visited_on", inspection.visited_on)
        self.initial.setdefault("summary", inspection.summary)
        for area in self.areas:
            self.fields[f"result_{area}"] = forms.ChoiceField(
                label=labels.get(area, area), choices=blank(ChecklistResult.Result.choices), required=False
            )
            self.fields[f"notes_{area}"] = forms.CharField(
                label=gettext_lazy("情况记录"), required=False, max_length=2000
            )
            if area in current:
                self.initial.setdefault(f"result_{area}", current[area].result)
                self.initial.setdefault(f"notes_{area}", current[area].notes)
        style_fields(self)

    def rows(self):
        return [(self[f"result_{area}"], self[f"notes_{area}"]) for area in self.areas]

    def results(self) -> dict[str, tuple[str, str]]:
        data = self.cleaned_data
        return {area: (data.get(f"result_{area}") or "", data.get(f"notes_{area}") or "") for area in self.areas}


class FindingForm(forms.Form):
    area = forms.ChoiceField(label=gettext_lazy("检查项目"), required=False)
    description = forms.CharField(label=gettext_lazy("问题描述"), widget=forms.Textarea(attrs={"rows": 3}))
    severity = forms.ChoiceField(label=gettext_lazy("严重程度"), choices=Finding.Severity.choices)
    files = MultipleFileField(label=gettext_lazy("照片或文件"))

    def __init__(self, *args, inspection: Inspection, labels: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = uploads.help_text()
        self.fields["area"].choices = blank([(a, labels.get(a, a)) for a in inspection.plan.checklist])
        style_fields(self)


class CorrectionForm(forms.Form):
    area = forms.ChoiceField(label=gettext_lazy("检查项目"))
    result = forms.ChoiceField(label=gettext_lazy("更正后的结果"), choices=ChecklistResult.Result.choices)
    notes = forms.CharField(label=gettext_lazy("情况记录"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(label=gettext_lazy("更正原因"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, inspection: Inspection, labels: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [(a, labels.get(a, a)) for a in inspection.plan.checklist]
        style_fields(self)


class ItemForm(forms.Form):
    owner = forms.ChoiceField(label=gettext_lazy("责任单位"))
    responsible_person = forms.CharField(label=gettext_lazy("责任人"), required=False, max_length=50)
    required_action = forms.CharField(label=gettext_lazy("整改要求"), widget=forms.Textarea(attrs={"rows": 3}))
    deadline = date_input(forms.DateField(label=gettext_lazy("整改期限")))

    def __init__(self, *args, inspection: Inspection, **kwargs):
        super().__init__(*args, **kwargs)
        choices = []
        if inspection.station_id:
            choices.append((f"station:{inspection.station_id}", inspection.station.name))
            if inspection.station.agency_id:
                agency = inspection.station.agency
                choices.append((f"agency:{agency.pk}", f"{agency.name}（{gettext_lazy('承接机构')}）"))
        else:
            choices.append((f"agency:{inspection.agency_id}", inspection.agency.name))
        self.fields["owner"].choices = choices
        self.owners = {
            f"station:{inspection.station_id}": {"owner_station": inspection.station},
        }
        if inspection.station_id and inspection.station.agency_id:
            self.owners[f"agency:{inspection.station.agency_id}"] = {"owner_agency": inspection.station.agency}
        if inspection.agency_id:
            self.owners[f"agency:{inspection.agency_id}"] = {"owner_agency": inspection.agency}
        style_fields(self)

    def owner_values(self) -> dict:
        return self.owners[self.cleaned_data["owner"]]


class EvidenceForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("整改情况"), widget=forms.Textarea(attrs={"rows": 4}))
    files = MultipleFileField(label=gettext_lazy("照片或文件"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = uploads.help_text()
        style_fields(self)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("审核结果"),
        choices=[("pass", gettext_lazy("通过（销号）")), ("return", gettext_lazy("退回整改"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=gettext_lazy("审核意见"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("退回时必填"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


# --- Lists -----------------------------------------------------------------------------------------------------------


class InspectionFilterForm(ListFilterForm):
    SORTS = {
        "date": Sort(gettext_lazy("督查日期"), ("-visited_on", "-scheduled_on", "-pk")),
        "region": Sort(gettext_lazy("区划"), ("region_id", "-pk")),
    }
    DEFAULT_SORT = "date"
    REGION_PATH = "region_id"

    region = RegionField(label=gettext_lazy("区划"), required=False)
    year = forms.IntegerField(label=gettext_lazy("年度"), required=False, min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label=gettext_lazy("督查方式"), choices=blank(InspectionPlan.Kind.choices), required=False)
    status = forms.ChoiceField(label=gettext_lazy("状态"), choices=blank(Inspection.Status.choices), required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].within = region_roots(actor, selectors.VIEW_INSPECTION)

    def filter(self, qs):
        qs = self.region_filter(qs)
        if self.value("year"):
            qs = qs.filter(plan__year=self.value("year"))
        if self.value("kind"):
            qs = qs.filter(plan__kind=self.value("kind"))
        if self.value("status"):
            qs = qs.filter(status=self.value("status"))
        return qs


class ItemFilterForm(ListFilterForm):
    SORTS = {
        "deadline": Sort(gettext_lazy("整改期限"), ("deadline", "pk")),
        "newest": Sort(gettext_lazy("最近下发"), ("-pk",)),
    }
    DEFAULT_SORT = "deadline"
    REGION_PATH = "region_id"

    region = RegionField(label=gettext_lazy("区划"), required=False)
    q = forms.CharField(label=gettext_lazy("责任单位"), required=False, max_length=50)
    status = forms.ChoiceField(
        label=gettext_lazy("状态"), choices=blank(RectificationItem.Status.choices), required=False
    )
    overdue = forms.BooleanField(label=gettext_lazy("只看逾期"), required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        roots = region_roots(actor, selectors.VIEW_ITEM)
        self.fields["region"].within = roots
        self.fields["q"].widget.attrs["placeholder"] = gettext_lazy("站点或机构名称")
        self.today = timezone.localdate()

    def filter(self, qs):
        qs = self.region_filter(qs)
        text = self.value("q")
        if text:
            qs = qs.filter(Q(owner_station__name__contains=text) | Q(owner_agency__name__contains=text))
        if self.value("status"):
            qs = qs.filter(status=self.value("status"))
        if self.value("overdue"):
            qs = qs.filter(selectors.overdue_q(self.today))
        return qs

    def describe(self) -> dict:
        described = super().describe()
        if not self.value("overdue"):
            described.pop("overdue", None)
        return described
