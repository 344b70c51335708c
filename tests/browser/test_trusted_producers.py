"""R24 in Chromium, with JavaScript and without: the consumer lists the producer as trusted on its
Trusted producers page; the producer's next share is accepted at once, on both sides."""

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.test_sharing_flow import nav, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_an_offer_from_a_trusted_producer_is_accepted_at_once(
    live_server, browser, javascript, dfw, producer, consumer
):
    base = live_server.url
    image = factories.image(producer, dfw, name="golden-web")
    producer_id, consumer_id = producer.account.tenant_id, consumer.account.tenant_id
    consumer_page = browser.new_context(java_script_enabled=javascript).new_page()
    producer_page = browser.new_context(java_script_enabled=javascript).new_page()

    # The consumer trusts the producer, from Shared with me.
    page = consumer_page
    sign_in(page, base, "consumer")
    nav(page, "Shared with me").click()
    page.get_by_role("link", name="Trusted producers").click()
    page.get_by_label("Producer's tenant ID").fill(str(producer_id))
    page.get_by_label("Trusted: accept its offers automatically").check()
    page.get_by_role("button", name="Save to list").click()
    expect(page.locator("#messages")).to_contain_text(
        f"Offers from tenant {producer_id} will be accepted automatically."
    )
    expect(page.locator("#trusted")).to_contain_text(str(producer_id))

    # The producer shares: the member is accepted already.
    page = producer_page
    sign_in(page, base, "producer")
    page.goto(f"{base}/images/{image.pk}/")
    page.get_by_label("Tenant IDs").fill(str(consumer_id))
    page.get_by_label("I have removed stored passwords").check()
    page.get_by_role("button", name="Share", exact=True).click()
    expect(page.locator(f"#member-{consumer_id}")).to_contain_text("accepted")

    # The consumer finds it among its accepted offers, and in its image list.
    page = consumer_page
    page.goto(f"{base}/shared/?status=accepted")
    expect(page.locator("main")).to_contain_text("golden-web")
    nav(page, "Images").click()
    expect(page.locator("main")).to_contain_text("golden-web")
