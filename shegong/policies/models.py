from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shegong.core.scope import DataScope


class PolicyProfile(models.Model):
    """A jurisdiction's rules as data (政策规则集, DESIGN.md §4): it belongs to a region (none = national) and holds
    for a validity period [valid_from, valid_to). A region inherits, rule by rule, the nearest ancestor's profile in
    force on a date (see selectors.py). Two profiles of the same region never overlap in time: services.py refuses it
    under a lock, and on PostgreSQL an exclusion constraint (migration 0002) refuses it as well."""

    name = models.CharField(_("名称"), max_length=100)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("适用区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="policy_profiles",
        help_text=_("留空表示全国"),
    )
    valid_from = models.DateField(_("生效日期"))
    valid_to = models.DateField(_("失效日期"), null=True, blank=True, help_text=_("不含当日；留空表示长期有效"))
    preset = models.SlugField(_("预置代码"), max_length=50, blank=True, help_text=_("随系统预置的规则集的代码"))
    description = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    data_scope = DataScope(region="region")

    class Meta:
        verbose_name = _("政策规则集")
        verbose_name_plural = _("政策规则集")
        ordering = ["region", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gt=models.F("valid_from")),
                name="policy_profile_period_valid",
            ),
            models.UniqueConstraint(
                fields=["preset"], condition=~models.Q(preset=""), name="policy_profile_preset_unique"
            ),
        ]
        indexes = [models.Index(fields=["region", "valid_from"], name="policy_profile_region_from_idx")]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.valid_from and self.valid_to and self.valid_to <= self.valid_from:
            raise ValidationError({"valid_to": _("失效日期必须晚于生效日期。")})

    @property
    def is_national(self) -> bool:
        return self.region_id is None

    def covers(self, day) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)


class PolicyRule(models.Model):
    """One named rule of a profile: a registered rule kind (registry.py) with its parameters, stored in the form the
    kind's schema produces (Decimal values as text), and the source text it comes from."""

    profile = models.ForeignKey(PolicyProfile, verbose_name=_("规则集"), on_delete=models.CASCADE, related_name="rules")
    kind = models.SlugField(_("规则类型"), max_length=60)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    source_text = models.TextField(_("依据"), blank=True, help_text=_("规则出处的原文，并注明文件名称和文号"))
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("政策规则")
        verbose_name_plural = _("政策规则")
        ordering = ["profile", "kind"]
        constraints = [models.UniqueConstraint(fields=["profile", "kind"], name="policy_rule_kind_unique")]

    def __str__(self) -> str:
        return f"{self.profile} · {self.kind_label}"

    @property
    def rule_kind(self):
        from shegong.policies import registry

        return registry.get(self.kind)

    @property
    def kind_label(self) -> str:
        from shegong.policies import registry

        return registry.kind_label(self.kind)

    def display_params(self) -> list[tuple[str, str]]:
        from shegong.policies import registry

        if not registry.is_registered(self.kind):
            return [(name, str(value)) for name, value in sorted(self.params.items())]
        return self.rule_kind.display_params(self.params)

    def clean(self):
        from shegong.policies import registry

        if not registry.is_registered(self.kind):
            raise ValidationError({"kind": _("未知的规则类型“%(kind)s”。") % {"kind": self.kind}})
        try:
            self.params = self.rule_kind.clean_params(self.params)
        except ValidationError as exc:
            raise ValidationError({"params": exc.messages}) from None

    def evaluate(self, facts):
        """This rule's verdict on `facts`, carrying its source text and profile."""
        return self.rule_kind.evaluate(self.params, facts).attributed(self)
