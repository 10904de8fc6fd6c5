from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    name = "shegong.evaluations"
    verbose_name = _("项目评估")
