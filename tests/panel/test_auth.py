"""Sign in and out; every panel page needs a signed-in tenant user."""
import uuid

import pytest
from django.test import Client

from tests.panel.conftest import text_of

ANY = uuid.uuid4()
PAGES = [
    "/", "/images/", f"/images/{ANY}/", f"/images/{ANY}/delete/", "/shared/", "/history/",
    f"/images/{ANY}/members/900001/remove/", f"/images/{ANY}/report/", "/servers/", "/servers/boot/",
    f"/servers/{ANY}/delete/", "/usage/", "/tokens/",
]
ACTIONS = [
    "/region/", f"/images/{ANY}/edit/", f"/images/{ANY}/delete/", f"/images/{ANY}/share/",
    f"/images/{ANY}/members/900001/remove/", f"/images/{ANY}/status/", f"/images/{ANY}/report/",
    "/servers/boot/", f"/servers/{ANY}/snapshot/", f"/servers/{ANY}/delete/", "/tokens/", "/tokens/1/revoke/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("path", PAGES)
def test_it_sends_anonymous_visitors_to_sign_in(path):
    response = Client().get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={path}"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ACTIONS)
def test_it_sends_anonymous_posts_to_sign_in(path):
    response = Client().post(path, {"status": "accepted"})
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.django_db
def test_the_sign_in_page_has_labelled_fields():
    page = text_of(Client().get("/login/"))
    assert '<label for="id_username">' in page and '<label for="id_password">' in page


def test_it_signs_in_and_lands_on_the_overview(owner):
    client = Client()
    response = client.post("/login/", {"username": "owner", "password": "password"}, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    page = text_of(response)
    assert "Producer" in page and str(owner.account.tenant_id) in page


def test_a_wrong_password_is_refused(owner):
    response = Client().post("/login/", {"username": "owner", "password": "nope"})
    assert response.status_code == 200
    assert "_auth_user_id" not in response.wsgi_request.session


def test_sign_out_is_a_post(as_owner):
    assert as_owner.get("/logout/").status_code == 405
    response = as_owner.post("/logout/")
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert as_owner.get("/").status_code == 302


@pytest.mark.parametrize("path", ["/", "/images/", "/shared/", "/servers/", "/usage/", "/tokens/"])
def test_an_operator_without_a_tenant_is_pointed_to_the_admin(as_operator, path):
    response = as_operator.get(path)
    assert response.status_code == 403
    assert 'href="/admin/"' in text_of(response)


def test_an_operator_without_a_tenant_changes_nothing(as_operator, shared_image):
    response = as_operator.post(f"/images/{shared_image.pk}/share/", {"tenant_ids": "900002", "acknowledge": "on"})
    assert response.status_code == 403
    assert not shared_image.members.exists()


def test_the_header_shows_tenant_id_with_a_copy_button_and_region_switcher(as_owner, owner, dfw, lon):
    owner.account.regions.add(lon)
    page = text_of(as_owner.get("/"))
    tenant_id = owner.account.tenant_id
    assert f'data-copy="{tenant_id}"' in page
    assert '<option value="DFW" selected>' in page and '<option value="LON">' in page


def test_the_region_switcher_offers_only_the_tenants_regions(as_owner, lon):
    page = text_of(as_owner.get("/"))
    assert 'value="DFW"' in page and 'value="LON"' not in page


def test_the_overview_says_how_many_offers_wait(as_consumer, owner, consumer, shared_image):
    from tests import factories

    factories.member(owner, shared_image, consumer)
    page = text_of(as_consumer.get("/"))
    assert "1</strong> offer waiting" in page
    assert 'id="pending-badge" class="badge">1' in page
