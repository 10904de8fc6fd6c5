"""Forms of the requests pages. They parse and offer choices; every rule is the services' (a refusal comes back as the
service's ValidationError, put on the form by add_service_error)."""

from django import forms
from django.utils.translation import gettext_lazy

from shegong.accounts.forms import region_roots, style_fields
from shegong.core.listing import YES_NO, ListFilterForm, Sort, blank, date_input, yes_no
from shegong.recipients.models import Recipient
from shegong.recipients.selectors import recipient_search
from shegong.refdata.selectors import choices as dictionary_choices
from shegong.regions.forms import RegionField
from shegong.servicerequests import permissions, selectors, services
from shegong.servicerequests.abuse import HONEYPOT
from shegong.servicerequests.models import DOMAIN_DICTIONARY, MAX_CAPACITY, ServiceRequest, Status

ALL = gettext_lazy("全部")
ADD_RECIPIENT = "recipients.add_recipient"


class PublicRequestForm(forms.Form):
    """The resident's form on a phone: the community (fixed for a community's QR, a choice for a station's), a
    service domain or a few words of their own, the description, optionally a phone with consent to be called."""

    community = forms.ChoiceField(label=gettext_lazy("所在村（社区）"))
    domain = forms.ChoiceField(label=gettext_lazy("需要哪方面的帮助"), required=False)
    topic = forms.CharField(
        label=gettext_lazy("其他需求（自填）"),
        max_length=50,
        required=False,
        help_text=gettext_lazy("上面没有合适的类别时，用几个字写下您的需求"),
    )
    description = forms.CharField(
        label=gettext_lazy("需求描述"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("请描述您遇到的情况和希望得到的帮助（不必填写姓名和身份证号）"),
    )
    phone = forms.CharField(label=gettext_lazy("联系电话（选填）"), max_length=20, required=False)
    contact_consent = forms.BooleanField(label=gettext_lazy("我同意社工通过以上电话与我联系"), required=False)
    form_token = forms.CharField(widget=forms.HiddenInput)
    website = forms.CharField(label=gettext_lazy("请勿填写"), required=False)

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [(region.code, region.name) for region in communities]
        if len(communities) == 1:
            self.fields["community"].initial = communities[0].code
            self.fields["community"].widget = forms.HiddenInput()
        self.fields["domain"].choices = [
            ("", gettext_lazy("（请选择，或在下面自填）")),
            *dictionary_choices(DOMAIN_DICTIONARY),
        ]
        self.fields["phone"].widget.attrs.update({"inputmode": "tel", "autocomplete": "tel"})
        self.fields[HONEYPOT].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        style_fields(self)

    def service_values(self, community_lookup) -> dict:
        data = self.cleaned_data
        return {
            "community": community_lookup(data["community"]),
            "domain": data["domain"],
            "topic": data["topic"],
            "description": data["description"],
            "phone": data["phone"],
            "contact_consent": data["contact_consent"],
        }


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=gettext_lazy("满意度"),
        choices=[(5, "★★★★★"), (4, "★★★★"), (3, "★★★"), (2, "★★"), (1, "★")],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=gettext_lazy("评价（选填）"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class TrackForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("查询码"), max_length=8, min_length=8)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update({"autocomplete": "off", "autocapitalize": "characters"})
        style_fields(self)


class RequestFilterForm(ListFilterForm):
    """The list's filters; the page, its export and the API read the same cleaned values (`search_kwargs`)."""

    SORTS = {
        "newest": Sort(gettext_lazy("最近提交在前"), ("-created_at", "-id")),
        "oldest": Sort(gettext_lazy("最早提交在前"), ("created_at", "id")),
        "due": Sort(gettext_lazy("按响应时限"), ("due_at", "id")),
    }
    DEFAULT_SORT = "newest"
    REGION_PATH = "community"

    q = forms.CharField(label=gettext_lazy("搜索"), required=False, max_length=50)
    region = RegionField(label=gettext_lazy("区划"), required=False)
    status = forms.ChoiceField(label=gettext_lazy("状态"), choices=blank(Status.choices), required=False)
    domain = forms.ChoiceField(label=gettext_lazy("服务领域"), required=False)
    overdue = forms.ChoiceField(label=gettext_lazy("已超时"), choices=YES_NO, required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["domain"].choices = blank(dictionary_choices(DOMAIN_DICTIONARY))
        self.fields["region"].within = region_roots(actor, permissions.VIEW)
        self.fields["q"].widget.attrs["placeholder"] = gettext_lazy("查询码或描述中的文字")

    def search_kwargs(self) -> dict:
        return {
            "region": self.value("region"),
            "status": self.value("status", ""),
            "domain": self.value("domain", ""),
            "overdue": yes_no(self.value("overdue")),
            "q": self.value("q", ""),
        }


class AssignForm(forms.Form):
    worker = forms.ModelChoiceField(label=gettext_lazy("派给社工"), queryset=None)
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=gettext_lazy("说明（选填）"), max_length=500, required=False)

    def __init__(self, *args, request: ServiceRequest, **kwargs):
        kwargs.setdefault("initial", {"version": request.version})
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = services.candidates_for(request)
        style_fields(self)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class CloseForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("办结说明"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class OpenCaseForm(forms.Form):
    """Turn a request into a case: the recipient (registered already, in the worker's scope — or, for an actor who
    may register people, registered here), the domain and the presenting problem."""

    recipient = forms.ModelChoiceField(
        label=gettext_lazy("服务对象"), queryset=None, required=False, empty_label=gettext_lazy("（请选择）")
    )
    domain = forms.ChoiceField(label=gettext_lazy("服务领域"))
    presenting_problem = forms.CharField(
        label=gettext_lazy("主要问题"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    REGISTRATION = ("new_name", "new_id_number", "new_no_id_reason", "new_birth_date", "new_sex", "new_consent")

    def __init__(self, *args, request: ServiceRequest, actor, **kwargs):
        kwargs.setdefault("initial", {"domain": request.domain, "presenting_problem": request.description})
        super().__init__(*args, **kwargs)
        rows = recipient_search(actor=actor).filter(community_id=request.community_id)
        self.fields["recipient"].queryset = rows.order_by("name_initials", "name", "id")
        self.fields["domain"].choices = dictionary_choices(DOMAIN_DICTIONARY)
        self.can_register = actor.has_perm(ADD_RECIPIENT)
        if self.can_register:
            self.fields["new_name"] = forms.CharField(
                label=gettext_lazy("或登记新服务对象：姓名"), max_length=50, required=False
            )
            self.fields["new_id_number"] = forms.CharField(
                label=gettext_lazy("身份证号"), max_length=18, required=False
            )
            self.fields["new_no_id_reason"] = forms.ChoiceField(
                label=gettext_lazy("无身份证号原因"), choices=blank(Recipient.NoIdReason.choices), required=False
            )
            self.fields["new_birth_date"] = date_input(forms.DateField(label=gettext_lazy("出生日期"), required=False))
            self.fields["new_sex"] = forms.ChoiceField(
                label=gettext_lazy("性别"), choices=blank(Recipient.Sex.choices), required=False
            )
            self.fields["new_consent"] = forms.BooleanField(
                label=gettext_lazy("本人（或监护人）今天已知情同意登记"), required=False
            )
        style_fields(self)

    def clean(self):
        data = super().clean()
        registering = self.can_register and (data.get("new_name") or "").strip()
        if data.get("recipient") is None and not registering:
            raise forms.ValidationError(gettext_lazy("请选择已登记的服务对象。"), code="required")
        if data.get("recipient") is None and registering and not data.get("new_consent"):
            self.add_error("new_consent", gettext_lazy("登记服务对象须经本人（或监护人）知情同意。"))
        return data

    def service_values(self) -> dict:
        data = self.cleaned_data
        values = {
            "recipient": data.get("recipient"),
            "domain": data["domain"],
            "presenting_problem": data["presenting_problem"],
        }
        if values["recipient"] is None and self.can_register:
            values["new_recipient"] = {
                "name": data["new_name"].strip(),
                "id_number": data.get("new_id_number", ""),
                "no_id_reason": data.get("new_no_id_reason", ""),
                "birth_date": data.get("new_birth_date"),
                "sex": data.get("new_sex", ""),
            }
        return values


class CapacityForm(forms.Form):
    accepting = forms.BooleanField(label=gettext_lazy("接收派单"), required=False)
    max_open = forms.IntegerField(label=gettext_lazy("最多在办需求数"), min_value=0, max_value=MAX_CAPACITY)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class MatchForm(forms.Form):
    """一键派单 for one station's area, or (for a bureau) a whole region."""

    station = forms.ModelChoiceField(label=gettext_lazy("站点"), queryset=None, required=False, empty_label=ALL)
    region = RegionField(label=gettext_lazy("区划"), required=False, max_level=4)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = selectors.dispatch_stations(actor).order_by("region_id", "kind", "name")
        self.roots = region_roots(actor, permissions.DISPATCH)
        self.fields["region"].within = self.roots
        style_fields(self)

    def area(self):
        """(station, region) chosen; with neither, the actor's one dispatch region if they hold exactly one."""
        data = self.cleaned_data
        station, region = data.get("station"), data.get("region")
        if station is None and region is None and self.roots is not None and len(self.roots) == 1:
            region = self.roots[0]
        return station, region
