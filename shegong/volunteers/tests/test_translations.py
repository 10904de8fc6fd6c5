"""The app's English catalogue: every message translated, none fuzzy, compiled; the register renders in English."""

from pathlib import Path

import polib
import pytest
from django.urls import reverse

CATALOGUE = Path(__file__).resolve().parents[1] / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_catalogue_complete_and_compiled():
    po = polib.pofile(str(CATALOGUE))
    assert [entry.msgid for entry in po if not entry.translated() or "fuzzy" in entry.flags] == []
    assert CATALOGUE.with_suffix(".mo").stat().st_mtime >= CATALOGUE.stat().st_mtime - 1


@pytest.mark.django_db
def test_the_register_in_english(client, world):
    client.force_login(world.station_head_a)
    client.cookies.load({"django_language": "en"})
    page = client.get(reverse("volunteers:list")).content.decode()
    assert "Register a volunteer" in page and "Managing station" in page and "No matching volunteers." in page
    page = client.get(reverse("volunteers:records")).content.decode()
    assert "Who records, certifies" in page and "Record a service" in page
