import ipaddress

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.audit.models import AuditEntry
from shegong.audit.selectors import object_type_choices


class DateInput(forms.DateInput):
    input_type = "date"


class AuditSearchForm(forms.Form):
    """The audit log's filters (GET). Every filter but the free text is an exact match served by an index."""

    actor = forms.CharField(label=gettext_lazy("操作人账号"), max_length=150, required=False)
    action = forms.ChoiceField(label=gettext_lazy("操作"), required=False)
    object_type = forms.ChoiceField(label=gettext_lazy("对象类型"), required=False)
    object_id = forms.CharField(label=gettext_lazy("对象编号"), max_length=64, required=False)
    date_from = forms.DateField(label=gettext_lazy("起始日期"), required=False, widget=DateInput)
    date_to = forms.DateField(label=gettext_lazy("截止日期"), required=False, widget=DateInput)
    ip = forms.CharField(label=gettext_lazy("IP 地址"), max_length=45, required=False)
    q = forms.CharField(label=gettext_lazy("对象名称包含"), max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("全部"))]
        self.fields["action"].choices = everything + list(AuditEntry.Action.choices)
        self.fields["object_type"].choices = everything + object_type_choices()

    def clean_ip(self):
        value = self.cleaned_data["ip"].strip()
        if value:
            try:
                value = str(ipaddress.ip_address(value))
            except ValueError:
                raise forms.ValidationError(_("请输入完整的 IP 地址，例如 192.168.1.10。")) from None
        return value

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("截止日期不能早于起始日期。"))
        for name in ("actor", "object_id", "q"):
            if isinstance(cleaned.get(name), str):
                cleaned[name] = cleaned[name].strip()
        return cleaned

    def describe(self) -> str:
        """The filters in use, as text for the export's audit entry."""
        parts = []
        for name, field in self.fields.items():
            value = self.cleaned_data.get(name) if self.is_bound and hasattr(self, "cleaned_data") else None
            if value in (None, ""):
                continue
            if isinstance(field, forms.ChoiceField):
                value = dict(field.choices).get(value, value)
            parts.append(f"{field.label}={value}")
        return "；".join(parts)
