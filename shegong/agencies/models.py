from django.db import models
from django.utils.translation import gettext_lazy as _

from shegong.agencies.validators import validate_credit_code
from shegong.core.scope import DataScope


class Agency(models.Model):
    """A social work service agency (社会工作服务机构), identified by its 统一社会信用代码."""

    class LegalForm(models.TextChoices):
        SOCIAL_SERVICE = "social_service", _("社会服务机构")
        SOCIAL_GROUP = "social_group", _("社会团体")
        FOUNDATION = "foundation", _("基金会")
        PUBLIC_INSTITUTION = "public_institution", _("事业单位")
        ENTERPRISE = "enterprise", _("企业")

    name = models.CharField(_("机构名称"), max_length=200)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True, validators=[validate_credit_code])
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="agencies"
    )
    legal_form = models.CharField(_("组织形式"), max_length=20, choices=LegalForm.choices)
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)

    data_scope = DataScope(region="region", agency="pk")

    class Meta:
        verbose_name = _("社会工作服务机构")
        verbose_name_plural = _("社会工作服务机构")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
