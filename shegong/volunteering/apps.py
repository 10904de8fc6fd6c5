from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteeringConfig(AppConfig):
    name = "shegong.volunteering"
    verbose_name = _("志愿需求与服务时长")

    def ready(self):
        from shegong.volunteering.imports import register_all

        register_all()
