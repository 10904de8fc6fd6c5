"""The ledger's DELETE trigger on SQLite too (PostgreSQL refused DELETE from 0002): `flush` lifts the triggers now."""

from django.db import migrations

from shegong.timebank import triggers


def install(apps, schema_editor):
    triggers.install(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("timebank", "0002_append_only_triggers")]

    operations = [migrations.RunPython(install, install, elidable=False)]
