from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TabularConfig(AppConfig):
    name = "shegong.tabular"
    verbose_name = _("Excel 导入导出")
