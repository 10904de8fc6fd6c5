"""The app's English catalogue: every message translated, none fuzzy, compiled; pages render in English, the
resident's form included, and so does the request entry of the public QR page."""

from pathlib import Path

import polib
import pytest
from django.urls import reverse

from shegong.servicerequests.tests.factories import Network, submit
from shegong.testing.world import COMMUNITY_A

CATALOGUE = Path(__file__).resolve().parents[1] / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_catalogue_complete_and_compiled():
    po = polib.pofile(str(CATALOGUE))
    assert [entry.msgid for entry in po if not entry.translated() or "fuzzy" in entry.flags] == []
    assert CATALOGUE.with_suffix(".mo").stat().st_mtime >= CATALOGUE.stat().st_mtime - 1


@pytest.mark.django_db
def test_pages_in_english(client, world):
    Network(world)
    submit()
    client.cookies.load({"django_language": "en"})
    form = client.get(reverse("servicerequests:new", args=[COMMUNITY_A])).content.decode()
    assert "Ask for help" in form and "What kind of help do you need" in form
    assert "Ask for help / submit a request" in client.get(f"/s/{COMMUNITY_A}/").content.decode()
    client.force_login(world.station_head_a)
    queue = client.get(reverse("servicerequests:queue")).content.decode()
    assert "Dispatch queue" in queue and "Assign all at once" in queue and "Pending" in queue
