"""Forms of the volunteers pages. They parse and offer choices; every rule is the services' (a refusal comes back as
the service's ValidationError, put on the form by add_service_error)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy

from shegong.accounts.forms import region_roots, style_fields
from shegong.core.listing import ListFilterForm, Sort, blank, date_input
from shegong.core.masking import mask_phone
from shegong.core.scope import scoped
from shegong.refdata.forms import DictionaryMultipleChoiceField
from shegong.refdata.models import DictionaryItem
from shegong.regions.forms import RegionField
from shegong.stations.models import Station
from shegong.volunteers import permissions
from shegong.volunteers.models import (
    SKILL_DICTIONARY,
    ServiceRecord,
    Volunteer,
    VolunteerEvaluation,
    VolunteerTeam,
)

ALL = gettext_lazy("全部")


def _stations(actor):
    return scoped(Station, actor, "stations.view_station").order_by("region_id", "name")


def _agencies(actor):
    from shegong.agencies.models import Agency

    return scoped(Agency, actor, "agencies.view_agency").order_by("name")


class VolunteerFilterForm(ListFilterForm):
    SORTS = {
        "number": Sort(gettext_lazy("按志愿者编号"), ("number",)),
        "name": Sort(gettext_lazy("按姓名"), ("name", "id")),
        "newest": Sort(gettext_lazy("最近登记在前"), ("-id",)),
    }
    DEFAULT_SORT = "number"
    REGION_PATH = "region"

    q = forms.CharField(label=gettext_lazy("搜索"), required=False, max_length=50)
    status = forms.ChoiceField(label=gettext_lazy("状态"), choices=blank(Volunteer.Status.choices), required=False)
    team = forms.ModelChoiceField(
        label=gettext_lazy("服务队"), queryset=VolunteerTeam.objects.none(), required=False, empty_label=ALL
    )
    skill = forms.ModelChoiceField(
        label=gettext_lazy("技能"), queryset=DictionaryItem.objects.none(), required=False, empty_label=ALL
    )
    station = forms.ModelChoiceField(
        label=gettext_lazy("管理站点"), queryset=Station.objects.none(), required=False, empty_label=ALL
    )
    region = RegionField(label=gettext_lazy("区划"), required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = scoped(VolunteerTeam, actor, permissions.VIEW_TEAM).order_by("name")
        self.fields["skill"].queryset = DictionaryItem.objects.filter(
            dictionary__code=SKILL_DICTIONARY, is_active=True
        ).order_by("sort_order", "pk")
        self.fields["station"].queryset = _stations(actor)
        self.fields["region"].within = region_roots(actor, permissions.VIEW)
        self.fields["q"].widget.attrs["placeholder"] = gettext_lazy("姓名、志愿者编号或完整身份证号")

    def search_kwargs(self) -> dict:
        return {
            "q": self.value("q", ""),
            "status": self.value("status", ""),
            "team": self.value("team"),
            "skill": self.value("skill"),
            "station": self.value("station"),
            "region": self.value("region"),
        }

    def describe(self) -> dict:
        described = super().describe()
        q = (described.get("q") or "").upper()
        if len(q) == 18 and q[:17].isdigit():
            described["q"] = str(gettext_lazy("（按身份证号）"))  # never the number itself in the audit trail
        return described


class VolunteerForm(forms.Form):
    """Register or edit a volunteer. The ID number is given once, at registration (real name)."""

    name = forms.CharField(label=gettext_lazy("姓名"), max_length=50)
    id_number = forms.CharField(
        label=gettext_lazy("身份证号"),
        max_length=18,
        required=False,
        help_text=gettext_lazy("实名登记：出生日期和性别由号码得出。"),
    )
    phone = forms.CharField(label=gettext_lazy("联系电话"), max_length=20, required=False)
    region = RegionField(label=gettext_lazy("所在地区"))
    station = forms.ModelChoiceField(
        label=gettext_lazy("管理站点"),
        queryset=Station.objects.none(),
        required=False,
        empty_label=gettext_lazy("（无）"),
    )
    agency = forms.ModelChoiceField(
        label=gettext_lazy("管理机构"),
        queryset=Station.objects.none(),
        required=False,
        empty_label=gettext_lazy("（无）"),
    )
    skills = DictionaryMultipleChoiceField(
        SKILL_DICTIONARY, label=gettext_lazy("技能特长"), required=False, widget=forms.CheckboxSelectMultiple
    )
    availability = forms.CharField(label=gettext_lazy("可服务时间"), max_length=200, required=False)

    def __init__(self, *args, actor, volunteer: Volunteer | None = None, **kwargs):
        self.volunteer = volunteer
        if volunteer is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": volunteer.name,
                    "region": volunteer.region_id,
                    "station": volunteer.station_id,
                    "agency": volunteer.agency_id,
                    "skills": list(volunteer.skills.values_list("code", flat=True)),
                    "availability": volunteer.availability,
                },
            )
        super().__init__(*args, **kwargs)
        perm = permissions.CHANGE if volunteer else permissions.ADD
        self.fields["station"].queryset = _stations(actor)
        self.fields["agency"].queryset = _agencies(actor)
        self.fields["region"].within = region_roots(actor, perm)
        for name in ("id_number", "phone"):
            self.fields[name].widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})
        if volunteer is not None:
            del self.fields["id_number"]
            self.fields["phone"].help_text = gettext_lazy("当前：%(masked)s。留空表示不修改。") % {
                "masked": mask_phone(volunteer.phone) if volunteer.phone else gettext_lazy("未填")
            }
        else:
            self.fields["id_number"].required = True
        style_fields(self)

    def service_values(self) -> dict:
        data = dict(self.cleaned_data)
        data["skills"] = list(data["skills"])
        if self.volunteer is not None and not (data.get("phone") or "").strip():
            data.pop("phone")
        return data


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("新状态"), choices=Volunteer.Status.choices)
    reason = forms.CharField(label=gettext_lazy("变更原因"), max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class TeamFilterForm(ListFilterForm):
    SORTS = {
        "name": Sort(gettext_lazy("按队名"), ("name", "id")),
        "newest": Sort(gettext_lazy("最近成立在前"), ("-id",)),
    }
    DEFAULT_SORT = "name"
    REGION_PATH = "region"

    q = forms.CharField(label=gettext_lazy("队名"), required=False, max_length=50)
    station = forms.ModelChoiceField(
        label=gettext_lazy("管理站点"), queryset=Station.objects.none(), required=False, empty_label=ALL
    )
    region = RegionField(label=gettext_lazy("区划"), required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = _stations(actor)
        self.fields["region"].within = region_roots(actor, permissions.VIEW_TEAM)

    def search_kwargs(self) -> dict:
        return {"q": self.value("q", ""), "station": self.value("station"), "region": self.value("region")}


class TeamForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("队名"), max_length=100)
    region = RegionField(label=gettext_lazy("所在地区"))
    station = forms.ModelChoiceField(
        label=gettext_lazy("管理站点"),
        queryset=Station.objects.none(),
        required=False,
        empty_label=gettext_lazy("（无）"),
    )
    agency = forms.ModelChoiceField(
        label=gettext_lazy("管理机构"),
        queryset=Station.objects.none(),
        required=False,
        empty_label=gettext_lazy("（无）"),
    )
    founded_on = date_input(forms.DateField(label=gettext_lazy("成立日期"), required=False))
    is_active = forms.BooleanField(label=gettext_lazy("活跃"), required=False, initial=True)

    def __init__(self, *args, actor, team: VolunteerTeam | None = None, **kwargs):
        if team is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": team.name,
                    "region": team.region_id,
                    "station": team.station_id,
                    "agency": team.agency_id,
                    "founded_on": team.founded_on,
                    "is_active": team.is_active,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = _stations(actor)
        self.fields["agency"].queryset = _agencies(actor)
        self.fields["region"].within = region_roots(actor, permissions.CHANGE_TEAM if team else permissions.ADD_TEAM)
        style_fields(self)


class MemberForm(forms.Form):
    """A volunteer by number (the team page adds members one at a time)."""

    number = forms.CharField(label=gettext_lazy("志愿者编号"), max_length=20)
    action = forms.ChoiceField(
        label=gettext_lazy("操作"),
        choices=[
            ("add", gettext_lazy("加入本队")),
            ("remove", gettext_lazy("移出本队")),
            ("leader", gettext_lazy("设为队长")),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class RecordFilterForm(ListFilterForm):
    SORTS = {
        "date": Sort(gettext_lazy("服务日期（新在前）"), ("-service_date", "-id")),
        "oldest": Sort(gettext_lazy("服务日期（旧在前）"), ("service_date", "id")),
    }
    DEFAULT_SORT = "date"
    REGION_PATH = "region"

    q = forms.CharField(label=gettext_lazy("志愿者"), required=False, max_length=50)
    status = forms.ChoiceField(label=gettext_lazy("状态"), choices=blank(ServiceRecord.Status.choices), required=False)
    station = forms.ModelChoiceField(
        label=gettext_lazy("组织站点"), queryset=Station.objects.none(), required=False, empty_label=ALL
    )
    date_from = date_input(forms.DateField(label=gettext_lazy("服务日期自"), required=False))
    date_to = date_input(forms.DateField(label=gettext_lazy("至"), required=False))
    region = RegionField(label=gettext_lazy("区划"), required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = _stations(actor)
        self.fields["region"].within = region_roots(actor, permissions.VIEW_RECORD)
        self.fields["q"].widget.attrs["placeholder"] = gettext_lazy("姓名或志愿者编号")

    def search_kwargs(self) -> dict:
        return {
            "q": self.value("q", ""),
            "status": self.value("status", ""),
            "station": self.value("station"),
            "region": self.value("region"),
            "date_from": self.value("date_from"),
            "date_to": self.value("date_to"),
        }


class RecordForm(forms.Form):
    volunteer_number = forms.CharField(label=gettext_lazy("志愿者编号"), max_length=20)
    service_date = date_input(forms.DateField(label=gettext_lazy("服务日期")))
    hours = forms.DecimalField(label=gettext_lazy("服务时长（小时）"), max_digits=5, decimal_places=1)
    content = forms.CharField(label=gettext_lazy("服务内容"), max_length=300)
    place = forms.CharField(label=gettext_lazy("服务地点"), max_length=200, required=False)
    station = forms.ModelChoiceField(
        label=gettext_lazy("组织站点"),
        queryset=Station.objects.none(),
        required=False,
        empty_label=gettext_lazy("（志愿者的管理站点或机构）"),
    )

    def __init__(self, *args, actor, **kwargs):
        kwargs.setdefault("initial", {"service_date": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = _stations(actor)
        style_fields(self)


class CorrectForm(forms.Form):
    hours = forms.DecimalField(label=gettext_lazy("更正后时长（小时）"), max_digits=5, decimal_places=1)
    content = forms.CharField(label=gettext_lazy("服务内容"), max_length=300)
    reason = forms.CharField(label=gettext_lazy("更正原因"), max_length=300)

    def __init__(self, *args, record_: ServiceRecord, **kwargs):
        kwargs.setdefault("initial", {"hours": record_.hours, "content": record_.content})
        super().__init__(*args, **kwargs)
        style_fields(self)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("原因"), max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class TrainingForm(forms.Form):
    trained_on = date_input(forms.DateField(label=gettext_lazy("培训日期")))
    title = forms.CharField(label=gettext_lazy("培训内容"), max_length=200)
    hours = forms.DecimalField(label=gettext_lazy("培训时长（小时）"), max_digits=5, decimal_places=1)
    organiser = forms.CharField(label=gettext_lazy("培训组织单位"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class AwardForm(forms.Form):
    awarded_on = date_input(forms.DateField(label=gettext_lazy("表彰日期")))
    title = forms.CharField(label=gettext_lazy("表彰名称"), max_length=200)
    awarded_by = forms.CharField(label=gettext_lazy("表彰单位"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class EvaluationForm(forms.Form):
    evaluated_on = date_input(forms.DateField(label=gettext_lazy("评价日期")))
    grade = forms.ChoiceField(label=gettext_lazy("评价等级"), choices=VolunteerEvaluation.Grade.choices)
    evaluator = forms.CharField(label=gettext_lazy("评价单位"), max_length=200)
    comment = forms.CharField(label=gettext_lazy("评语"), max_length=500, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class AccountLinkForm(forms.Form):
    """A keeper links a sign-in account (by user name) to the volunteer's record, or unlinks it."""

    username = forms.CharField(
        label=gettext_lazy("登录账户名"),
        max_length=150,
        required=False,
        help_text=gettext_lazy("该账户须已分配“志愿者”角色"),
    )
    action = forms.ChoiceField(
        choices=[("link", gettext_lazy("关联")), ("unlink", gettext_lazy("解除关联"))], widget=forms.HiddenInput
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)

    def clean(self):
        data = super().clean()
        if data.get("action") == "link" and not (data.get("username") or "").strip():
            self.add_error("username", gettext_lazy("请填写要关联的登录账户名。"))
        return data
