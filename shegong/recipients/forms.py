"""Forms of the recipients pages. They parse and offer choices; every rule is the services' (a refusal comes back as
the service's ValidationError, put on the form by add_service_error)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy

from shegong.accounts.forms import region_roots, style_fields
from shegong.core.listing import YES_NO, ListFilterForm, Sort, blank, date_input, yes_no
from shegong.core.masking import mask_id_number, mask_phone
from shegong.core.scope import scoped
from shegong.recipients import permissions, selectors
from shegong.recipients.levels import AttentionLevel
from shegong.recipients.models import CATEGORY_DICTIONARY, ConsentScope, Recipient
from shegong.refdata.forms import DictionaryMultipleChoiceField
from shegong.refdata.models import DictionaryItem
from shegong.regions.forms import RegionField
from shegong.stations.models import Station

ALL = gettext_lazy("全部")


def _stations(actor, perm: str):
    kinds = [Station.Kind.STATION, Station.Kind.ROOM]
    return scoped(Station.objects.filter(kind__in=kinds), actor, "stations.view_station").order_by("region_id", "name")


def _categories():
    return DictionaryItem.objects.filter(dictionary__code=CATEGORY_DICTIONARY, is_active=True).order_by(
        "sort_order", "pk"
    )


class RecipientFilterForm(ListFilterForm):
    """The list's filters; the page, its export and the API read the same cleaned values (`search_kwargs`)."""

    SORTS = {
        "pinyin": Sort(gettext_lazy("按姓名拼音"), ("name_initials", "name", "id")),
        "level": Sort(gettext_lazy("按关注等级"), ("attention_level", "name_initials", "id")),
        "newest": Sort(gettext_lazy("最近登记在前"), ("-id",)),
    }
    DEFAULT_SORT = "pinyin"
    REGION_PATH = "community"

    q = forms.CharField(label=gettext_lazy("搜索"), required=False, max_length=50)
    region = RegionField(label=gettext_lazy("区划"), required=False)
    station = forms.ModelChoiceField(
        label=gettext_lazy("服务站点"), queryset=Station.objects.none(), required=False, empty_label=ALL
    )
    category = forms.ModelChoiceField(
        label=gettext_lazy("类别"), queryset=DictionaryItem.objects.none(), required=False, empty_label=ALL
    )
    attention_level = forms.TypedChoiceField(
        label=gettext_lazy("关注等级"),
        choices=blank(AttentionLevel.choices),
        required=False,
        coerce=int,
        empty_value=None,
    )
    household_separated = forms.ChoiceField(label=gettext_lazy("人户分离"), choices=YES_NO, required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = _stations(actor, permissions.VIEW)
        self.fields["category"].queryset = _categories()
        self.fields["region"].within = region_roots(actor, permissions.VIEW)
        self.fields["q"].widget.attrs["placeholder"] = gettext_lazy("姓名、拼音首字母或完整身份证号")

    def search_kwargs(self) -> dict:
        return {
            "region": self.value("region"),
            "station": self.value("station"),
            "category": self.value("category"),
            "attention_level": self.value("attention_level"),
            "household_separated": yes_no(self.value("household_separated")),
            "q": self.value("q", ""),
        }

    def describe(self) -> dict:
        described = super().describe()
        if selectors.is_personal_number(described.get("q", "")):
            described["q"] = str(gettext_lazy("（按身份证号或手机号）"))  # never the number itself in the audit trail
        return described


class RecipientForm(forms.Form):
    """Register or edit a recipient. When editing, an empty ID number or phone keeps the stored one."""

    name = forms.CharField(label=gettext_lazy("姓名"), max_length=50)
    id_number = forms.CharField(
        label=gettext_lazy("身份证号"),
        max_length=18,
        required=False,
        help_text=gettext_lazy("有身份证号时填写，出生日期和性别由号码得出。"),
    )
    no_id_reason = forms.ChoiceField(
        label=gettext_lazy("无身份证号原因"), choices=blank(Recipient.NoIdReason.choices), required=False
    )
    birth_date = date_input(forms.DateField(label=gettext_lazy("出生日期"), required=False))
    sex = forms.ChoiceField(label=gettext_lazy("性别"), choices=blank(Recipient.Sex.choices), required=False)
    phone = forms.CharField(label=gettext_lazy("联系电话"), max_length=20, required=False)
    community = RegionField(label=gettext_lazy("所在村（社区）"), min_level=5, max_level=5)
    station = forms.ModelChoiceField(
        label=gettext_lazy("服务站点"),
        queryset=Station.objects.none(),
        required=False,
        empty_label=gettext_lazy("（未指定）"),
    )
    categories = DictionaryMultipleChoiceField(
        CATEGORY_DICTIONARY, label=gettext_lazy("服务对象类别"), required=False, widget=forms.CheckboxSelectMultiple
    )
    attention_level = forms.TypedChoiceField(
        label=gettext_lazy("关注等级"), choices=AttentionLevel.choices, coerce=int, initial=AttentionLevel.LEVEL_6
    )
    last_visit_on = date_input(forms.DateField(label=gettext_lazy("最近探访日期"), required=False))
    household_separated = forms.BooleanField(label=gettext_lazy("人户分离（户籍地与居住地不一致）"), required=False)
    household_region = RegionField(label=gettext_lazy("户籍地"), required=False, min_level=3, max_level=5)
    contact_name = forms.CharField(label=gettext_lazy("监护人或联系人"), max_length=50, required=False)
    contact_relation = forms.CharField(label=gettext_lazy("与本人关系"), max_length=20, required=False)
    contact_phone = forms.CharField(label=gettext_lazy("监护人或联系人电话"), max_length=20, required=False)
    consent_given_on = date_input(forms.DateField(label=gettext_lazy("知情同意日期")))
    consent_scopes = forms.MultipleChoiceField(
        label=gettext_lazy("同意范围"),
        choices=ConsentScope.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[ConsentScope.SERVICE_RECORD],
    )

    SECRETS = ("id_number", "phone", "contact_phone")

    def __init__(self, *args, actor, recipient: Recipient | None = None, **kwargs):
        self.recipient = recipient
        if recipient is not None:
            kwargs.setdefault("initial", self.initial_for(recipient))
        super().__init__(*args, **kwargs)
        perm = permissions.CHANGE if recipient else permissions.ADD
        self.fields["station"].queryset = _stations(actor, perm)
        self.fields["community"].within = region_roots(actor, perm)
        self.fields["consent_given_on"].initial = timezone.localdate()
        for name in ("id_number", "phone", "contact_phone"):
            self.fields[name].widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})
        if recipient is not None:
            self.fields["id_number"].help_text = gettext_lazy("当前：%(masked)s。留空表示不修改。") % {
                "masked": mask_id_number(recipient.id_number) if recipient.id_number else gettext_lazy("无")
            }
            for name in ("phone", "contact_phone"):
                value = getattr(recipient, name)
                self.fields[name].help_text = gettext_lazy("当前：%(masked)s。留空表示不修改。") % {
                    "masked": mask_phone(value) if value else gettext_lazy("未填")
                }
        style_fields(self)

    @staticmethod
    def initial_for(recipient: Recipient) -> dict:
        return {
            "name": recipient.name,
            "no_id_reason": recipient.no_id_reason,
            "birth_date": recipient.birth_date,
            "sex": recipient.sex,
            "community": recipient.community_id,
            "station": recipient.station_id,
            "categories": list(recipient.category_links.values_list("category__code", flat=True)),
            "attention_level": recipient.attention_level,
            "last_visit_on": recipient.last_visit_on,
            "household_separated": recipient.household_separated,
            "household_region": recipient.household_region_id,
            "contact_name": recipient.contact_name,
            "contact_relation": recipient.contact_relation,
            "consent_given_on": recipient.consent_given_on,
            "consent_scopes": recipient.consent_scopes,
        }

    def service_values(self) -> dict:
        data = dict(self.cleaned_data)
        data["categories"] = list(data["categories"])
        if self.recipient is not None:
            for secret in self.SECRETS:
                if not (data.get(secret) or "").strip():
                    data.pop(secret)
        return data


class ConsentForm(forms.Form):
    on = date_input(forms.DateField(label=gettext_lazy("知情同意日期")))
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("同意范围"), choices=ConsentScope.choices, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, recipient: Recipient, **kwargs):
        kwargs.setdefault("initial", {"on": timezone.localdate(), "scopes": recipient.consent_scopes})
        super().__init__(*args, **kwargs)
        style_fields(self)


class WithdrawForm(forms.Form):
    on = date_input(forms.DateField(label=gettext_lazy("撤回日期")))
    reason = forms.CharField(label=gettext_lazy("撤回原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        style_fields(self)
