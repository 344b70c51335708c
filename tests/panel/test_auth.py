"""Sign in and out; every panel page needs a signed-in tenant user."""

import pytest
from django.test import Client

from imagesharing.memberships.members import ImageMember
from tests import factories
from tests.factories import NO_SUCH_ID
from tests.panel.conftest import text_of

ANY = NO_SUCH_ID  # fixed, not uuid4(): these paths are parametrize IDs, which must match in every xdist worker
PAGES = [
    "/",
    "/shared-by-me/",
    "/images/",
    f"/images/{ANY}/",
    f"/images/{ANY}/delete/",
    f"/images/{ANY}/deprecate/",
    "/shared/",
    "/history/",
    f"/images/{ANY}/members/900001/remove/",
    f"/images/{ANY}/members/900001/dates/",
    f"/images/{ANY}/report/",
    "/servers/",
    "/servers/boot/",
    f"/servers/{ANY}/delete/",
    "/usage/",
    "/tokens/",
    "/people/",
    "/people/1/remove/",
    "/profile/",
    "/profile/password/",
    f"/images/{ANY}/members/900001/note/",
    "/account/",
    "/labels/",
    "/labels/900001/",
    "/trusted-producers/",
    "/notices/",
    "/notices/preferences/",
    "/lists/",
    "/lists/1/",
    "/images/share/1/",
]
ACTIONS = [
    "/region/",
    "/shared-by-me/remove/",
    "/shared-by-me/remind/",
    f"/images/{ANY}/edit/",
    f"/images/{ANY}/delete/",
    f"/images/{ANY}/share/",
    f"/images/{ANY}/deprecate/",
    f"/images/{ANY}/undeprecate/",
    f"/images/{ANY}/offer-replacement/",
    f"/images/{ANY}/members/900001/remove/",
    f"/images/{ANY}/members/900001/remind/",
    f"/images/{ANY}/members/900001/dates/",
    f"/images/{ANY}/status/",
    f"/images/{ANY}/report/",
    "/servers/boot/",
    f"/servers/{ANY}/snapshot/",
    f"/servers/{ANY}/delete/",
    "/tokens/",
    "/tokens/1/revoke/",
    "/people/1/role/",
    "/people/1/remove/",
    "/profile/sign-out-everywhere/",
    "/profile/password/",
    f"/images/{ANY}/members/900001/note/",
    "/account/",
    "/labels/",
    "/labels/900001/",
    "/trusted-producers/",
    "/trusted-producers/900001/remove/",
    "/notices/read/",
    "/notices/1/read/",
    "/notices/preferences/",
    "/lists/",
    "/lists/1/",
    "/lists/1/tenants/",
    "/lists/1/delete/",
    "/images/share/",
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


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/images/",
        "/shared/",
        "/shared-by-me/",
        "/servers/",
        "/usage/",
        "/tokens/",
        "/notices/",
        "/account/",
        "/labels/",
        "/trusted-producers/",
        "/lists/",
    ],
)
def test_an_operator_without_a_tenant_is_pointed_to_the_admin(as_operator, path):
    response = as_operator.get(path)
    assert response.status_code == 403
    assert 'href="/admin/"' in text_of(response)


def test_an_operator_without_a_tenant_removes_no_offers(as_operator, owner, consumer, shared_image):
    member = factories.member(owner, shared_image, consumer)
    response = as_operator.post("/shared-by-me/remove/", {"member": [member.pk], "confirmed": "yes"})
    assert response.status_code == 403
    assert ImageMember.objects.filter(pk=member.pk).exists()


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


@pytest.mark.django_db
def test_an_htmx_action_after_the_session_expired_sends_the_whole_page_to_sign_in():
    """Issue 10: Accept with the session gone swapped the login page into the row, then ended on a 405."""
    response = Client().post(
        f"/images/{ANY}/status/",
        {"status": "accepted"},
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/shared/?status=pending"},
    )
    assert response.status_code == 200 and response.content == b""
    assert response["HX-Redirect"] == "/login/?next=/shared/%3Fstatus%3Dpending"


@pytest.mark.django_db
def test_an_htmx_page_request_after_the_session_expired_comes_back_to_the_page():
    response = Client().get(
        "/images/", {"marker": "x"}, headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/images/"}
    )
    assert response["HX-Redirect"] == "/login/?next=/images/"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "referer, expected",
    [
        (f"http://testserver/images/{ANY}/", f"/login/?next=/images/{ANY}/"),
        ("https://elsewhere.example/phish/", "/login/?next=/"),  # never back to another site
        (None, "/login/?next=/"),
    ],
)
def test_a_plain_action_after_the_session_expired_comes_back_to_its_page_not_its_post_url(referer, expected):
    headers = {"Referer": referer} if referer else {}
    response = Client().post(f"/images/{ANY}/status/", {"status": "accepted"}, headers=headers)
    assert response.status_code == 302 and response["Location"] == expected


@pytest.mark.django_db
def test_signing_in_after_an_expired_action_lands_on_the_page(owner):
    client = Client()
    to_login = client.post(f"/images/{ANY}/status/", headers={"Referer": "http://testserver/shared/"})
    response = client.post(to_login["Location"], {"username": "owner", "password": "password"})
    assert response.status_code == 302 and response["Location"] == "/shared/"


def test_an_operator_without_a_tenant_makes_no_list_and_shares_nothing_in_bulk(as_operator, image):
    assert as_operator.post("/lists/", {"name": "Branches"}).status_code == 403
    response = as_operator.post("/images/share/", {"image": [image.pk], "tenant_ids": "900002", "acknowledge": "on"})
    assert response.status_code == 403
    assert not image.members.exists()
