from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "shegong.inspections"
    verbose_name = _("督查与整改")

    def ready(self):
        from shegong.inspections.imports import register_all

        register_all()
