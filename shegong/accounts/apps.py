from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "shegong.accounts"
    verbose_name = _("账户与权限")

    def ready(self):
        from shegong.accounts import signals  # noqa: F401  (login, logout and failed-login audit rows)
        from shegong.accounts.roles import ensure_builtin_roles

        post_migrate.connect(ensure_builtin_roles, sender=self, dispatch_uid="shegong_builtin_roles")
