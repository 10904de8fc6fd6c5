from django import forms
from django.utils.translation import gettext_lazy

from shegong.accounts.forms import style_fields
from shegong.core.listing import blank
from shegong.inbox.models import Notification


class InboxFilterForm(forms.Form):
    unread = forms.BooleanField(label=gettext_lazy("只看未读"), required=False)
    kind = forms.ChoiceField(label=gettext_lazy("类型"), choices=blank(Notification.Kind.choices), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {"unread_only": self.cleaned_data["unread"], "kind": self.cleaned_data["kind"]}
