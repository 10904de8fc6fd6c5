from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistrationConfig(AppConfig):
    name = "shegong.registration"
    verbose_name = _("登记与继续教育")

    def ready(self):
        from shegong.registration.imports import TrainingRecordSpec
        from shegong.tabular import spec

        spec.register(TrainingRecordSpec())

        from shegong.registration.sections import register_sections

        register_sections()
