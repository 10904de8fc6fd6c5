import pytest
from django.utils import translation

from shegong.testing.baseline import ensure_baseline
from shegong.testing.browser import chromium_browser, page, phone_page  # noqa: F401  (fixtures)
from shegong.testing.world import build_world


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """After migrations: the baseline data (the real divisions of 广州市), once per test session."""
    with django_db_blocker.unblock():
        ensure_baseline()


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings):
    # A request in English leaves English active in the thread; every test starts in the default language.
    translation.activate(settings.LANGUAGE_CODE)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def world(db):
    # Transactional tests start from a flushed database: put the baseline back first (a no-op otherwise).
    ensure_baseline()
    return build_world()
