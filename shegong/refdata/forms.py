"""Form fields for later apps, and the forms of the dictionary pages.

    domain = DictionaryChoiceField("service_domain", label=_("服务领域"))
    categories = DictionaryMultipleChoiceField("recipient_category", label=_("服务对象类别"), required=False)

The cleaned value is the item code (a list of codes for the multiple field). Choices are read when the form is
rendered or validated, never at import time, so a newly added item appears without a restart and retired items
disappear from new choices.
"""

from __future__ import annotations

from functools import partial

from django import forms
from django.utils.translation import gettext_lazy as _

from shegong.refdata import selectors


class DictionaryChoiceField(forms.ChoiceField):
    def __init__(self, dictionary_code: str, *, active_only: bool = True, **kwargs):
        self.dictionary_code = dictionary_code
        kwargs.setdefault("choices", partial(_choices_with_blank, dictionary_code, active_only))
        super().__init__(**kwargs)


class DictionaryMultipleChoiceField(forms.MultipleChoiceField):
    def __init__(self, dictionary_code: str, *, active_only: bool = True, **kwargs):
        self.dictionary_code = dictionary_code
        kwargs.setdefault("choices", partial(selectors.choices, dictionary_code, active_only))
        super().__init__(**kwargs)


def _choices_with_blank(dictionary_code: str, active_only: bool) -> list[tuple[str, str]]:
    return [("", "---------"), *selectors.choices(dictionary_code, active_only)]


class StyledForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-check-input" if isinstance(field.widget, forms.CheckboxInput) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def add_error(self, field, error):
        super().add_error(field, error)
        for name in list(self.errors):
            if name in self.fields and "is-invalid" not in self.fields[name].widget.attrs.get("class", ""):
                self.fields[name].widget.attrs["class"] += " is-invalid"


class DictionaryForm(StyledForm):
    name = forms.CharField(label=_("名称"), max_length=100)
    description = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    source = forms.CharField(label=_("来源"), max_length=200, required=False)


class ItemForm(StyledForm):
    code = forms.SlugField(
        label=_("代码"),
        max_length=50,
        help_text=_("英文字母、数字、下划线或连字符，如 social_welfare；创建后不可修改"),
        error_messages={"invalid": _("代码只能包含英文字母、数字、下划线或连字符。")},
    )
    name = forms.CharField(label=_("名称"), max_length=100)
    description = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    source = forms.CharField(label=_("来源"), max_length=200, required=False)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            # Shown, never submitted: the code is immutable once created.
            self.fields["code"].disabled = True
            self.fields["code"].help_text = _("代码创建后不可修改")
