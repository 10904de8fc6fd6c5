import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _chinese():
    """These tests check the Chinese messages; a request in another test may have left another language active."""
    with translation.override("zh-hans"):
        yield
