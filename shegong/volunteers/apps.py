from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    name = "shegong.volunteers"
    verbose_name = _("志愿者")

    def ready(self):
        from shegong.volunteers.imports import register_all

        register_all()
