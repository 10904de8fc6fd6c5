from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class TimeBankConfig(AppConfig):
    name = "shegong.timebank"
    verbose_name = _("时间银行")

    def ready(self):
        from shegong.timebank import triggers
        from shegong.timebank.imports import register_all

        register_all()
        post_migrate.connect(triggers.ensure_installed, sender=self, dispatch_uid="timebank_ledger_triggers")
