"""Issue 9, item 4: a content security policy without inline script on every answer, a permissions
policy, no shared caching of a tenant's pages and API answers, and an HttpOnly CSRF cookie."""

import pytest
from django.test import Client

from imagesharing.accounts.models import ApiToken
from tests.panel.conftest import signed_in


def policy(response) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))


@pytest.mark.parametrize("path", ["/", "/images/", "/shared-by-me/", "/admin/"])
def test_signed_in_pages_allow_no_inline_script_and_are_not_cached_for_others(owner, operator, path):
    client = signed_in(operator if path == "/admin/" else owner)
    response = client.get(path)
    assert response.status_code == 200
    csp = policy(response)
    assert csp["script-src"] == "'self'" and "unsafe-inline" not in csp["script-src"]
    assert csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'"
    assert "camera=()" in response["Permissions-Policy"]
    assert "private" in response["Cache-Control"]


def test_the_api_answers_are_private_too(owner):
    _, plain = ApiToken.objects.issue(owner, "headers")
    response = Client(headers={"X-Auth-Token": plain}).get("/api/dfw/v2/images")
    assert response.status_code == 200
    assert "private" in response["Cache-Control"] and "Content-Security-Policy" in response


def test_a_page_that_says_no_store_keeps_it(owner):
    assert signed_in(owner).get("/tokens/")["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_the_csrf_cookie_is_httponly():
    response = Client().get("/login/")
    assert response.cookies["csrftoken"]["httponly"] is True
