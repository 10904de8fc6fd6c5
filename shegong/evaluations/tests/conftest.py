import pytest


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    """Evidence files go to a temporary folder, never to var/media."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
