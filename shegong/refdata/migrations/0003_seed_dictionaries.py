"""Install the shipped dictionaries (seed.py): service domains, recipient categories, post types, employer kinds,
funding sources, budget lines, referral departments, inspection items, education, certificate levels, volunteer
skills. Idempotent: existing dictionaries and items (found by code) are never overwritten, so an administrator's
edits survive; items added to seed.py later are appended."""

from django.db import migrations


def install(apps, schema_editor):
    from shegong.refdata.seed import install_dictionaries

    install_dictionaries(apps.get_model("refdata", "Dictionary"), apps.get_model("refdata", "DictionaryItem"))


class Migration(migrations.Migration):
    dependencies = [("refdata", "0002_updated_at")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
