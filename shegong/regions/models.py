from django.db import models
from django.utils.translation import gettext_lazy as _

from shegong.core.scope import DataScope


class Region(models.Model):
    """An administrative division (行政区划) of the 2023 statistical codes, at one of five levels.

    The primary key is the canonical 12-digit code, so a descendant query is a range over the key (see codes.py) and
    every other table's region foreign key holds the code itself, province first.
    """

    class Level(models.IntegerChoices):
        PROVINCE = 1, _("省级")
        CITY = 2, _("地级")
        COUNTY = 3, _("县级")
        TOWNSHIP = 4, _("乡级")
        VILLAGE = 5, _("村级")

    class AreaClass(models.TextChoices):
        URBAN = "urban", _("城镇")
        RURAL = "rural", _("乡村")
        UNKNOWN = "", _("未分类")

    code = models.CharField(_("区划代码"), max_length=12, primary_key=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.PositiveSmallIntegerField(_("级别"), choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # 城乡分类代码 of the NBS file (111 主城区 … 220 村庄) when known; empty when only the name was available.
    urban_rural_code = models.CharField(_("城乡分类代码"), max_length=3, blank=True, default="")
    area_class = models.CharField(_("城乡属性"), max_length=5, choices=AreaClass.choices, blank=True, default="")

    data_scope = DataScope(region="pk", public=True)

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]
        indexes = [
            models.Index(fields=["parent", "code"], name="region_parent_code_idx"),
            models.Index(fields=["level", "code"], name="region_level_code_idx"),
            models.Index(fields=["name"], name="region_name_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=5), name="region_level_1_to_5"),
            models.CheckConstraint(
                condition=models.Q(parent__isnull=True, level=1) | models.Q(parent__isnull=False, level__gt=1),
                name="region_parent_iff_below_province",
            ),
            models.CheckConstraint(
                condition=models.Q(area_class__in=["urban", "rural", ""]), name="region_area_class_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def short_code(self) -> str:
        from shegong.regions.codes import prefix

        return prefix(self.code, self.level)

    @property
    def province_code(self) -> str:
        return self.code[:2]
