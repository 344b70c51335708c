"""Branded error pages (issue 10): a viewport, plain words and a next step, the header where a
session exists; still byte-identical for a stranger's image and a missing one (R6)."""

import pytest
from django.test import Client

from imagesharing.accounts.models import ApiToken
from tests.panel.conftest import HTMX, text_of

MISSING = "00000000-0000-0000-0000-0000000000a4"


def assert_branded(response, status: int, heading: str) -> str:
    page = text_of(response)
    assert response.status_code == status
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert 'href="/static/css/panel.css"' in page
    assert f'<h1 id="error-heading">{heading}</h1>' in page
    assert f"Error {status}." in page
    return page


def test_not_found_for_a_tenant_has_the_navigation_and_a_way_back(as_stranger, image):
    page = assert_branded(as_stranger.get(f"/images/{image.pk}/"), 404, "There is nothing here for you")
    assert 'aria-label="Main"' in page and "Go to your images" in page
    assert str(image.pk) not in page  # nothing about what was asked for


def test_not_found_pages_for_a_strangers_image_and_a_missing_one_are_byte_identical(as_stranger, image):
    mine, missing = as_stranger.get(f"/images/{image.pk}/"), as_stranger.get(f"/images/{MISSING}/")
    assert mine.status_code == missing.status_code == 404
    assert mine.content == missing.content
    assert "csrfmiddlewaretoken" not in text_of(mine)  # a token would differ per answer


@pytest.mark.django_db
def test_not_found_without_a_session_offers_to_sign_in():
    page = assert_branded(Client().get("/no-such-page/"), 404, "There is nothing here for you")
    assert 'href="/login/"' in page and 'aria-label="Main"' not in page


def test_a_buttons_address_opened_as_a_page_explains_and_keeps_allow(as_owner, image):
    response = as_owner.get(f"/images/{image.pk}/share/")
    assert_branded(response, 405, "This address is not a page")
    assert response["Allow"] == "POST"


def test_the_apis_405_stays_json(owner):
    _, plain = ApiToken.objects.issue(owner, "errors")
    response = Client(headers={"X-Auth-Token": plain}).delete("/api/dfw/v2/schemas/image")
    assert response.status_code == 405 and response["Content-Type"] == "application/json"


def test_a_form_without_its_token_is_refused_with_a_page(owner, image):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    response = client.post(f"/images/{image.pk}/edit/", {"name": "x", "visibility": "private"})
    assert_branded(response, 403, "This form could not be checked")


def test_with_htmx_a_form_without_its_token_reloads_the_page(owner, image):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    response = client.post(f"/images/{image.pk}/status/", {"status": "accepted"}, headers=HTMX)
    assert response.status_code == 403 and response["HX-Refresh"] == "true"


@pytest.mark.django_db
def test_a_request_that_cannot_be_read_gets_a_page():
    response = Client().get("/login/", headers={"Host": "evil.example"})
    assert_branded(response, 400, "The request could not be read")


def test_a_fault_gets_a_page_and_no_details(as_owner, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("secret detail")

    monkeypatch.setattr("imagesharing.panel.views.account.current_region", broken)
    as_owner.raise_request_exception = False
    page = assert_branded(as_owner.get("/"), 500, "Something went wrong on our side")
    assert "secret detail" not in page and "Traceback" not in page
