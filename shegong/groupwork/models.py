"""Group work (小组工作, MZ/T 095-2017 《小组社会工作服务指南》) and community activities (社区活动).

A group (GroupWork) is run by a station, led by one social worker (带领社工) with co-leaders, and passes through the
stages of MZ/T 095-2017: 筹备期 → 形成期 → 转折期 → 成熟期 → 结束期, one step forward at a time; a group may end early
from any stage (with a reason), never move back, and 结束期 is final (services.group_move). Each move is a
GroupStageEvent. Its members (组员) are recipients (服务对象) or named participants who are not registered; its
sessions (节次) record attendance per member, and each session's members present are its 服务人次
(persontimes.PersonTime kind GROUP_SESSION). Sessions are held only in 形成期, 转折期 and 成熟期.

A community activity (社区活动) is one event in a community: a date, a domain, a place, a participant count (its
服务人次, kind ACTIVITY) and optionally the named participants, which can never outnumber the count (a database
constraint on the denormalised `named_participants` the services keep).

Consent: a member or participant whose recipient has withdrawn consent is hidden by the default managers (the rows stay:
the service record is legally required, see shegong.recipients.models); `all_records` is for counting what happened.
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from shegong.core.scope import DataScope

DOMAIN_DICTIONARY = "service_domain"
CONSENTED = models.Q(recipient__isnull=True) | models.Q(recipient__consent_withdrawn_on__isnull=True)


class ConsentedParticipantManager(models.Manager):
    """Members / participants without a recipient, or whose recipient has not withdrawn consent."""

    def get_queryset(self):
        return super().get_queryset().filter(CONSENTED)


class GroupWork(models.Model):
    """A group (小组) of a station: its leader, goals, planned sessions, stage, members and sessions."""

    class Stage(models.TextChoices):
        PREPARATION = "preparation", _("筹备期")
        FORMATION = "formation", _("形成期")
        TRANSITION = "transition", _("转折期")
        MATURITY = "maturity", _("成熟期")
        ENDING = "ending", _("结束期")

    code = models.CharField(_("小组编号"), max_length=24, unique=True)
    name = models.CharField(_("小组名称"), max_length=100)
    station = models.ForeignKey(
        "stations.Station", verbose_name=_("站点"), on_delete=models.PROTECT, related_name="groups"
    )
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("机构"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("服务项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="groups",
    )
    leader = models.ForeignKey(
        "workers.SocialWorker", verbose_name=_("带领社工"), on_delete=models.PROTECT, related_name="led_groups"
    )
    co_leaders = models.ManyToManyField(
        "workers.SocialWorker", verbose_name=_("协同带领社工"), related_name="co_led_groups", blank=True
    )
    domain = models.CharField(_("服务领域"), max_length=50, help_text=_("字典 service_domain 的代码"))
    target_group = models.CharField(_("服务对象群体"), max_length=300)
    goals = models.TextField(_("小组目标"))
    planned_sessions = models.PositiveSmallIntegerField(_("计划节数"))
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("服务区域"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    province_code = models.CharField(_("省级代码"), max_length=2, editable=False)
    stage = models.CharField(_("阶段"), max_length=12, choices=Stage.choices, default=Stage.PREPARATION)
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    end_reason = models.CharField(_("提前结束原因"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    data_scope = DataScope(region="region", agency="agency", owner="leader__account")

    class Meta:
        verbose_name = _("小组")
        verbose_name_plural = _("小组")
        default_permissions = ("add", "change", "view")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["region", "stage"], name="groupwork_region_stage_idx"),
            models.Index(fields=["station", "stage"], name="groupwork_station_stage_idx"),
            models.Index(fields=["leader", "stage"], name="groupwork_leader_stage_idx"),
            models.Index(fields=["province_code", "created_at"], name="groupwork_province_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(stage__in=["preparation", "formation", "transition", "maturity", "ending"]),
                name="groupwork_stage_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(stage="ending", ended_on__isnull=False)
                | (~models.Q(stage="ending") & models.Q(ended_on__isnull=True)),
                name="groupwork_ended_on_iff_ending",
            ),
            models.CheckConstraint(
                condition=models.Q(planned_sessions__gte=1, planned_sessions__lte=100),
                name="groupwork_planned_sessions_range",
            ),
            models.CheckConstraint(
                condition=models.Q(province_code=Substr("region", 1, 2)), name="groupwork_province_matches_region"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_ended(self) -> bool:
        return self.stage == self.Stage.ENDING

    @property
    def takes_sessions(self) -> bool:
        return self.stage in SESSION_STAGES


STAGE_ORDER = [
    GroupWork.Stage.PREPARATION,
    GroupWork.Stage.FORMATION,
    GroupWork.Stage.TRANSITION,
    GroupWork.Stage.MATURITY,
    GroupWork.Stage.ENDING,
]
SESSION_STAGES = (GroupWork.Stage.FORMATION, GroupWork.Stage.TRANSITION, GroupWork.Stage.MATURITY)


class GroupStageEvent(models.Model):
    """One move of a group's stage: from, to, when, by whom and (for an early end) why."""

    group = models.ForeignKey(GroupWork, verbose_name=_("小组"), on_delete=models.CASCADE, related_name="stage_events")
    from_stage = models.CharField(_("原阶段"), max_length=12, choices=GroupWork.Stage.choices)
    to_stage = models.CharField(_("新阶段"), max_length=12, choices=GroupWork.Stage.choices)
    effective_on = models.DateField(_("生效日期"))
    reason = models.CharField(_("原因"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    data_scope = DataScope(region="group__region", agency="group__agency", owner="group__leader__account")

    class Meta:
        verbose_name = _("小组阶段变更")
        verbose_name_plural = _("小组阶段变更")
        default_permissions = ()
        ordering = ["group", "recorded_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(from_stage=models.F("to_stage")), name="groupstage_moves"),
        ]

    def __str__(self) -> str:
        return f"{self.group_id}: {self.from_stage} → {self.to_stage}"


class GroupMember(models.Model):
    """A member (组员): a recipient, or a named participant who is not registered (name only)."""

    group = models.ForeignKey(GroupWork, verbose_name=_("小组"), on_delete=models.CASCADE, related_name="members")
    recipient = models.ForeignKey(
        "recipients.Recipient",
        verbose_name=_("服务对象"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="group_memberships",
    )
    name = models.CharField(_("姓名（未登记）"), max_length=50, blank=True)
    joined_on = models.DateField(_("入组日期"))
    left_on = models.DateField(_("退出日期"), null=True, blank=True)

    all_records = models.Manager()
    objects = ConsentedParticipantManager()

    data_scope = DataScope(region="group__region", agency="group__agency", owner="group__leader__account")

    class Meta:
        verbose_name = _("组员")
        verbose_name_plural = _("组员")
        default_permissions = ()
        default_manager_name = "objects"
        base_manager_name = "all_records"
        ordering = ["group", "joined_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(recipient__isnull=False, name="") | models.Q(recipient__isnull=True, name__gt=""),
                name="groupmember_recipient_or_name",
            ),
            models.UniqueConstraint(
                fields=["group", "recipient"],
                condition=models.Q(recipient__isnull=False),
                name="groupmember_recipient_once",
            ),
            models.CheckConstraint(
                condition=models.Q(left_on__isnull=True) | models.Q(left_on__gte=models.F("joined_on")),
                name="groupmember_left_after_joined",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.recipient.name if self.recipient_id else self.name

    def active_on(self, day) -> bool:
        return self.joined_on <= day and (self.left_on is None or self.left_on >= day)


class GroupSession(models.Model):
    """A session (节次) of a group: number, date, theme, notes, and attendance per member."""

    group = models.ForeignKey(GroupWork, verbose_name=_("小组"), on_delete=models.CASCADE, related_name="sessions")
    number = models.PositiveSmallIntegerField(_("节次"))
    held_on = models.DateField(_("日期"))
    theme = models.CharField(_("主题"), max_length=200)
    notes = models.TextField(_("内容与记录"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    data_scope = DataScope(region="group__region", agency="group__agency", owner="group__leader__account")

    class Meta:
        verbose_name = _("小组节次")
        verbose_name_plural = _("小组节次")
        default_permissions = ()
        ordering = ["group", "number"]
        constraints = [
            models.UniqueConstraint(fields=["group", "number"], name="groupsession_number_unique"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="groupsession_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.group_id} #{self.number} {self.theme}"


class SessionAttendance(models.Model):
    """Whether a member was present at a session."""

    session = models.ForeignKey(
        GroupSession, verbose_name=_("节次"), on_delete=models.CASCADE, related_name="attendance"
    )
    member = models.ForeignKey(GroupMember, verbose_name=_("组员"), on_delete=models.CASCADE, related_name="attendance")
    present = models.BooleanField(_("出席"), default=False)

    data_scope = DataScope(
        region="session__group__region", agency="session__group__agency", owner="session__group__leader__account"
    )

    class Meta:
        verbose_name = _("出席记录")
        verbose_name_plural = _("出席记录")
        default_permissions = ()
        ordering = ["session", "member"]
        constraints = [models.UniqueConstraint(fields=["session", "member"], name="attendance_once_per_member")]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.member_id}: {'1' if self.present else '0'}"


class CommunityActivity(models.Model):
    """A community activity (社区活动) of a station in one community.

    Volunteers are a count and a names text for now; issue 8 (volunteers and the time bank) links real Volunteer
    records here, and their hours then come from those records.
    """

    code = models.CharField(_("活动编号"), max_length=24, unique=True)
    title = models.CharField(_("活动名称"), max_length=200)
    held_on = models.DateField(_("活动日期"))
    starts_at = models.TimeField(_("开始时间"), null=True, blank=True)
    ends_at = models.TimeField(_("结束时间"), null=True, blank=True)
    domain = models.CharField(_("服务领域"), max_length=50, help_text=_("字典 service_domain 的代码"))
    place = models.CharField(_("活动地点"), max_length=200)
    description = models.TextField(_("活动内容"), blank=True)
    community = models.ForeignKey(
        "regions.Region", verbose_name=_("所在村（社区）"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    province_code = models.CharField(_("省级代码"), max_length=2, editable=False)
    station = models.ForeignKey(
        "stations.Station", verbose_name=_("站点"), on_delete=models.PROTECT, related_name="activities"
    )
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("机构"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("服务项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
    )
    organiser = models.ForeignKey(
        "workers.SocialWorker", verbose_name=_("组织社工"), on_delete=models.PROTECT, related_name="activities"
    )
    participants_count = models.PositiveIntegerField(_("参与人数"))
    named_participants = models.PositiveIntegerField(_("登记姓名的参与者人数"), default=0, editable=False)
    volunteers_count = models.PositiveIntegerField(_("志愿者人数"), default=0)
    volunteer_names = models.TextField(_("志愿者姓名"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    data_scope = DataScope(region="community", agency="agency", owner="organiser__account")

    class Meta:
        verbose_name = _("社区活动")
        verbose_name_plural = _("社区活动")
        default_permissions = ("add", "change", "view")
        ordering = ["-held_on", "-id"]
        indexes = [
            models.Index(fields=["community", "held_on"], name="activity_community_date_idx"),
            models.Index(fields=["station", "held_on"], name="activity_station_date_idx"),
            models.Index(fields=["organiser", "held_on"], name="activity_organiser_date_idx"),
            models.Index(fields=["province_code", "held_on"], name="activity_province_date_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(participants_count__gte=models.F("named_participants")),
                name="activity_count_covers_named",
            ),
            models.CheckConstraint(
                condition=models.Q(starts_at__isnull=True)
                | models.Q(ends_at__isnull=True)
                | models.Q(ends_at__gte=models.F("starts_at")),
                name="activity_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(province_code=Substr("community", 1, 2)), name="activity_province_matches_region"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class ActivityParticipant(models.Model):
    """A named participant of an activity: a recipient, or a name for someone not registered."""

    activity = models.ForeignKey(
        CommunityActivity, verbose_name=_("社区活动"), on_delete=models.CASCADE, related_name="participants"
    )
    recipient = models.ForeignKey(
        "recipients.Recipient",
        verbose_name=_("服务对象"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activity_participations",
    )
    name = models.CharField(_("姓名（未登记）"), max_length=50, blank=True)

    all_records = models.Manager()
    objects = ConsentedParticipantManager()

    data_scope = DataScope(
        region="activity__community", agency="activity__agency", owner="activity__organiser__account"
    )

    class Meta:
        verbose_name = _("活动参与者")
        verbose_name_plural = _("活动参与者")
        default_permissions = ()
        default_manager_name = "objects"
        base_manager_name = "all_records"
        ordering = ["activity", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(recipient__isnull=False, name="") | models.Q(recipient__isnull=True, name__gt=""),
                name="participant_recipient_or_name",
            ),
            models.UniqueConstraint(
                fields=["activity", "recipient"],
                condition=models.Q(recipient__isnull=False),
                name="participant_recipient_once",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.recipient.name if self.recipient_id else self.name
