from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgenciesConfig(AppConfig):
    name = "shegong.agencies"
    verbose_name = _("社会工作服务机构")

    def ready(self):
        from shegong.agencies.imports import AgencyImport
        from shegong.tabular.spec import register

        register(AgencyImport())
