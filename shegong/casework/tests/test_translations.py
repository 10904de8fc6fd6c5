"""The app's English catalogue: every message translated, none fuzzy, compiled; pages render in English."""

from pathlib import Path

import polib
import pytest
from django.urls import reverse

from shegong.casework.models import Case
from shegong.casework.tests.factories import open_case, setting_a, walk

CATALOGUE = Path(__file__).resolve().parents[1] / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_catalogue_complete_and_compiled():
    po = polib.pofile(str(CATALOGUE))
    assert [entry.msgid for entry in po if not entry.translated() or "fuzzy" in entry.flags] == []
    assert CATALOGUE.with_suffix(".mo").stat().st_mtime >= CATALOGUE.stat().st_mtime - 1


@pytest.mark.django_db
def test_the_pages_in_english(client, world):
    case = walk(open_case(setting_a(world)), Case.Stage.ASSESSMENT)
    client.force_login(world.station_head_a)
    client.cookies.load({"django_language": "en"})
    page = client.get(reverse("casework:list")).content.decode()
    assert "Cases" in page and "Awaiting review" in page and "Export to Excel (without notes)" in page
    page = client.get(reverse("casework:detail", args=[case.pk])).content.decode()
    assert "Next stage" in page and "Close case" in page and "Stage history" in page and "Assessment" in page
