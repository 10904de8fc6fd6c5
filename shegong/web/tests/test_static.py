"""The static files a production server serves: `collectstatic` with the manifest storage used when DEBUG is off
(./dev serve, the README's deployment) must succeed, which needs every file a CSS or JS file names (fonts, source
maps) to be there."""

from django.core.management import call_command
from django.test import override_settings

MANIFEST = "whitenoise.storage.CompressedManifestStaticFilesStorage"


def test_collectstatic_with_the_production_storage_succeeds(tmp_path, settings):
    storages = {**settings.STORAGES, "staticfiles": {"BACKEND": MANIFEST}}
    with override_settings(STORAGES=storages, STATIC_ROOT=tmp_path):
        call_command("collectstatic", interactive=False, verbosity=0)
    assert (tmp_path / "staticfiles.json").exists()
    assert list(tmp_path.glob("vendor/bootstrap/bootstrap.bundle.min.*.js"))
