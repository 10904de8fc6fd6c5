from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CharityConfig(AppConfig):
    name = "shegong.charity"
    verbose_name = _("慈善捐赠站点")

    def ready(self):
        from shegong.charity.imports import register_all

        register_all()
