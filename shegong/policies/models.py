from django.db import models
from django.utils.translation import gettext_lazy as _

from shegong.core.scope import DataScope


class PolicyProfile(models.Model):
    """A jurisdiction's rules as data (政策规则集, DESIGN.md §4): it belongs to a region (none = national) and holds
    for a validity period. A region without its own profile in force inherits its nearest ancestor's."""

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
    preset = models.SlugField(_("预置代码"), max_length=50, blank=True)
    description = models.TextField(_("说明"), blank=True)

    data_scope = DataScope(region="region")

    class Meta:
        verbose_name = _("政策规则集")
        verbose_name_plural = _("政策规则集")
        ordering = ["region", "-valid_from"]
        permissions = []
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gt=models.F("valid_from")),
                name="policy_profile_period_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PolicyRule(models.Model):
    """One named rule of a profile: a registered rule kind with its parameters and the source text it comes from."""

    profile = models.ForeignKey(PolicyProfile, verbose_name=_("规则集"), on_delete=models.CASCADE, related_name="rules")
    kind = models.SlugField(_("规则类型"), max_length=60)
    params = models.JSONField(_("参数"), default=dict)
    source_text = models.TextField(_("依据"), blank=True)

    class Meta:
        verbose_name = _("政策规则")
        verbose_name_plural = _("政策规则")
        ordering = ["profile", "kind"]
        constraints = [models.UniqueConstraint(fields=["profile", "kind"], name="policy_rule_kind_unique")]

    def __str__(self) -> str:
        return f"{self.profile} · {self.kind}"
