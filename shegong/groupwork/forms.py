"""Forms of the group-work and activity pages. They parse and offer choices (each inside the actor's scope); every rule
is the services' (a refusal comes back as the service's ValidationError, put on the form by add_service_error)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy

from shegong.accounts.forms import region_roots, style_fields
from shegong.core.listing import ListFilterForm, Sort, blank, date_input
from shegong.core.scope import region_q, scoped
from shegong.groupwork import permissions
from shegong.groupwork.models import DOMAIN_DICTIONARY, GroupWork
from shegong.groupwork.services import reachable_workers
from shegong.projects.models import Project
from shegong.recipients.models import Recipient
from shegong.refdata.forms import DictionaryChoiceField
from shegong.refdata.selectors import choices as dictionary_choices
from shegong.regions.forms import RegionField
from shegong.stations.models import Station
from shegong.workers.models import SocialWorker

ALL = gettext_lazy("全部")


def stations_for(actor, perm: str):
    """The stations where `actor` may record groups or activities (the assignments granting `perm`)."""
    return scoped(Station, actor, perm).select_related("region").order_by("region_id", "name")


def workers_for(actor, stations):
    """Workers to lead or organise: the actor's talent-pool scope (their own record included) and the staff of the
    stations (services.reachable_workers)."""
    return reachable_workers(actor, stations).order_by("name_initials", "name", "id")


def projects_for(stations):
    return Project.objects.filter(covered__station__in=stations).distinct().order_by("-id")


def within_for(actor, perm: str, stations) -> list | None:
    """Where the region picker lets the actor choose: their assignments' regions, or (for an agency, which holds no
    region) the regions of the stations it operates."""
    roots = region_roots(actor, perm)
    if roots is not None and not roots:
        roots = sorted({station.region for station in stations}, key=lambda region: region.code)
    return roots


def recipients_for(actor, region=None):
    rows = scoped(Recipient, actor, "recipients.view_recipient").select_related("community")
    if region is not None:
        rows = rows.filter(region_q("community", region.code, region.level))
    return rows.order_by("name_initials", "name", "id")


class _ScopedFilter(ListFilterForm):
    q = forms.CharField(label=gettext_lazy("搜索"), required=False, max_length=50)
    region = RegionField(label=gettext_lazy("区划"), required=False)
    station = forms.ModelChoiceField(
        label=gettext_lazy("站点"), queryset=Station.objects.none(), required=False, empty_label=ALL
    )
    domain = forms.ChoiceField(label=gettext_lazy("服务领域"), required=False)

    VIEW = ""

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = stations_for(actor, self.VIEW)
        self.fields["region"].within = region_roots(actor, self.VIEW)
        self.fields["domain"].choices = blank(dictionary_choices(DOMAIN_DICTIONARY, active_only=False))
        style_fields(self)


class GroupFilterForm(_ScopedFilter):
    SORTS = {
        "newest": Sort(gettext_lazy("最近登记在前"), ("-created_at", "-id")),
        "stage": Sort(gettext_lazy("按阶段"), ("stage", "-created_at", "-id")),
        "name": Sort(gettext_lazy("按名称"), ("name", "id")),
    }
    DEFAULT_SORT = "newest"
    REGION_PATH = "region"
    VIEW = permissions.VIEW_GROUP

    stage = forms.ChoiceField(label=gettext_lazy("阶段"), choices=blank(GroupWork.Stage.choices), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = gettext_lazy("小组名称或编号")

    def search_kwargs(self) -> dict:
        return {
            "region": self.value("region"),
            "station": self.value("station"),
            "stage": self.value("stage", ""),
            "domain": self.value("domain", ""),
            "q": self.value("q", ""),
        }


class ActivityFilterForm(_ScopedFilter):
    SORTS = {
        "newest": Sort(gettext_lazy("活动日期（近的在前）"), ("-held_on", "-id")),
        "oldest": Sort(gettext_lazy("活动日期（早的在前）"), ("held_on", "id")),
        "largest": Sort(gettext_lazy("参与人数多的在前"), ("-participants_count", "-held_on", "-id")),
    }
    DEFAULT_SORT = "newest"
    REGION_PATH = "community"
    VIEW = permissions.VIEW_ACTIVITY

    held_from = date_input(forms.DateField(label=gettext_lazy("日期自"), required=False))
    held_to = date_input(forms.DateField(label=gettext_lazy("日期至"), required=False))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = gettext_lazy("活动名称、地点或编号")

    def search_kwargs(self) -> dict:
        return {
            "region": self.value("region"),
            "station": self.value("station"),
            "domain": self.value("domain", ""),
            "q": self.value("q", ""),
            "held_from": self.value("held_from"),
            "held_to": self.value("held_to"),
        }


class GroupForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("小组名称"), max_length=100)
    station = forms.ModelChoiceField(label=gettext_lazy("站点"), queryset=Station.objects.none())
    region = RegionField(
        label=gettext_lazy("服务村（社区）"),
        required=False,
        min_level=5,
        max_level=5,
        help_text=gettext_lazy("留空表示站点所在区划"),
    )
    domain = DictionaryChoiceField(DOMAIN_DICTIONARY, label=gettext_lazy("服务领域"))
    leader = forms.ModelChoiceField(label=gettext_lazy("带领社工"), queryset=SocialWorker.objects.none())
    co_leaders = forms.ModelMultipleChoiceField(
        label=gettext_lazy("协同带领社工"), queryset=SocialWorker.objects.none(), required=False
    )
    project = forms.ModelChoiceField(
        label=gettext_lazy("服务项目"),
        queryset=Project.objects.none(),
        required=False,
        empty_label=gettext_lazy("（不属于项目）"),
    )
    target_group = forms.CharField(label=gettext_lazy("服务对象群体"), max_length=300)
    goals = forms.CharField(label=gettext_lazy("小组目标"), widget=forms.Textarea(attrs={"rows": 3}))
    planned_sessions = forms.IntegerField(label=gettext_lazy("计划节数"), min_value=1, max_value=100, initial=6)

    def __init__(self, *args, actor, group: GroupWork | None = None, **kwargs):
        self.group = group
        if group is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": group.name,
                    "station": group.station_id,
                    "region": group.region_id if group.region_id != group.station.region_id else None,
                    "domain": group.domain,
                    "leader": group.leader_id,
                    "co_leaders": list(group.co_leaders.values_list("pk", flat=True)),
                    "project": group.project_id,
                    "target_group": group.target_group,
                    "goals": group.goals,
                    "planned_sessions": group.planned_sessions,
                },
            )
        super().__init__(*args, **kwargs)
        perm = permissions.CHANGE_GROUP if group else permissions.ADD_GROUP
        stations = stations_for(actor, perm)
        if group is not None:
            stations = Station.objects.filter(pk=group.station_id)
            self.fields["station"].disabled = True
        self.fields["station"].queryset = stations
        self.fields["leader"].queryset = self.fields["co_leaders"].queryset = workers_for(actor, stations)
        self.fields["project"].queryset = projects_for(stations)
        self.fields["region"].within = within_for(actor, perm, stations_for(actor, perm))
        style_fields(self)

    def service_values(self) -> dict:
        data = dict(self.cleaned_data)
        data["co_leaders"] = list(data["co_leaders"])
        if self.group is not None:
            data.pop("station")
        return data


class MoveForm(forms.Form):
    to_stage = forms.ChoiceField(label=gettext_lazy("新阶段"), choices=GroupWork.Stage.choices)
    effective_on = date_input(forms.DateField(label=gettext_lazy("生效日期")))
    reason = forms.CharField(
        label=gettext_lazy("原因"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("提前结束小组时必填"),
    )

    def __init__(self, *args, moves, **kwargs):
        kwargs.setdefault("initial", {"effective_on": timezone.localdate(), "to_stage": moves[0] if moves else ""})
        super().__init__(*args, **kwargs)
        labels = dict(GroupWork.Stage.choices)
        self.fields["to_stage"].choices = [(stage, labels[stage]) for stage in moves] or GroupWork.Stage.choices
        style_fields(self)


class MemberForm(forms.Form):
    recipient = forms.ModelChoiceField(
        label=gettext_lazy("服务对象"),
        queryset=Recipient.objects.none(),
        required=False,
        empty_label=gettext_lazy("（未登记参与者，填写姓名）"),
    )
    name = forms.CharField(label=gettext_lazy("未登记参与者姓名"), max_length=50, required=False)
    joined_on = date_input(forms.DateField(label=gettext_lazy("入组日期")))

    def __init__(self, *args, actor, group: GroupWork, **kwargs):
        kwargs.setdefault("initial", {"joined_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        region = group.station.region if group.region_id == group.station.region_id else group.region
        self.fields["recipient"].queryset = recipients_for(actor, region).exclude(group_memberships__group=group)
        style_fields(self)


class SessionForm(forms.Form):
    """A session's date, theme and notes; the attendance grid posts `present` (member ids)."""

    held_on = date_input(forms.DateField(label=gettext_lazy("日期")))
    theme = forms.CharField(label=gettext_lazy("主题"), max_length=200)
    notes = forms.CharField(label=gettext_lazy("内容与记录"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    present = forms.MultipleChoiceField(
        label=gettext_lazy("出席组员"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, members, **kwargs):
        kwargs.setdefault("initial", {"held_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["present"].choices = [(str(member.pk), member.display_name) for member in members]
        style_fields(self)


class ActivityForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("活动名称"), max_length=200)
    station = forms.ModelChoiceField(label=gettext_lazy("站点"), queryset=Station.objects.none())
    community = RegionField(label=gettext_lazy("所在村（社区）"), min_level=5, max_level=5)
    held_on = date_input(forms.DateField(label=gettext_lazy("活动日期")))
    starts_at = forms.TimeField(
        label=gettext_lazy("开始时间"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    ends_at = forms.TimeField(
        label=gettext_lazy("结束时间"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    domain = DictionaryChoiceField(DOMAIN_DICTIONARY, label=gettext_lazy("服务领域"))
    place = forms.CharField(label=gettext_lazy("活动地点"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("活动内容"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    organiser = forms.ModelChoiceField(label=gettext_lazy("组织社工"), queryset=SocialWorker.objects.none())
    project = forms.ModelChoiceField(
        label=gettext_lazy("服务项目"),
        queryset=Project.objects.none(),
        required=False,
        empty_label=gettext_lazy("（不属于项目）"),
    )
    participants_count = forms.IntegerField(label=gettext_lazy("参与人数"), min_value=0)
    participants = forms.ModelMultipleChoiceField(
        label=gettext_lazy("登记为参与者的服务对象"), queryset=Recipient.objects.none(), required=False
    )
    participant_names = forms.CharField(
        label=gettext_lazy("未登记参与者姓名"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("每行一个姓名；参与人数不能少于登记姓名的人数"),
    )
    volunteers_count = forms.IntegerField(label=gettext_lazy("志愿者人数"), min_value=0, initial=0)
    volunteer_names = forms.CharField(
        label=gettext_lazy("志愿者姓名"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, actor, activity=None, **kwargs):
        self.activity = activity
        if activity is not None:
            named = list(activity.participants.all())
            kwargs.setdefault(
                "initial",
                {
                    "title": activity.title,
                    "station": activity.station_id,
                    "community": activity.community_id,
                    "held_on": activity.held_on,
                    "starts_at": activity.starts_at,
                    "ends_at": activity.ends_at,
                    "domain": activity.domain,
                    "place": activity.place,
                    "description": activity.description,
                    "organiser": activity.organiser_id,
                    "project": activity.project_id,
                    "participants_count": activity.participants_count,
                    "participants": [p.recipient_id for p in named if p.recipient_id],
                    "participant_names": "\n".join(p.name for p in named if not p.recipient_id),
                    "volunteers_count": activity.volunteers_count,
                    "volunteer_names": activity.volunteer_names,
                },
            )
        else:
            kwargs.setdefault("initial", {"held_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        perm = permissions.CHANGE_ACTIVITY if activity else permissions.ADD_ACTIVITY
        stations = stations_for(actor, perm)
        if activity is not None:
            stations = Station.objects.filter(pk=activity.station_id)
            self.fields["station"].disabled = True
        self.fields["station"].queryset = stations
        self.fields["organiser"].queryset = workers_for(actor, stations)
        self.fields["project"].queryset = projects_for(stations)
        self.fields["participants"].queryset = recipients_for(actor)
        self.fields["community"].within = within_for(actor, perm, stations_for(actor, perm))
        style_fields(self)

    def service_values(self) -> dict:
        data = dict(self.cleaned_data)
        data["participants"] = list(data["participants"])
        data["participant_names"] = [line for line in (data["participant_names"] or "").splitlines() if line.strip()]
        if self.activity is not None:
            data.pop("station")
        return data
