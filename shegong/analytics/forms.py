"""Forms of the target pages (目标): set or change a target, load a preset."""

from django import forms
from django.utils.translation import gettext_lazy

from shegong.accounts.forms import region_roots, style_fields
from shegong.analytics import catalogue
from shegong.analytics.models import Target
from shegong.analytics.presets import preset_choices
from shegong.core.listing import date_input
from shegong.regions.forms import RegionField


def indicator_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The catalogue's indicators grouped by section, for a select."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for item in catalogue.indicators():
        unit = f"（{item.unit}）" if item.unit else ""
        groups.setdefault(str(item.section), []).append((item.code, f"{item.name}{unit}"))
    return list(groups.items())


class TargetForm(forms.Form):
    indicator = forms.ChoiceField(label=gettext_lazy("指标"))
    region = RegionField(label=gettext_lazy("地区"))
    period_start = date_input(forms.DateField(label=gettext_lazy("起始日期")))
    period_end = date_input(forms.DateField(label=gettext_lazy("截止日期")))
    value = forms.DecimalField(label=gettext_lazy("目标值"), max_digits=14, decimal_places=2)
    comparison = forms.ChoiceField(label=gettext_lazy("比较"), choices=Target.Comparison.choices)
    source = forms.CharField(
        label=gettext_lazy("依据"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("政策文件名称和条文，如：种子文件004 江苏：乡镇(街道)社会工作服务站点覆盖率达到100%"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, data=None, *args, actor, perm: str, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.fields["indicator"].choices = [("", "---------"), *indicator_choices()]
        self.fields["region"].within = region_roots(actor, perm)
        style_fields(self)

    @classmethod
    def initial_of(cls, target: Target) -> dict:
        return {
            "indicator": target.indicator,
            "region": target.region_id,
            "period_start": target.period_start,
            "period_end": target.period_end,
            "value": target.value,
            "comparison": target.comparison,
            "source": target.source,
            "version": target.version,
        }

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            name: data[name]
            for name in ("indicator", "region", "period_start", "period_end", "value", "comparison", "source")
        }


class PresetForm(forms.Form):
    preset = forms.ChoiceField(label=gettext_lazy("预置目标"))

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.fields["preset"].choices = preset_choices()
        style_fields(self)
