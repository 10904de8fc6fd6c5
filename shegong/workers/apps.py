from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkersConfig(AppConfig):
    name = "shegong.workers"
    verbose_name = _("社会工作者")

    def ready(self):
        from shegong.workers.imports import register_all

        register_all()
