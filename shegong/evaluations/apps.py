from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    name = "shegong.evaluations"
    verbose_name = _("项目评估")

    def ready(self):
        from shegong.evaluations.presets import install_presets

        # After migrate (and after a test flush): the preset templates (presets.py), installed once, never overwritten.
        post_migrate.connect(install_presets, sender=self, dispatch_uid="shegong_evaluation_presets")
