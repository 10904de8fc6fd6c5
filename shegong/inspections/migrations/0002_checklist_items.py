"""Install the checklist areas added to the `inspection_checklist` dictionary for this app (服务成效, 档案管理, 人员在岗)
on databases whose dictionaries were seeded before them. Idempotent: install_dictionaries never overwrites an item."""

from django.db import migrations


def install(apps, schema_editor):
    from shegong.refdata.seed import install_dictionaries

    install_dictionaries(apps.get_model("refdata", "Dictionary"), apps.get_model("refdata", "DictionaryItem"))


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial"), ("refdata", "0003_seed_dictionaries")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
