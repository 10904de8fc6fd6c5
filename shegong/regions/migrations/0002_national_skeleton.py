"""Provinces and prefecture-level cities of the whole country (373 rows) are always present, so that policy presets
and national or provincial assignments can refer to them before anyone loads the lower levels."""

import csv
import gzip
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"


def load_skeleton(apps, schema_editor):
    Region = apps.get_model("regions", "Region")
    existing = set(Region.objects.filter(level__lte=2).values_list("code", flat=True))
    rows = []
    with gzip.open(DATA / "provinces.csv.gz", "rt", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            code = row["code"].ljust(12, "0")
            if code not in existing:
                rows.append(Region(code=code, name=row["name"], level=1, parent_id=None))
    Region.objects.bulk_create(rows)
    rows = []
    with gzip.open(DATA / "cities.csv.gz", "rt", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            code = row["code"].ljust(12, "0")
            if code not in existing:
                rows.append(Region(code=code, name=row["name"], level=2, parent_id=row["provinceCode"].ljust(12, "0")))
    Region.objects.bulk_create(rows, batch_size=200)


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]
    operations = [migrations.RunPython(load_skeleton, migrations.RunPython.noop)]
