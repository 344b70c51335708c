"""R18 in Chromium: the bell counts unread notices; the notices page marks them read, and the bell
follows in place with JavaScript (htmx) and after a plain post without."""

import pytest
from playwright.sync_api import expect

from imagesharing.memberships.notices import Notice
from tests import factories
from tests.browser.test_sharing_flow import mark_page, same_document, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_the_bell_and_the_notices_page(live_server, browser, dfw, javascript, producer, consumer):
    base = live_server.url
    first = factories.image(producer, dfw, name="golden-web", visibility="shared")
    second = factories.image(producer, dfw, name="build-box", visibility="shared")
    factories.member(producer, first, consumer)
    factories.member(producer, second, consumer)
    page = browser.new_context(java_script_enabled=javascript).new_page()
    sign_in(page, base, "consumer")

    bell = page.locator("#notice-bell")
    expect(bell).to_have_text("🔔 Notices2 unread")
    bell.click()
    expect(page.get_by_role("heading", name="Notices")).to_be_visible()
    newest = Notice.objects.get(image=second)
    row = page.locator(f"#notice-{newest.pk}")
    expect(row).to_contain_text(
        f"Tenant {producer.account.tenant_id} (Producer Inc) offered you the image “build-box”."
    )

    mark_page(page)
    row.get_by_role("button", name="Mark read").click()
    expect(page.locator(f"#notice-{newest.pk}")).to_contain_text("Read")
    expect(bell).to_have_text("🔔 Notices1 unread")
    assert same_document(page) is javascript

    page.get_by_role("button", name="Mark all read").click()
    expect(page.locator("#messages")).to_contain_text("Marked 1 notice read.")
    expect(bell.locator(".badge")).to_be_hidden()

    page.locator(f"#notice-{Notice.objects.get(image=first).pk}").get_by_role("link").click()
    expect(page.get_by_role("button", name="Accept")).to_be_visible()  # where the offer is answered
