"""Forms of the policy pages. They only collect input: validation against a rule kind's schema, scope and overlap
checks live in services.py (whose errors are put back on the matching fields). Regions are chosen with the regions
app's picker (RegionField); views limit it to the areas the user may edit or query."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shegong.policies import registry
from shegong.policies.registry import INTEGER_TYPES, ParamType, RuleKind
from shegong.regions.forms import RegionField, RegionPickerWidget

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StyledForm(forms.Form):
    """Bootstrap classes on every widget, and "is-invalid" on fields with errors (including errors a service adds)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields()

    def style_fields(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if getattr(widget, "input_type", None) == "checkbox":
                css = "form-check-input"
            elif isinstance(widget, forms.Select | RegionPickerWidget):
                css = "form-select"
            else:
                css = "form-control"
            classes = widget.attrs.get("class", "").split()
            if css not in classes:
                widget.attrs["class"] = " ".join([*classes, css])

    def add_error(self, field, error):
        super().add_error(field, error)
        for name in list(self.errors):
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


class RegionScopedForm(StyledForm):
    """A form whose region picker is limited to `within` (codes; None = anywhere). A limited user must pick a region:
    leaving it blank would mean the national profile, which only a nationwide administrator may touch."""

    def __init__(self, *args, within: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].within = within
        if within is not None:
            self.fields["region"].required = True
            self.fields["region"].help_text = ""


class ProfileForm(RegionScopedForm):
    region = RegionField(label=_("适用区划"), required=False, max_level=4, help_text=_("不选表示全国规则集"))
    name = forms.CharField(label=_("名称"), max_length=100)
    valid_from = forms.DateField(label=_("生效日期"), widget=DATE_INPUT)
    valid_to = forms.DateField(
        label=_("失效日期"), required=False, widget=DATE_INPUT, help_text=_("不含当日；留空表示长期有效")
    )
    description = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ProfileEditForm(StyledForm):
    name = forms.CharField(label=_("名称"), max_length=100)
    valid_from = forms.DateField(label=_("生效日期"), widget=DATE_INPUT)
    valid_to = forms.DateField(
        label=_("失效日期"), required=False, widget=DATE_INPUT, help_text=_("不含当日；留空表示长期有效")
    )
    description = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class CloneForm(RegionScopedForm):
    region = RegionField(label=_("复制到区划"), required=False, max_level=4, help_text=_("不选表示全国"))
    name = forms.CharField(label=_("新规则集名称"), max_length=100, required=False, help_text=_("留空则自动命名"))
    valid_from = forms.DateField(label=_("生效日期"), widget=DATE_INPUT)
    valid_to = forms.DateField(label=_("失效日期"), required=False, widget=DATE_INPUT)


class KindChoiceForm(StyledForm):
    kind = forms.ChoiceField(label=_("规则类型"))

    def __init__(self, *args, kinds: list[RuleKind], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(kind.code, kind.label) for kind in kinds]
        self.style_fields()


class RuleForm(StyledForm):
    """One field per parameter of the kind, plus the source text. Fields are lenient (all optional, no bounds): the
    kind's schema decides, so the page and the service give the same Chinese message for the same mistake."""

    def __init__(self, *args, kind: RuleKind, params: dict | None = None, source_text: str = "", **kwargs):
        initial = dict(kwargs.pop("initial", None) or {})
        for param in kind.params:
            value = (params or {}).get(param.name)
            if value is not None:
                initial[f"p_{param.name}"] = param.to_python(value)
        initial.setdefault("source_text", source_text)
        super().__init__(*args, initial=initial, **kwargs)
        self.kind = kind
        for param in kind.params:
            self.fields[f"p_{param.name}"] = param_field(param)
        self.fields["source_text"] = forms.CharField(
            label=_("依据（原文及文件名称、文号）"),
            required=False,
            widget=forms.Textarea(attrs={"rows": 4}),
        )
        self.style_fields()

    def param_values(self) -> dict:
        values = {}
        for param in self.kind.params:
            value = self.cleaned_data.get(f"p_{param.name}")
            if param.type == ParamType.BOOL:
                values[param.name] = bool(value)
            elif value is not None and value != "":
                values[param.name] = value
        return values

    def add_service_errors(self, error: ValidationError) -> None:
        """Put a service's ValidationError (keyed by parameter name) on the matching fields."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, errors in error.error_dict.items():
            field = f"p_{name}" if f"p_{name}" in self.fields else ("source_text" if name == "source_text" else None)
            for item in errors:
                self.add_error(field, item)

    def param_rows(self):
        """(bound field, parameter) pairs for the template."""
        return [(self[f"p_{param.name}"], param) for param in self.kind.params]


def param_field(param: registry.Param) -> forms.Field:
    label = param.label
    attrs: dict = {}
    low, high = param.bounds
    if low is not None:
        attrs["min"] = low
    if high is not None:
        attrs["max"] = high
    common = {"label": label, "required": False, "help_text": param.help_text}
    if param.type == ParamType.BOOL:
        return forms.BooleanField(**common)
    if param.type in INTEGER_TYPES:
        return forms.IntegerField(widget=forms.NumberInput(attrs={**attrs, "step": 1}), **common)
    step = "0.01" if param.type in (ParamType.MONEY, ParamType.PERCENT) else "any"
    return forms.DecimalField(widget=forms.NumberInput(attrs={**attrs, "step": step}), **common)


class LookupForm(RegionScopedForm):
    region = RegionField(label=_("区划"))
    on = forms.DateField(label=_("日期"), widget=DATE_INPUT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate()
