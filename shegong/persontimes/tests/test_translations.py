"""The app's English catalogue: every message translated, none fuzzy, compiled; a page renders in English."""

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
def test_the_summary_in_english(client, world):
    client.force_login(world.city_admin)
    client.cookies.load({"django_language": "en"})
    page = client.get(reverse("persontimes:summary")).content.decode()
    assert "Service person-times" in page and "By service domain" in page and "By month" in page and "Casework" in page
