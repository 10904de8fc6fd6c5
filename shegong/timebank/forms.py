from django import forms
from django.utils.translation import gettext_lazy as _

from shegong.accounts.forms import style_fields
from shegong.core.listing import ListFilterForm, Sort, blank, region_field
from shegong.timebank.models import Account, Category, Offer


class AccountFilterForm(ListFilterForm):
    SORTS = {
        "name": Sort(_("户名"), ("name", "pk")),
        "-balance": Sort(_("余额从高到低"), ("-balance", "pk")),
        "balance": Sort(_("余额从低到高"), ("balance", "pk")),
    }
    DEFAULT_SORT = "name"
    REGION_PATH = "region"

    q = forms.CharField(label=_("户名"), required=False, max_length=50)
    kind = forms.ChoiceField(label=_("账户类型"), required=False, choices=blank(Account.Kind.choices))
    region = region_field()

    def filter(self, qs):
        if self.value("q"):
            qs = qs.filter(name__startswith=self.value("q"))
        if self.value("kind"):
            qs = qs.filter(kind=self.value("kind"))
        return self.region_filter(qs)


class OfferFilterForm(ListFilterForm):
    SORTS = {"new": Sort(_("最新发布"), ("-created_at", "-pk")), "hours": Sort(_("时数"), ("hours", "-pk"))}
    DEFAULT_SORT = "new"
    REGION_PATH = "region"

    kind = forms.ChoiceField(label=_("类型"), required=False, choices=blank(Offer.Kind.choices))
    category = forms.ChoiceField(label=_("类别"), required=False, choices=blank(Category.choices))
    status = forms.ChoiceField(label=_("状态"), required=False, choices=blank(Offer.Status.choices))
    region = region_field()

    def filter(self, qs):
        for name in ("kind", "category", "status"):
            if self.value(name):
                qs = qs.filter(**{name: self.value(name)})
        return self.region_filter(qs)


class OfferForm(forms.Form):
    account = forms.ModelChoiceField(label=_("以谁的账户发布"), queryset=Account.objects.none())
    kind = forms.ChoiceField(label=_("类型"), choices=Offer.Kind.choices)
    category = forms.ChoiceField(label=_("类别"), choices=Category.choices)
    title = forms.CharField(label=_("标题"), max_length=100)
    hours = forms.DecimalField(label=_("时数（小时）"), min_value=0, max_digits=10, decimal_places=2)
    description = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, accounts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = accounts if accounts is not None else Account.objects.none()
        style_fields(self)


class AccountChoiceForm(forms.Form):
    account = forms.ModelChoiceField(label=_("以谁的账户响应"), queryset=Account.objects.none())

    def __init__(self, *args, accounts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = accounts if accounts is not None else Account.objects.none()
        style_fields(self)


class DonateForm(forms.Form):
    hours = forms.DecimalField(label=_("时数（小时）"), max_digits=10, decimal_places=2)
    memo = forms.CharField(label=_("摘要"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class FamilyForm(forms.Form):
    target = forms.IntegerField(label=_("对方账户号"))
    relation = forms.CharField(label=_("家庭关系"), max_length=20)
    hours = forms.DecimalField(label=_("时数（小时）"), max_digits=10, decimal_places=2)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("冲正原因"), max_length=150)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


OPENABLE = [
    (Account.Kind.VOLUNTEER, Account.Kind.VOLUNTEER.label),
    (Account.Kind.RESIDENT, Account.Kind.RESIDENT.label),
    (Account.Kind.STATION, Account.Kind.STATION.label),
    (Account.Kind.POOL, _("站点互助池")),
]


class OpenAccountForm(forms.Form):
    """A keeper opens a member's account: who, by volunteer number, by name and phone, or by station code."""

    kind = forms.ChoiceField(label=_("账户类型"), choices=OPENABLE)
    volunteer_number = forms.CharField(
        label=_("志愿者编号"), required=False, max_length=20, help_text=_("志愿者账户：填编号，或填姓名和联系电话")
    )
    name = forms.CharField(label=_("姓名"), required=False, max_length=50)
    phone = forms.CharField(label=_("联系电话"), required=False, max_length=20)
    station_code = forms.CharField(
        label=_("站点编码"), required=False, max_length=16, help_text=_("站点账户、站点互助池：填站点编码")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("取消原因"), max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)
