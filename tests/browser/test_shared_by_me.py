"""Issue 10 in Chromium: a producer finds who has not answered on Shared by me and removes
offers in bulk after one confirmation, on a phone."""

import pytest
from playwright.sync_api import expect

from imagesharing.memberships.members import ImageMember
from tests import factories
from tests.browser.test_sharing_flow import nav, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_producer_reviews_and_removes_unanswered_offers(live_server, browser, dfw, producer):
    base = live_server.url
    waiting = factories.user(factories.account(dfw, name="Slow Ltd"), username="slow")
    answered = factories.user(factories.account(dfw, name="Quick Ltd"), username="quick")
    image = factories.image(producer, dfw, name="golden-web", visibility="shared")
    factories.member(producer, image, waiting)
    factories.member(producer, image, answered, "accepted")
    page = browser.new_context(viewport={"width": 390, "height": 900}).new_page()
    sign_in(page, base, "producer")

    expect(page.get_by_text("1 offer you made is waiting for an answer.")).to_be_visible()
    page.get_by_role("link", name="See who has not answered").click()
    board = page.locator("#offer-board")
    expect(board).to_contain_text(str(waiting.account.tenant_id))
    expect(board).not_to_contain_text(str(answered.account.tenant_id))
    expect(nav(page, "Shared by me")).to_have_attribute("aria-current", "page")

    page.get_by_label(f"Select tenant {waiting.account.tenant_id} on golden-web").check()
    page.get_by_role("button", name="Remove selected…").click()
    expect(page.get_by_role("heading", name="Remove 1 member?")).to_be_visible()
    expect(page.locator("#losing-access")).to_contain_text(f"{waiting.account.tenant_id} from “golden-web”")
    page.get_by_role("button", name="Remove 1 member").click()

    expect(page.locator("#messages")).to_contain_text("Removed 1 member.")
    assert list(ImageMember.objects.values_list("member", flat=True)) == [answered.account.pk]


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_a_consumer_is_told_of_waiting_offers_where_it_chooses_images(
    live_server, browser, dfw, javascript, producer, consumer
):
    base = live_server.url
    image = factories.image(producer, dfw, name="golden-web", visibility="shared")
    factories.member(producer, image, consumer)
    page = browser.new_context(java_script_enabled=javascript, viewport={"width": 390, "height": 900}).new_page()
    sign_in(page, base, "consumer")
    for path in ("/images/", "/servers/", "/servers/boot/"):
        page.goto(f"{base}{path}")
        expect(page.get_by_text("1 image shared with you is waiting for your answer.")).to_be_visible()
    page.goto(f"{base}/servers/")
    expect(page.locator('optgroup[label="Shared with you, not accepted"] option')).to_have_text(
        f"golden-web (shared by {producer.account.tenant_id}, pending)"
    )
