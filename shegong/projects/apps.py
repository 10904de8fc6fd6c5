from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "shegong.projects"
    verbose_name = _("政府购买服务项目")

    def ready(self):
        from shegong.projects.imports import register_all

        register_all()
