"""Every user-facing string has its English translation, and the compiled catalogues match their sources."""

from pathlib import Path

import polib
import pytest

APPS_DIR = Path(__file__).resolve().parents[2]
CATALOGUES = sorted(APPS_DIR.glob("*/locale/en/LC_MESSAGES/django.po"))


def test_every_app_with_strings_has_an_english_catalogue():
    assert len(CATALOGUES) >= 10


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda path: path.parts[-5])
def test_catalogue_is_complete_and_compiled(po_path):
    catalogue = polib.pofile(str(po_path))
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert not untranslated, f"untranslated: {untranslated[:5]}"
    assert not fuzzy, f"fuzzy: {fuzzy[:5]}"
    compiled = polib.mofile(str(po_path.with_suffix(".mo")))
    by_id = {(entry.msgctxt, entry.msgid): entry.msgstr for entry in compiled}
    stale = [
        e.msgid
        for e in catalogue.translated_entries()
        if not e.msgid_plural and by_id.get((e.msgctxt, e.msgid)) != e.msgstr
    ]
    assert not stale, f"run ./dev messages: .mo is older than .po for {stale[:5]}"
