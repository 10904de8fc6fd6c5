"""Forms of the talent pool pages. They only read and shape input: every rule lives in services.py, whose
ValidationErrors are put back on the fields here."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shegong.agencies.models import Agency
from shegong.core.masking import mask_id_number, mask_phone
from shegong.core.scope import scoped
from shegong.regions.forms import RegionField
from shegong.regions.selectors import picker_within
from shegong.workers import permissions, selectors, vocabulary
from shegong.workers.grades import CertificateLevel, JobGrade
from shegong.workers.models import CreditEvent, SocialWorker


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


ALL = _("全部")


def _with_empty(choices, label=ALL) -> list:
    return [("", label), *choices]


def _agencies_for(user, perm: str):
    return scoped(Agency.objects.only("id", "name", "region_id"), user, perm).order_by("name", "id")


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


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: on the field it names when the form has it, else on top."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class WorkerFilterForm(forms.Form):
    """The list's filters (GET). The same cleaned values feed the page, its Excel export and (by name) the API."""

    q = forms.CharField(
        label=_("搜索"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"placeholder": _("姓名开头、拼音首字母（如 zs）或完整身份证号")}),
    )
    region = RegionField(label=_("工作地区划"), required=False, min_level=1, max_level=4)
    agency = forms.ModelChoiceField(label=_("所在机构"), required=False, queryset=Agency.objects.none())
    certificate = forms.ChoiceField(label=_("证书等级"), required=False)
    domain = forms.ModelChoiceField(
        label=_("服务领域"), required=False, queryset=vocabulary.domain_items(), to_field_name="code"
    )
    status = forms.ChoiceField(label=_("状态"), required=False)
    post_type = forms.ChoiceField(label=_("岗位类型"), required=False)
    job_grade = forms.ChoiceField(label=_("岗位等级"), required=False)
    blacklisted = forms.ChoiceField(
        label=_("黑名单"),
        required=False,
        choices=[("", _("全部")), ("yes", _("在黑名单中")), ("no", _("不在黑名单中"))],
    )
    sort = forms.ChoiceField(
        label=_("排序"),
        required=False,
        choices=[
            ("pinyin", _("按姓名拼音")),
            ("-pinyin", _("按姓名拼音倒序")),
            ("newest", _("最近登记在前")),
            ("oldest", _("最早登记在前")),
        ],
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].within = picker_within(user)
        agencies = _agencies_for(user, permissions.VIEW)
        self.fields["agency"].queryset = agencies
        self.fields["certificate"].choices = _with_empty(
            [
                (selectors.ANY_CERTIFICATE, _("持证（任一等级）")),
                *[(value, _("最高为%(level)s") % {"level": label}) for value, label in CertificateLevel.choices],
                (selectors.NO_CERTIFICATE, _("无证书")),
            ]
        )
        self.fields["domain"].queryset = vocabulary.domain_items()
        self.fields["status"].choices = _with_empty(SocialWorker.Status.choices)
        self.fields["post_type"].choices = _with_empty(vocabulary.options(vocabulary.POST_TYPE).items())
        self.fields["job_grade"].choices = _with_empty(JobGrade.choices)
        style_fields(self)

    def filters(self) -> selectors.WorkerFilters:
        """The cleaned filters; an invalid form filters nothing (the page shows the errors)."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return selectors.WorkerFilters(
            region=data.get("region"),
            agency=data.get("agency"),
            certificate=data.get("certificate") or "",
            domain=data.get("domain"),
            status=data.get("status") or "",
            post_type=data.get("post_type") or "",
            job_grade=data.get("job_grade") or "",
            blacklisted=data.get("blacklisted") or "",
            q=(data.get("q") or "").strip(),
            sort=data.get("sort") or selectors.DEFAULT_SORT,
        )


class WorkerForm(forms.Form):
    """Creating or editing a worker. Birth date and sex are not fields: they come from the ID number. When editing,
    the ID number and phone are not shown in full: leave them empty to keep them, type a new value to correct them."""

    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(label=_("身份证号"), max_length=18)
    phone = forms.CharField(label=_("手机号"), max_length=20, required=False)
    education = forms.ChoiceField(label=_("学历"), required=False)
    major_social_work = forms.BooleanField(label=_("社会工作专业毕业"), required=False)
    agency = forms.ModelChoiceField(
        label=_("所在机构"),
        required=False,
        queryset=Agency.objects.none(),
        help_text=_("在社工机构任职时选择；否则填写下面的其他工作单位。"),
    )
    employer_kind = forms.ChoiceField(label=_("其他工作单位类型"), required=False)
    employer_name = forms.CharField(label=_("其他工作单位名称"), max_length=200, required=False)
    region = RegionField(
        label=_("工作地区划"),
        required=False,
        min_level=3,
        max_level=5,
        help_text=_("至少选到区县。在社工机构任职的可不选，默认为机构所在地区。"),
    )
    post_type = forms.ChoiceField(label=_("岗位类型"), required=False)
    job_grade = forms.ChoiceField(label=_("岗位等级"), required=False)
    service_domains = forms.ModelMultipleChoiceField(
        label=_("服务领域"),
        required=False,
        queryset=vocabulary.domain_items(),
        widget=forms.CheckboxSelectMultiple,
    )
    is_frontline = forms.BooleanField(label=_("一线社会工作者"), required=False, initial=True)
    status = forms.ChoiceField(label=_("状态"), choices=SocialWorker.Status.choices, initial=SocialWorker.Status.ACTIVE)

    def __init__(self, *args, user, worker: SocialWorker | None = None, **kwargs):
        self.worker = worker
        if worker is not None:
            kwargs.setdefault("initial", self.initial_for(worker))
        super().__init__(*args, **kwargs)
        perm = permissions.CHANGE if worker else permissions.ADD
        self.fields["agency"].queryset = _agencies_for(user, perm)
        self.fields["region"].within = picker_within(user)
        self.fields["education"].choices = _with_empty(vocabulary.options(vocabulary.EDUCATION).items(), _("（未填）"))
        self.fields["employer_kind"].choices = _with_empty(
            vocabulary.options(vocabulary.EMPLOYER_KIND).items(), _("（不适用）")
        )
        self.fields["post_type"].choices = _with_empty(vocabulary.options(vocabulary.POST_TYPE).items(), _("（未填）"))
        self.fields["service_domains"].queryset = vocabulary.domain_items()
        if worker is None:
            # A grade needs a certificate on record, which a new worker does not have yet.
            del self.fields["job_grade"]
        else:
            self.fields["job_grade"].choices = _with_empty(JobGrade.choices, _("（未聘岗位等级）"))
            self.fields["id_number"].required = False
            self.fields["id_number"].help_text = _("当前：%(masked)s。留空表示不修改；如需更正请填写完整号码。") % {
                "masked": mask_id_number(worker.id_number)
            }
            self.fields["phone"].help_text = _("当前：%(masked)s。留空表示不修改。") % {
                "masked": mask_phone(worker.phone) if worker.phone else _("未填")
            }
        style_fields(self)

    @staticmethod
    def initial_for(worker: SocialWorker) -> dict:
        return {
            "name": worker.name,
            "education": worker.education,
            "major_social_work": worker.major_social_work,
            "agency": worker.agency_id,
            "employer_kind": worker.employer_kind,
            "employer_name": worker.employer_name,
            "region": worker.region_id,
            "post_type": worker.post_type,
            "job_grade": worker.job_grade,
            "service_domains": list(worker.service_domains.values_list("pk", flat=True)),
            "is_frontline": worker.is_frontline,
            "status": worker.status,
        }

    def service_values(self) -> dict:
        """Keyword arguments for worker_create / worker_update (unchanged secrets left out when editing)."""
        data = dict(self.cleaned_data)
        data["service_domains"] = list(data["service_domains"])
        if self.worker is not None:
            for secret in ("id_number", "phone"):
                if not (data.get(secret) or "").strip():
                    data.pop(secret)
        return data


class StyledForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class CertificateForm(StyledForm):
    level = forms.ChoiceField(label=_("证书等级"), choices=CertificateLevel.choices)
    number = forms.CharField(label=_("证书编号"), max_length=50)
    year_passed = forms.IntegerField(label=_("取得年份"), min_value=2008, max_value=2100)
    authority = forms.CharField(label=_("发证机关"), max_length=100, required=False)


class CreditEventForm(StyledForm):
    kind = forms.ChoiceField(label=_("类别"), choices=CreditEvent.Kind.choices)
    severity = forms.ChoiceField(
        label=_("程度"),
        required=False,
        choices=_with_empty(CreditEvent.Severity.choices, _("（表彰不分程度）")),
        help_text=_("仅违规记录填写。“列入黑名单”期间，该人员不能安排到政府购买服务项目或岗位。"),
    )
    title = forms.CharField(label=_("事由"), max_length=200)
    description = forms.CharField(label=_("详情"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    source_document = forms.CharField(
        label=_("依据文件"), max_length=200, required=False, help_text=_("决定书或通报的名称和文号")
    )
    occurred_on = forms.DateField(label=_("发生日期"), widget=DateInput)
    effective_until = forms.DateField(
        label=_("有效期至"), required=False, widget=DateInput, help_text=_("留空表示长期有效，直至办结")
    )
    evidence = forms.FileField(label=_("证明材料"), required=False, help_text=_("PDF、图片、Word 或 OFD，不超过 10 MB"))


class CreditCloseForm(StyledForm):
    closed_on = forms.DateField(label=_("办结日期"), widget=DateInput, initial=timezone.localdate)
    note = forms.CharField(label=_("办结说明"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class WorkerField(forms.CharField):
    """A social worker in the actor's scope, typed as the exact ID number (身份证号) or, when unambiguous, the name."""

    default_error_messages = {
        "not_found": _("在您的管辖范围内没有找到“%(text)s”。请输入身份证号或姓名。"),
        "ambiguous": _("您的管辖范围内有 %(count)d 位“%(text)s”，请改为输入身份证号。"),
    }

    def __init__(self, *, perm: str, **kwargs):
        self.perm = perm
        self.actor = None
        kwargs.setdefault("label", _("社会工作者"))
        kwargs.setdefault("help_text", _("输入身份证号，或管辖范围内不重名的姓名。"))
        kwargs.setdefault("max_length", 50)
        super().__init__(**kwargs)
        self.widget.attrs.update({"autocomplete": "off"})

    def clean(self, value):
        text = (super().clean(value) or "").strip()
        if not text:
            return None
        candidates = scoped(SocialWorker, self.actor, self.perm)
        if selectors.ID_NUMBER_SHAPE.fullmatch(text.upper()):
            candidates = candidates.filter(selectors.worker_search_q(text, path=""))
        else:
            candidates = candidates.filter(name=text)
        found = list(candidates.select_related("region", "agency")[:3])
        if not found:
            raise ValidationError(self.error_messages["not_found"], code="not_found", params={"text": text})
        if len(found) > 1:
            count = candidates.count()
            raise ValidationError(
                self.error_messages["ambiguous"], code="ambiguous", params={"text": text, "count": count}
            )
        return found[0]
