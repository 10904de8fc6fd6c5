"""`shegong i18n [APP ...]`: extract translatable strings into each app's locale/en/LC_MESSAGES/django.po and compile
every catalogue to .mo. Source strings are Simplified Chinese (the default language); English is the translation.

Extraction needs GNU gettext's xgettext (a developer tool: `apt-get install gettext`); compiling uses polib, so the
committed .mo files are all a deployment needs.
"""

import os
from pathlib import Path

import polib
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

LANGUAGE = "en"


def app_dirs(names: list[str]) -> list[Path]:
    configs = [config for config in apps.get_app_configs() if config.name.startswith("shegong.")]
    found = {config.name.split(".")[-1]: Path(config.path) for config in configs}
    unknown = [name for name in names if name not in found]
    if unknown:
        raise CommandError(f"unknown app(s): {', '.join(unknown)}; known: {', '.join(sorted(found))}")
    return [found[name] for name in names] if names else list(found.values())


def compile_catalogue(po_path: Path) -> int:
    catalogue = polib.pofile(str(po_path))
    catalogue.save_as_mofile(str(po_path.with_suffix(".mo")))
    return len(catalogue.translated_entries())


class Command(BaseCommand):
    help = "Extract and compile translations (zh-hans source, English catalogue)."

    def add_arguments(self, parser):
        parser.add_argument("apps", nargs="*", help="app names (default: all shegong apps)")
        parser.add_argument("--compile-only", action="store_true", help="only compile existing .po files")

    def handle(self, *args, apps: list[str], compile_only: bool, **options):
        here = Path.cwd()
        for path in app_dirs(apps):
            po_path = path / "locale" / LANGUAGE / "LC_MESSAGES" / "django.po"
            if not compile_only:
                (path / "locale").mkdir(exist_ok=True)
                os.chdir(path)
                try:
                    call_command(
                        "makemessages",
                        locale=[LANGUAGE],
                        ignore_patterns=["tests/*", "static/*", "migrations/*", "locale/*"],
                        no_obsolete=True,
                        add_location="file",
                        verbosity=0,
                    )
                finally:
                    os.chdir(here)
            if po_path.exists():
                catalogue = polib.pofile(str(po_path))
                missing = len(catalogue.untranslated_entries()) + len(catalogue.fuzzy_entries())
                translated = compile_catalogue(po_path)
                self.stdout.write(f"{path.name}: {translated} translated, {missing} to translate")
