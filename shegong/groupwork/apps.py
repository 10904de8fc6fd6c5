from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GroupWorkConfig(AppConfig):
    name = "shegong.groupwork"
    verbose_name = _("小组与社区活动")

    def ready(self):
        from shegong.groupwork.imports import register_all

        register_all()
