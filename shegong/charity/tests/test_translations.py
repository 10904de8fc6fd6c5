"""The app's English catalogue: every message translated, none fuzzy, compiled; pages render in English."""

from pathlib import Path

import polib
import pytest
from django.urls import reverse

from shegong.charity.tests.factories import give, make_point

CATALOGUE = Path(__file__).resolve().parents[1] / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_catalogue_complete_and_compiled():
    po = polib.pofile(str(CATALOGUE))
    assert [entry.msgid for entry in po if not entry.translated() or "fuzzy" in entry.flags] == []
    assert CATALOGUE.with_suffix(".mo").stat().st_mtime >= CATALOGUE.stat().st_mtime - 1


@pytest.mark.django_db
def test_the_ledger_and_the_public_page_in_english(client, world):
    point = make_point(name="北京街社工站")
    give(point, "10", anonymous=True)
    client.force_login(world.station_head_a)
    client.cookies.load({"django_language": "en"})
    page = client.get(reverse("charity:ledger", args=[point.pk])).content.decode()
    assert "Charity ledger" in page and "By kind and purpose" in page and "Record a donation" in page
    public = client.get(reverse("charity:public", args=[point.station.code])).content.decode()
    assert "Community charity donation point" in public and "Latest allocations" in public
