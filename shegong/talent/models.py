"""The supervisor pool (督导人才库), supervision sessions, leading talents (领军人才) and honours.

Seed 000 (深圳《若干措施》): "完善社会工作督导资助机制"; seed 004 (江苏): "建立……督导人才库",
"累计培养社会工作领军人才、督导人才各150名"; seed 003 (广州): "评为全国社会工作领军人才2名、全省社会工作领军人才1名，
获得国家、省市级先进个人、劳动模范等荣誉称号54名". Every record hangs off a SocialWorker, so it is scoped like the
worker (region, agency, self).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shegong.core.scope import DataScope


class SupervisorGrade(models.TextChoices):
    """The supervisor ladder, lowest first: 督导助理 → 见习督导 → 初级督导 → 中级督导 → 高级督导."""

    ASSISTANT = "assistant", _("督导助理")
    TRAINEE = "trainee", _("见习督导")
    JUNIOR = "junior", _("初级督导")
    INTERMEDIATE = "intermediate", _("中级督导")
    SENIOR = "senior", _("高级督导")


# The ladder's order lives in one place; the database stores codes, never ranks.
LADDER = [grade.value for grade in SupervisorGrade]


def grade_rank(grade: str) -> int:
    return LADDER.index(grade)


def next_grade(grade: str) -> str | None:
    rank = grade_rank(grade)
    return LADDER[rank + 1] if rank + 1 < len(LADDER) else None


class Level(models.TextChoices):
    """The level of a selection or an honour, by the body that grants it."""

    NATIONAL = "national", _("国家级")
    PROVINCIAL = "provincial", _("省级")
    MUNICIPAL = "municipal", _("市级")
    DISTRICT = "district", _("区县级")


WORKER_SCOPE = DataScope(region="worker__region", agency="worker__agency", owner="worker__account")


class SupervisorProfile(models.Model):
    """A social worker in the supervisor pool, with the current grade on the ladder. Every change of grade is a
    SupervisorGradeChange row written by the same service, so the current grade is always the last change's."""

    worker = models.OneToOneField(
        "workers.SocialWorker",
        verbose_name=_("社会工作者"),
        on_delete=models.PROTECT,
        related_name="supervisor_profile",
    )
    grade = models.CharField(_("督导等级"), max_length=20, choices=SupervisorGrade.choices)
    grade_since = models.DateField(_("现等级认定日期"))
    notes = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("入库时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    data_scope = WORKER_SCOPE

    class Meta:
        verbose_name = _("督导")
        verbose_name_plural = _("督导")
        ordering = ["worker__name", "id"]
        indexes = [models.Index(fields=["grade"], name="supervisor_grade_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(grade__in=LADDER), name="supervisor_grade_on_ladder"),
        ]

    def __str__(self) -> str:
        return f"{self.worker} · {self.get_grade_display()}"


class SupervisorGradeChange(models.Model):
    """One step in a supervisor's grade history: the first appointment (no previous grade), a promotion one step up,
    or a move to a named grade (skipping steps, or down), which needs a reason."""

    class Kind(models.TextChoices):
        APPOINTMENT = "appointment", _("初次认定")
        PROMOTION = "promotion", _("晋升")
        SKIP = "skip", _("越级晋升")
        DEMOTION = "demotion", _("降级")

    profile = models.ForeignKey(
        SupervisorProfile, verbose_name=_("督导"), on_delete=models.CASCADE, related_name="grade_changes"
    )
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    from_grade = models.CharField(_("原等级"), max_length=20, choices=SupervisorGrade.choices, blank=True)
    to_grade = models.CharField(_("新等级"), max_length=20, choices=SupervisorGrade.choices)
    changed_on = models.DateField(_("认定日期"))
    approving_authority = models.CharField(_("认定机关"), max_length=200)
    reason = models.TextField(_("理由"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    data_scope = DataScope(
        region="profile__worker__region", agency="profile__worker__agency", owner="profile__worker__account"
    )

    class Meta:
        verbose_name = _("督导等级变动")
        verbose_name_plural = _("督导等级变动")
        ordering = ["profile", "-changed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="appointment", from_grade="")
                | (~models.Q(kind="appointment") & ~models.Q(from_grade="")),
                name="supervisor_change_from_grade_iff_not_first",
            ),
            models.CheckConstraint(
                condition=~models.Q(from_grade=models.F("to_grade")), name="supervisor_change_moves"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["appointment", "promotion"]) | ~models.Q(reason=""),
                name="supervisor_change_reason_when_not_one_step",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.profile.worker} · {self.get_kind_display()} → {self.get_to_grade_display()}"


class SupervisionSession(models.Model):
    """A supervision session (督导记录): a supervisor with one supervisee (individual) or several (group)."""

    class Mode(models.TextChoices):
        INDIVIDUAL = "individual", _("个别督导")
        GROUP = "group", _("小组督导")

    supervisor = models.ForeignKey(
        SupervisorProfile, verbose_name=_("督导"), on_delete=models.PROTECT, related_name="sessions"
    )
    supervisees = models.ManyToManyField(
        "workers.SocialWorker", verbose_name=_("被督导人"), related_name="supervision_sessions"
    )
    held_on = models.DateField(_("督导日期"))
    hours = models.DecimalField(_("时长（小时）"), max_digits=4, decimal_places=1)
    topic = models.CharField(_("主题"), max_length=200)
    mode = models.CharField(_("方式"), max_length=20, choices=Mode.choices)
    notes = models.TextField(_("记录"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    data_scope = DataScope(
        region="supervisor__worker__region", agency="supervisor__worker__agency", owner="supervisor__worker__account"
    )

    class Meta:
        verbose_name = _("督导记录")
        verbose_name_plural = _("督导记录")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["supervisor", "held_on"], name="session_supervisor_date_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(hours__gt=0, hours__lte=24), name="session_hours_in_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.held_on} · {self.topic}"


class LeadingTalent(models.Model):
    """A leading talent (社会工作领军人才) selected at a level in a year, in a field of practice."""

    worker = models.ForeignKey(
        "workers.SocialWorker", verbose_name=_("社会工作者"), on_delete=models.PROTECT, related_name="leading_talents"
    )
    level = models.CharField(_("级别"), max_length=20, choices=Level.choices)
    selected_year = models.PositiveSmallIntegerField(_("入选年份"))
    field = models.CharField(_("领域"), max_length=100, help_text=_("如 社会救助、儿童青少年、社区治理"))
    programme = models.CharField(_("入选项目"), max_length=200, blank=True, help_text=_("如 全国社会工作领军人才"))
    notes = models.TextField(_("备注"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    data_scope = WORKER_SCOPE

    class Meta:
        verbose_name = _("领军人才")
        verbose_name_plural = _("领军人才")
        ordering = ["-selected_year", "worker__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["worker", "level"], name="leading_talent_once_per_level"),
            models.CheckConstraint(
                condition=models.Q(selected_year__gte=2000, selected_year__lte=2100),
                name="leading_talent_year_plausible",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} · {self.get_level_display()} {self.selected_year}"


class Honour(models.Model):
    """An honour (荣誉) a worker received: 先进个人, 劳动模范, 优秀社工 …"""

    worker = models.ForeignKey(
        "workers.SocialWorker", verbose_name=_("社会工作者"), on_delete=models.PROTECT, related_name="honours"
    )
    title = models.CharField(_("荣誉称号"), max_length=200)
    level = models.CharField(_("级别"), max_length=20, choices=Level.choices)
    awarded_on = models.DateField(_("授予日期"))
    awarding_body = models.CharField(_("授予单位"), max_length=200)
    notes = models.TextField(_("备注"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    data_scope = WORKER_SCOPE

    class Meta:
        verbose_name = _("荣誉")
        verbose_name_plural = _("荣誉")
        ordering = ["-awarded_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["worker", "title", "awarded_on"], name="honour_unique_per_award"),
        ]

    def __str__(self) -> str:
        return f"{self.worker} · {self.title}"
