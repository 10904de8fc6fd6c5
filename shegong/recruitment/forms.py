from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from shegong.accounts.forms import RegionCodeField, style_fields
from shegong.agencies.models import Agency
from shegong.core.listing import ListFilterForm, Sort, blank, date_input, region_field
from shegong.core.scope import scoped
from shegong.recruitment import guidance
from shegong.recruitment.models import JobApplication, JobOpening
from shegong.refdata import selectors as refdata
from shegong.workers.grades import JobGrade
from shegong.workers.selectors import worker_search_q

POST_TYPE = "post_type"
SERVICE_DOMAIN = "service_domain"


def post_type_choices():
    return refdata.choices(POST_TYPE)


# --- The board and openings ---------------------------------------------------------------------------------------


class BoardFilterForm(ListFilterForm):
    SORTS = {
        "recent": Sort(gettext_lazy("最新发布"), ("-opens_on", "-pk")),
        "closing": Sort(gettext_lazy("即将截止"), ("closes_on", "-opens_on", "-pk")),
        "pay": Sort(gettext_lazy("月薪（高→低）"), ("-pay_max", "-pay_min", "-pk")),
    }
    DEFAULT_SORT = "recent"
    REGION_PATH = "region"

    q = forms.CharField(label=gettext_lazy("搜索"), required=False, max_length=50)
    region = region_field(gettext_lazy("工作地区划"))
    domain = forms.ModelChoiceField(label=gettext_lazy("服务领域"), queryset=None, required=False)
    post_type = forms.ChoiceField(label=gettext_lazy("岗位类型"), required=False)
    pay_at_least = forms.IntegerField(label=gettext_lazy("月薪不低于（元）"), required=False, min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["domain"].queryset = refdata.items(SERVICE_DOMAIN)
        self.fields["domain"].empty_label = gettext_lazy("全部")
        self.fields["post_type"].choices = blank(post_type_choices())
        self.fields["q"].widget.attrs["placeholder"] = gettext_lazy("岗位名称或机构名称")

    def filter(self, qs):
        text = self.value("q", "")
        if text:
            qs = qs.filter(Q(title__icontains=text) | Q(agency__name__icontains=text))
        if self.value("domain"):
            qs = qs.filter(service_domain=self.value("domain"))
        if self.value("post_type"):
            qs = qs.filter(post_type=self.value("post_type"))
        if self.value("pay_at_least") is not None:
            qs = qs.filter(pay_max__gte=self.value("pay_at_least"))
        return self.region_filter(qs)


class ManagedOpeningFilterForm(BoardFilterForm):
    SORTS = {
        "recent": Sort(gettext_lazy("报名开始日期（新→旧）"), ("-opens_on", "-pk")),
        "title": Sort(gettext_lazy("岗位名称"), ("title", "pk")),
        "applications": Sort(gettext_lazy("应聘人数（多→少）"), ("-application_count", "-pk")),
    }
    status = forms.ChoiceField(label=gettext_lazy("状态"), choices=blank(JobOpening.Status.choices), required=False)
    agency = forms.ModelChoiceField(label=gettext_lazy("招聘机构"), queryset=Agency.objects.none(), required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = scoped(Agency, actor, "recruitment.view_jobapplication").order_by("name")
        # A few agencies' admins see one agency: the filter would only repeat it.
        if self.fields["agency"].queryset.count() <= 1:
            del self.fields["agency"]

    def filter(self, qs):
        qs = super().filter(qs)
        if self.value("status"):
            qs = qs.filter(status=self.value("status"))
        if "agency" in self.fields and self.value("agency"):
            qs = qs.filter(agency=self.value("agency"))
        return qs


class OpeningForm(forms.ModelForm):
    region = RegionCodeField(label=gettext_lazy("工作地区划"))

    class Meta:
        model = JobOpening
        fields = [
            "agency",
            "title",
            "post_type",
            "service_domain",
            "region",
            "headcount",
            "pay_min",
            "pay_max",
            "government_funded",
            "opens_on",
            "closes_on",
            "description",
        ]
        widgets = {
            "opens_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "closes_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["post_type"] = forms.ChoiceField(
            label=JobOpening._meta.get_field("post_type").verbose_name, choices=post_type_choices()
        )
        self.fields["service_domain"].queryset = refdata.items(SERVICE_DOMAIN)
        agencies = scoped(Agency, actor, "recruitment.change_jobopening").order_by("name")
        if self.instance.pk:
            # The agency of an opening never changes; the field shows it.
            del self.fields["agency"]
        else:
            self.fields["agency"].queryset = agencies
            if agencies.count() == 1:
                self.fields["agency"].initial = agencies.first()
        if not self.instance.pk:
            self.fields["opens_on"].initial = timezone.localdate()
        # Keep the field order of Meta.fields for the region picker too.
        self.order_fields(self.Meta.fields)
        style_fields(self)

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("pay_min"), cleaned.get("pay_max")
        if low is not None and high is not None and low > high:
            self.add_error("pay_max", gettext_lazy("月薪上限不能低于下限。"))
        opens, closes = cleaned.get("opens_on"), cleaned.get("closes_on")
        if opens and closes and closes < opens:
            self.add_error("closes_on", gettext_lazy("报名截止日期不能早于开始日期。"))
        return cleaned

    def _post_clean(self):
        # The service validates and saves; the form only checks what the user typed.
        pass


class ApplyForm(forms.Form):
    cover_note = forms.CharField(
        label=gettext_lazy("自我介绍"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("简要说明您的经历和应聘理由（选填）。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class HireForm(forms.Form):
    started_on = date_input(forms.DateField(label=gettext_lazy("入职日期")))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["started_on"].initial = timezone.localdate()
        style_fields(self)


class DecisionForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("说明"), required=False, max_length=500)


class ApplicationFilterForm(ListFilterForm):
    SORTS = {
        "recent": Sort(gettext_lazy("投递时间（新→旧）"), ("-submitted_at", "-pk")),
        "oldest": Sort(gettext_lazy("投递时间（旧→新）"), ("submitted_at", "pk")),
        "name": Sort(gettext_lazy("应聘人姓名"), ("worker__name", "pk")),
    }
    DEFAULT_SORT = "recent"
    REGION_PATH = "opening__region"

    q = forms.CharField(label=gettext_lazy("应聘人"), required=False, max_length=50)
    state = forms.ChoiceField(label=gettext_lazy("状态"), choices=blank(JobApplication.State.choices), required=False)
    opening = forms.IntegerField(required=False, widget=forms.HiddenInput)
    region = region_field(gettext_lazy("岗位工作地"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = gettext_lazy("姓名、拼音首字母或身份证号")

    def filter(self, qs):
        qs = qs.filter(worker_search_q(self.value("q", "")))
        if self.value("state"):
            qs = qs.filter(state=self.value("state"))
        if self.value("opening"):
            qs = qs.filter(opening_id=self.value("opening"))
        return self.region_filter(qs)


class EmploymentFilterForm(ListFilterForm):
    SORTS = {
        "recent": Sort(gettext_lazy("入职日期（新→旧）"), ("-started_on", "-pk")),
        "name": Sort(gettext_lazy("姓名"), ("worker__name", "pk")),
    }
    DEFAULT_SORT = "recent"

    CURRENT = [("", gettext_lazy("全部")), ("1", gettext_lazy("在职")), ("0", gettext_lazy("已离职"))]

    q = forms.CharField(label=gettext_lazy("搜索"), required=False, max_length=50)
    current = forms.ChoiceField(label=gettext_lazy("在职"), choices=CURRENT, required=False)
    region = region_field(gettext_lazy("工作地区划"))

    def filter(self, qs):
        qs = qs.filter(worker_search_q(self.value("q", "")))
        if self.value("current") == "1":
            qs = qs.filter(ended_on__isnull=True)
        elif self.value("current") == "0":
            qs = qs.filter(ended_on__isnull=False)
        return self.region_filter(qs)


# --- Pay -------------------------------------------------------------------------------------------------------------


class PayFilterForm(ListFilterForm):
    SORTS = {
        "name": Sort(gettext_lazy("姓名"), ("worker__name", "pk")),
        "pay": Sort(gettext_lazy("月薪（低→高）"), ("monthly_pay", "worker__name", "pk")),
        "-pay": Sort(gettext_lazy("月薪（高→低）"), ("-monthly_pay", "worker__name", "pk")),
        "recent": Sort(gettext_lazy("执行日期（新→旧）"), ("-effective_from", "pk")),
    }
    DEFAULT_SORT = "name"
    POSITIONS = [
        ("", gettext_lazy("全部")),
        (guidance.BELOW, guidance.POSITION_LABELS[guidance.BELOW]),
        (guidance.WITHIN, guidance.POSITION_LABELS[guidance.WITHIN]),
        (guidance.ABOVE, guidance.POSITION_LABELS[guidance.ABOVE]),
        ("unknown", guidance.POSITION_LABELS[None]),
    ]

    q = forms.CharField(label=gettext_lazy("搜索"), required=False, max_length=50)
    grade = forms.ChoiceField(label=gettext_lazy("岗位等级"), choices=blank(JobGrade.choices), required=False)
    position = forms.ChoiceField(label=gettext_lazy("与指导价位比较"), choices=POSITIONS, required=False)
    region = region_field(gettext_lazy("工作地区划"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = gettext_lazy("姓名、拼音首字母或身份证号")

    def filter(self, qs):
        qs = qs.filter(worker_search_q(self.value("q", "")))
        if self.value("grade"):
            qs = qs.filter(worker__job_grade=self.value("grade"))
        return self.region_filter(qs)


class PayForm(forms.Form):
    effective_from = date_input(forms.DateField(label=gettext_lazy("执行日期")))
    monthly_pay = forms.DecimalField(
        label=gettext_lazy("月薪（元）"), max_digits=10, decimal_places=2, min_value=1, max_value=1_000_000
    )
    note = forms.CharField(
        label=gettext_lazy("说明"), required=False, max_length=200, help_text=gettext_lazy("如 年度调薪、晋升调薪")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["effective_from"].initial = timezone.localdate().replace(day=1)
        style_fields(self)
