from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "shegong.audit"
    verbose_name = _("操作日志")

    def ready(self):
        from shegong.audit.triggers import ensure_installed

        post_migrate.connect(ensure_installed, sender=self, dispatch_uid="shegong_audit_triggers")
