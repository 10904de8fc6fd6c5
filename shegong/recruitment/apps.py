from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecruitmentConfig(AppConfig):
    name = "shegong.recruitment"
    verbose_name = _("招聘与薪酬")
