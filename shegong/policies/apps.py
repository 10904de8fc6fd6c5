from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoliciesConfig(AppConfig):
    name = "shegong.policies"
    verbose_name = _("政策规则集")

    def ready(self):
        from shegong.policies.kinds import register_builtin_kinds

        register_builtin_kinds()
