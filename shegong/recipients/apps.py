from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecipientsConfig(AppConfig):
    name = "shegong.recipients"
    verbose_name = _("服务对象")

    def ready(self):
        from shegong.recipients.imports import register_all

        register_all()
