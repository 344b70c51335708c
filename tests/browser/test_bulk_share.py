"""A bulk share end to end in Chromium, with JavaScript and without: the producer makes a list
(R23), ticks two of its images on the images list, shares them with the list, and reads the
table of (image, tenant, outcome); each tenant gets its own offer of each image (R2, R8)."""

import pytest
from playwright.sync_api import expect

from imagesharing.memberships.members import ImageMember
from tests import factories
from tests.browser.test_sharing_flow import nav, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_a_bulk_share_with_a_list(live_server, browser, javascript, dfw):
    base = live_server.url
    producer = factories.user(factories.account(dfw, name="Producer Inc"), username="producer")
    branch = factories.account(dfw, name="Dallas branch")
    golden = [factories.image(producer, dfw, name=name) for name in ("golden-web", "golden-db")]
    factories.image(producer, dfw, name="not-this-one")

    page = browser.new_context(java_script_enabled=javascript).new_page()
    sign_in(page, base, "producer")

    # A list of two tenant IDs, one of which no tenant has: kept without a word about it (R17).
    nav(page, "Lists").click()
    page.get_by_label("Name").fill("All branches")
    page.get_by_role("button", name="Make the list").click()
    page.get_by_role("textbox", name="Tenant IDs").fill(f"{branch.tenant_id}\n4242424242")
    page.get_by_role("button", name="Save tenant IDs").click()
    expect(page.locator("#messages")).to_contain_text("2 tenant IDs added")

    # Tick two images on the images list and share them with the list.
    nav(page, "Images").click()
    for image in golden:
        page.get_by_label(f"Select {image.name}").check()
    form = page.locator("#bulk-share")
    form.get_by_label("Or a list").select_option(label="All branches (2 tenant IDs)")
    form.get_by_label("I have removed stored passwords").check()
    form.get_by_role("button", name="Share selected images").click()

    expect(page.get_by_role("heading", name="Share 2 images")).to_be_visible()
    expect(page.locator("#messages")).to_contain_text("2 of 4 offers made, on 2 images.")
    table = page.locator("#share-outcomes")
    expect(table.locator(".outcome-added")).to_have_count(2)
    expect(table.locator(".outcome-unavailable").first).to_contain_text("Cannot share with that tenant in this region.")
    assert sorted(ImageMember.objects.filter(member=branch).values_list("image__name", flat=True)) == sorted(
        image.name for image in golden
    )
