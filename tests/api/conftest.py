"""Calling the API as the standing cast, each with its own token, through Django's test client."""

import json
from contextlib import contextmanager
from urllib.parse import urlencode

import pytest
from django.test import Client

from imagesharing.accounts.models import ApiToken
from imagesharing.images.models import Image
from imagesharing.memberships.history import Event
from imagesharing.memberships.members import ImageMember

ROOT = "/api/dfw"
_TABLES = (Image, ImageMember, Event)


class Api:
    """One caller of the DFW endpoint. Paths are relative to the endpoint root, as Glance's links are."""

    def __init__(self, token: str | None, root: str = ROOT):
        self.client = Client(enforce_csrf_checks=True)
        self.token = token
        self.root = root

    def request(
        self,
        method: str,
        path: str,
        body=None,
        *,
        content_type: str = "application/json",
        raw: bytes | None = None,
        query: dict | None = None,
        headers: dict | None = None,
    ):
        headers = dict(headers or {})
        if self.token is not None:
            headers.setdefault("X-Auth-Token", self.token)
        data = raw if raw is not None else (json.dumps(body) if body is not None else "")
        return self.client.generic(
            method,
            self.root + path + _query(query),
            data,
            content_type=content_type,
            headers=headers,
        )

    def get(self, path: str, **query):
        return self.request("GET", path, query=query)

    def post(self, path: str, body=None, **options):
        return self.request("POST", path, body, **options)

    def put(self, path: str, body=None, **options):
        return self.request("PUT", path, body, **options)

    def patch(self, path: str, operations, **options):
        options.setdefault("content_type", "application/openstack-images-v2.1-json-patch")
        return self.request("PATCH", path, operations, **options)

    def delete(self, path: str):
        return self.request("DELETE", path)


def _query(query: dict | None) -> str:
    return f"?{urlencode(query, doseq=True)}" if query else ""


@pytest.fixture
def api_as(db):
    """`api_as(user)` is an Api acting with a fresh token of that user."""

    def make(user, root: str = ROOT) -> Api:
        return Api(ApiToken.objects.issue(user, "tests", as_operator=True)[1], root)  # readers' tokens too

    return make


@pytest.fixture
def anonymous(db):
    return Api(None)


def snapshot() -> dict:
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in _TABLES}


@contextmanager
def unchanged():
    """The refusal inside changed no image, member or history row."""
    before = snapshot()
    yield
    assert snapshot() == before


def error_of(response) -> tuple[int, str]:
    """The status and message of a Glance-shaped JSON error, checking its shape on the way."""
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert set(error) == {"code", "title", "message"}
    assert error["code"] == response.status_code
    assert error["title"] and error["message"]
    return response.status_code, error["message"]
