"""`shegong bench NAME [options]`: run a benchmark that prints a table. Benchmarks live in `<app>/benchmarks.py`
as `BENCHMARKS = {"name": function(stdout, **options)}`; they are commands, never timed assertions in tests."""

from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError


def registry() -> dict:
    found = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("shegong."):
            continue
        try:
            module = import_module(f"{config.name}.benchmarks")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.benchmarks":
                raise
            continue
        found.update(module.BENCHMARKS)
    return found


class Command(BaseCommand):
    help = "Run a benchmark and print its figures."

    def add_arguments(self, parser):
        parser.add_argument("name", nargs="?", help="benchmark name; omit to list them")
        parser.add_argument("options", nargs="*", help="key=value options passed to the benchmark")

    def handle(self, *args, name=None, options=(), **kwargs):
        benchmarks = registry()
        if not name:
            for key in sorted(benchmarks):
                self.stdout.write(f"{key}: {(benchmarks[key].__doc__ or '').strip().splitlines()[0]}")
            return
        if name not in benchmarks:
            raise CommandError(f"unknown benchmark {name!r}; known: {', '.join(sorted(benchmarks))}")
        parsed = {}
        for item in options:
            key, sep, value = item.partition("=")
            if not sep:
                raise CommandError(f"options are key=value, not {item!r}")
            parsed[key.lstrip("-").replace("-", "_")] = value
        benchmarks[name](self.stdout, **parsed)
