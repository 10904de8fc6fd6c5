"""Casework (个案工作, MZ/T 094-2017 《个案社会工作服务指南》): 接案 → 预估 → 计划 → 介入 → 评估 → 结案.

A case belongs to one recipient, is carried by one social worker (承办社工) at one station, and may be delivered under
a government-purchased project. Its region is the recipient's community, so scope and statistics read it by code
prefix. The stage moves only along `Case.MOVES` (services.case_move); each move is a CaseStageEvent.
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shegong.core.scope import DataScope


class IntakeSource(models.TextChoices):
    SELF_REFERRED = "self", _("主动求助")
    OUTREACH = "outreach", _("外展发现")
    REFERRAL = "referral", _("转介")
    REQUEST = "request", _("居民需求（码上办）")


class ClosureReason(models.TextChoices):
    GOALS_MET = "goals_met", _("目标达成")
    CLIENT_ENDED = "client_ended", _("服务对象主动终止")
    REFERRED = "referred", _("转介")
    MOVED_AWAY = "moved_away", _("迁出")
    LOST_CONTACT = "lost_contact", _("失联")
    DECEASED = "deceased", _("死亡")
    OTHER = "other", _("其他")


class Case(models.Model):
    class Stage(models.TextChoices):
        INTAKE = "intake", _("接案")
        ASSESSMENT = "assessment", _("预估")
        PLANNING = "planning", _("计划")
        INTERVENTION = "intervention", _("介入")
        EVALUATION = "evaluation", _("评估")
        CLOSED = "closed", _("结案")

    code = models.CharField(_("个案编号"), max_length=24, unique=True)
    recipient = models.ForeignKey(
        "recipients.Recipient", verbose_name=_("服务对象"), on_delete=models.PROTECT, related_name="cases"
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("所在村（社区）"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    province_code = models.CharField(_("省级代码"), max_length=2, editable=False)
    station = models.ForeignKey(
        "stations.Station", verbose_name=_("站点"), on_delete=models.PROTECT, related_name="cases"
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
        related_name="cases",
    )
    worker = models.ForeignKey(
        "workers.SocialWorker", verbose_name=_("承办社工"), on_delete=models.PROTECT, related_name="cases"
    )
    domain = models.CharField(_("服务领域"), max_length=50, help_text=_("字典 service_domain 的代码"))
    stage = models.CharField(_("阶段"), max_length=12, choices=Stage.choices, default=Stage.INTAKE)
    crisis = models.BooleanField(_("危机标记"), default=False)
    opened_on = models.DateField(_("接案日期"))
    closed_on = models.DateField(_("结案日期"), null=True, blank=True)
    closure_reason = models.CharField(_("结案原因"), max_length=16, choices=ClosureReason.choices, blank=True)
    closure_summary = models.TextField(_("结案小结"), max_length=4000, blank=True)
    stage_changed_at = models.DateTimeField(_("阶段变更时间"), default=timezone.now)
    version = models.PositiveIntegerField(_("版本"), default=1)
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

    data_scope = DataScope(region="region", agency="agency", owner="worker__account")

    # The forward moves of MZ/T 094-2017; besides these, 结案 is reachable from every open stage (early closure, with
    # a reason other than 目标达成) and a closed case reopens (重新开案) to REOPEN_TO with a reason.
    MOVES = {
        Stage.INTAKE: Stage.ASSESSMENT,
        Stage.ASSESSMENT: Stage.PLANNING,
        Stage.PLANNING: Stage.INTERVENTION,
        Stage.INTERVENTION: Stage.EVALUATION,
        Stage.EVALUATION: Stage.CLOSED,
    }
    REOPEN_TO = (Stage.ASSESSMENT, Stage.INTERVENTION)

    class Meta:
        verbose_name = _("个案")
        verbose_name_plural = _("个案")
        ordering = ["-opened_on", "-id"]
        permissions = [("review_case", _("督导审阅个案"))]
        indexes = [
            models.Index(fields=["region", "stage"], name="case_region_stage_idx"),
            models.Index(fields=["station", "stage"], name="case_station_stage_idx"),
            models.Index(fields=["worker", "stage"], name="case_worker_stage_idx"),
            models.Index(fields=["province_code", "opened_on"], name="case_province_opened_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    stage__in=["intake", "assessment", "planning", "intervention", "evaluation", "closed"]
                ),
                name="case_stage_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(stage="closed", closed_on__isnull=False)
                | (~models.Q(stage="closed") & models.Q(closed_on__isnull=True)),
                name="case_closed_on_iff_closed",
            ),
            models.CheckConstraint(
                condition=models.Q(stage="closed") & ~models.Q(closure_reason="")
                | (~models.Q(stage="closed") & models.Q(closure_reason="")),
                name="case_closure_reason_iff_closed",
            ),
            models.CheckConstraint(
                condition=models.Q(closed_on__isnull=True) | models.Q(closed_on__gte=models.F("opened_on")),
                name="case_closed_after_opened",
            ),
            models.CheckConstraint(
                condition=models.Q(province_code=Substr("region", 1, 2)), name="case_province_matches_region"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_open(self) -> bool:
        return self.stage != self.Stage.CLOSED


class CaseIntake(models.Model):
    """接案: where the case came from and the problem the person presents (MZ/T 094-2017 §5.1)."""

    case = models.OneToOneField(Case, verbose_name=_("个案"), on_delete=models.CASCADE, related_name="intake")
    source = models.CharField(_("个案来源"), max_length=12, choices=IntakeSource.choices)
    presenting_problem = models.TextField(_("主要问题"), max_length=4000)
    intake_on = models.DateField(_("接案日期"))
    # The 码上办 request the case came from (servicerequests keeps the link from its side too); a plain id so the
    # two apps' migrations stay independent.
    source_request_id = models.PositiveBigIntegerField(_("来源服务需求"), null=True, blank=True)

    class Meta:
        verbose_name = _("接案记录")
        verbose_name_plural = _("接案记录")
        ordering = ["case"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(source__in=["self", "outreach", "referral", "request"]), name="intake_source_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} · {self.get_source_display()}"


class CaseAssessment(models.Model):
    """预估: needs by area, risk level and factors, strengths (MZ/T 094-2017 §5.2)."""

    class Risk(models.TextChoices):
        LOW = "low", _("低")
        MEDIUM = "medium", _("中")
        HIGH = "high", _("高")

    case = models.OneToOneField(Case, verbose_name=_("个案"), on_delete=models.CASCADE, related_name="assessment")
    needs = models.JSONField(_("需求"), default=dict, help_text=_("需求领域 → 描述"))
    risk_level = models.CharField(_("风险等级"), max_length=8, choices=Risk.choices)
    risk_factors = models.TextField(_("风险因素"), max_length=4000, blank=True)
    strengths = models.TextField(_("优势与资源"), max_length=4000, blank=True)
    assessed_on = models.DateField(_("预估日期"))

    class Meta:
        verbose_name = _("预估记录")
        verbose_name_plural = _("预估记录")
        ordering = ["case"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(risk_level__in=["low", "medium", "high"]), name="assessment_risk_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} · {self.get_risk_level_display()}"


NEED_AREAS = [
    ("living", _("生活照料")),
    ("health", _("身体健康")),
    ("emotion", _("心理情绪")),
    ("family", _("家庭关系")),
    ("social", _("社会支持")),
    ("economic", _("经济状况")),
    ("education", _("教育就业")),
    ("safety", _("安全保护")),
]


class CasePlan(models.Model):
    """计划: the methods; its goals are CaseGoal rows (MZ/T 094-2017 §5.3)."""

    case = models.OneToOneField(Case, verbose_name=_("个案"), on_delete=models.CASCADE, related_name="plan")
    methods = models.TextField(_("服务方法与策略"), max_length=4000)
    planned_on = models.DateField(_("计划日期"))

    class Meta:
        verbose_name = _("服务计划")
        verbose_name_plural = _("服务计划")
        ordering = ["case"]

    def __str__(self) -> str:
        return f"{self.case} · {self.planned_on}"


class CaseGoal(models.Model):
    """One goal of the plan, with how it is measured and by when; the evaluation rates it (评估)."""

    class Achievement(models.TextChoices):
        MET = "met", _("达成")
        PARTLY = "partly", _("部分达成")
        NOT_MET = "not_met", _("未达成")

    case = models.ForeignKey(Case, verbose_name=_("个案"), on_delete=models.CASCADE, related_name="goals")
    description = models.CharField(_("目标"), max_length=500)
    measure = models.CharField(_("衡量方式"), max_length=500)
    target_date = models.DateField(_("目标日期"))
    achievement = models.CharField(_("达成情况"), max_length=8, choices=Achievement.choices, blank=True)
    achievement_note = models.CharField(_("达成说明"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("服务目标")
        verbose_name_plural = _("服务目标")
        ordering = ["case", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(achievement__in=["", "met", "partly", "not_met"]), name="goal_achievement_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.description


class CaseSession(models.Model):
    """介入: one dated intervention session; each is one 服务人次 (persontimes, kind CASE_SESSION)."""

    class Kind(models.TextChoices):
        INTERVIEW = "interview", _("面谈")
        PHONE = "phone", _("电话")
        HOME_VISIT = "home_visit", _("家访")
        ESCORT = "escort", _("陪同")
        RESOURCES = "resources", _("资源链接")

    case = models.ForeignKey(Case, verbose_name=_("个案"), on_delete=models.CASCADE, related_name="sessions")
    held_on = models.DateField(_("服务日期"))
    kind = models.CharField(_("服务方式"), max_length=12, choices=Kind.choices)
    duration_minutes = models.PositiveIntegerField(_("时长（分钟）"))
    notes = models.TextField(_("服务记录"), max_length=8000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("介入服务记录")
        verbose_name_plural = _("介入服务记录")
        ordering = ["case", "-held_on", "-id"]
        indexes = [models.Index(fields=["case", "held_on"], name="case_session_case_held_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["interview", "phone", "home_visit", "escort", "resources"]),
                name="case_session_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=1, duration_minutes__lte=1440),
                name="case_session_duration_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} · {self.held_on} · {self.get_kind_display()}"


class CaseEvaluation(models.Model):
    """评估: the overall evaluation; each goal's achievement is on CaseGoal (MZ/T 094-2017 §5.5)."""

    case = models.OneToOneField(Case, verbose_name=_("个案"), on_delete=models.CASCADE, related_name="evaluation")
    overall = models.TextField(_("总体评估"), max_length=4000)
    evaluated_on = models.DateField(_("评估日期"))

    class Meta:
        verbose_name = _("评估记录")
        verbose_name_plural = _("评估记录")
        ordering = ["case"]

    def __str__(self) -> str:
        return f"{self.case} · {self.evaluated_on}"


class CaseStageEvent(models.Model):
    """One move of the stage (including closure and reopening), with its reason."""

    case = models.ForeignKey(Case, verbose_name=_("个案"), on_delete=models.CASCADE, related_name="stage_events")
    from_stage = models.CharField(_("原阶段"), max_length=12, choices=Case.Stage.choices, blank=True)
    to_stage = models.CharField(_("新阶段"), max_length=12, choices=Case.Stage.choices)
    reason = models.CharField(_("原因"), max_length=1000, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("个案阶段变更")
        verbose_name_plural = _("个案阶段变更")
        ordering = ["case", "at", "id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(from_stage=models.F("to_stage")), name="case_event_moves"),
        ]

    def __str__(self) -> str:
        return f"{self.case} · {self.from_stage} → {self.to_stage}"


class CaseCrisis(models.Model):
    """危机: a crisis flag raised on a case (alerting the station head at once) and, later, cleared with a note."""

    class Kind(models.TextChoices):
        SELF_HARM = "self_harm", _("自伤自杀")
        DOMESTIC_VIOLENCE = "violence", _("家庭暴力")
        ABUSE = "abuse", _("虐待")
        OTHER = "other", _("其他")

    case = models.ForeignKey(Case, verbose_name=_("个案"), on_delete=models.CASCADE, related_name="crises")
    kind = models.CharField(_("危机类型"), max_length=12, choices=Kind.choices)
    note = models.CharField(_("情况说明"), max_length=2000)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("标记人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(_("标记时间"), auto_now_add=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("解除人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cleared_at = models.DateTimeField(_("解除时间"), null=True, blank=True)
    clear_note = models.CharField(_("解除说明"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("危机标记")
        verbose_name_plural = _("危机标记")
        ordering = ["case", "-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(cleared_at__isnull=True), name="case_one_open_crisis"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["self_harm", "violence", "abuse", "other"]), name="case_crisis_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(cleared_at__isnull=True) | ~models.Q(clear_note=""),
                name="case_crisis_cleared_with_note",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} · {self.get_kind_display()}"


class CaseReview(models.Model):
    """督导审阅: a supervisor's or station head's comment and decision on a case, at any stage."""

    class Decision(models.TextChoices):
        APPROVED = "approved", _("同意")
        REVISE = "revise", _("需修改")

    case = models.ForeignKey(Case, verbose_name=_("个案"), on_delete=models.CASCADE, related_name="reviews")
    stage = models.CharField(_("审阅时阶段"), max_length=12, choices=Case.Stage.choices)
    decision = models.CharField(_("审阅意见"), max_length=8, choices=Decision.choices)
    comment = models.TextField(_("审阅说明"), max_length=4000)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("审阅人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("审阅时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("督导审阅")
        verbose_name_plural = _("督导审阅")
        ordering = ["case", "-at", "-id"]
        indexes = [models.Index(fields=["case", "at"], name="case_review_case_at_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(decision__in=["approved", "revise"]), name="case_review_decision_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} · {self.get_decision_display()}"
