from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from shegong.accounts.forms import style_fields
from shegong.agencies.models import Agency
from shegong.core.listing import YES_NO, ListFilterForm, Sort, blank, date_input, region_field, yes_no
from shegong.core.scope import scoped
from shegong.talent import ratio
from shegong.talent.models import Level, SupervisionSession, SupervisorGrade, next_grade
from shegong.workers.forms import WorkerField
from shegong.workers.selectors import worker_search_q


class ActorForm(forms.Form):
    """A form whose choices depend on who fills it in."""

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        for field in self.fields.values():
            if isinstance(field, WorkerField):
                field.actor = actor
        style_fields(self)


# --- Supervisors ---------------------------------------------------------------------------------------------------


def period_from(start, end):
    """The period asked for; by default the twelve months ending today (or ending on the day given)."""
    from shegong.talent.selectors import Period

    end = end or timezone.localdate()
    if not start or start > end:
        start = ratio.default_period(end)[0]
    return Period(start, end)


class PeriodForm(forms.Form):
    start = date_input(forms.DateField(label=gettext_lazy("统计起始日"), required=False))
    end = date_input(forms.DateField(label=gettext_lazy("统计截止日"), required=False))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)

    def period(self):
        valid = self.is_valid()
        data = self.cleaned_data if valid else {}
        return period_from(data.get("start"), data.get("end"))


class SupervisorFilterForm(ListFilterForm):
    SORTS = {
        "name": Sort(gettext_lazy("姓名"), ("worker__name", "pk")),
        "grade": Sort(gettext_lazy("督导等级（高→低）"), ("-grade_rank", "worker__name", "pk")),
        "supervisees": Sort(gettext_lazy("被督导人数（多→少）"), ("-supervisee_count", "worker__name", "pk")),
        "hours": Sort(gettext_lazy("督导时长（多→少）"), ("-session_hours", "worker__name", "pk")),
    }
    DEFAULT_SORT = "name"

    q = forms.CharField(label=gettext_lazy("搜索"), required=False, max_length=50)
    grade = forms.ChoiceField(label=gettext_lazy("督导等级"), choices=blank(SupervisorGrade.choices), required=False)
    region = region_field(gettext_lazy("工作地区划"))
    agency = forms.ModelChoiceField(label=gettext_lazy("所在机构"), queryset=Agency.objects.none(), required=False)
    over_ratio = forms.ChoiceField(label=gettext_lazy("超出督导配比"), choices=YES_NO, required=False)
    start = date_input(forms.DateField(label=gettext_lazy("统计起始日"), required=False))
    end = date_input(forms.DateField(label=gettext_lazy("统计截止日"), required=False))

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = scoped(Agency, actor, "agencies.view_agency").order_by("name")
        self.fields["q"].widget.attrs["placeholder"] = gettext_lazy("姓名、拼音首字母或身份证号")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", gettext_lazy("统计截止日不能早于起始日。"))
        return cleaned

    def period(self):
        return period_from(self.value("start"), self.value("end"))

    def over_ratio_wanted(self) -> bool | None:
        return yes_no(self.value("over_ratio"))

    def filter(self, qs):
        qs = qs.filter(worker_search_q(self.value("q", "")))
        if self.value("grade"):
            qs = qs.filter(grade=self.value("grade"))
        if self.value("agency"):
            qs = qs.filter(worker__agency=self.value("agency"))
        return self.region_filter(qs)


class SupervisorAppointForm(ActorForm):
    worker = WorkerField(perm="talent.change_supervisorprofile")
    grade = forms.ChoiceField(label=gettext_lazy("督导等级"), choices=SupervisorGrade.choices)
    grade_since = date_input(forms.DateField(label=gettext_lazy("认定日期")))
    approving_authority = forms.CharField(
        label=gettext_lazy("认定机关"), max_length=200, help_text=gettext_lazy("如 广州市社会工作协会督导评审委员会")
    )
    notes = forms.CharField(label=gettext_lazy("备注"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class GradeChangeForm(ActorForm):
    to_grade = forms.ChoiceField(label=gettext_lazy("新等级"), required=False)
    changed_on = date_input(forms.DateField(label=gettext_lazy("认定日期")))
    approving_authority = forms.CharField(label=gettext_lazy("认定机关"), max_length=200)
    reason = forms.CharField(
        label=gettext_lazy("理由"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("逐级晋升可不填；越级晋升或降级必须写明理由（如认定文件名称和文号）。"),
    )

    def __init__(self, *args, profile, **kwargs):
        super().__init__(*args, **kwargs)
        following = next_grade(profile.grade)
        options = []
        if following is not None:
            options.append(("", gettext_lazy("晋升一级：%(grade)s") % {"grade": SupervisorGrade(following).label}))
        options += [(code, label) for code, label in SupervisorGrade.choices if code not in (profile.grade, following)]
        self.fields["to_grade"].choices = options
        self.fields["changed_on"].initial = timezone.localdate()


class SessionForm(ActorForm):
    held_on = date_input(forms.DateField(label=gettext_lazy("督导日期")))
    hours = forms.DecimalField(
        label=gettext_lazy("时长（小时）"),
        max_digits=4,
        decimal_places=1,
        min_value=Decimal("0.5"),
        max_value=Decimal("24"),
    )
    mode = forms.ChoiceField(label=gettext_lazy("方式"), choices=SupervisionSession.Mode.choices)
    topic = forms.CharField(label=gettext_lazy("主题"), max_length=200)
    supervisees = forms.ModelMultipleChoiceField(
        label=gettext_lazy("被督导人"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("同机构的社工和以往的被督导人。"),
    )
    others = forms.CharField(
        label=gettext_lazy("其他被督导人"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("不在上面名单中的，每行输入一个身份证号或不重名的姓名。"),
    )
    notes = forms.CharField(label=gettext_lazy("记录"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervisees"].queryset = candidates
        self.fields["held_on"].initial = timezone.localdate()

    def clean_others(self):
        lookup = WorkerField(perm="talent.add_supervisionsession", required=False)
        lookup.actor = self.actor
        found, errors = [], []
        for line in (self.cleaned_data.get("others") or "").splitlines():
            if not line.strip():
                continue
            try:
                found.append(lookup.clean(line))
            except ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise ValidationError(errors)
        return found

    def chosen(self) -> list:
        return [*self.cleaned_data.get("supervisees", []), *self.cleaned_data.get("others", [])]


class SessionFilterForm(ListFilterForm):
    SORTS = {
        "recent": Sort(gettext_lazy("日期（新→旧）"), ("-held_on", "-pk")),
        "oldest": Sort(gettext_lazy("日期（旧→新）"), ("held_on", "pk")),
        "hours": Sort(gettext_lazy("时长（长→短）"), ("-hours", "-held_on", "-pk")),
    }
    DEFAULT_SORT = "recent"
    REGION_PATH = "supervisor__worker__region"

    q = forms.CharField(label=gettext_lazy("督导"), required=False, max_length=50)
    supervisor = forms.IntegerField(required=False, widget=forms.HiddenInput)
    mode = forms.ChoiceField(label=gettext_lazy("方式"), choices=blank(SupervisionSession.Mode.choices), required=False)
    region = region_field(gettext_lazy("督导工作地"))
    start = date_input(forms.DateField(label=gettext_lazy("起始日"), required=False))
    end = date_input(forms.DateField(label=gettext_lazy("截止日"), required=False))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = gettext_lazy("督导姓名、拼音首字母或身份证号")

    def filter(self, qs):
        qs = qs.filter(worker_search_q(self.value("q", ""), path="supervisor__worker"))
        if self.value("supervisor"):
            qs = qs.filter(supervisor_id=self.value("supervisor"))
        if self.value("mode"):
            qs = qs.filter(mode=self.value("mode"))
        if self.value("start"):
            qs = qs.filter(held_on__gte=self.value("start"))
        if self.value("end"):
            qs = qs.filter(held_on__lte=self.value("end"))
        return self.region_filter(qs)


# --- Leading talents and honours ---------------------------------------------------------------------------------


def _year_choices():
    this_year = timezone.localdate().year
    return [("", gettext_lazy("全部")), *[(str(year), str(year)) for year in range(this_year, 1999, -1)]]


class LeadingTalentFilterForm(ListFilterForm):
    SORTS = {
        "recent": Sort(gettext_lazy("入选年份（新→旧）"), ("-selected_year", "worker__name", "pk")),
        "name": Sort(gettext_lazy("姓名"), ("worker__name", "pk")),
        "level": Sort(gettext_lazy("级别"), ("level_rank", "-selected_year", "pk")),
    }
    DEFAULT_SORT = "recent"

    q = forms.CharField(label=gettext_lazy("搜索"), required=False, max_length=50)
    level = forms.ChoiceField(label=gettext_lazy("级别"), choices=blank(Level.choices), required=False)
    year = forms.TypedChoiceField(label=gettext_lazy("入选年份"), coerce=int, required=False, empty_value=None)
    region = region_field(gettext_lazy("工作地区划"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = _year_choices()
        self.fields["q"].widget.attrs["placeholder"] = gettext_lazy("姓名、拼音首字母、身份证号或领域")

    def filter(self, qs):
        text = self.value("q", "")
        if text:
            qs = qs.filter(worker_search_q(text) | Q(field__icontains=text))
        if self.value("level"):
            qs = qs.filter(level=self.value("level"))
        if self.value("year"):
            qs = qs.filter(selected_year=self.value("year"))
        return self.region_filter(qs)


class LeadingTalentForm(ActorForm):
    worker = WorkerField(perm="talent.change_leadingtalent")
    level = forms.ChoiceField(label=gettext_lazy("级别"), choices=Level.choices)
    selected_year = forms.IntegerField(label=gettext_lazy("入选年份"), min_value=2000, max_value=2100)
    field = forms.CharField(label=gettext_lazy("领域"), max_length=100)
    programme = forms.CharField(
        label=gettext_lazy("入选项目"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("如 全国社会工作领军人才、江苏省社会工作领军人才"),
    )
    notes = forms.CharField(label=gettext_lazy("备注"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["selected_year"].initial = timezone.localdate().year


class HonourFilterForm(ListFilterForm):
    SORTS = {
        "recent": Sort(gettext_lazy("授予日期（新→旧）"), ("-awarded_on", "pk")),
        "name": Sort(gettext_lazy("姓名"), ("worker__name", "-awarded_on", "pk")),
        "level": Sort(gettext_lazy("级别"), ("level_rank", "-awarded_on", "pk")),
    }
    DEFAULT_SORT = "recent"

    q = forms.CharField(label=gettext_lazy("搜索"), required=False, max_length=50)
    level = forms.ChoiceField(label=gettext_lazy("级别"), choices=blank(Level.choices), required=False)
    year = forms.TypedChoiceField(label=gettext_lazy("授予年份"), coerce=int, required=False, empty_value=None)
    region = region_field(gettext_lazy("工作地区划"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = _year_choices()
        self.fields["q"].widget.attrs["placeholder"] = gettext_lazy("姓名、拼音首字母、身份证号或称号")

    def filter(self, qs):
        text = self.value("q", "")
        if text:
            qs = qs.filter(worker_search_q(text) | Q(title__icontains=text))
        if self.value("level"):
            qs = qs.filter(level=self.value("level"))
        if self.value("year"):
            qs = qs.filter(awarded_on__year=self.value("year"))
        return self.region_filter(qs)


class HonourForm(ActorForm):
    worker = WorkerField(perm="talent.change_honour")
    title = forms.CharField(label=gettext_lazy("荣誉称号"), max_length=200)
    level = forms.ChoiceField(label=gettext_lazy("级别"), choices=Level.choices)
    awarded_on = date_input(forms.DateField(label=gettext_lazy("授予日期")))
    awarding_body = forms.CharField(label=gettext_lazy("授予单位"), max_length=200)
    notes = forms.CharField(label=gettext_lazy("备注"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
