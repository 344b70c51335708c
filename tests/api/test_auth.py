"""X-Auth-Token: a token from the panel or `manage.py issue_token` acts for its user's tenant; nothing else does."""

from datetime import timedelta

import pytest
from django.utils import timezone

from imagesharing.accounts.models import ApiToken
from tests import factories
from tests.api.conftest import Api, error_of, unchanged

PATHS = [
    ("GET", "/v2/images"),
    ("POST", "/v2/images"),
    ("GET", "/v2/images/{id}"),
    ("PATCH", "/v2/images/{id}"),
    ("DELETE", "/v2/images/{id}"),
    ("GET", "/v2/images/{id}/members"),
    ("POST", "/v2/images/{id}/members"),
    ("GET", "/v2/images/{id}/members/{tenant}"),
    ("PUT", "/v2/images/{id}/members/{tenant}"),
    ("DELETE", "/v2/images/{id}/members/{tenant}"),
    ("GET", "/v2/schemas/image"),
]


def call(api: Api, method: str, path: str, image, tenant):
    return api.request(method, path.format(id=image.pk, tenant=tenant), {"status": "accepted"})


@pytest.mark.parametrize("method,path", PATHS)
def test_no_token_is_401_and_changes_nothing(anonymous, owner, consumer, shared_image, method, path):
    factories.member(owner, shared_image, consumer)
    with unchanged():
        response = call(anonymous, method, path, shared_image, consumer.account.tenant_id)
    assert error_of(response)[0] == 401


@pytest.mark.parametrize("token", ["not-a-token", "x" * 5000, "Bearer abc"])
def test_a_bad_token_is_401(dfw, token):
    assert error_of(Api(token).get("/v2/images"))[0] == 401


def test_an_expired_token_is_401(owner):
    token, plain = ApiToken.objects.issue(owner, "short", lifetime=timedelta(hours=1))
    assert Api(plain).get("/v2/images").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert error_of(Api(plain).get("/v2/images"))[0] == 401


def test_a_revoked_token_is_401(owner):
    token, plain = ApiToken.objects.issue(owner, "gone")
    token.delete()
    assert error_of(Api(plain).get("/v2/images"))[0] == 401


def test_an_inactive_users_token_is_401(owner, api_as):
    api = api_as(owner)
    owner.is_active = False
    owner.save()
    assert error_of(api.get("/v2/images"))[0] == 401


def test_a_login_without_tenant_is_refused(operator, api_as, dfw):
    assert error_of(api_as(operator).get("/v2/images")) == (
        403,
        "This login belongs to no tenant; API calls act for a tenant.",
    )


def test_a_tenant_not_enabled_in_the_region_is_refused(abroad, api_as, dfw):
    assert error_of(api_as(abroad).get("/v2/images")) == (403, "Your account is not enabled in region DFW.")
    assert api_as(abroad, root="/api/lon").get("/v2/images").status_code == 200


def test_no_session_cookie_and_no_csrf_token_needed(owner, api_as):
    api = api_as(owner)  # its client enforces CSRF checks, as a browser's would be
    response = api.post("/v2/images", {"name": "scripted"})
    assert response.status_code == 201
    assert not response.cookies
    assert not api.client.cookies


def test_the_token_acts_for_its_users_tenant(owner, api_as):
    image = api_as(owner).post("/v2/images", {"name": "mine"}).json()
    assert image["owner"] == str(owner.account.tenant_id)


def test_use_is_recorded_on_the_token(owner):
    token, plain = ApiToken.objects.issue(owner, "script")
    Api(plain).get("/v2/images")
    token.refresh_from_db()
    assert token.last_used_at is not None
