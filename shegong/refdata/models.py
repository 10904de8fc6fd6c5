from django.db import models
from django.utils.translation import gettext_lazy as _

from shegong.core.scope import DataScope


class Dictionary(models.Model):
    """An editable list of reference values (字典), such as service domains or recipient categories.

    Later apps refer to items by their stable code instead of hard-coding choices, so an administrator can rename,
    reorder or retire an item without a code change. The shipped dictionaries come from seed.py (DESIGN.md §3).
    """

    code = models.SlugField(_("代码"), max_length=50, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    source = models.CharField(_("来源"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    data_scope = DataScope(public=True)

    class Meta:
        verbose_name = _("字典")
        verbose_name_plural = _("字典")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class DictionaryItem(models.Model):
    """One value of a dictionary. Its code never changes once created (services refuse it); retire an item with
    `is_active` instead of deleting it, so records that hold its code keep their meaning."""

    dictionary = models.ForeignKey(Dictionary, verbose_name=_("字典"), on_delete=models.PROTECT, related_name="items")
    code = models.SlugField(_("代码"), max_length=50, help_text=_("英文字母、数字、下划线或连字符；创建后不可修改"))
    name = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    source = models.CharField(_("来源"), max_length=200, blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    data_scope = DataScope(public=True)

    class Meta:
        verbose_name = _("字典项")
        verbose_name_plural = _("字典项")
        ordering = ["dictionary", "sort_order", "code"]
        constraints = [models.UniqueConstraint(fields=["dictionary", "code"], name="dictionary_item_code_unique")]

    def __str__(self) -> str:
        return self.name
