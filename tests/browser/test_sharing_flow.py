"""The sharing handshake end to end in Chromium, with JavaScript (htmx swaps) and without (plain posts).

A producer shares with two tenant IDs, one invalid, and sees the answer for each;
the consumer sees the pending badge, accepts without a reload, sees the image in
its list, rejects it, still boots it by ID and snapshots that server; the producer
sees the status change and the history, and revokes; the consumer keeps its
server and snapshot (R3, R5, R6, R9, R12, R13, R16).
"""

import re

import pytest
from playwright.sync_api import Page, expect

from imagesharing.memberships.members import ImageMember
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()


def nav(page: Page, name: str):
    """A link of the main navigation (its names may carry the pending badge)."""
    return page.get_by_role("navigation", name="Main").get_by_role("link", name=re.compile(f"^{name}"))


def mark_page(page: Page) -> None:
    """Tag the loaded document; a full reload loses the tag."""
    page.evaluate("window.__same_document = true")


def same_document(page: Page) -> bool:
    return page.evaluate("window.__same_document === true")


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_the_sharing_handshake(live_server, browser, javascript, dfw):
    base = live_server.url
    producer = factories.user(factories.account(dfw, name="Producer Inc"), username="producer")
    consumer = factories.user(factories.account(dfw, name="Consumer Ltd"), username="consumer")
    image = factories.image(producer, dfw, name="golden-web")
    consumer_id = consumer.account.tenant_id
    image_url = f"{base}/images/{image.pk}/"

    producer_page = browser.new_context(java_script_enabled=javascript).new_page()
    consumer_page = browser.new_context(java_script_enabled=javascript).new_page()

    # The producer shares with two tenant IDs, one of them invalid, after the checklist.
    page = producer_page
    sign_in(page, base, "producer")
    page.goto(image_url)
    mark_page(page)
    page.get_by_label("Tenant IDs").fill(f"{consumer_id}, 4242424242")
    page.get_by_label("I have removed stored passwords").check()
    page.get_by_role("button", name="Share", exact=True).click()
    outcomes = page.locator(".outcomes")
    expect(outcomes.locator(".outcome-added")).to_contain_text(str(consumer_id))
    expect(outcomes.locator(".outcome-unavailable")).to_contain_text("Cannot share with that tenant in this region.")
    expect(page.locator("#messages")).to_contain_text("it is now shared")
    expect(page.locator(f"#member-{consumer_id}")).to_contain_text("pending")
    assert same_document(page) is javascript

    # The consumer sees the pending badge and accepts without a reload.
    page = consumer_page
    sign_in(page, base, "consumer")
    expect(page.locator("#pending-badge")).to_have_text("1 pending")
    nav(page, "Shared with me").click()
    offer = ImageMember.objects.get(image=image)
    row = page.locator(f"#offer-{offer.pk}")
    mark_page(page)
    row.get_by_role("button", name="Accept").click()
    expect(page.locator(f"#offer-{offer.pk} .status")).to_have_text("accepted")
    expect(page.locator("#messages")).to_contain_text("Accepted “golden-web”")
    expect(page.locator("#pending-badge")).to_be_hidden()
    assert same_document(page) is javascript
    if javascript:  # focus lands on what changed, for keyboard and screen-reader users
        expect(page.locator(f"#offer-{offer.pk} .status")).to_be_focused()

    nav(page, "Images").click()
    expect(page.get_by_role("link", name="golden-web")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("golden-web"))).to_contain_text(
        f"Shared by {producer.account.tenant_id}"
    )

    # It rejects the offer: the image leaves the list, but it still boots by ID.
    nav(page, "Shared with me").click()
    page.locator(f"#offer-{offer.pk}").get_by_role("button", name="Reject").click()
    expect(page.locator(f"#offer-{offer.pk} .status")).to_have_text("rejected")
    nav(page, "Images").click()
    expect(page.get_by_role("link", name="golden-web")).to_have_count(0)

    nav(page, "Use an image by ID").click()
    page.get_by_label("Image ID").fill(f"{base}/images/{str(image.pk).upper()}/")  # a pasted link works too
    page.get_by_role("button", name="Find image").click()
    found = page.locator("#found-image")
    expect(found).to_contain_text("golden-web")
    expect(found).to_contain_text("rejected")  # the answer given is shown before booting
    page.get_by_label("Server name").fill("consumer-box")
    page.get_by_role("button", name="Boot server in DFW").click()
    expect(page.locator("#messages")).to_contain_text("Server “consumer-box” is running in DFW")
    server_row = page.get_by_role("row", name=re.compile("consumer-box"))
    server_row.get_by_label(re.compile("Snapshot name")).fill("consumer-snap")
    server_row.get_by_role("button", name=re.compile("Snapshot")).click()
    expect(page.get_by_role("heading", name=re.compile("consumer-snap"))).to_be_visible()
    expect(page.get_by_text("Before you export this image")).to_be_visible()

    # The producer sees the status change and the history, then revokes.
    page = producer_page
    page.goto(image_url)
    expect(page.locator(f"#member-{consumer_id}")).to_contain_text("rejected")
    history = page.locator("table.history")
    expect(history).to_contain_text("accepted → rejected")
    expect(history).to_contain_text("pending → accepted")
    mark_page(page)
    page.locator(f"#member-{consumer_id}").get_by_role("link", name=re.compile("Remove")).click()
    expect(page.get_by_text("It keeps what it already made")).to_be_visible()
    page.get_by_role("button", name=f"Remove tenant {consumer_id}").click()
    expect(page.locator("#messages")).to_contain_text(f"Removed tenant {consumer_id}")
    expect(page.locator(f"#member-{consumer_id}")).to_have_count(0)
    assert same_document(page) is javascript
    assert not ImageMember.objects.filter(image=image).exists()

    # The consumer keeps its server and its snapshot; the image itself is gone for it.
    page = consumer_page
    page.goto(f"{base}/servers/")
    expect(page.get_by_role("row", name=re.compile("consumer-box"))).to_contain_text("no longer available to you")
    page.goto(f"{base}/images/")
    expect(page.get_by_role("link", name="consumer-snap")).to_be_visible()
    response = page.goto(image_url)
    assert response.status == 404
