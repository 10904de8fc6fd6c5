"""The time bank (时间银行): accounts, a double-entry append-only ledger, and offers and requests between members.

Seed 003 says Guangzhou runs 201 time-bank volunteer points at its stations. Every member — a volunteer, a resident,
or an organisation (a station or an agency) — holds exactly one account, and every station keeps a pool (互助池).

The ledger is double entry: a Transfer is two (or more) Movements summing to zero. Nothing is ever edited or deleted
(triggers refuse it on both databases, see triggers.py); a mistake is undone by a reversal transfer. An account's
balance is the sum of its movements; the `balance` column caches it and is only written by services.post_transfer,
in the same transaction, under the account's row lock.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from shegong.core.scope import DataScope

HOURS = {"max_digits": 10, "decimal_places": 2}


class Category(models.TextChoices):
    COMPANY = "company", _("陪伴聊天")
    ERRANDS = "errands", _("代购代办")
    HOUSEKEEPING = "housekeeping", _("家政")
    ESCORT = "escort", _("陪诊")
    TUTORING = "tutoring", _("辅导")
    REPAIR = "repair", _("维修")
    OTHER = "other", _("其他")


class Account(models.Model):
    """One member's account, or a station's pool. Exactly one owner, by kind (constraint timebank_account_one_owner)."""

    class Kind(models.TextChoices):
        VOLUNTEER = "volunteer", _("志愿者")
        RESIDENT = "resident", _("居民")
        STATION = "station", _("站点")
        AGENCY = "agency", _("机构")
        POOL = "pool", _("互助池")

    kind = models.CharField(_("账户类型"), max_length=10, choices=Kind.choices)
    volunteer = models.OneToOneField(
        "volunteers.Volunteer",
        verbose_name=_("志愿者"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="timebank_account",
    )
    recipient = models.OneToOneField(
        "recipients.Recipient",
        verbose_name=_("居民"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="timebank_account",
    )
    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("站点"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="timebank_accounts",
    )
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="timebank_accounts",
    )
    name = models.CharField(_("户名"), max_length=120)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("所在地区"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    province_code = models.CharField(_("省级代码"), max_length=2, editable=False)
    balance = models.DecimalField(_("余额（小时）"), default=Decimal(0), **HOURS)
    opened_on = models.DateField(_("开户日期"))
    created_at = models.DateTimeField(_("开户时间"), auto_now_add=True)

    data_scope = DataScope(region="region", agency="agency", owner="volunteer__account")

    class Meta:
        verbose_name = _("时间银行账户")
        verbose_name_plural = _("时间银行账户")
        ordering = ["region", "kind", "name"]
        indexes = [models.Index(fields=["region", "kind"], name="timebank_account_region_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(
                        kind="volunteer",
                        volunteer__isnull=False,
                        recipient__isnull=True,
                        station__isnull=True,
                        agency__isnull=True,
                    )
                    | models.Q(
                        kind="resident",
                        volunteer__isnull=True,
                        recipient__isnull=False,
                        station__isnull=True,
                        agency__isnull=True,
                    )
                    | models.Q(
                        kind__in=["station", "pool"],
                        volunteer__isnull=True,
                        recipient__isnull=True,
                        station__isnull=False,
                        agency__isnull=True,
                    )
                    | models.Q(
                        kind="agency",
                        volunteer__isnull=True,
                        recipient__isnull=True,
                        station__isnull=True,
                        agency__isnull=False,
                    )
                ),
                name="timebank_account_one_owner",
            ),
            models.UniqueConstraint(
                fields=["station", "kind"],
                condition=models.Q(station__isnull=False),
                name="timebank_station_account_once",
            ),
            models.UniqueConstraint(
                fields=["agency"], condition=models.Q(agency__isnull=False), name="timebank_agency_account_once"
            ),
            models.CheckConstraint(
                condition=models.Q(province_code=Substr("region", 1, 2)), name="timebank_account_province_matches"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_kind_display()}）"

    @property
    def is_personal(self) -> bool:
        return self.kind in (self.Kind.VOLUNTEER, self.Kind.RESIDENT)


class Offer(models.Model):
    """A 供给 (the poster offers a service) or a 需求 (the poster asks for one); another member responds. When the
    service is done and both sides confirm, the hours move once: the one served pays the one who served."""

    class Kind(models.TextChoices):
        OFFER = "offer", _("供给")
        REQUEST = "request", _("需求")

    class Status(models.TextChoices):
        OPEN = "open", _("待响应")
        MATCHED = "matched", _("已对接")
        DONE = "done", _("已完成")
        CANCELLED = "cancelled", _("已取消")

    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    category = models.CharField(_("类别"), max_length=20, choices=Category.choices)
    title = models.CharField(_("标题"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    hours = models.DecimalField(_("时数（小时）"), **HOURS)
    poster = models.ForeignKey(Account, verbose_name=_("发布人"), on_delete=models.PROTECT, related_name="posted")
    responder = models.ForeignKey(
        Account, verbose_name=_("响应人"), null=True, blank=True, on_delete=models.PROTECT, related_name="responded"
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("所在地区"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    province_code = models.CharField(_("省级代码"), max_length=2, editable=False)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    poster_confirmed_at = models.DateTimeField(_("发布人确认时间"), null=True, blank=True)
    responder_confirmed_at = models.DateTimeField(_("响应人确认时间"), null=True, blank=True)
    cancel_reason = models.CharField(_("取消原因"), max_length=300, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("取消人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("发布时间"), auto_now_add=True)

    data_scope = DataScope(region="region", owner="poster__volunteer__account")

    class Meta:
        verbose_name = _("供需")
        verbose_name_plural = _("供需")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["region", "status"], name="timebank_offer_region_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(hours__gt=0), name="timebank_offer_hours_positive"),
            models.CheckConstraint(condition=~models.Q(responder=models.F("poster")), name="timebank_offer_not_self"),
            models.CheckConstraint(
                condition=models.Q(status="open") | models.Q(status="cancelled") | models.Q(responder__isnull=False),
                name="timebank_offer_matched_has_responder",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="cancelled")
                | (~models.Q(cancel_reason="") & models.Q(cancelled_at__isnull=False)),
                name="timebank_offer_cancelled_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(province_code=Substr("region", 1, 2)), name="timebank_offer_province_matches"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.title}"

    @property
    def payer(self) -> Account | None:
        return self.responder if self.kind == self.Kind.OFFER else self.poster

    @property
    def payee(self) -> Account | None:
        return self.poster if self.kind == self.Kind.OFFER else self.responder


class Transfer(models.Model):
    """One posting of the ledger: its movements sum to zero. Never edited; a reversal is a new transfer."""

    class Kind(models.TextChoices):
        EXCHANGE = "exchange", _("服务互换")
        DONATION = "donation", _("捐入互助池")
        FAMILY = "family", _("转给家庭成员")
        REVERSAL = "reversal", _("冲正")
        GRANT = "grant", _("开户赠送")

    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    memo = models.CharField(_("摘要"), max_length=200, blank=True)
    occurred_on = models.DateField(_("发生日期"))
    exchange = models.OneToOneField(
        Offer, verbose_name=_("服务互换"), null=True, blank=True, on_delete=models.PROTECT, related_name="transfer"
    )
    reversal_of = models.OneToOneField(
        "self",
        verbose_name=_("冲正的转账"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("记账时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("转账")
        verbose_name_plural = _("转账")
        ordering = ["-occurred_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="reversal", reversal_of__isnull=False)
                | (~models.Q(kind="reversal") & models.Q(reversal_of__isnull=True)),
                name="timebank_transfer_reversal_target",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="exchange", exchange__isnull=False)
                | (~models.Q(kind="exchange") & models.Q(exchange__isnull=True)),
                name="timebank_transfer_exchange_link",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()}"


class Movement(models.Model):
    """One leg of a transfer on one account: positive credits the account, negative debits it."""

    transfer = models.ForeignKey(Transfer, verbose_name=_("转账"), on_delete=models.PROTECT, related_name="movements")
    account = models.ForeignKey(Account, verbose_name=_("账户"), on_delete=models.PROTECT, related_name="movements")
    amount = models.DecimalField(_("时数（小时）"), **HOURS)
    balance_after = models.DecimalField(_("变动后余额"), **HOURS)

    data_scope = DataScope(region="account__region", agency="account__agency", owner="account__volunteer__account")

    class Meta:
        verbose_name = _("账户变动")
        verbose_name_plural = _("账户变动")
        ordering = ["account", "pk"]
        indexes = [models.Index(fields=["account", "transfer"], name="timebank_movement_account_idx")]
        constraints = [
            models.CheckConstraint(condition=~models.Q(amount=0), name="timebank_movement_nonzero"),
            models.UniqueConstraint(fields=["transfer", "account"], name="timebank_movement_once_per_account"),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.amount:+}"
