from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InboxConfig(AppConfig):
    name = "shegong.inbox"
    verbose_name = _("消息")

    def ready(self):
        from shegong.inbox import channels  # noqa: F401  registers the delivery task
