from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "shegong.analytics"
    verbose_name = _("统计分析")

    def ready(self) -> None:
        from shegong.analytics import catalogue, maintenance

        catalogue.collect()
        maintenance.connect_signals()
