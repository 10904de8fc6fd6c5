"""Evaluations of government-purchased projects (项目评估).

Seed 003 (广州, 穗民规字〔2019〕11号 / 穗民〔2019〕293号): each service year a station project gets a mid-term
evaluation (专业服务评估, including the purchaser's and the supervisor's assessment) and a final
one (专业服务评估 + 财务评估), by document review, questionnaires, phone interviews and site visits
(资料分析、问卷调查、电访面谈、实地察看); satisfaction is gathered from the purchaser, the supervisor (区、镇街),
partners (村居委、企业) and recipients, all scored.

- EvaluationTemplate (评估指标体系): an indicator tree dimension → indicator → item (IndicatorNode); siblings' weights
  add up to 100; rater groups (RaterGroup) with weights adding up to 100 and the items each scores; grade bands.
  A template used by an evaluation is frozen (copied to be changed).
- Evaluation: one project, one template of the same kind; 草稿 → 评分中 → 已完成 → 已发布 (Evaluation.MOVES).
- EvaluatorAssignment: an evaluator in a rater group, with their scoring form (ItemScore per item, Evidence files,
  ScoreCorrection after submission).
- Survey / SurveyToken / SurveyResponse: the anonymous satisfaction questionnaires of recipients and partners, one
  answer per token; their results are the 服务对象 / 合作方 groups' scores.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shegong.core.scope import DataScope

WEIGHT = {"max_digits": 5, "decimal_places": 2}
POINTS = {"max_digits": 6, "decimal_places": 2}


class EvaluationKind(models.TextChoices):
    MIDTERM = "midterm", _("中期评估")
    FINAL = "final", _("末期评估")


class EvaluationTemplate(models.Model):
    """An indicator system (评估指标体系) of one kind, owned by a region (national when null)."""

    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("评估类型"), max_length=8, choices=EvaluationKind.choices)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("所属区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("留空表示全国通用"),
    )
    preset = models.CharField(_("预置代码"), max_length=40, blank=True, editable=False)
    description = models.TextField(_("说明"), blank=True)
    source_text = models.TextField(_("依据"), blank=True)
    # [{"label": "优秀", "minimum": "90"}, …], highest first; the last band's minimum is 0.
    bands = models.JSONField(_("等级划分"), default=list)
    copied_from = models.ForeignKey(
        "self", verbose_name=_("复制自"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    # National templates (no region) are read by everyone who may read templates (selectors.templates_visible).
    data_scope = DataScope(region="region")

    class Meta:
        verbose_name = _("评估指标体系")
        verbose_name_plural = _("评估指标体系")
        ordering = ["kind", "name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["midterm", "final"]), name="evaluation_template_kind_valid"),
            models.UniqueConstraint(fields=["preset"], condition=~Q(preset=""), name="evaluation_template_preset_once"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_kind_display()}）"


class IndicatorNode(models.Model):
    """A node of the indicator tree: a dimension (一级), an indicator (二级) or a scored item (评分项)."""

    class Level(models.IntegerChoices):
        DIMENSION = 1, _("维度")
        INDICATOR = 2, _("指标")
        ITEM = 3, _("评分项")

    class Method(models.TextChoices):
        DOCUMENTS = "documents", _("资料分析")
        QUESTIONNAIRE = "questionnaire", _("问卷")
        INTERVIEW = "interview", _("电访面谈")
        SITE_VISIT = "site_visit", _("实地察看")

    template = models.ForeignKey(
        EvaluationTemplate, verbose_name=_("指标体系"), on_delete=models.CASCADE, related_name="nodes"
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    level = models.PositiveSmallIntegerField(_("层级"), choices=Level.choices)
    position = models.PositiveIntegerField(_("顺序"), default=0)
    name = models.CharField(_("名称"), max_length=200)
    weight = models.DecimalField(_("权重（%）"), **WEIGHT, help_text=_("同一上级下各项权重之和为 100"))
    # Items only: the scale is max_points, or a list of levels [{"label": "好", "points": "10"}, …] (max = the highest).
    max_points = models.DecimalField(_("满分"), null=True, blank=True, **POINTS)
    levels = models.JSONField(_("评分等级"), default=list, blank=True)
    method = models.CharField(_("评估方法"), max_length=16, choices=Method.choices, blank=True)
    guidance = models.TextField(_("评分说明"), blank=True)

    data_scope = DataScope(region="template__region")

    class Meta:
        verbose_name = _("评估指标")
        verbose_name_plural = _("评估指标")
        ordering = ["template", "level", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(weight__gte=0, weight__lte=100), name="indicator_weight_range"),
            models.CheckConstraint(condition=Q(level__in=[1, 2, 3]), name="indicator_level_valid"),
            models.CheckConstraint(condition=~Q(level=3) | Q(max_points__gt=0), name="indicator_item_has_scale"),
            models.CheckConstraint(
                condition=Q(level=1, parent__isnull=True) | Q(level__gt=1, parent__isnull=False),
                name="indicator_parent_by_level",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_item(self) -> bool:
        return self.level == self.Level.ITEM


class RaterGroup(models.Model):
    """A rater group of a template (购买方, 监管方 …), its weight in the overall score and the items it scores.

    The 服务对象 and 合作方 groups are scored by the satisfaction surveys; the others by assigned evaluators."""

    class Kind(models.TextChoices):
        PURCHASER = "purchaser", _("购买方")
        SUPERVISOR = "supervisor", _("监管方")
        PARTNER = "partner", _("合作方")
        RECIPIENT = "recipient", _("服务对象")
        EXPERT = "expert", _("专家")
        FINANCE = "finance", _("财务专家")

    SURVEY_KINDS = (Kind.RECIPIENT, Kind.PARTNER)
    EVALUATOR_KINDS = (Kind.EXPERT, Kind.FINANCE)
    BUREAU_KINDS = (Kind.PURCHASER, Kind.SUPERVISOR)

    template = models.ForeignKey(
        EvaluationTemplate, verbose_name=_("指标体系"), on_delete=models.CASCADE, related_name="groups"
    )
    kind = models.CharField(_("评分主体"), max_length=12, choices=Kind.choices)
    weight = models.DecimalField(_("权重（%）"), **WEIGHT)
    items = models.ManyToManyField(IndicatorNode, verbose_name=_("评分项"), related_name="rater_groups", blank=True)

    data_scope = DataScope(region="template__region")

    class Meta:
        verbose_name = _("评分主体")
        verbose_name_plural = _("评分主体")
        ordering = ["template", "id"]
        constraints = [
            models.UniqueConstraint(fields=["template", "kind"], name="rater_group_once_per_template"),
            models.CheckConstraint(condition=Q(weight__gte=0, weight__lte=100), name="rater_group_weight_range"),
        ]

    def __str__(self) -> str:
        return f"{self.template.name} · {self.get_kind_display()}"

    @property
    def by_survey(self) -> bool:
        return self.kind in self.SURVEY_KINDS


class Evaluation(models.Model):
    """An evaluation (中期 or 末期) of a project from a template of the same kind."""

    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SCORING = "scoring", _("评分中")
        COMPLETED = "completed", _("已完成")
        PUBLISHED = "published", _("已发布")

    # 草稿 → 评分中 (evaluators assigned) → 已完成 (every form submitted, totals and grade fixed) → 已发布 (shown to
    # the contractor). Back from 评分中 to 草稿 only while no form is submitted (services.evaluation_move).
    MOVES: dict[str, tuple[str, ...]] = {
        State.DRAFT: (State.SCORING,),
        State.SCORING: (State.DRAFT, State.COMPLETED),
        State.COMPLETED: (State.PUBLISHED,),
        State.PUBLISHED: (),
    }

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("项目"), on_delete=models.PROTECT, related_name="evaluations"
    )
    template = models.ForeignKey(
        EvaluationTemplate, verbose_name=_("指标体系"), on_delete=models.PROTECT, related_name="evaluations"
    )
    kind = models.CharField(_("评估类型"), max_length=8, choices=EvaluationKind.choices)
    title = models.CharField(_("标题"), max_length=200)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.DRAFT)
    due_on = models.DateField(_("评分截止日期"), null=True, blank=True)
    total = models.DecimalField(_("总分"), null=True, blank=True, **POINTS)
    grade = models.CharField(_("等级"), max_length=20, blank=True)
    # {"expert": "86.50", …}: each group's score out of 100, fixed with the total at completion.
    group_scores = models.JSONField(_("各评分主体得分"), default=dict, blank=True)
    summary = models.TextField(_("评估结论"), blank=True)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    # Bureaus see their region's evaluations; an evaluator their own (owner); the contractor's published ones
    # (selectors.visible_q narrows the agency path to 已发布).
    data_scope = DataScope(region="project__region", agency="project__agency", owner="assignments__evaluator")

    class Meta:
        verbose_name = _("项目评估")
        verbose_name_plural = _("项目评估")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("organise_evaluation", _("组织评估、分配评估人员、发放问卷")),
            ("score_evaluation", _("为分配给自己的评估评分")),
            ("view_evaluation_result", _("查看本机构项目已发布的评估结果")),
        ]
        indexes = [
            models.Index(fields=["project", "kind", "state"], name="evaluation_project_kind_idx"),
            models.Index(fields=["state"], name="evaluation_state_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["draft", "scoring", "completed", "published"]), name="evaluation_state_valid"
            ),
            models.CheckConstraint(condition=Q(kind__in=["midterm", "final"]), name="evaluation_kind_valid"),
            models.CheckConstraint(
                condition=Q(state__in=["draft", "scoring"]) | Q(total__isnull=False, completed_at__isnull=False),
                name="evaluation_completed_has_total",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class EvaluatorAssignment(models.Model):
    """An evaluator in one rater group of an evaluation, and their scoring form (评分表)."""

    class State(models.TextChoices):
        DRAFT = "draft", _("填写中")
        SUBMITTED = "submitted", _("已提交")

    evaluation = models.ForeignKey(
        Evaluation, verbose_name=_("评估"), on_delete=models.CASCADE, related_name="assignments"
    )
    group = models.ForeignKey(RaterGroup, verbose_name=_("评分主体"), on_delete=models.PROTECT, related_name="+")
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("评估人员"), on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.DRAFT)
    comment = models.TextField(_("总体意见"), blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("分配人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assigned_at = models.DateTimeField(_("分配时间"), auto_now_add=True)

    data_scope = DataScope(
        region="evaluation__project__region", agency="evaluation__project__agency", owner="evaluator"
    )

    class Meta:
        verbose_name = _("评估人员与评分表")
        verbose_name_plural = _("评估人员与评分表")
        ordering = ["evaluation", "group", "id"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "evaluator"], name="evaluator_once_per_evaluation"),
            models.CheckConstraint(condition=Q(state__in=["draft", "submitted"]), name="assignment_state_valid"),
            models.CheckConstraint(
                condition=Q(state="draft") | Q(submitted_at__isnull=False), name="assignment_submitted_has_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.evaluation} · {self.group.get_kind_display()} · {self.evaluator}"

    @property
    def locked(self) -> bool:
        return self.state == self.State.SUBMITTED


class ItemScore(models.Model):
    """One item's score on one scoring form, with the evaluator's comment."""

    assignment = models.ForeignKey(
        EvaluatorAssignment, verbose_name=_("评分表"), on_delete=models.CASCADE, related_name="scores"
    )
    item = models.ForeignKey(IndicatorNode, verbose_name=_("评分项"), on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(_("得分"), **POINTS)
    comment = models.TextField(_("评语"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    data_scope = DataScope(
        region="assignment__evaluation__project__region",
        agency="assignment__evaluation__project__agency",
        owner="assignment__evaluator",
    )

    class Meta:
        verbose_name = _("评分")
        verbose_name_plural = _("评分")
        ordering = ["assignment", "item__position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "item"], name="item_score_once_per_form"),
            models.CheckConstraint(condition=Q(score__gte=0), name="item_score_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.item} = {self.score}"


class ScoreCorrection(models.Model):
    """A change to a submitted score: the old and the new values, why, who and when (also in the audit log)."""

    score = models.ForeignKey(ItemScore, verbose_name=_("评分"), on_delete=models.CASCADE, related_name="corrections")
    old_score = models.DecimalField(_("原得分"), **POINTS)
    new_score = models.DecimalField(_("新得分"), **POINTS)
    old_comment = models.TextField(_("原评语"), blank=True)
    new_comment = models.TextField(_("新评语"), blank=True)
    reason = models.CharField(_("更正原因"), max_length=300)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("更正人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    corrected_at = models.DateTimeField(_("更正时间"), auto_now_add=True)

    data_scope = DataScope(
        region="score__assignment__evaluation__project__region",
        agency="score__assignment__evaluation__project__agency",
        owner="score__assignment__evaluator",
    )

    class Meta:
        verbose_name = _("评分更正")
        verbose_name_plural = _("评分更正")
        ordering = ["score", "corrected_at", "id"]
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="score_correction_has_reason")]

    def __str__(self) -> str:
        return f"{self.score.item}: {self.old_score} → {self.new_score}"


def evidence_path(instance, filename: str) -> str:
    """A random name under evaluations/evidence/: the original name is kept in the row, never in the path."""
    import os
    import secrets

    extension = os.path.splitext(filename)[1].lower()[:10]
    return f"evaluations/evidence/{secrets.token_hex(16)}{extension}"


class Evidence(models.Model):
    """A file an evaluator attaches to an item's score. Stored by the default storage (never served publicly) and
    downloaded only through a scoped view."""

    score = models.ForeignKey(ItemScore, verbose_name=_("评分"), on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("文件"), upload_to=evidence_path, max_length=200)
    original_name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小（字节）"))
    content_type = models.CharField(_("类型"), max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    data_scope = DataScope(
        region="score__assignment__evaluation__project__region",
        agency="score__assignment__evaluation__project__agency",
        owner="score__assignment__evaluator",
    )

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["score", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class Survey(models.Model):
    """A satisfaction questionnaire (满意度调查) of one audience for one evaluation: Likert questions (1–5)."""

    class Audience(models.TextChoices):
        RECIPIENT = "recipient", _("服务对象")
        PARTNER = "partner", _("合作方")

    evaluation = models.ForeignKey(Evaluation, verbose_name=_("评估"), on_delete=models.CASCADE, related_name="surveys")
    audience = models.CharField(_("调查对象"), max_length=10, choices=Audience.choices)
    title = models.CharField(_("标题"), max_length=200)
    questions = models.JSONField(_("题目"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    data_scope = DataScope(region="evaluation__project__region", agency="evaluation__project__agency")

    class Meta:
        verbose_name = _("满意度调查")
        verbose_name_plural = _("满意度调查")
        ordering = ["evaluation", "audience"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "audience"], name="survey_once_per_audience"),
            models.CheckConstraint(condition=Q(audience__in=["recipient", "partner"]), name="survey_audience_valid"),
        ]

    def __str__(self) -> str:
        return self.title


class SurveyToken(models.Model):
    """A one-time link `/q/<token>/` (and its QR code). Consumed atomically by the first answer."""

    survey = models.ForeignKey(Survey, verbose_name=_("调查"), on_delete=models.CASCADE, related_name="tokens")
    token = models.CharField(_("令牌"), max_length=32, unique=True)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    data_scope = DataScope(region="survey__evaluation__project__region", agency="survey__evaluation__project__agency")

    class Meta:
        verbose_name = _("问卷链接")
        verbose_name_plural = _("问卷链接")
        ordering = ["survey", "id"]

    def __str__(self) -> str:
        return self.token[:6] + "…"


class SurveyResponse(models.Model):
    """One anonymous answer: the Likert values in question order and an optional comment. No personal data."""

    token = models.OneToOneField(SurveyToken, verbose_name=_("令牌"), on_delete=models.CASCADE, related_name="response")
    survey = models.ForeignKey(Survey, verbose_name=_("调查"), on_delete=models.CASCADE, related_name="responses")
    answers = models.JSONField(_("回答"), default=list)
    comment = models.TextField(_("意见建议"), blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    data_scope = DataScope(region="survey__evaluation__project__region", agency="survey__evaluation__project__agency")

    class Meta:
        verbose_name = _("问卷回答")
        verbose_name_plural = _("问卷回答")
        ordering = ["survey", "submitted_at", "id"]

    def __str__(self) -> str:
        return f"{self.survey} #{self.pk}"
