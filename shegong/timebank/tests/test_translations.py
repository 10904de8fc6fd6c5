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
def test_the_pages_in_english(client, world):
    client.force_login(world.station_head_a)
    client.cookies.load({"django_language": "en"})
    page = client.get(reverse("timebank:accounts")).content.decode()
    assert "Time-bank accounts" in page and "Account type" in page
    board = client.get(reverse("timebank:offers")).content.decode()
    assert "Post an offer or request" in board and "Hospital escort" in board


def test_the_policy_kinds_in_english():
    from django.utils import translation

    from shegong.policies.kinds.timebank import KINDS

    with translation.override("en"):
        assert [str(kind.label) for kind in KINDS] == [
            "Time-bank balance limits",
            "Time-bank transfers to family members",
            "Time-bank donations to the pool",
        ]
