"""Forms of the project pages. They parse and offer choices; every rule is the services' (a refusal comes back as the
service's ValidationError, put on the form by add_service_error)."""

from __future__ import annotations

import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy

from shegong.accounts.forms import region_roots, style_fields
from shegong.agencies.models import Agency
from shegong.core.listing import ListFilterForm, Sort, blank, date_input
from shegong.core.scope import scoped
from shegong.projects import selectors, services
from shegong.projects.models import BudgetLine, FundingSource, PlannedOutput, Project, ProjectStaff
from shegong.regions.forms import RegionField
from shegong.workers.forms import WorkerField

Stage = Project.Stage
MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": 0}
STATION_VIEW = "stations.view_station"
WORKERS_VIEW = "workers.view_socialworker"
CODES = re.compile(r"[\s,，、;；]+")


def _agencies(actor):
    return scoped(Agency, actor, "agencies.view_agency").order_by("name")


class ProjectFilterForm(ListFilterForm):
    SORTS = {
        "newest": Sort(gettext_lazy("服务期（新到旧）"), ("-start_date", "code")),
        "code": Sort(gettext_lazy("项目编号"), ("code",)),
        "region": Sort(gettext_lazy("区划"), ("region_id", "-start_date", "code")),
        "funds": Sort(gettext_lazy("经费（多到少）"), ("-total_funds", "code")),
    }
    DEFAULT_SORT = "newest"
    REGION_PATH = "region_id"

    q = forms.CharField(label=gettext_lazy("搜索"), required=False, max_length=50)
    region = RegionField(label=gettext_lazy("购买方区划"), required=False)
    stage = forms.ChoiceField(label=gettext_lazy("阶段"), choices=blank(Stage.choices), required=False)
    agency = forms.ModelChoiceField(
        label=gettext_lazy("承接机构"), queryset=Agency.objects.none(), required=False, empty_label=gettext_lazy("全部")
    )
    failing = forms.BooleanField(label=gettext_lazy("只看不合规"), required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = _agencies(actor)
        self.fields["region"].within = region_roots(actor, selectors.VIEW)
        self.fields["q"].widget.attrs["placeholder"] = gettext_lazy("名称、编号或购买方")

    def filters(self) -> selectors.ProjectFilters:
        return selectors.ProjectFilters(
            region=self.value("region"),
            stage=self.value("stage", ""),
            agency=self.value("agency"),
            q=self.value("q", ""),
            failing=bool(self.value("failing")),
        )

    def describe(self) -> dict:
        described = super().describe()
        if "failing" in described and not self.value("failing"):
            described.pop("failing")
        return described


class ProjectForm(forms.Form):
    """A project's terms, stations, funding and planned budget (the outputs come in OutputFormSet)."""

    name = forms.CharField(label=gettext_lazy("项目名称"), max_length=200)
    purchaser_department = forms.CharField(
        label=gettext_lazy("购买方（部门）"), max_length=200, help_text=gettext_lazy("如：广州市越秀区民政局")
    )
    region = RegionField(label=gettext_lazy("购买方所在区划"), max_level=4)
    start_date = date_input(forms.DateField(label=gettext_lazy("服务期开始")))
    end_date = date_input(forms.DateField(label=gettext_lazy("服务期结束")))
    total_funds = forms.DecimalField(label=gettext_lazy("项目总经费（元）"), **MONEY)
    social_work_posts = forms.IntegerField(
        label=gettext_lazy("社工岗位数"),
        min_value=0,
        initial=0,
        help_text=gettext_lazy("合同约定的社会工作专业岗位数；填 0 则按项目人员中的社工专业岗位计算打包费"),
    )
    stations = forms.CharField(
        label=gettext_lazy("覆盖站点编码"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("站点编码，多个用空格或逗号分隔，如 S440104003 R440104003104"),
    )
    description = forms.CharField(
        label=gettext_lazy("项目内容"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, actor, project: Project | None = None, **kwargs):
        self.actor, self.project = actor, project
        self.section_errors: dict[str, list] = {}  # the services' sums and outputs refusals, shown by section
        if project is not None:
            initial = {name: getattr(project, name) for name in services.TERMS}
            initial["stations"] = " ".join(station.code for station in selectors.covered_stations(project))
            initial["version"] = services.version_of(project)
            initial.update({f"funding_{row.source}": row.amount for row in project.funding.all()})
            initial.update({f"budget_{row.category}": row.planned for row in project.budget.all()})
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        for value, label in FundingSource.Source.choices:
            self.fields[f"funding_{value}"] = forms.DecimalField(label=label, required=False, **MONEY)
        for value, label in BudgetLine.Category.choices:
            self.fields[f"budget_{value}"] = forms.DecimalField(label=label, required=False, **MONEY)
        self.fields["region"].within = region_roots(actor, selectors.ADD if project is None else selectors.CHANGE)
        style_fields(self)

    @property
    def term_fields(self):
        return [self[name] for name in self.fields if not name.startswith(("funding_", "budget_", "version"))]

    @property
    def funding_fields(self):
        return [self[name] for name in self.fields if name.startswith("funding_")]

    @property
    def budget_fields(self):
        return [self[name] for name in self.fields if name.startswith("budget_")]

    def clean_stations(self):
        from shegong.stations.models import Station

        codes = [code.upper() for code in CODES.split(self.cleaned_data.get("stations") or "") if code]
        if not codes:
            return []
        found = {station.code: station for station in scoped(Station, self.actor, STATION_VIEW).filter(code__in=codes)}
        if self.project is not None:
            # Stations already covered stay readable to the editor even if outside their station scope.
            for station in self.project.stations.all():
                found.setdefault(station.code, station)
        missing = [code for code in dict.fromkeys(codes) if code not in found]
        if missing:
            raise forms.ValidationError(
                gettext_lazy("在您的管辖范围内没有找到这些站点编码：%(codes)s。") % {"codes": "、".join(missing)}
            )
        return [found[code] for code in dict.fromkeys(codes)]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", gettext_lazy("服务期结束日期不能早于开始日期。"))
        return cleaned

    def values(self) -> dict:
        data = self.cleaned_data
        values = {name: data.get(name) for name in services.TERMS}
        values["description"] = values["description"] or ""
        values["stations"] = data.get("stations") or []
        values["funding"] = {value: data.get(f"funding_{value}") for value in FundingSource.Source.values}
        values["budget"] = {value: data.get(f"budget_{value}") for value in BudgetLine.Category.values}
        if self.project is not None:
            values["version"] = data.get("version") or None
        return values


class OutputForm(forms.Form):
    measure = forms.ChoiceField(
        label=gettext_lazy("产出指标"),
        choices=[("", gettext_lazy("（不填）")), *PlannedOutput.Measure.choices],
        required=False,
    )
    domain = forms.ChoiceField(label=gettext_lazy("服务领域"), required=False)
    planned = forms.IntegerField(label=gettext_lazy("计划数"), min_value=0, required=False)

    def __init__(self, *args, **kwargs):
        from shegong.refdata.selectors import choices

        super().__init__(*args, **kwargs)
        self.fields["domain"].choices = [("", gettext_lazy("不分领域")), *choices("service_domain")]
        style_fields(self)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("measure") and cleaned.get("planned") is None:
            self.add_error("planned", gettext_lazy("请填写计划数。"))
        if cleaned.get("planned") is not None and not cleaned.get("measure"):
            self.add_error("measure", gettext_lazy("请选择产出指标。"))
        return cleaned


OutputFormSet = forms.formset_factory(OutputForm, extra=3, max_num=20)


def output_formset(data=None, project: Project | None = None):
    initial = []
    if project is not None:
        initial = [
            {"measure": row.measure, "domain": row.domain, "planned": row.planned} for row in project.outputs.all()
        ]
    return OutputFormSet(data, initial=initial, prefix="outputs")


def outputs_of(formset) -> list[tuple[str, str, int]]:
    return [
        (form.cleaned_data["measure"], form.cleaned_data.get("domain") or "", form.cleaned_data["planned"])
        for form in formset.forms
        if form.cleaned_data.get("measure")
    ]


class ContractorForm(forms.Form):
    agency = forms.ModelChoiceField(label=gettext_lazy("承接机构"), queryset=Agency.objects.none())
    contract_date = date_input(forms.DateField(label=gettext_lazy("签约日期")))

    def __init__(self, *args, actor, project: Project, **kwargs):
        kwargs.setdefault("initial", {"agency": project.agency_id, "contract_date": project.contract_date})
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = _agencies(actor)
        style_fields(self)


class MoveForm(forms.Form):
    to_stage = forms.ChoiceField(label=gettext_lazy("变更为"))
    effective_on = date_input(forms.DateField(label=gettext_lazy("生效日期")))
    reason = forms.CharField(
        label=gettext_lazy("说明"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("终止项目、流标（退回立项）须写明原因。"),
    )

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_stage"].choices = [(value, Stage(value).label) for value in Stage.values]
        self.fields["effective_on"].initial = timezone.localdate()
        style_fields(self)


class StaffForm(forms.Form):
    worker = WorkerField(perm=WORKERS_VIEW)
    role = forms.ChoiceField(label=gettext_lazy("项目角色"), choices=ProjectStaff.Role.choices)
    is_full_time = forms.BooleanField(label=gettext_lazy("专职"), required=False, initial=True)
    is_social_work_post = forms.BooleanField(
        label=gettext_lazy("社工专业岗位"),
        required=False,
        initial=True,
        help_text=gettext_lazy("计入“社工专业岗位持证比例”和整体打包费标准"),
    )
    start_date = date_input(forms.DateField(label=gettext_lazy("起始日期")))
    end_date = date_input(
        forms.DateField(label=gettext_lazy("结束日期"), required=False, help_text=gettext_lazy("含当日；留空表示至今"))
    )

    def __init__(self, *args, actor, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].actor = actor
        today = timezone.localdate()
        self.fields["start_date"].initial = min(max(today, project.start_date), project.end_date)
        style_fields(self)


class StaffEndForm(forms.Form):
    end_date = date_input(forms.DateField(label=gettext_lazy("最后在岗日期")))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["end_date"].initial = timezone.localdate()
        style_fields(self)


class SpendingForm(forms.Form):
    """Spent so far on each budget line (cumulative)."""

    def __init__(self, *args, project: Project, **kwargs):
        lines = {line.category: line for line in project.budget.all()}
        kwargs.setdefault("initial", {f"spent_{key}": line.spent for key, line in lines.items()})
        super().__init__(*args, **kwargs)
        for value, label in BudgetLine.Category.choices:
            line = lines.get(value)
            help_text = gettext_lazy("预算 %(planned)s 元") % {"planned": line.planned} if line is not None else ""
            self.fields[f"spent_{value}"] = forms.DecimalField(
                label=label, required=False, help_text=help_text, **MONEY
            )
        style_fields(self)

    def spent(self) -> dict:
        return {value: self.cleaned_data.get(f"spent_{value}") for value in BudgetLine.Category.values}
