from functools import reduce
from operator import or_

from django.db import models
from django.db.models.functions import Length, Right
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shegong.core.scope import DataScope
from shegong.regions.codes import CODE_LENGTH, PREFIX_LENGTHS, prefix, subtree_bounds

# 城乡分类代码 (NBS, 统计上划分城乡的规定): 111 主城区, 112 城乡结合区, 121 镇中心区, 122 镇乡结合区,
# 123 特殊区域 (urban); 210 乡中心区, 220 村庄 (rural).
URBAN_RURAL_CODES = ("111", "112", "121", "122", "123", "210", "220")


def level_matches_code() -> models.Q:
    """A level-L code has a non-zero segment of its own at level L and zeros after it (province 2 + city 2 +
    county 2 + township 3 + village 3 digits). Rows that repeat their parent's code (the county-level 东莞市
    441900 of some lists) therefore cannot be stored, and one code always has one level.

    Written with Right() only: SQLite's introspection in Django splits a table's SQL at ", " and fails on a
    SUBSTR(code, 1, 2) with one-digit arguments, which would break later migrations of this table.
    """

    def zeros_after(length: int) -> models.Q:
        tail = CODE_LENGTH - length
        return models.Q(Exact(Right("code", tail), "0" * tail)) if tail else models.Q()

    options = []
    start = 0
    for level, end in PREFIX_LENGTHS.items():
        # Zeros after this level's segment, but not from its start: the segment itself is not all zeros.
        options.append(models.Q(level=level) & zeros_after(end) & ~zeros_after(start))
        start = end
    return models.Q(Exact(Length("code"), CODE_LENGTH)) & reduce(or_, options)


class Region(models.Model):
    """An administrative division (行政区划) of the 2023 statistical codes, at one of five levels.

    The primary key is the canonical 12-digit code, so a descendant query is a range over the key (see codes.py) and
    every other table's region foreign key holds the code itself, province first. The level is stored as loaded
    (from the file a row comes from); a constraint checks that it agrees with the code's segments. The parent is the
    nearest region above, which skips a level for the towns of 东莞市, 中山市 and 儋州市 (no county level).
    """

    class Level(models.IntegerChoices):
        # With a context: other apps translate 省级 etc. for other things (a provincial honour is not a region level).
        PROVINCE = 1, pgettext_lazy("region level", "省级")
        CITY = 2, pgettext_lazy("region level", "地级")
        COUNTY = 3, pgettext_lazy("region level", "县级")
        TOWNSHIP = 4, pgettext_lazy("region level", "乡级")
        VILLAGE = 5, pgettext_lazy("region level", "村级")

    class AreaClass(models.TextChoices):
        URBAN = "urban", _("城镇")
        RURAL = "rural", _("乡村")
        UNKNOWN = "", _("未分类")

    code = models.CharField(_("区划代码"), max_length=12, primary_key=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.PositiveSmallIntegerField(_("级别"), choices=Level.choices)
    # No index of its own: region_parent_code_idx (parent, code) serves the foreign key and lists children in order.
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        db_index=False,
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
            models.CheckConstraint(
                condition=models.Q(urban_rural_code__in=["", *URBAN_RURAL_CODES]), name="region_urban_rural_code_valid"
            ),
            models.CheckConstraint(condition=level_matches_code(), name="region_level_matches_code"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def short_code(self) -> str:
        """The code at its own length (44, 4401, 440104, 440104003, 440104003001), as people write it."""
        return prefix(self.code, self.level)

    @property
    def subtree_bounds(self) -> tuple[str, str]:
        """Lowest and highest code of the region and everything under it: "under X" is this range over the key."""
        return subtree_bounds(self.code, self.level)

    @property
    def province_code(self) -> str:
        return self.code[:2]
