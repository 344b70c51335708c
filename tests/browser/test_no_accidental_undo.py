"""Issue 10's blocker in Chromium: a first share made with htmx, then Save settings on the same
page, must not make the image private again; and making it private asks first (R9, R12)."""

import pytest
from playwright.sync_api import expect

from imagesharing.choices import Visibility
from imagesharing.images.models import Image
from imagesharing.memberships.members import ImageMember
from tests import factories
from tests.browser.test_sharing_flow import mark_page, same_document, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_first_share_then_save_settings_keeps_the_share(live_server, browser, dfw, producer, consumer):
    base = live_server.url
    image = factories.image(producer, dfw, name="golden-web")
    page = browser.new_context().new_page()
    sign_in(page, base, "producer")
    page.goto(f"{base}/images/{image.pk}/")
    mark_page(page)

    page.get_by_label("Tenant IDs").fill(str(consumer.account.tenant_id))
    page.get_by_label("I have removed stored passwords").check()
    page.get_by_role("button", name="Share", exact=True).click()
    expect(page.locator("#members")).to_contain_text(str(consumer.account.tenant_id))

    # Every part of the page that shows the visibility follows the share, without a reload.
    assert same_document(page)
    expect(page.locator("#image-head")).to_contain_text("Your image, shared, in DFW.")
    expect(page.locator("#image-properties")).to_contain_text("shared")
    expect(page.get_by_label("Shared: your tenant and its members")).to_be_checked()

    page.get_by_label("Protected: cannot be deleted until this is unticked").check()
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#messages")).to_contain_text("Saved: protected.")

    image.refresh_from_db()
    assert (image.visibility, image.protected) == (Visibility.SHARED, True)
    assert ImageMember.objects.filter(image=image, member=consumer.account).exists()


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_making_a_shared_image_private_names_who_loses_access(
    live_server, browser, dfw, javascript, producer, consumer
):
    base = live_server.url
    image = factories.image(producer, dfw, name="golden-web", visibility="shared")
    factories.member(producer, image, consumer, "accepted")
    page = browser.new_context(java_script_enabled=javascript).new_page()
    sign_in(page, base, "producer")
    page.goto(f"{base}/images/{image.pk}/")

    page.get_by_label("Private: only your tenant").check()
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("heading", name="Make “golden-web” private?")).to_be_visible()
    expect(page.locator("#losing-access")).to_contain_text(f"{consumer.account.tenant_id} accepted")
    assert Image.objects.get(pk=image.pk).visibility == Visibility.SHARED

    page.get_by_role("button", name="Make private").click()
    expect(page.locator("#dormant-members")).to_contain_text(str(consumer.account.tenant_id))
    expect(page.locator("#dormant-members")).to_contain_text("inactive")
    assert Image.objects.get(pk=image.pk).visibility == Visibility.PRIVATE
