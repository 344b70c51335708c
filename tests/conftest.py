"""The standing cast: a producer, consumers in the image's region, a stranger, and an
outsider whose tenant is not enabled in the region."""

import pytest

from tests import factories


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Image data goes to a fresh folder per test, never into var/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "media" / "uploads")
    return settings.MEDIA_ROOT


@pytest.fixture
def dfw(db):
    return factories.region("DFW")


@pytest.fixture
def lon(db):
    return factories.region("LON")


@pytest.fixture
def owner(dfw):
    return factories.user(factories.account(dfw, name="Producer"), username="owner")


@pytest.fixture
def consumer(dfw):
    return factories.user(factories.account(dfw, name="Consumer"), username="consumer")


@pytest.fixture
def other_consumer(dfw):
    return factories.user(factories.account(dfw, name="Second consumer"), username="other")


@pytest.fixture
def stranger(dfw):
    return factories.user(factories.account(dfw, name="Stranger"), username="stranger")


@pytest.fixture
def abroad(lon):
    """A tenant enabled only in LON, outside the DFW images' region."""
    return factories.user(factories.account(lon, name="UK tenant"), username="abroad")


@pytest.fixture
def operator(db):
    return factories.operator()


@pytest.fixture
def image(owner, dfw):
    return factories.image(owner, dfw, name="web-base")


@pytest.fixture
def shared_image(owner, dfw):
    return factories.image(owner, dfw, name="shared-base", visibility="shared")
