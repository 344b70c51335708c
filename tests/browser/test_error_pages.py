"""Issue 10: error pages in Chromium read well on a phone (390 px) and at desktop width."""

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.test_sharing_flow import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [390, 1280])
def test_a_revoked_images_link_gets_a_readable_page(live_server, browser, dfw, width, producer, consumer):
    base = live_server.url
    image = factories.image(producer, dfw, name="golden-web", visibility="shared")
    factories.member(producer, image, consumer).remove(producer)
    page = browser.new_context(viewport={"width": width, "height": 800}).new_page()
    sign_in(page, base, "consumer")

    response = page.goto(f"{base}/images/{image.pk}/")

    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="There is nothing here for you")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scroll
    page.get_by_role("link", name="Go to your images").click()
    expect(page).to_have_url(f"{base}/images/")


def test_a_buttons_address_opened_as_a_page_is_explained(live_server, browser, dfw, producer):
    base = live_server.url
    image = factories.image(producer, dfw, name="golden-web")
    page = browser.new_context(viewport={"width": 390, "height": 800}).new_page()
    sign_in(page, base, "producer")
    response = page.goto(f"{base}/images/{image.pk}/share/")
    assert response is not None and response.status == 405
    expect(page.get_by_role("heading", name="This address is not a page")).to_be_visible()


def test_a_form_whose_token_expired_explains_and_changes_nothing(live_server, browser, dfw, producer):
    base = live_server.url
    image = factories.image(producer, dfw, name="golden-web")
    context = browser.new_context(viewport={"width": 390, "height": 800}, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, base, "producer")
    page.goto(f"{base}/images/{image.pk}/")
    context.clear_cookies(name="csrftoken")  # as after signing out and in again in another tab
    page.locator("#id_name").fill("renamed")
    save = page.get_by_role("button", name="Save settings")
    with page.expect_response(lambda response: response.status == 403):
        save.click()
    expect(page.get_by_role("heading", name="This form could not be checked")).to_be_visible()
    image.refresh_from_db()
    assert image.name == "golden-web"
