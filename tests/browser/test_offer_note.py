"""The producer's note (R19) and the names (R21) in Chromium, with JavaScript (htmx swaps) and without.

The producer shares with a note; the consumer reads it in its inbox beside the producer's
name; the producer rewrites it from the members table, and the consumer reads the new one;
the consumer labels the producer's tenant ID from the inbox, and the label shows in each row.
"""

import re

import pytest
from playwright.sync_api import expect

from imagesharing.accounts.models import TenantLabel
from imagesharing.memberships.members import ImageMember
from tests import factories
from tests.browser.test_sharing_flow import mark_page, nav, same_document, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_a_note_on_an_offer_written_read_and_rewritten(live_server, browser, javascript, dfw, producer, consumer):
    base = live_server.url
    image = factories.image(producer, dfw, name="golden-web")
    consumer_id = consumer.account.tenant_id
    producer_page = browser.new_context(java_script_enabled=javascript).new_page()
    consumer_page = browser.new_context(java_script_enabled=javascript).new_page()

    # The producer shares with a note.
    page = producer_page
    sign_in(page, base, "producer")
    page.goto(f"{base}/images/{image.pk}/")
    page.get_by_label("Tenant IDs").fill(str(consumer_id))
    page.get_by_label("Note to the consumers").fill("Patched weekly.\nAsk Dana before production use.")
    page.get_by_label("I have removed stored passwords").check()
    page.get_by_role("button", name="Share", exact=True).click()
    member_row = page.locator(f"#member-{consumer_id}")
    expect(member_row).to_contain_text("Ask Dana before production use.")
    expect(member_row).to_contain_text("Consumer")  # the member's display name (R21)

    # The consumer reads it in its inbox, beside the producer's tenant ID and name.
    page = consumer_page
    sign_in(page, base, "consumer")
    nav(page, "Shared with me").click()
    offer = ImageMember.objects.get(image=image)
    row = page.locator(f"#offer-{offer.pk}")
    expect(row.locator(".note")).to_have_text("Patched weekly.\nAsk Dana before production use.")
    expect(row).to_contain_text(f"{producer.account.tenant_id} Producer Inc")

    # The producer rewrites the note from the members table: in place with htmx.
    page = producer_page
    mark_page(page)
    member_row.get_by_role("link", name=re.compile("Edit note")).click()
    page.locator("form.note-form").get_by_role("textbox").fill("Use the March build instead.")
    page.get_by_role("button", name="Save note").click()
    expect(page.locator("#messages")).to_contain_text(f"Your note to tenant {consumer_id} is saved.")
    expect(page.locator(f"#member-{consumer_id} .note")).to_have_text("Use the March build instead.")
    assert same_document(page) is javascript
    page.reload()
    expect(page.locator("table.history")).to_contain_text("offer note changed (rewritten)")

    # The consumer sees the new note on the image page.
    page = consumer_page
    page.goto(f"{base}/images/{image.pk}/")
    expect(page.locator("#my-status .note")).to_have_text("Use the March build instead.")


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_a_label_set_from_the_inbox_shows_in_every_row(live_server, browser, javascript, dfw, producer, consumer):
    base = live_server.url
    for name in ("first", "second"):
        factories.member(producer, factories.image(producer, dfw, name=name, visibility="shared"), consumer)
    producer_id = producer.account.tenant_id
    page = browser.new_context(java_script_enabled=javascript).new_page()
    sign_in(page, base, "consumer")
    nav(page, "Shared with me").click()
    mark_page(page)
    rows = page.locator("table.offers tbody tr")
    expect(rows).to_have_count(2)
    rows.first.get_by_role("link", name=f"add label for tenant {producer_id}").click()
    page.get_by_role("textbox", name=re.compile("^Label")).fill("Our image supplier")
    page.get_by_role("button", name="Save label").click()
    expect(page.locator("#messages")).to_contain_text(f"Tenant {producer_id} is labelled “Our image supplier”")
    expect(page.locator(".label-text")).to_have_count(2)
    expect(page.locator(".label-text").first).to_have_text("Our image supplier")
    assert same_document(page) is javascript
    assert TenantLabel.objects.for_tenants(consumer.account, [producer_id]) == {producer_id: "Our image supplier"}
