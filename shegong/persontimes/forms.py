"""The filters of the 服务人次 page, its export and the totals endpoint (one form for the three)."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy

from shegong.accounts.forms import region_roots, style_fields
from shegong.core.listing import date_input
from shegong.core.scope import scoped
from shegong.persontimes.selectors import VIEW
from shegong.projects.models import Project
from shegong.projects.selectors import visible as visible_projects
from shegong.refdata.models import DictionaryItem
from shegong.regions.forms import RegionField
from shegong.stations.models import Station

ALL = gettext_lazy("全部")


class PersonTimeFilterForm(forms.Form):
    start = date_input(forms.DateField(label=gettext_lazy("服务日期自"), required=False))
    end = date_input(forms.DateField(label=gettext_lazy("至"), required=False))
    region = RegionField(label=gettext_lazy("区划"), required=False)
    station = forms.ModelChoiceField(
        label=gettext_lazy("站点"), queryset=Station.objects.none(), required=False, empty_label=ALL
    )
    project = forms.ModelChoiceField(
        label=gettext_lazy("服务项目"), queryset=Project.objects.none(), required=False, empty_label=ALL
    )
    domain = forms.ChoiceField(label=gettext_lazy("服务领域"), required=False)

    def __init__(self, data=None, *args, actor, **kwargs):
        super().__init__(data if data is not None else {}, *args, **kwargs)
        self.fields["region"].within = region_roots(actor, VIEW)
        self.fields["station"].queryset = scoped(Station, actor, "stations.view_station").order_by("region_id", "name")
        self.fields["project"].queryset = visible_projects(actor).order_by("-id")
        domains = DictionaryItem.objects.filter(dictionary__code="service_domain", is_active=True)
        self.fields["domain"].choices = [("", ALL), *domains.order_by("sort_order", "pk").values_list("code", "name")]
        style_fields(self)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise ValidationError({"end": gettext_lazy("结束日期不能早于开始日期。")}, code="bad_period")
        return data

    def period(self) -> tuple[datetime.date, datetime.date]:
        """The period asked for; this year to date by default."""
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        return data.get("start") or today.replace(month=1, day=1), data.get("end") or today

    def selector_kwargs(self) -> dict:
        start, end = self.period()
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "start": start,
            "end": end,
            "region": data.get("region"),
            "station": data.get("station"),
            "project": data.get("project"),
        }

    def domain_code(self) -> str:
        return (self.cleaned_data.get("domain") or "") if self.is_valid() else ""

    def describe(self) -> dict:
        start, end = self.period()
        described = {"start": str(start), "end": str(end)}
        if self.is_valid():
            for name in ("region", "station", "project", "domain"):
                if self.cleaned_data.get(name):
                    described[name] = str(self.cleaned_data[name])
        return described
