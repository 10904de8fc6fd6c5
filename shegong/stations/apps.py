from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StationsConfig(AppConfig):
    name = "shegong.stations"
    verbose_name = _("社工站点")

    def ready(self):
        from shegong.stations.imports import register_all

        register_all()
