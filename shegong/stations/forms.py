"""Forms of the station pages. They parse and offer choices; every rule is the services' (a refusal comes back as the
service's ValidationError, put on the form by add_service_error)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy

from shegong.accounts.forms import region_roots, style_fields
from shegong.agencies.models import Agency
from shegong.core.listing import ListFilterForm, Sort
from shegong.core.scope import scoped
from shegong.regions.forms import RegionField
from shegong.stations import selectors, services
from shegong.stations.models import PresenceCheckIn, StaffAssignment, Station
from shegong.workers.forms import WorkerField

ALL = gettext_lazy("全部")
Kind = Station.Kind
Status = Station.Status


def _date_input(field: forms.DateField) -> forms.DateField:
    field.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    return field


def _blank(choices, label=ALL):
    return [("", label), *choices]


def _agencies(actor):
    return scoped(Agency, actor, "agencies.view_agency").order_by("name")


class StationFilterForm(ListFilterForm):
    """The station list's filters; `filters()` gives the selector's StationFilters (also used by the export)."""

    SORTS = {
        "region": Sort(gettext_lazy("区划"), ("region_id", "kind", "name", "pk")),
        "name": Sort(gettext_lazy("名称"), ("name", "pk")),
        "code": Sort(gettext_lazy("编码"), ("code",)),
        "newest": Sort(gettext_lazy("最近登记"), ("-pk",)),
    }
    DEFAULT_SORT = "region"
    REGION_PATH = "region"

    q = forms.CharField(label=gettext_lazy("搜索"), required=False, max_length=50)
    region = RegionField(label=gettext_lazy("区划"), required=False)
    kind = forms.ChoiceField(label=gettext_lazy("类型"), choices=_blank(Kind.choices), required=False)
    status = forms.ChoiceField(label=gettext_lazy("状态"), choices=_blank(Status.choices), required=False)
    agency = forms.ModelChoiceField(
        label=gettext_lazy("承接机构"), queryset=Agency.objects.none(), required=False, empty_label=ALL
    )
    noncompliant = forms.BooleanField(label=gettext_lazy("只看不达标"), required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = _agencies(actor)
        self.fields["region"].within = selectors.network_roots(actor)
        self.fields["q"].widget.attrs["placeholder"] = gettext_lazy("名称或编码")

    def filters(self) -> selectors.StationFilters:
        return selectors.StationFilters(
            region=self.value("region"),
            kind=self.value("kind", ""),
            status=self.value("status", ""),
            agency=self.value("agency"),
            q=self.value("q", ""),
            noncompliant=bool(self.value("noncompliant")),
        )

    def describe(self) -> dict:
        described = super().describe()
        if "noncompliant" in described and not self.value("noncompliant"):
            described.pop("noncompliant")
        return described


class StationForm(forms.Form):
    """A station's facts. Creating also asks for the kind and the starting status."""

    name = forms.CharField(label=gettext_lazy("名称"), max_length=200)
    kind = forms.ChoiceField(
        label=gettext_lazy("类型"),
        choices=Kind.choices,
        help_text=gettext_lazy(
            "区县中心设在区县，镇街社工站设在街道或乡镇，村社社工室设在村或社区；专门站点设在区县及以下。"
        ),
    )
    region = RegionField(label=gettext_lazy("所在区划"), min_level=3, max_level=5)
    agency = forms.ModelChoiceField(
        label=gettext_lazy("承接机构"),
        queryset=Agency.objects.none(),
        required=False,
        empty_label=gettext_lazy("（无）"),
    )
    host_institution = forms.CharField(
        label=gettext_lazy("依托单位"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("学校社工站、两站合一站点必填，如所在学校的名称。"),
    )
    opened_on = _date_input(forms.DateField(label=gettext_lazy("启用日期"), required=False))
    address = forms.CharField(label=gettext_lazy("地址"), max_length=300, required=False)
    latitude = forms.DecimalField(label=gettext_lazy("纬度"), max_digits=9, decimal_places=6, required=False)
    longitude = forms.DecimalField(label=gettext_lazy("经度"), max_digits=9, decimal_places=6, required=False)
    phone = forms.CharField(label=gettext_lazy("联系电话"), max_length=30, required=False)
    service_hours = forms.CharField(
        label=gettext_lazy("服务时间"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("如 周一至周五 9:00-12:00、14:00-17:30"),
    )
    status = forms.ChoiceField(
        label=gettext_lazy("初始状态"),
        choices=[(value, Status(value).label) for value in services.INITIAL_STATUSES],
        initial=Status.PREPARING,
        help_text=gettext_lazy("已在运行的站点选“运营”，状态记录从启用日期开始。"),
    )

    FIELDS = [
        "name",
        "kind",
        "region",
        "agency",
        "host_institution",
        "opened_on",
        "address",
        "latitude",
        "longitude",
        "phone",
        "service_hours",
    ]

    def __init__(self, *args, actor, station: Station | None = None, **kwargs):
        if station is not None:
            kwargs.setdefault("initial", {name: getattr(station, name) for name in self.FIELDS})
        super().__init__(*args, **kwargs)
        self.station = station
        self.fields["agency"].queryset = _agencies(actor)
        perm = selectors.ADD if station is None else selectors.CHANGE
        self.fields["region"].within = region_roots(actor, perm)
        if station is not None:
            del self.fields["status"]
        style_fields(self)

    def changes(self) -> dict:
        """The values for station_create, or for station_update the fields that changed."""
        data = {name: self.cleaned_data.get(name) for name in self.FIELDS}
        for name in ("host_institution", "address", "phone", "service_hours"):
            data[name] = data[name] or ""
        if self.station is None:
            data["status"] = self.cleaned_data["status"]
            return data
        return {name: value for name, value in data.items() if value != getattr(self.station, name)}


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("变更为"))
    effective_on = _date_input(forms.DateField(label=gettext_lazy("生效日期")))
    reason = forms.CharField(
        label=gettext_lazy("原因"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("暂停或撤销须写明原因。撤销后不能恢复，站点人员安排于当日结束。"),
    )

    def __init__(self, *args, station: Station, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (value, Status(value).label) for value in services.allowed_moves(station.status)
        ]
        self.fields["effective_on"].initial = timezone.localdate()
        style_fields(self)


class ServiceItemForm(forms.Form):
    domain = forms.ChoiceField(label=gettext_lazy("服务领域"))
    title = forms.CharField(label=gettext_lazy("服务项目"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    is_active = forms.BooleanField(label=gettext_lazy("提供中"), required=False, initial=True)

    def __init__(self, *args, item=None, **kwargs):
        from shegong.refdata.selectors import choices

        if item is not None:
            kwargs.setdefault(
                "initial",
                {
                    "domain": item.domain,
                    "title": item.title,
                    "description": item.description,
                    "is_active": item.is_active,
                },
            )
        super().__init__(*args, **kwargs)
        options = choices(selectors.SERVICE_DOMAIN_DICTIONARY)
        if item is not None and item.domain not in dict(options):
            options.append((item.domain, item.domain))  # a retired domain stays readable until changed
        self.fields["domain"].choices = _blank(options, gettext_lazy("请选择"))
        style_fields(self)


class AssignForm(forms.Form):
    """Put a worker in a post at the station."""

    worker = WorkerField(perm=services.WORKERS_VIEW)
    role = forms.ChoiceField(label=gettext_lazy("岗位"), choices=StaffAssignment.Role.choices)
    full_time = forms.BooleanField(
        label=gettext_lazy("专职"),
        required=False,
        initial=True,
        help_text=gettext_lazy("同一人同一天只在一个站点专职"),
    )
    start_date = _date_input(forms.DateField(label=gettext_lazy("起始日期")))
    end_date = _date_input(
        forms.DateField(label=gettext_lazy("结束日期"), required=False, help_text=gettext_lazy("含当日；留空表示至今"))
    )

    def __init__(self, *args, actor, station: Station, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].actor = actor
        self.fields["worker"].widget.attrs["list"] = "worker-suggestions"
        self.fields["start_date"].initial = timezone.localdate()
        if station.kind == Kind.ROOM:
            self.fields["role"].initial = StaffAssignment.Role.RESIDENT
        style_fields(self)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", gettext_lazy("结束日期不能早于起始日期。"))
        return cleaned


class AssignmentChangeForm(forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("岗位"), choices=StaffAssignment.Role.choices)
    full_time = forms.BooleanField(label=gettext_lazy("专职"), required=False)
    start_date = _date_input(forms.DateField(label=gettext_lazy("起始日期")))
    end_date = _date_input(
        forms.DateField(label=gettext_lazy("结束日期"), required=False, help_text=gettext_lazy("含当日；留空表示至今"))
    )

    def __init__(self, *args, assignment: StaffAssignment, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "role": assignment.role,
                "full_time": assignment.full_time,
                "start_date": assignment.start_date,
                "end_date": assignment.end_date,
            },
        )
        super().__init__(*args, **kwargs)
        style_fields(self)


class AssignmentEndForm(forms.Form):
    end_date = _date_input(forms.DateField(label=gettext_lazy("最后在岗日期")))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["end_date"].initial = timezone.localdate()
        style_fields(self)


class CheckInForm(forms.Form):
    """A check-in entered by the station (most often 补录, a manual entry with its reason)."""

    worker = forms.ModelChoiceField(label=gettext_lazy("社工"), queryset=None)
    community = forms.ModelChoiceField(label=gettext_lazy("社区"), queryset=None)
    date = _date_input(forms.DateField(label=gettext_lazy("日期")))
    method = forms.ChoiceField(
        label=gettext_lazy("方式"), choices=PresenceCheckIn.Method.choices, initial=PresenceCheckIn.Method.MANUAL
    )
    note = forms.CharField(
        label=gettext_lazy("备注"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("补录须写明原因，如“忘记签到，经站长核实”。"),
    )

    def __init__(self, *args, station: Station, **kwargs):
        super().__init__(*args, **kwargs)
        from shegong.workers.models import SocialWorker

        candidates = selectors.check_in_candidates(station)
        self.fields["worker"].queryset = SocialWorker.objects.filter(pk__in=[worker.pk for worker in candidates])
        communities = selectors.communities_of(station)
        self.fields["community"].queryset = communities
        if station.kind == Kind.ROOM:
            self.fields["community"].initial = station.region_id
            self.fields["community"].widget = forms.HiddenInput()
        if len(candidates) == 1:
            self.fields["worker"].initial = candidates[0].pk
        self.fields["date"].initial = timezone.localdate()
        style_fields(self)
