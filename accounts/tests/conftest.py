import pytest

from .factories import UserFactory


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded photos go to a throw-away directory."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def member(db):
    return UserFactory(username="ann", email="Ann@Example.com", first_name="Ann")


@pytest.fixture
def other(db):
    return UserFactory(username="bob", email="bob@example.com", first_name="Bob")
