"""Details of the panel that only a browser shows: copy buttons, htmx paging with focus, a phone-width layout."""

import re

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.test_sharing_flow import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_tenant_id_copy_button(live_server, browser, producer):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    sign_in(page, live_server.url, "producer")
    tenant_id = str(producer.account.tenant_id)
    button = page.get_by_role("button", name=f"Copy tenant ID {tenant_id}").first
    button.click()
    expect(button).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == tenant_id
    expect(page.locator("#messages")).to_contain_text(f"Copied {tenant_id}")


def test_copy_buttons_are_hidden_without_javascript(live_server, browser, producer):
    page = browser.new_context(java_script_enabled=False).new_page()
    sign_in(page, live_server.url, "producer")
    expect(page.get_by_role("button", name=re.compile("^Copy tenant ID"))).to_have_count(0)
    expect(page.locator("#tenant-id")).to_have_text(str(producer.account.tenant_id))


def test_next_page_swaps_the_list_in_place_and_moves_focus(live_server, browser, producer, dfw):
    for number in range(30):
        factories.image(producer, dfw, name=f"image-{number:02}")
    page = browser.new_page()
    sign_in(page, live_server.url, "producer")
    page.goto(f"{live_server.url}/images/?sort=name")
    page.evaluate("window.__same_document = true")
    page.get_by_role("link", name="Next page").click()
    expect(page.get_by_role("link", name="image-29")).to_be_visible()
    expect(page.get_by_role("link", name="image-00")).to_have_count(0)
    expect(page.locator("#results")).to_be_focused()
    assert page.evaluate("window.__same_document === true")
    assert "marker=" in page.url  # the address can be shared and reloaded
    page.reload()
    expect(page.get_by_role("link", name="image-29")).to_be_visible()


@pytest.mark.parametrize("path", ["/images/", "/shared/", "/servers/", "/tokens/"])
def test_a_phone_width_needs_no_sideways_scrolling_of_the_page(live_server, browser, producer, dfw, path):
    image = factories.image(producer, dfw, name="a-rather-long-image-name-for-a-small-screen", visibility="shared")
    factories.member(producer, image, factories.user(factories.account(dfw)))
    page = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    sign_in(page, live_server.url, "producer")
    for target in (path, f"/images/{image.pk}/"):
        page.goto(live_server.url + target)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{target} is {overflow}px wider than the phone"


def test_answering_from_the_image_page_updates_it_in_place(live_server, browser, producer, dfw):
    consumer = factories.user(factories.account(dfw), username="consumer")
    image = factories.image(producer, dfw, name="offered", visibility="shared")
    factories.member(producer, image, consumer)
    page = browser.new_page()
    sign_in(page, live_server.url, "consumer")
    page.goto(f"{live_server.url}/images/{image.pk}/")
    page.evaluate("window.__same_document = true")
    status = page.locator("#my-status")
    status.get_by_role("button", name="Accept").click()
    expect(status.get_by_role("heading")).to_contain_text("accepted")
    expect(status.get_by_role("heading")).to_be_focused()
    expect(status.get_by_role("button", name="Accept")).to_have_count(0)
    expect(page.locator("#pending-badge")).to_be_hidden()
    expect(page.locator("#messages")).to_contain_text("Accepted “offered”")
    status.get_by_role("button", name="Back to pending").click()
    expect(status.get_by_role("heading")).to_contain_text("pending")
    expect(page.locator("#pending-badge")).to_have_text("1 pending")
    assert page.evaluate("window.__same_document === true")
