from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistrationConfig(AppConfig):
    name = "shegong.registration"
    verbose_name = _("登记与继续教育")
