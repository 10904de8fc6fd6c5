"""Install the preset profiles (presets.py): national, 深圳, 广州 (two periods), 江苏, 浙江, 重庆, 黑龙江.

Idempotent and non-destructive: an installed preset is recognised by its code and never overwritten, so a later run
(or a later release adding presets) keeps every administrator's edit. The regions they refer to (provinces and
cities) are loaded by regions 0002."""

from django.db import migrations


def install(apps, schema_editor):
    from shegong.policies.presets import install_presets

    install_presets(
        apps.get_model("policies", "PolicyProfile"),
        apps.get_model("policies", "PolicyRule"),
        apps.get_model("regions", "Region"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("policies", "0003_no_overlap_on_postgresql"),
        ("regions", "0002_national_skeleton"),
    ]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
