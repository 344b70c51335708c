"""Panel tests: clients signed in as each member of the standing cast."""
import pytest
from django.test import Client


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def as_owner(owner):
    return signed_in(owner)


@pytest.fixture
def as_consumer(consumer):
    return signed_in(consumer)


@pytest.fixture
def as_stranger(stranger):
    return signed_in(stranger)


@pytest.fixture
def as_abroad(abroad):
    return signed_in(abroad)


@pytest.fixture
def as_operator(operator):
    return signed_in(operator)


HTMX = {"HX-Request": "true"}
