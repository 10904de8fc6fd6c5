"""The app's English catalogue: every message translated, none fuzzy, compiled; pages render in English."""

from pathlib import Path

import polib
import pytest
from django.urls import reverse

from shegong.volunteering.tests.factories import place

CATALOGUE = Path(__file__).resolve().parents[1] / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_catalogue_complete_and_compiled():
    po = polib.pofile(str(CATALOGUE))
    assert [entry.msgid for entry in po if not entry.translated() or "fuzzy" in entry.flags] == []
    assert CATALOGUE.with_suffix(".mo").stat().st_mtime >= CATALOGUE.stat().st_mtime - 1


@pytest.mark.django_db
def test_pages_in_english(client, world):
    w = place(world)
    client.cookies.load({"django_language": "en"})
    client.force_login(w.organiser_user)
    page = client.get(reverse("volunteering:need_detail", args=[w.need_a.pk])).content.decode()
    assert "Sign-ups and attendance" in page and "Check-in link (the QR content)" in page
    client.force_login(w.vol_user)
    page = client.get(reverse("volunteering:near_detail", args=[w.need_a.pk])).content.decode()
    assert "Sign up" in page and "2 of 2 places left" in page
