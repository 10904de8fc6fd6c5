from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceRequestsConfig(AppConfig):
    name = "shegong.servicerequests"
    verbose_name = _("服务需求")

    def ready(self):
        from shegong.servicerequests import tasks  # noqa: F401  registers the escalation task
