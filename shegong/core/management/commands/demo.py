"""`shegong demo load`: build the demo of DESIGN.md on the current database (广州市 4401), then print the logins.

Each app that has demo data keeps it in its own `demo.py` with `load(context)`; they run in INSTALLED_APPS order,
each reading what the earlier ones made from `context`. Loading twice changes nothing.
"""

from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from shegong.env import env_int


def demo_modules():
    for config in apps.get_app_configs():
        if not config.name.startswith("shegong."):
            continue
        try:
            yield import_module(f"{config.name}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.demo":
                raise


class Command(BaseCommand):
    help = "Load the demo city and its demo data, then print the demo logins."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("load", help="load the demo (idempotent)")

    def handle(self, *args, **options):
        context: dict = {"stdout": self.stdout, "style": self.style, "logins": []}
        from shegong.analytics import maintenance

        # Loaders write in bulk; the analytics demo rebuilds every aggregate from the records at the end.
        with maintenance.paused():
            for module in demo_modules():
                with transaction.atomic():
                    module.load(context)
        self.stdout.write(self.style.SUCCESS("\n演示数据已就绪 · Demo ready"))
        self.stdout.write(f"  URL: http://127.0.0.1:{env_int('PORT', 8000, minimum=1)}/")
        self.stdout.write(f"  {'用户名 username':<24}{'密码 password':<16}角色 role")
        for username, password, role in context["logins"]:
            self.stdout.write(f"  {username:<24}{password:<16}{role}")
