"""Inspections and rectification (督查 / 整改).

Seed 003 (广州): "通过定期抽查与随机暗访形式每季度对全市社工站进行实地督查。推动社工站完成安全管理、标准化建设、
特殊困难人群服务…等方面的问题整改。开展专项检查。"

A region's bureau plans a round per quarter (InspectionPlan) and visits each target once (Inspection: one station or
one agency). It records a result per checklist area (ChecklistResult, areas from the dictionary
`inspection_checklist`) and its findings (Finding, with photos or files). A finding leads to rectification items
(RectificationItem) owned by the station or agency responsible, answered with evidence (RectificationEvidence) and
reviewed by the bureau until closed (销号).

Plans and inspections are the bureau's: a 随机暗访 must not be seen by the station it will visit. Rectification items
are also seen by their owner (scoping: selectors.item_scope_q).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shegong.agencies.fields import ProvinceCodeField
from shegong.core.scope import DataScope

CHECKLIST_DICTIONARY = "inspection_checklist"


class InspectionPlan(models.Model):
    """A region's inspection round for one quarter of a year (a year's plan is four quarterly rounds)."""

    class Kind(models.TextChoices):
        ROUTINE = "routine", _("定期抽查")
        UNANNOUNCED = "unannounced", _("随机暗访")
        SPECIAL = "special", _("专项检查")

    region = models.ForeignKey("regions.Region", verbose_name=_("组织区划"), on_delete=models.PROTECT, related_name="+")
    province_code = ProvinceCodeField(_("省级代码"), source="region")
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    kind = models.CharField(_("督查方式"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("名称"), max_length=200)
    checklist = models.JSONField(_("检查项目"), default=list, help_text=_("字典 inspection_checklist 的代码"))
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("督查人员"), related_name="inspection_plans", blank=True
    )
    notes = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    data_scope = DataScope(region="region")

    class Meta:
        verbose_name = _("督查计划")
        verbose_name_plural = _("督查计划")
        ordering = ["-year", "-quarter", "region", "kind", "title"]
        constraints = [
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="inspection_plan_quarter_valid"),
            models.CheckConstraint(
                condition=Q(kind__in=["routine", "unannounced", "special"]), name="inspection_plan_kind_valid"
            ),
            models.UniqueConstraint(
                fields=["region", "year", "quarter", "kind", "title"], name="inspection_plan_unique_round"
            ),
        ]
        indexes = [models.Index(fields=["province_code", "region", "year"], name="inspection_plan_region_idx")]

    def __str__(self) -> str:
        return f"{self.title}（{self.year}年第{self.quarter}季度）"


class Inspection(models.Model):
    """One visit of a plan to one target: a station or an agency. Done inspections are locked (corrections only)."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("待督查")
        DONE = "done", _("已完成")

    plan = models.ForeignKey(
        InspectionPlan, verbose_name=_("督查计划"), on_delete=models.PROTECT, related_name="visits"
    )
    station = models.ForeignKey(
        "stations.Station", verbose_name=_("站点"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("机构"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("关联项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The target's region, copied when the target is added: lists filter by prefix without joining the target.
    region = models.ForeignKey("regions.Region", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+")
    province_code = ProvinceCodeField(_("省级代码"), source="region")
    scheduled_on = models.DateField(_("计划日期"), null=True, blank=True)
    visited_on = models.DateField(_("督查日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("督查人员"), related_name="inspections", blank=True
    )
    summary = models.TextField(_("督查意见"), blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("完成人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    data_scope = DataScope(region="region")

    class Meta:
        verbose_name = _("督查")
        verbose_name_plural = _("督查")
        ordering = ["-visited_on", "-scheduled_on", "-id"]
        permissions = [("correct_inspection", _("更正已完成的督查"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(station__isnull=False, agency__isnull=True) | Q(station__isnull=True, agency__isnull=False),
                name="inspection_one_target",
            ),
            models.CheckConstraint(condition=Q(status__in=["planned", "done"]), name="inspection_status_valid"),
            models.CheckConstraint(
                condition=Q(status="planned") | Q(visited_on__isnull=False), name="inspection_done_has_date"
            ),
            models.UniqueConstraint(
                fields=["plan", "station"], condition=Q(station__isnull=False), name="inspection_station_once_per_plan"
            ),
            models.UniqueConstraint(
                fields=["plan", "agency"], condition=Q(agency__isnull=False), name="inspection_agency_once_per_plan"
            ),
        ]
        indexes = [models.Index(fields=["province_code", "region", "status"], name="inspection_region_idx")]

    def __str__(self) -> str:
        return f"{self.target} · {self.plan.title}"

    @property
    def target(self):
        return self.station if self.station_id else self.agency

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.DONE


class ChecklistResult(models.Model):
    """The result of one checklist area (检查项目) at one inspection."""

    class Result(models.TextChoices):
        CONFORM = "conform", _("符合")
        PARTLY = "partly", _("基本符合")
        NONCONFORM = "nonconform", _("不符合")

    inspection = models.ForeignKey(Inspection, verbose_name=_("督查"), on_delete=models.CASCADE, related_name="results")
    area = models.CharField(_("检查项目"), max_length=50, help_text=_("字典 inspection_checklist 的代码"))
    result = models.CharField(_("结果"), max_length=12, choices=Result.choices)
    notes = models.TextField(_("情况记录"), blank=True)

    data_scope = DataScope(region="inspection__region")

    class Meta:
        verbose_name = _("检查结果")
        verbose_name_plural = _("检查结果")
        ordering = ["inspection", "id"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "area"], name="checklist_result_once_per_area"),
            models.CheckConstraint(
                condition=Q(result__in=["conform", "partly", "nonconform"]), name="checklist_result_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area} · {self.get_result_display()}"


class Finding(models.Model):
    """A problem found at an inspection (督查发现的问题)."""

    class Severity(models.TextChoices):
        MINOR = "minor", _("一般")
        MAJOR = "major", _("较重")
        SERIOUS = "serious", _("严重")

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("督查"), on_delete=models.PROTECT, related_name="findings"
    )
    area = models.CharField(_("检查项目"), max_length=50, blank=True)
    description = models.TextField(_("问题描述"))
    severity = models.CharField(_("严重程度"), max_length=10, choices=Severity.choices, default=Severity.MINOR)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    data_scope = DataScope(region="inspection__region")

    class Meta:
        verbose_name = _("督查发现")
        verbose_name_plural = _("督查发现")
        ordering = ["inspection", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(severity__in=["minor", "major", "serious"]), name="finding_severity_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.description[:40]


class RectificationItem(models.Model):
    """整改事项: what the owner (a station or an agency) must put right by a deadline. Overdue = past the deadline and
    not closed (selectors.overdue_q)."""

    class Status(models.TextChoices):
        OPEN = "open", _("待整改")
        SUBMITTED = "submitted", _("待审核")
        RETURNED = "returned", _("已退回")
        CLOSED = "closed", _("已销号")

    # 待整改 → 待审核 (the owner submits evidence) → 已销号 (the bureau passes it) or 已退回 (back to the owner, with a
    # reason) → 待审核 … Closed is final.
    MOVES: dict[str, tuple[str, ...]] = {
        Status.OPEN: (Status.SUBMITTED,),
        Status.RETURNED: (Status.SUBMITTED,),
        Status.SUBMITTED: (Status.CLOSED, Status.RETURNED),
        Status.CLOSED: (),
    }

    finding = models.ForeignKey(Finding, verbose_name=_("督查发现"), on_delete=models.PROTECT, related_name="items")
    inspection = models.ForeignKey(Inspection, verbose_name=_("督查"), on_delete=models.PROTECT, related_name="items")
    owner_station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("责任站点"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rectification_items",
    )
    owner_agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("责任机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rectification_items",
    )
    # The owner's region, copied when the item is created (lists filter by prefix, the province rides along).
    region = models.ForeignKey("regions.Region", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+")
    province_code = ProvinceCodeField(_("省级代码"), source="region")
    responsible_person = models.CharField(_("责任人"), max_length=50, blank=True)
    required_action = models.TextField(_("整改要求"))
    deadline = models.DateField(_("整改期限"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    return_reason = models.TextField(_("退回原因"), blank=True)
    closed_on = models.DateField(_("销号日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("下发人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("下发时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    data_scope = DataScope(region="region", agency="owner_agency")

    class Meta:
        verbose_name = _("整改事项")
        verbose_name_plural = _("整改事项")
        ordering = ["deadline", "id"]
        permissions = [
            ("answer_rectificationitem", _("提交整改材料")),
            ("review_rectificationitem", _("审核整改")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner_station__isnull=False, owner_agency__isnull=True)
                | Q(owner_station__isnull=True, owner_agency__isnull=False),
                name="rectification_one_owner",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["open", "submitted", "returned", "closed"]), name="rectification_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="closed", closed_on__isnull=False)
                | (~Q(status="closed") & Q(closed_on__isnull=True)),
                name="rectification_closed_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(return_reason=""), name="rectification_returned_has_reason"
            ),
        ]
        indexes = [
            # The overdue list of a whole province: open items by deadline, then a range of region codes.
            models.Index(fields=["province_code", "status", "deadline", "region"], name="rectification_overdue_idx"),
            models.Index(fields=["region", "deadline"], name="rectification_region_idx"),
            models.Index(fields=["owner_station", "status"], name="rectification_station_idx"),
            models.Index(fields=["owner_agency", "status"], name="rectification_agency_idx"),
        ]

    def __str__(self) -> str:
        return self.required_action[:40]

    @property
    def owner(self):
        return self.owner_station if self.owner_station_id else self.owner_agency

    def is_overdue(self, day) -> bool:
        return self.status != self.Status.CLOSED and self.deadline < day


class RectificationEvidence(models.Model):
    """One submission of evidence by the owner and the bureau's decision on it."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("待审核")
        PASSED = "passed", _("通过")
        RETURNED = "returned", _("退回")

    item = models.ForeignKey(
        RectificationItem, verbose_name=_("整改事项"), on_delete=models.PROTECT, related_name="evidence"
    )
    text = models.TextField(_("整改情况"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    decision = models.CharField(_("审核结果"), max_length=10, choices=Decision.choices, default=Decision.PENDING)
    review_note = models.TextField(_("审核意见"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    data_scope = DataScope(region="item__region", agency="item__owner_agency")

    class Meta:
        verbose_name = _("整改材料")
        verbose_name_plural = _("整改材料")
        ordering = ["item", "submitted_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision__in=["pending", "passed", "returned"]), name="evidence_decision_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.text[:40]


def attachment_path(instance, filename: str) -> str:
    # Never the uploaded name (it may hold anything): a random name under the month, the extension kept.
    import uuid

    from django.utils import timezone

    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"inspections/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"


class Attachment(models.Model):
    """A photo or file of a finding or of rectification evidence, in the default storage (MEDIA, never served
    directly: downloaded only through views.attachment, which checks the parent is in the viewer's scope)."""

    finding = models.ForeignKey(
        Finding, verbose_name=_("督查发现"), null=True, blank=True, on_delete=models.PROTECT, related_name="files"
    )
    evidence = models.ForeignKey(
        RectificationEvidence,
        verbose_name=_("整改材料"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="files",
    )
    region = models.ForeignKey("regions.Region", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+")
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=200)
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    data_scope = DataScope(region="region")

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(finding__isnull=False, evidence__isnull=True)
                | Q(finding__isnull=True, evidence__isnull=False),
                name="attachment_one_parent",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class InspectionCorrection(models.Model):
    """A correction of a done (locked) inspection: what changed, why and by whom (also in the audit log)."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("督查"), on_delete=models.PROTECT, related_name="corrections"
    )
    reason = models.TextField(_("更正原因"))
    changes = models.JSONField(_("更正内容"), default=dict)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("更正人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    corrected_at = models.DateTimeField(_("更正时间"), auto_now_add=True)

    data_scope = DataScope(region="inspection__region")

    class Meta:
        verbose_name = _("督查更正")
        verbose_name_plural = _("督查更正")
        ordering = ["inspection", "corrected_at", "id"]
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="inspection_correction_has_reason")]

    def __str__(self) -> str:
        return f"{self.inspection} · {self.corrected_at:%Y-%m-%d}"
