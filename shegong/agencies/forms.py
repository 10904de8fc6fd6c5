"""Forms of the agency pages. The filter form is also the API's filter definition (api.py), so the list page, its
export and the endpoint read the same parameters the same way."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.agencies import selectors
from shegong.agencies.models import SERVICE_DOMAIN_DICTIONARY, Agency, AgencyRating, AgencyStatus
from shegong.agencies.validators import validate_credit_code
from shegong.core.scope import grants_of
from shegong.regions.forms import RegionField
from shegong.regions.models import Region

PHONE_SHAPE = re.compile(r"(\+?86)?1[3-9]\d{9}|0\d{2,3}\d{7,8}")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def style_fields(form: forms.BaseForm) -> None:
    """Bootstrap classes on every widget (the templates render fields through web/_field.html)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.RadioSelect):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


def service_domain_items():
    from shegong.refdata.models import DictionaryItem

    return DictionaryItem.objects.filter(dictionary__code=SERVICE_DOMAIN_DICTIONARY, is_active=True).order_by(
        "sort_order", "code"
    )


def regions_with(user, perm: str) -> list[Region] | None:
    """The subtrees where `user` holds `perm` (None: nationwide), to limit a region picker to them."""
    grants = [grant for grant in grants_of(user) if perm in grant.permissions]
    if any(grant.nationwide for grant in grants):
        return None
    return list(Region.objects.filter(code__in={grant.region_code for grant in grants if grant.region_code}))


class AgencyFilterForm(forms.Form):
    """The list's filters (GET), shared by the page, its Excel export and the REST list."""

    q = forms.CharField(
        label=gettext_lazy("搜索"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("机构名称、名称拼音首字母，或完整的统一社会信用代码"),
    )
    region = RegionField(label=gettext_lazy("所在区划"), required=False, max_level=4)
    rating = forms.ChoiceField(label=gettext_lazy("评估等级"), required=False)
    status = forms.ChoiceField(label=gettext_lazy("监管状态"), required=False)
    legal_form = forms.ChoiceField(label=gettext_lazy("组织形式"), required=False)
    domain = forms.ModelChoiceField(label=gettext_lazy("服务领域"), queryset=None, required=False, to_field_name="code")
    sort = forms.ChoiceField(label=gettext_lazy("排序"), required=False)

    SORT_LABELS = {
        "name": gettext_lazy("名称"),
        "-name": gettext_lazy("名称（倒序）"),
        "founded": gettext_lazy("成立日期（早到晚）"),
        "-founded": gettext_lazy("成立日期（晚到早）"),
        "region": gettext_lazy("所在区划"),
        "-rating": gettext_lazy("评估等级（高到低）"),
        "rating": gettext_lazy("评估等级（低到高）"),
        "-created": gettext_lazy("最近登记"),
    }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("全部"))]
        self.fields["rating"].choices = (
            everything
            + [(str(level), label) for level, label in reversed(AgencyRating.Level.choices)]
            + [(selectors.NOT_RATED, _("无有效等级"))]
        )
        self.fields["status"].choices = everything + list(AgencyStatus.choices)
        self.fields["legal_form"].choices = everything + list(Agency.LegalForm.choices)
        self.fields["domain"].queryset = service_domain_items()
        self.fields["domain"].empty_label = _("全部")
        self.fields["sort"].choices = [(key, label) for key, label in self.SORT_LABELS.items()]
        if user is not None:
            from shegong.regions.selectors import picker_within

            self.fields["region"].within = picker_within(user)
        style_fields(self)

    def clean_q(self):
        return self.cleaned_data["q"].strip()

    def filters(self) -> selectors.AgencyFilters:
        """The cleaned values as the selector's filters (call after is_valid())."""
        data = self.cleaned_data
        return selectors.AgencyFilters(
            region=data.get("region"),
            rating=data.get("rating") or None,
            status=data.get("status") or "",
            legal_form=data.get("legal_form") or "",
            domain=data.get("domain"),
            q=data.get("q") or "",
            sort=data.get("sort") or selectors.DEFAULT_SORT,
        )

    def describe(self) -> dict:
        """The filters in use as {label: value} text, for the export's audit entry."""
        described = {}
        for name, field in self.fields.items():
            value = self.cleaned_data.get(name) if hasattr(self, "cleaned_data") else None
            if value in (None, "") or name == "sort":
                continue
            if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
                value = dict(field.choices).get(value, value)
            described[str(field.label)] = str(value)
        return described


class AgencyForm(forms.Form):
    """Registration details of an agency, for the create and edit pages (the services check and write them)."""

    name = forms.CharField(label=gettext_lazy("机构名称"), max_length=200)
    credit_code = forms.CharField(
        label=gettext_lazy("统一社会信用代码"),
        max_length=18,
        min_length=18,
        help_text=gettext_lazy("18 位，见登记证书"),
    )
    legal_form = forms.ChoiceField(label=gettext_lazy("组织形式"), choices=Agency.LegalForm.choices)
    registration_authority = forms.CharField(
        label=gettext_lazy("登记管理机关"), max_length=100, help_text=gettext_lazy("例如：广州市越秀区民政局")
    )
    region = RegionField(label=gettext_lazy("所在区划"), min_level=3, max_level=4)
    founded_on = forms.DateField(label=gettext_lazy("成立日期"), required=False, widget=DateInput)
    service_domains = forms.ModelMultipleChoiceField(
        label=gettext_lazy("服务领域"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    contact_person = forms.CharField(label=gettext_lazy("联系人"), max_length=50, required=False)
    contact_phone = forms.CharField(label=gettext_lazy("联系电话"), max_length=20, required=False)
    address = forms.CharField(label=gettext_lazy("地址"), max_length=200, required=False)

    def __init__(self, *args, user, agency: Agency | None = None, **kwargs):
        self.agency = agency
        self.keeps_phone = False
        if agency is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": agency.name,
                "credit_code": agency.credit_code,
                "legal_form": agency.legal_form,
                "registration_authority": agency.registration_authority,
                "region": agency.region,
                "founded_on": agency.founded_on,
                "service_domains": list(agency.service_domains.all()),
                "contact_person": agency.contact_person,
                "address": agency.address,
            }
        super().__init__(*args, **kwargs)
        self.fields["service_domains"].queryset = service_domain_items()
        perm = selectors.ADD if agency is None else selectors.CHANGE
        self.fields["region"].within = regions_with(user, perm)
        if agency is not None and agency.contact_phone:
            # The phone is never put in the page: a blank field keeps it, so no one sees it by editing.
            self.keeps_phone = True
            self.fields["contact_phone"].help_text = _("已登记，留空表示不修改")
        if agency is not None and self.fields["region"].within == []:
            # Staff of the agency itself (an agency assignment) keep its region: moving it is the bureau's work. The
            # disabled field takes the stored region, which needs no limit.
            self.fields["region"].disabled = True
            self.fields["region"].within = None
        style_fields(self)

    def clean_credit_code(self):
        value = self.cleaned_data["credit_code"].strip().upper().replace(" ", "")
        validate_credit_code(value)
        return value

    def clean_contact_phone(self):
        value = re.sub(r"[\s-]", "", self.cleaned_data["contact_phone"])
        if value and not PHONE_SHAPE.fullmatch(value):
            raise ValidationError(_("联系电话格式不正确：请填写手机号或带区号的固定电话。"))
        return value

    def changes(self) -> dict:
        """The cleaned values as keyword arguments of the services; a blank phone on edit keeps the stored one."""
        values = dict(self.cleaned_data)
        if self.keeps_phone and not values.get("contact_phone"):
            values.pop("contact_phone")
        if self.agency is not None and self.fields["region"].disabled:
            values.pop("region")
        return values


class RatingForm(forms.Form):
    level = forms.TypedChoiceField(
        label=gettext_lazy("评估等级"),
        coerce=int,
        choices=[(level, label) for level, label in reversed(AgencyRating.Level.choices)],
    )
    score = forms.DecimalField(label=gettext_lazy("评估得分"), max_digits=7, decimal_places=2, min_value=0)
    rated_on = forms.DateField(label=gettext_lazy("认定日期"), widget=DateInput)
    source_document = forms.CharField(
        label=gettext_lazy("依据文件"), max_length=200, help_text=gettext_lazy("评估结果公告的文件名称和文号")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("状态"), choices=AgencyStatus.choices)
    valid_from = forms.DateField(label=gettext_lazy("起始日期"), widget=DateInput)
    valid_to = forms.DateField(
        label=gettext_lazy("截止日期"),
        required=False,
        widget=DateInput,
        help_text=gettext_lazy("不含当日；留空表示直至另有决定"),
    )
    reason = forms.CharField(label=gettext_lazy("原因"), widget=forms.Textarea(attrs={"rows": 3}))
    source_document = forms.CharField(
        label=gettext_lazy("依据文件"), max_length=200, help_text=gettext_lazy("决定书或公告的文件名称和文号")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)
