"""Community charity donation points (社区慈善捐赠站点): a station that receives donations, what it received and
where it went.

Money (yuan, Decimal) and donations in kind (items, quantity, estimated value in yuan) are tracked separately. A
donation is either 定向 (to a named purpose) or 非定向; an allocation takes from one kind and one purpose of its point
and never more than that point received of it (checked under the point's row lock, see services). Receipt numbers are
sequential per point (a counter on the point, advanced under the same lock) and unique.

The donor may be anonymous (then no name: a database constraint); the donor's phone is encrypted and never shown in a
list, an export, the API or the public page. An allocation to a person names a recipient in the actor's scope; a
recipient whose consent is withdrawn disappears from the allocation lists (the sums keep the money, which was spent).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shegong.core.fields import EncryptedCharField
from shegong.core.scope import DataScope

ZERO = Decimal("0")


class Kind(models.TextChoices):
    MONEY = "money", _("善款")
    GOODS = "goods", _("物资")


class PurposeKind(models.TextChoices):
    UNDIRECTED = "undirected", _("非定向")
    DIRECTED = "directed", _("定向")


class CharityPoint(models.Model):
    """A station that receives donations (one point per station)."""

    class Status(models.TextChoices):
        OPEN = "open", _("运营中")
        SUSPENDED = "suspended", _("暂停")
        CLOSED = "closed", _("已关闭")

    station = models.OneToOneField(
        "stations.Station", verbose_name=_("站点"), on_delete=models.PROTECT, related_name="charity_point"
    )
    opened_on = models.DateField(_("设立日期"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.OPEN)
    public_note = models.CharField(_("公开说明"), max_length=500, blank=True, help_text=_("显示在公开页面上"))
    last_receipt_number = models.PositiveIntegerField(_("最后收据序号"), default=0, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    data_scope = DataScope(region="station__region", agency="station__agency")

    class Meta:
        verbose_name = _("慈善捐赠站点")
        verbose_name_plural = _("慈善捐赠站点")
        ordering = ["station__code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["open", "suspended", "closed"]), name="charity_point_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return str(self.station.name)


class Donation(models.Model):
    """One donation received at a point, with its receipt (收据) number."""

    point = models.ForeignKey(
        CharityPoint, verbose_name=_("捐赠站点"), on_delete=models.PROTECT, related_name="donations"
    )
    sequence = models.PositiveIntegerField(_("收据序号"), editable=False)
    receipt_number = models.CharField(_("收据编号"), max_length=40, unique=True, editable=False)
    received_on = models.DateField(_("接收日期"))
    kind = models.CharField(_("捐赠类型"), max_length=8, choices=Kind.choices)
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    items = models.CharField(_("物资名称"), max_length=200, blank=True)
    quantity = models.PositiveIntegerField(_("数量"), null=True, blank=True)
    estimated_value = models.DecimalField(_("估值（元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    anonymous = models.BooleanField(_("匿名捐赠"), default=False)
    donor_name = models.CharField(_("捐赠人"), max_length=100, blank=True)
    donor_phone = EncryptedCharField(_("捐赠人电话"), kind="phone", blank=True)
    purpose_kind = models.CharField(_("用途类型"), max_length=12, choices=PurposeKind.choices)
    purpose = models.CharField(_("定向用途"), max_length=200, blank=True)
    handler = models.CharField(_("经办人"), max_length=50)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    data_scope = DataScope(region="point__station__region", agency="point__station__agency")

    class Meta:
        verbose_name = _("捐赠")
        verbose_name_plural = _("捐赠")
        ordering = ["-received_on", "-sequence"]
        indexes = [models.Index(fields=["point", "received_on"], name="charity_donation_point_day_idx")]
        constraints = [
            models.UniqueConstraint(fields=["point", "sequence"], name="charity_donation_sequence_unique"),
            models.CheckConstraint(
                condition=Q(anonymous=False, donor_name__gt="") | Q(anonymous=True, donor_name=""),
                name="charity_donation_anonymous_has_no_name",
            ),
            models.CheckConstraint(
                condition=Q(kind="money", amount__gt=0, items="", quantity__isnull=True, estimated_value__isnull=True)
                | Q(kind="goods", amount__isnull=True, items__gt="", quantity__gt=0, estimated_value__gte=0),
                name="charity_donation_kind_fields",
            ),
            models.CheckConstraint(
                condition=Q(purpose_kind="undirected", purpose="") | Q(purpose_kind="directed", purpose__gt=""),
                name="charity_donation_purpose_named",
            ),
        ]

    def __str__(self) -> str:
        return self.receipt_number

    @property
    def value(self) -> Decimal:
        """Yuan: the amount of money, or the estimated value of the items."""
        return (self.amount if self.kind == Kind.MONEY else self.estimated_value) or ZERO

    @property
    def donor_display(self) -> str:
        return str(_("匿名")) if self.anonymous else self.donor_name


class Allocation(models.Model):
    """Where donations went: to a recipient, a described group of beneficiaries, a project or another point."""

    class Target(models.TextChoices):
        RECIPIENT = "recipient", _("服务对象")
        GROUP = "group", _("受益群体")
        PROJECT = "project", _("项目")
        POINT = "point", _("其他捐赠站点")

    point = models.ForeignKey(
        CharityPoint, verbose_name=_("捐赠站点"), on_delete=models.PROTECT, related_name="allocations"
    )
    allocated_on = models.DateField(_("拨付日期"))
    kind = models.CharField(_("捐赠类型"), max_length=8, choices=Kind.choices)
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    items = models.CharField(_("物资名称"), max_length=200, blank=True)
    quantity = models.PositiveIntegerField(_("数量"), null=True, blank=True)
    estimated_value = models.DecimalField(_("估值（元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    purpose_kind = models.CharField(_("用途类型"), max_length=12, choices=PurposeKind.choices)
    purpose = models.CharField(_("定向用途"), max_length=200, blank=True)
    target = models.CharField(_("去向"), max_length=12, choices=Target.choices)
    recipient = models.ForeignKey(
        "recipients.Recipient",
        verbose_name=_("服务对象"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    beneficiary_group = models.CharField(_("受益群体"), max_length=200, blank=True)
    project = models.ForeignKey(
        "projects.Project", verbose_name=_("项目"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_point = models.ForeignKey(
        CharityPoint,
        verbose_name=_("接收站点"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="allocations_in",
    )
    approver = models.CharField(_("审批人"), max_length=50)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    data_scope = DataScope(region="point__station__region", agency="point__station__agency")

    class Meta:
        verbose_name = _("捐赠拨付")
        verbose_name_plural = _("捐赠拨付")
        ordering = ["-allocated_on", "-id"]
        indexes = [models.Index(fields=["point", "allocated_on"], name="charity_alloc_point_day_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="money", amount__gt=0, items="", quantity__isnull=True, estimated_value__isnull=True)
                | Q(kind="goods", amount__isnull=True, items__gt="", quantity__gt=0, estimated_value__gte=0),
                name="charity_allocation_kind_fields",
            ),
            models.CheckConstraint(
                condition=Q(purpose_kind="undirected", purpose="") | Q(purpose_kind="directed", purpose__gt=""),
                name="charity_allocation_purpose_named",
            ),
            models.CheckConstraint(
                condition=Q(
                    target="recipient",
                    recipient__isnull=False,
                    beneficiary_group="",
                    project__isnull=True,
                    to_point__isnull=True,
                )
                | Q(target="group", recipient__isnull=True, beneficiary_group__gt="", project__isnull=True)
                & Q(to_point__isnull=True)
                | Q(target="project", recipient__isnull=True, beneficiary_group="", project__isnull=False)
                & Q(to_point__isnull=True)
                | Q(target="point", recipient__isnull=True, beneficiary_group="", project__isnull=True)
                & Q(to_point__isnull=False)
                & ~Q(to_point=models.F("point")),
                name="charity_allocation_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.point_id} · {self.allocated_on} · {self.get_kind_display()}"

    @property
    def value(self) -> Decimal:
        return (self.amount if self.kind == Kind.MONEY else self.estimated_value) or ZERO

    def public_target(self) -> str:
        """The destination without personal data (a recipient is never named)."""
        if self.target == self.Target.RECIPIENT:
            return str(_("困难群众个人"))
        if self.target == self.Target.GROUP:
            return self.beneficiary_group
        if self.target == self.Target.PROJECT:
            return self.project.name
        return str(self.to_point.station.name)
