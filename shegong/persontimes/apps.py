from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PersonTimesConfig(AppConfig):
    name = "shegong.persontimes"
    verbose_name = _("服务人次")
