"""Forms of the charity pages. They parse and offer choices; every rule is the services' (a refusal comes back as the
service's ValidationError, put on the form by add_service_error)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy

from shegong.accounts.forms import region_roots, style_fields
from shegong.charity import permissions
from shegong.charity.models import Allocation, CharityPoint, Kind, PurposeKind
from shegong.core.listing import ListFilterForm, Sort, blank, date_input
from shegong.core.scope import scoped
from shegong.regions.forms import RegionField
from shegong.stations.models import Station

ALL = gettext_lazy("全部")


def points_for(actor, perm: str):
    return scoped(CharityPoint, actor, perm).select_related("station").order_by("station__code")


class PointFilterForm(ListFilterForm):
    SORTS = {
        "code": Sort(gettext_lazy("按站点编码"), ("station__code",)),
        "newest": Sort(gettext_lazy("最近设立在前"), ("-opened_on", "station__code")),
    }
    DEFAULT_SORT = "code"
    REGION_PATH = "station__region"

    q = forms.CharField(label=gettext_lazy("站点名称或编码"), required=False, max_length=50)
    region = RegionField(label=gettext_lazy("区划"), required=False)
    status = forms.ChoiceField(label=gettext_lazy("状态"), choices=blank(CharityPoint.Status.choices), required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].within = region_roots(actor, permissions.VIEW_POINT)

    def search_kwargs(self) -> dict:
        return {"region": self.value("region"), "status": self.value("status", ""), "q": self.value("q", "")}


class _DatedFilterForm(ListFilterForm):
    point = forms.ModelChoiceField(
        label=gettext_lazy("捐赠站点"), queryset=CharityPoint.objects.none(), required=False, empty_label=ALL
    )
    kind = forms.ChoiceField(label=gettext_lazy("捐赠类型"), choices=blank(Kind.choices), required=False)
    since = date_input(forms.DateField(label=gettext_lazy("起始日期"), required=False))
    until = date_input(forms.DateField(label=gettext_lazy("截止日期"), required=False))
    PERM = ""

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["point"].queryset = points_for(actor, self.PERM)

    def search_kwargs(self) -> dict:
        return {
            "point": self.value("point"),
            "kind": self.value("kind", ""),
            "since": self.value("since"),
            "until": self.value("until"),
        }


class DonationFilterForm(_DatedFilterForm):
    SORTS = {
        "newest": Sort(gettext_lazy("最近接收在前"), ("-received_on", "-id")),
        "receipt": Sort(gettext_lazy("按收据编号"), ("receipt_number",)),
    }
    DEFAULT_SORT = "newest"
    PERM = permissions.VIEW_DONATION
    purpose_kind = forms.ChoiceField(label=gettext_lazy("用途类型"), choices=blank(PurposeKind.choices), required=False)

    def search_kwargs(self) -> dict:
        return {**super().search_kwargs(), "purpose_kind": self.value("purpose_kind", "")}


class AllocationFilterForm(_DatedFilterForm):
    SORTS = {
        "newest": Sort(gettext_lazy("最近拨付在前"), ("-allocated_on", "-id")),
        "oldest": Sort(gettext_lazy("最早拨付在前"), ("allocated_on", "id")),
    }
    DEFAULT_SORT = "newest"
    PERM = permissions.VIEW_ALLOCATION
    target = forms.ChoiceField(label=gettext_lazy("去向"), choices=blank(Allocation.Target.choices), required=False)

    def search_kwargs(self) -> dict:
        return {**super().search_kwargs(), "target": self.value("target", "")}


class PointForm(forms.Form):
    station = forms.ModelChoiceField(label=gettext_lazy("站点"), queryset=Station.objects.none())
    opened_on = date_input(forms.DateField(label=gettext_lazy("设立日期")))
    public_note = forms.CharField(label=gettext_lazy("公开说明"), max_length=500, required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        stations = scoped(Station, actor, permissions.ADD_POINT).filter(charity_point__isnull=True)
        self.fields["station"].queryset = stations.order_by("code")
        self.fields["opened_on"].initial = timezone.localdate()
        style_fields(self)


class PointStatusForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("状态"), choices=CharityPoint.Status.choices)
    public_note = forms.CharField(label=gettext_lazy("公开说明"), max_length=500, required=False)

    def __init__(self, *args, point: CharityPoint, **kwargs):
        super().__init__(*args, initial={"status": point.status, "public_note": point.public_note}, **kwargs)
        style_fields(self)


class _ValueFields(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("捐赠类型"), choices=Kind.choices)
    amount = forms.DecimalField(label=gettext_lazy("金额（元）"), max_digits=12, decimal_places=2, required=False)
    items = forms.CharField(label=gettext_lazy("物资名称"), max_length=200, required=False)
    quantity = forms.IntegerField(label=gettext_lazy("数量"), min_value=1, required=False)
    estimated_value = forms.DecimalField(
        label=gettext_lazy("估值（元）"), max_digits=12, decimal_places=2, min_value=0, required=False
    )
    purpose_kind = forms.ChoiceField(label=gettext_lazy("用途类型"), choices=PurposeKind.choices)
    purpose = forms.CharField(label=gettext_lazy("定向用途"), max_length=200, required=False)


class DonationForm(_ValueFields):
    received_on = date_input(forms.DateField(label=gettext_lazy("接收日期")))
    anonymous = forms.BooleanField(label=gettext_lazy("匿名捐赠"), required=False)
    donor_name = forms.CharField(label=gettext_lazy("捐赠人（个人或单位）"), max_length=100, required=False)
    donor_phone = forms.CharField(label=gettext_lazy("捐赠人电话（选填，不公开）"), max_length=20, required=False)
    handler = forms.CharField(label=gettext_lazy("经办人"), max_length=50)

    field_order = ["received_on", "kind", "amount", "items", "quantity", "estimated_value", "anonymous", "donor_name"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = timezone.localdate()
        style_fields(self)


class AllocationForm(_ValueFields):
    allocated_on = date_input(forms.DateField(label=gettext_lazy("拨付日期")))
    target = forms.ChoiceField(label=gettext_lazy("去向"), choices=Allocation.Target.choices)
    recipient = forms.ModelChoiceField(
        label=gettext_lazy("服务对象"), queryset=Station.objects.none(), required=False, empty_label="—"
    )
    beneficiary_group = forms.CharField(label=gettext_lazy("受益群体"), max_length=200, required=False)
    project = forms.ModelChoiceField(
        label=gettext_lazy("项目"), queryset=Station.objects.none(), required=False, empty_label="—"
    )
    to_point = forms.ModelChoiceField(
        label=gettext_lazy("接收站点"), queryset=CharityPoint.objects.none(), required=False, empty_label="—"
    )
    approver = forms.CharField(label=gettext_lazy("审批人"), max_length=50)
    note = forms.CharField(label=gettext_lazy("说明"), max_length=500, required=False)

    field_order = ["allocated_on", "kind", "amount", "items", "quantity", "estimated_value", "purpose_kind", "purpose"]

    def __init__(self, *args, actor, point: CharityPoint, **kwargs):
        from shegong.projects.models import Project
        from shegong.recipients.models import Recipient

        super().__init__(*args, **kwargs)
        self.fields["allocated_on"].initial = timezone.localdate()
        # The recipients served by the point's station (the default manager leaves out a withdrawn consent).
        recipients = scoped(Recipient, actor, "recipients.view_recipient").filter(station=point.station_id)
        self.fields["recipient"].queryset = recipients.order_by("name_initials", "name", "id")
        self.fields["project"].queryset = scoped(Project, actor, "projects.view_project").order_by("-id")
        self.fields["to_point"].queryset = CharityPoint.objects.select_related("station").exclude(pk=point.pk)
        style_fields(self)
