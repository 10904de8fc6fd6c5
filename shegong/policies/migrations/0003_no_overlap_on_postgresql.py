"""On PostgreSQL the database itself refuses two profiles of the same region whose validity periods overlap (an
exclusion constraint over the half-open date range; national profiles have no region and compare as ''). SQLite has
no such constraint: there services.profile_create/profile_update check under a lock, as they do on PostgreSQL too."""

from django.db import migrations

CONSTRAINT = "policy_profile_no_overlap"


def add_exclusion(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # btree_gist lets a GiST index compare the region code with "="; it is a trusted extension (PostgreSQL ≥ 13),
    # so the database owner may create it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(
        f"ALTER TABLE policies_policyprofile ADD CONSTRAINT {CONSTRAINT} EXCLUDE USING gist "
        "(COALESCE(region_id, '') WITH =, daterange(valid_from, valid_to, '[)') WITH &&)"
    )


def drop_exclusion(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE policies_policyprofile DROP CONSTRAINT IF EXISTS {CONSTRAINT}")


class Migration(migrations.Migration):
    dependencies = [("policies", "0002_profile_timestamps_and_constraints")]
    operations = [migrations.RunPython(add_exclusion, drop_exclusion)]
