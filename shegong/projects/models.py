"""Government-purchased social work service projects (政府购买服务项目).

A project is bought by a department of a region (the purchaser) from a contractor agency (承接机构) for a service
period; it covers stations, is funded from one or more sources (seed 002: 财政预算 / 彩票公益金 / 社会捐赠 / 服务收费),
spends along budget lines (人员 / 活动 / 管理 / 其他), is staffed by a roster of social workers and promises outputs.
Its money and staffing rules (labour share, professionals, certified posts, package fee, station amount) are the
policy profile's in force where the purchaser is (shegong/policies/kinds/money.py); projects/rules.py reads the facts.

The lifecycle 立项 → 招标/评审 → 签约 → 执行 → 中期评估 → 末期评估 → 结项 moves only along Project.MOVES, each move a
ProjectStageEvent written by projects.services.project_move with its audit row.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from shegong.core.scope import DataScope

MONEY = {"max_digits": 14, "decimal_places": 2}


class Project(models.Model):
    """A government-purchased service project. The purchaser region decides which policy profile judges it."""

    class Stage(models.TextChoices):
        INITIATED = "initiated", _("立项")
        TENDERING = "tendering", _("招标/评审")
        CONTRACTED = "contracted", _("签约")
        EXECUTING = "executing", _("执行")
        MIDTERM = "midterm", _("中期评估")
        FINAL = "final", _("末期评估")
        CLOSED = "closed", _("结项")
        TERMINATED = "terminated", _("终止")

    # The allowed moves of the lifecycle. 招标 may fail (流标) and go back to 立项; a project may be terminated (终止)
    # early with a reason from any stage before 结项; 结项 and 终止 are final.
    MOVES: dict[str, tuple[str, ...]] = {
        Stage.INITIATED: (Stage.TENDERING, Stage.TERMINATED),
        Stage.TENDERING: (Stage.CONTRACTED, Stage.INITIATED, Stage.TERMINATED),
        Stage.CONTRACTED: (Stage.EXECUTING, Stage.TERMINATED),
        Stage.EXECUTING: (Stage.MIDTERM, Stage.TERMINATED),
        Stage.MIDTERM: (Stage.FINAL, Stage.TERMINATED),
        Stage.FINAL: (Stage.CLOSED, Stage.TERMINATED),
        Stage.CLOSED: (),
        Stage.TERMINATED: (),
    }
    # Stages at which the contract exists: the contractor and the contract date are required from 签约 on.
    CONTRACTED_STAGES = (Stage.CONTRACTED, Stage.EXECUTING, Stage.MIDTERM, Stage.FINAL, Stage.CLOSED)

    code = models.CharField(_("项目编号"), max_length=32, unique=True)
    name = models.CharField(_("项目名称"), max_length=200)
    purchaser_department = models.CharField(_("购买方（部门）"), max_length=200, help_text=_("如：广州市越秀区民政局"))
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("购买方所在区划"), on_delete=models.PROTECT, related_name="+"
    )
    # The province prefix rides on every large table (DESIGN.md §5, Citus); the services set it from the region.
    province_code = models.CharField(_("省级代码"), max_length=2, editable=False)
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("承接机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
    )
    contract_date = models.DateField(_("签约日期"), null=True, blank=True)
    start_date = models.DateField(_("服务期开始"))
    end_date = models.DateField(_("服务期结束"))
    total_funds = models.DecimalField(_("项目总经费（元）"), **MONEY)
    social_work_posts = models.PositiveIntegerField(
        _("社工岗位数"), default=0, help_text=_("合同约定的社会工作专业岗位数，用于整体打包费标准")
    )
    description = models.TextField(_("项目内容"), blank=True)
    stage = models.CharField(_("阶段"), max_length=12, choices=Stage.choices, default=Stage.INITIATED)
    stations = models.ManyToManyField(
        "stations.Station", verbose_name=_("覆盖站点"), through="ProjectStation", related_name="projects", blank=True
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

    data_scope = DataScope(region="region", agency="agency")

    class Meta:
        verbose_name = _("政府购买服务项目")
        verbose_name_plural = _("政府购买服务项目")
        ordering = ["-start_date", "code"]
        permissions = [
            ("move_project", _("推进项目阶段")),
            ("keep_delivery", _("维护项目人员、经费支出与执行情况")),
        ]
        indexes = [
            models.Index(fields=["region", "stage"], name="project_region_stage_idx"),
            models.Index(fields=["province_code", "region"], name="project_province_region_idx"),
            models.Index(fields=["agency", "stage"], name="project_agency_stage_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="project_period_ordered"),
            models.CheckConstraint(condition=Q(total_funds__gte=0), name="project_funds_not_negative"),
            models.CheckConstraint(
                condition=Q(
                    stage__in=[
                        "initiated",
                        "tendering",
                        "contracted",
                        "executing",
                        "midterm",
                        "final",
                        "closed",
                        "terminated",
                    ]
                ),
                name="project_stage_valid",
            ),
            # From 签约 on, the project has its contractor and its contract date.
            models.CheckConstraint(
                condition=~Q(stage__in=["contracted", "executing", "midterm", "final", "closed"])
                | Q(agency__isnull=False, contract_date__isnull=False),
                name="project_contracted_has_contractor",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ProjectStageEvent(models.Model):
    """One move of a project's lifecycle, with who made it and why."""

    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="stage_events")
    from_stage = models.CharField(_("原阶段"), max_length=12, choices=Project.Stage.choices, blank=True)
    to_stage = models.CharField(_("新阶段"), max_length=12, choices=Project.Stage.choices)
    effective_on = models.DateField(_("生效日期"))
    reason = models.CharField(_("说明"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    data_scope = DataScope(region="project__region", agency="project__agency")

    class Meta:
        verbose_name = _("项目阶段记录")
        verbose_name_plural = _("项目阶段记录")
        ordering = ["project", "-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.project} · {self.get_to_stage_display()} · {self.effective_on}"


class ProjectStation(models.Model):
    """A station the project covers (a 社工站项目 covers one or more stations)."""

    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="covered")
    station = models.ForeignKey(
        "stations.Station", verbose_name=_("站点"), on_delete=models.PROTECT, related_name="project_links"
    )

    data_scope = DataScope(region="project__region", agency="project__agency")

    class Meta:
        verbose_name = _("项目覆盖站点")
        verbose_name_plural = _("项目覆盖站点")
        ordering = ["project", "station"]
        constraints = [models.UniqueConstraint(fields=["project", "station"], name="project_station_unique")]

    def __str__(self) -> str:
        return f"{self.project} · {self.station}"


class FundingSource(models.Model):
    """How much of the project's funds comes from one source (seed 002)."""

    class Source(models.TextChoices):
        FISCAL = "fiscal", _("财政预算")
        LOTTERY = "lottery", _("彩票公益金")
        DONATION = "donation", _("社会捐赠")
        FEES = "fees", _("服务收费")

    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="funding")
    source = models.CharField(_("资金来源"), max_length=10, choices=Source.choices)
    amount = models.DecimalField(_("金额（元）"), **MONEY)

    data_scope = DataScope(region="project__region", agency="project__agency")

    class Meta:
        verbose_name = _("资金来源")
        verbose_name_plural = _("资金来源")
        ordering = ["project", "source"]
        constraints = [
            models.UniqueConstraint(fields=["project", "source"], name="funding_source_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="funding_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(source__in=["fiscal", "lottery", "donation", "fees"]), name="funding_source_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.get_source_display()}"


class BudgetLine(models.Model):
    """A budget line of the project, planned and spent. 人员 is the labour (personnel) cost the money rules judge."""

    class Category(models.TextChoices):
        PERSONNEL = "personnel", _("人员经费")
        ACTIVITY = "activity", _("活动经费")
        ADMIN = "admin", _("管理经费")
        OTHER = "other", _("其他")

    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="budget")
    category = models.CharField(_("预算科目"), max_length=10, choices=Category.choices)
    planned = models.DecimalField(_("预算金额（元）"), **MONEY)
    spent = models.DecimalField(_("已支出（元）"), default=0, **MONEY)

    data_scope = DataScope(region="project__region", agency="project__agency")

    class Meta:
        verbose_name = _("预算科目")
        verbose_name_plural = _("预算科目")
        ordering = ["project", "category"]
        constraints = [
            models.UniqueConstraint(fields=["project", "category"], name="budget_line_unique"),
            models.CheckConstraint(condition=Q(planned__gte=0, spent__gte=0), name="budget_line_not_negative"),
            models.CheckConstraint(
                condition=Q(category__in=["personnel", "activity", "admin", "other"]), name="budget_category_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.get_category_display()}"


class ProjectStaff(models.Model):
    """A member of the project's staff roster (项目人员), for a period."""

    class Role(models.TextChoices):
        LEAD = "lead", _("项目主管")
        SOCIAL_WORKER = "social_worker", _("项目社工")
        SUPERVISOR = "supervisor", _("督导")
        ASSISTANT = "assistant", _("社工助理")
        FINANCE = "finance", _("财务人员")
        OTHER = "other", _("其他人员")

    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="staff")
    worker = models.ForeignKey(
        "workers.SocialWorker", verbose_name=_("人员"), on_delete=models.PROTECT, related_name="project_posts"
    )
    role = models.CharField(_("项目角色"), max_length=16, choices=Role.choices)
    is_full_time = models.BooleanField(_("专职"), default=True)
    is_social_work_post = models.BooleanField(
        _("社工专业岗位"), default=True, help_text=_("计入“社工专业岗位持证比例”和整体打包费标准的岗位")
    )
    start_date = models.DateField(_("起始日期"))
    end_date = models.DateField(_("结束日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    data_scope = DataScope(region="project__region", agency="project__agency")

    class Meta:
        verbose_name = _("项目人员")
        verbose_name_plural = _("项目人员")
        ordering = ["project", "start_date", "id"]
        indexes = [models.Index(fields=["worker", "start_date"], name="project_staff_worker_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")), name="project_staff_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.worker} · {self.get_role_display()}"


class PlannedOutput(models.Model):
    """An output the project promises (计划产出): service person-times, cases, groups or activities, by domain."""

    class Measure(models.TextChoices):
        PERSON_TIMES = "person_times", _("服务人次")
        CASES = "cases", _("个案数")
        GROUPS = "groups", _("小组数")
        ACTIVITIES = "activities", _("社区活动数")

    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="outputs")
    measure = models.CharField(_("产出指标"), max_length=16, choices=Measure.choices)
    domain = models.CharField(
        _("服务领域"), max_length=50, blank=True, help_text=_("字典 service_domain 的代码；留空表示不分领域")
    )
    planned = models.PositiveIntegerField(_("计划数"))

    data_scope = DataScope(region="project__region", agency="project__agency")

    class Meta:
        verbose_name = _("计划产出")
        verbose_name_plural = _("计划产出")
        ordering = ["project", "measure", "domain"]
        constraints = [
            models.UniqueConstraint(fields=["project", "measure", "domain"], name="planned_output_unique"),
            models.CheckConstraint(
                condition=Q(measure__in=["person_times", "cases", "groups", "activities"]),
                name="planned_output_measure_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.get_measure_display()}"
