"""`shegong bench NAME [options]`: run a benchmark that prints a table. Benchmarks live in `<app>/benchmarks.py`
as `BENCHMARKS = {"name": function(stdout, **options)}`; they are commands, never timed assertions in tests."""

import argparse
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
        parser.add_argument(
            "options", nargs=argparse.REMAINDER, help="options for the benchmark: --key value, --flag or key=value"
        )

    def handle(self, *args, name=None, options=(), **kwargs):
        benchmarks = registry()
        if not name:
            for key in sorted(benchmarks):
                summary = (benchmarks[key].__doc__ or "").strip().splitlines()
                self.stdout.write(f"{key}: {summary[0] if summary else ''}")
            return
        if name not in benchmarks:
            raise CommandError(f"unknown benchmark {name!r}; known: {', '.join(sorted(benchmarks))}")
        benchmarks[name](self.stdout, **parse_options(list(options)))


def parse_options(items: list[str]) -> dict[str, str]:
    """`--scale province`, `--scale=province`, `scale=province` and a bare `--cold` (= "true") all work."""
    parsed: dict[str, str] = {}
    while items:
        item = items.pop(0)
        key, sep, value = item.lstrip("-").partition("=")
        if not sep:
            if item.startswith("--") and items and not items[0].startswith("--"):
                value = items.pop(0)
            elif item.startswith("--"):
                value = "true"
            else:
                raise CommandError(f"options are --key value or key=value, not {item!r}")
        parsed[key.replace("-", "_")] = value
    return parsed
