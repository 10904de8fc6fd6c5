from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from shegong.regions.forms import RegionField, RegionPickerWidget
from shegong.regions.selectors import picker_within
from shegong.registration.models import Registration, TrainingRecord
from shegong.registration.selectors import RegistrationFilters, TrainingFilters
from shegong.workers.grades import CertificateLevel

ANY = [("", _("全部"))]
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
EVIDENCE_TYPES = (".pdf", ".jpg", ".jpeg", ".png")


def add_service_error(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's ValidationError on the named fields the form has, the rest on top."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def style_fields(form: forms.BaseForm, *, small: bool = False) -> None:
    """Bootstrap classes on the widgets, so templates render `{{ field }}` as is."""
    size = "-sm" if small else ""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.RadioSelect):
            continue
        elif isinstance(widget, forms.Select | RegionPickerWidget):
            css = f"form-select form-select{size}" if small else "form-select"
        else:
            css = f"form-control form-control{size}" if small else "form-control"
        widget.attrs["class"] = css


class _ScopedRegionMixin:
    def limit_region(self, user) -> None:
        self.fields["region"].within = picker_within(user)
        style_fields(self, small=True)


class RegistrationFilterForm(_ScopedRegionMixin, forms.Form):
    q = forms.CharField(label=_("姓名、拼音首字母、身份证号或证书编号"), required=False, max_length=50)
    state = forms.ChoiceField(label=_("状态"), choices=ANY + Registration.State.choices, required=False)
    level = forms.ChoiceField(label=_("证书等级"), choices=ANY + CertificateLevel.choices, required=False)
    kind = forms.ChoiceField(label=_("登记类别"), choices=ANY + Registration.Kind.choices, required=False)
    region = RegionField(label=_("工作地区划"), required=False, max_level=4)
    expiring = forms.BooleanField(label=_("90 天内到期"), required=False)

    def filters(self) -> RegistrationFilters:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return RegistrationFilters(
            state=data.get("state") or "",
            level=data.get("level") or "",
            kind=data.get("kind") or "",
            region=data.get("region"),
            expiring=bool(data.get("expiring")),
            query=data.get("q") or "",
        )

    def describe(self) -> dict:
        """The filters as plain text for the export's audit entry."""
        if not (self.is_bound and self.is_valid()):
            return {}
        return {
            name: (value.code if hasattr(value, "code") else str(value))
            for name, value in self.cleaned_data.items()
            if value not in (None, "", False)
        }


class TrainingFilterForm(_ScopedRegionMixin, forms.Form):
    q = forms.CharField(label=_("姓名、拼音首字母、身份证号或名称"), required=False, max_length=50)
    kind = forms.ChoiceField(label=_("类别"), choices=ANY + TrainingRecord.Kind.choices, required=False)
    verified = forms.ChoiceField(
        label=_("核验"), choices=[*ANY, ("yes", _("已核验")), ("no", _("待核验"))], required=False
    )
    region = RegionField(label=_("工作地区划"), required=False, max_level=4)

    def filters(self) -> TrainingFilters:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        verified = {"yes": True, "no": False}.get(data.get("verified") or "")
        return TrainingFilters(
            kind=data.get("kind") or "", region=data.get("region"), verified=verified, query=data.get("q") or ""
        )

    def describe(self) -> dict:
        if not (self.is_bound and self.is_valid()):
            return {}
        return {
            name: (value.code if hasattr(value, "code") else str(value))
            for name, value in self.cleaned_data.items()
            if value not in (None, "", False)
        }


class ReviewForm(forms.Form):
    """初审 / 终审: approve, or reject with a note saying why (required only for a rejection)."""

    APPROVE, REJECT = "approve", "reject"
    decision = forms.ChoiceField(
        label=_("审核结论"),
        choices=[(APPROVE, _("通过")), (REJECT, _("不通过"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("审核意见"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("不通过时必须填写理由。"),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.REJECT and not (data.get("note") or "").strip():
            self.add_error("note", _("不通过时必须填写审核意见，说明理由。"))
        return data


class TrainingRecordForm(forms.ModelForm):
    class Meta:
        model = TrainingRecord
        fields = ["kind", "title", "provider", "hours", "start_date", "end_date", "evidence", "note"]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)
        self.fields["hours"].required = False
        self.fields["hours"].widget.attrs.update({"step": "0.5", "min": "0"})

    def clean_evidence(self):
        evidence = self.cleaned_data.get("evidence")
        if evidence and hasattr(evidence, "size"):
            if evidence.size > MAX_EVIDENCE_BYTES:
                raise ValidationError(_("证明材料不能超过 10 MB。"))
            if not evidence.name.lower().endswith(EVIDENCE_TYPES):
                raise ValidationError(_("证明材料请上传 PDF、JPG 或 PNG 文件。"))
        return evidence

    def _post_clean(self):
        # The service validates the whole record (with the worker and the verification it decides); the form only
        # turns the fields into values, so that an error is reported once, by the service, with its own wording.
        pass

    def values(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields}
