"""Forms of the referrals pages: they parse and offer choices; every rule is the services' (refusals come back as
the service's ValidationError, put on the form by add_service_error)."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy

from shegong.accounts.forms import region_roots, style_fields
from shegong.agencies.models import Agency
from shegong.core.listing import ListFilterForm, Sort, blank, date_input
from shegong.core.scope import scoped
from shegong.recipients.models import Recipient
from shegong.refdata.models import DictionaryItem
from shegong.referrals import permissions, services
from shegong.referrals.models import DEPARTMENT_DICTIONARY, Referral
from shegong.regions.forms import RegionField
from shegong.stations.models import Station

ALL = gettext_lazy("全部")


def departments():
    return DictionaryItem.objects.filter(dictionary__code=DEPARTMENT_DICTIONARY, is_active=True).order_by(
        "sort_order", "pk"
    )


class ReferralFilterForm(ListFilterForm):
    """The filters of both lists (outgoing and incoming), their exports and the API."""

    SORTS = {
        "newest": Sort(gettext_lazy("最近转介在前"), ("-created_at", "-id")),
        "oldest": Sort(gettext_lazy("最早转介在前"), ("created_at", "id")),
    }
    DEFAULT_SORT = "newest"
    REGION_PATH = "region"

    q = forms.CharField(label=gettext_lazy("服务对象姓名"), required=False, max_length=50)
    state = forms.ChoiceField(label=gettext_lazy("状态"), choices=blank(Referral.State.choices), required=False)
    target_kind = forms.ChoiceField(
        label=gettext_lazy("接收方类型"), choices=blank(Referral.TargetKind.choices), required=False
    )
    region = RegionField(label=gettext_lazy("区划"), required=False)
    start = date_input(forms.DateField(label=gettext_lazy("转介日期自"), required=False))
    end = date_input(forms.DateField(label=gettext_lazy("至"), required=False))

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].within = region_roots(actor, permissions.VIEW)

    def filter(self, qs):
        q = self.value("q")
        if q:
            qs = qs.filter(recipient__name__startswith=q)
        state = self.value("state")
        if state:
            qs = qs.filter(state=state)
        kind = self.value("target_kind")
        if kind == Referral.TargetKind.STATION:
            qs = qs.filter(to_station__isnull=False)
        elif kind == Referral.TargetKind.AGENCY:
            qs = qs.filter(to_agency__isnull=False)
        elif kind == Referral.TargetKind.DEPARTMENT:
            qs = qs.filter(to_department__isnull=False)
        if self.value("start"):
            qs = qs.filter(created_at__date__gte=self.value("start"))
        if self.value("end"):
            qs = qs.filter(created_at__date__lte=self.value("end"))
        return self.region_filter(qs)


class ReferralForm(forms.Form):
    """Create a referral: the recipient (or the case it comes from), the sending station and one target."""

    case = forms.IntegerField(widget=forms.HiddenInput, required=False)
    recipient = forms.ModelChoiceField(label=gettext_lazy("服务对象"), queryset=Recipient.objects.none())
    from_station = forms.ModelChoiceField(label=gettext_lazy("转出站点"), queryset=Station.objects.none())
    target_kind = forms.ChoiceField(label=gettext_lazy("接收方类型"), choices=Referral.TargetKind.choices)
    to_station = forms.ModelChoiceField(
        label=gettext_lazy("接收站点"), queryset=Station.objects.none(), required=False, empty_label="—"
    )
    to_agency = forms.ModelChoiceField(
        label=gettext_lazy("接收机构"), queryset=Agency.objects.none(), required=False, empty_label="—"
    )
    to_department = forms.ModelChoiceField(
        label=gettext_lazy("接收部门"), queryset=DictionaryItem.objects.none(), required=False, empty_label="—"
    )
    to_unit = forms.CharField(label=gettext_lazy("接收单位"), max_length=200, required=False)
    to_contact = forms.CharField(label=gettext_lazy("联系人及电话"), max_length=100, required=False)
    reason = forms.CharField(label=gettext_lazy("转介原因"), widget=forms.Textarea(attrs={"rows": 3}))
    needs_summary = forms.CharField(label=gettext_lazy("需求摘要"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, actor, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.case_object = case
        people = scoped(Recipient, actor, services.RECIPIENTS_VIEW).select_related("community")
        self.fields["recipient"].queryset = people.order_by("name_initials", "name", "id")
        self.fields["from_station"].queryset = services.sender_stations(actor).order_by("region_id", "name")
        self.fields["to_station"].queryset = Station.objects.filter(status=Station.Status.OPERATING).order_by(
            "region_id", "name"
        )
        self.fields["to_agency"].queryset = Agency.objects.filter(~Q(latest_status="blacklist")).order_by("name")
        self.fields["to_department"].queryset = departments()
        if case is not None:
            self.fields["case"].initial = case.pk
            self.fields["recipient"].initial = case.recipient_id
            self.fields["recipient"].disabled = True
            self.fields["from_station"].initial = case.station_id
        style_fields(self)

    def service_values(self) -> dict:
        data = self.cleaned_data
        kind = data["target_kind"]
        return {
            "recipient": data["recipient"],
            "case": self.case_object,
            "from_station": data["from_station"],
            "to_station": data["to_station"] if kind == Referral.TargetKind.STATION else None,
            "to_agency": data["to_agency"] if kind == Referral.TargetKind.AGENCY else None,
            "to_department": data["to_department"] if kind == Referral.TargetKind.DEPARTMENT else None,
            "to_unit": data["to_unit"],
            "to_contact": data["to_contact"],
            "reason": data["reason"],
            "needs_summary": data["needs_summary"],
        }


class MoveForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, to_state: str, **kwargs):
        super().__init__(*args, **kwargs)
        labels = {
            Referral.State.REJECTED: gettext_lazy("拒绝原因"),
            Referral.State.REVOKED: gettext_lazy("撤回原因"),
            Referral.State.DONE: gettext_lazy("服务结果"),
            Referral.State.ACCEPTED: gettext_lazy("接收意见"),
        }
        self.fields["note"].label = labels.get(to_state, self.fields["note"].label)
        self.fields["note"].required = to_state in (Referral.State.REJECTED, Referral.State.REVOKED)
        style_fields(self)
