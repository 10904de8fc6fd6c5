from django import forms
from django.utils.translation import gettext_lazy as _

from shegong.tabular.models import ImportJob


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件（.xlsx）"))
    mode = forms.ChoiceField(
        label=_("导入方式"),
        choices=ImportJob.Mode.choices,
        initial=ImportJob.Mode.ALL_OR_NOTHING,
        widget=forms.RadioSelect,
    )
