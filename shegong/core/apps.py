from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def create_cache_table(sender=None, using="default", **kwargs) -> None:
    """The database cache's table is not a model: make it with every migrate so an operator never has to remember."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)


class CoreConfig(AppConfig):
    name = "shegong.core"
    verbose_name = _("基础设施")

    def ready(self):
        post_migrate.connect(create_cache_table, sender=self, dispatch_uid="shegong_cache_table")
