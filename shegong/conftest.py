import pytest

from shegong.testing.world import build_world


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """After migrations: the real divisions of 广州市 (4401), once per test session."""
    from shegong.regions.loading import load_shipped

    with django_db_blocker.unblock():
        load_shipped(city="4401")


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def world(db):
    return build_world()
