"""Panel tests: clients signed in as each member of the standing cast, and small readers of responses."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client

HTMX = {"HX-Request": "true"}


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def messages_of(response) -> list[str]:
    """The messages a view added while answering `response`."""
    return [str(message) for message in get_messages(response.wsgi_request)]


def text_of(response) -> str:
    return response.content.decode()


def party(account) -> str:
    """R21: how a page begins to name another tenant: its tenant ID, then its display name."""
    return f'<span class="party"><code>{account.tenant_id}</code> <span class="party-name">{account.name}</span>'


@pytest.fixture
def as_owner(owner):
    return signed_in(owner)


@pytest.fixture
def as_consumer(consumer):
    return signed_in(consumer)


@pytest.fixture
def as_other(other_consumer):
    return signed_in(other_consumer)


@pytest.fixture
def as_stranger(stranger):
    return signed_in(stranger)


@pytest.fixture
def as_abroad(abroad):
    return signed_in(abroad)


@pytest.fixture
def as_operator(operator):
    return signed_in(operator)
