from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TimeBankConfig(AppConfig):
    name = "shegong.timebank"
    verbose_name = _("时间银行")
