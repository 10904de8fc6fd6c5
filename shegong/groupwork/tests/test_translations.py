"""The app's English catalogue: every message translated, none fuzzy, compiled; pages render in English."""

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
def test_the_lists_in_english(client, world):
    client.force_login(world.station_head_a)
    client.cookies.load({"django_language": "en"})
    page = client.get(reverse("groupwork:group_list")).content.decode()
    assert "Groups" in page and "Record a group" in page and "Target group" not in page
    page = client.get(reverse("groupwork:activity_list")).content.decode()
    assert "Community activities" in page and "Record an activity" in page and "No activities match." in page
