"""Forms of the volunteer-need pages. They parse; every rule is the services' (a refusal comes back as the service's
ValidationError, put on the form by add_service_error)."""

from django import forms
from django.utils.translation import gettext_lazy

from shegong.accounts.forms import style_fields
from shegong.core.listing import ListFilterForm, Sort, blank, date_input, region_field
from shegong.volunteering.models import VolunteerNeed


class NeedFilterForm(ListFilterForm):
    SORTS = {
        "new": Sort(gettext_lazy("最新发布"), ("-created_at", "-id")),
        "title": Sort(gettext_lazy("名称"), ("title", "id")),
    }
    DEFAULT_SORT = "new"
    REGION_PATH = "region"

    q = forms.CharField(label=gettext_lazy("名称 / 岗位 / 签到码"), required=False, max_length=100)
    status = forms.ChoiceField(label=gettext_lazy("状态"), required=False, choices=blank(VolunteerNeed.Status.choices))
    region = region_field()

    def filter(self, qs):
        q = self.value("q")
        if q:
            qs = qs.filter(title__icontains=q) | qs.filter(roles__icontains=q) | qs.filter(code=q.upper())
        if self.value("status"):
            qs = qs.filter(status=self.value("status"))
        return self.region_filter(qs)


class NeedForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("需求名称"), max_length=200)
    roles = forms.CharField(label=gettext_lazy("所需岗位"), max_length=300, help_text=gettext_lazy("如：引导员、摄影"))
    place = forms.CharField(label=gettext_lazy("服务地点"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("服务内容"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class ShiftForm(forms.Form):
    day = date_input(forms.DateField(label=gettext_lazy("日期")))
    starts_at = forms.TimeField(label=gettext_lazy("开始时间"), widget=forms.TimeInput(attrs={"type": "time"}))
    ends_at = forms.TimeField(label=gettext_lazy("结束时间"), widget=forms.TimeInput(attrs={"type": "time"}))
    needed = forms.IntegerField(label=gettext_lazy("需要人数"), min_value=1, max_value=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class NeedPostForm(NeedForm, ShiftForm):
    """A new need with its first shift (more shifts are added on the need's page)."""


class DeclineForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("不录用原因"), max_length=300)


class HoursForm(forms.Form):
    hours = forms.DecimalField(label=gettext_lazy("服务时长（小时）"), required=False, max_digits=4, decimal_places=1)
    reason = forms.CharField(label=gettext_lazy("原因（更正时必填）"), required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)
