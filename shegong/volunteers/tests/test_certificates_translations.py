"""The certificate pages in English: every message of the certificate files is translated in the volunteers
catalogue, and the staff list and the public check render in English."""

from pathlib import Path

import polib
import pytest
from django.urls import reverse

from shegong.volunteers.tests.test_certificates import issue, service, station, volunteer

CATALOGUE = Path(__file__).resolve().parents[1] / "locale" / "en" / "LC_MESSAGES" / "django.po"
MINE = ("certificates.py", "public_views.py", "templates/volunteers/certificate_", "templates/volunteers/public/")


def test_the_certificate_messages_are_translated():
    po = polib.pofile(str(CATALOGUE))
    mine = [entry for entry in po if any(part in path for path, _line in entry.occurrences for part in MINE)]
    assert len(mine) > 50
    assert [entry.msgid for entry in mine if not entry.translated() or "fuzzy" in entry.flags] == []
    assert CATALOGUE.with_suffix(".mo").stat().st_mtime >= CATALOGUE.stat().st_mtime - 1


@pytest.mark.django_db
def test_the_list_and_the_public_check_in_english(client, world):
    a = station()
    person = volunteer("张小明")
    service(person, a, "2")
    certificate = issue(person, a, world.station_head_a)
    client.cookies.load({"django_language": "en"})
    client.force_login(world.station_head_a)
    page = client.get(reverse("volunteers:certificate_list")).content.decode()
    assert "Volunteer service certificates" in page and "Issue a certificate" in page and "Date of issue" in page
    page = client.get(reverse("volunteers:certificate_detail", args=[certificate.pk])).content.decode()
    assert "Resident identity card" in page and "Issued free of charge" in page
    client.logout()  # a visitor without an account, reading in English
    client.cookies.load({"django_language": "en"})
    page = client.get(reverse("certificate_verify:verify", args=[certificate.number])).content.decode()
    assert "Valid certificate" in page and "Total hours of service" in page
