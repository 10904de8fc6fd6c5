"""On PostgreSQL the database itself refuses two full-time posts of one worker whose periods share a day: an exclusion
constraint over the closed date range (an open end is an unbounded range). SQLite has no such constraint; there, as on
PostgreSQL, services.staff_assign checks under a lock on the worker's row, and the constraint backs that check up
against any writer that bypasses the service."""

from django.db import migrations

CONSTRAINT = "assignment_no_double_full_time"


def add_exclusion(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # btree_gist lets the GiST index compare the worker id with "="; the policies migrations create it too, but this
    # migration does not depend on their order. It is a trusted extension (PostgreSQL ≥ 13).
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(
        f"ALTER TABLE stations_staffassignment ADD CONSTRAINT {CONSTRAINT} EXCLUDE USING gist "
        "(worker_id WITH =, daterange(start_date, end_date, '[]') WITH &&) WHERE (full_time)"
    )


def drop_exclusion(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE stations_staffassignment DROP CONSTRAINT IF EXISTS {CONSTRAINT}")


class Migration(migrations.Migration):
    dependencies = [("stations", "0002_constraints_and_presence_index")]
    operations = [migrations.RunPython(add_exclusion, drop_exclusion)]
