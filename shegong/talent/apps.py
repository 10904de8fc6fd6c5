from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TalentConfig(AppConfig):
    name = "shegong.talent"
    verbose_name = _("督导与领军人才")

    def ready(self):
        from shegong.talent.sections import register_sections

        register_sections()
