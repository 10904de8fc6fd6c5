"""Triggers that refuse UPDATE and DELETE on transfers and movements (the ledger is append-only)."""

from django.db import migrations

from shegong.timebank import triggers


def install(apps, schema_editor):
    triggers.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    triggers.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("timebank", "0001_initial")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
