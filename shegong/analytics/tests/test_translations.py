"""The app's English catalogue: every message translated, none fuzzy, compiled; the dashboard renders in English."""

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
def test_the_dashboard_and_report_in_english(client, world):
    client.force_login(world.district_a_admin)
    client.cookies.load({"django_language": "en"})
    page = client.get(reverse("analytics:home")).content.decode()
    assert "Dashboard" in page and "Sub-regions" in page and "This year to date" in page and "Monthly trend" in page
    page = client.get(reverse("analytics:report_home")).content.decode()
    assert "Social work statistical report" in page and "Download Excel" in page
