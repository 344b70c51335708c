"""R25 in Chromium, with JavaScript and without: the producer deprecates an image naming a
replacement and offers it to every member; the consumer sees the banner on the image page and in
its inbox, and accepts the replacement in one click."""

import pytest
from playwright.sync_api import expect

from imagesharing.choices import MemberStatus
from imagesharing.images.models import Image
from imagesharing.memberships.members import ImageMember
from tests import factories
from tests.browser.test_sharing_flow import nav, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_a_deprecation_banner_and_accept_the_replacement(live_server, browser, javascript, dfw, producer, consumer):
    base = live_server.url
    old = factories.image(producer, dfw, name="golden-2025", visibility="shared")
    new = factories.image(producer, dfw, name="golden-2026")
    factories.member(producer, old, consumer, MemberStatus.ACCEPTED)
    producer_page = browser.new_context(java_script_enabled=javascript).new_page()
    consumer_page = browser.new_context(java_script_enabled=javascript).new_page()

    # The producer deprecates the old image, naming the new one and a deletion date.
    page = producer_page
    sign_in(page, base, "producer")
    page.goto(f"{base}/images/{old.pk}/")
    page.get_by_role("link", name="Deprecate…").click()
    page.get_by_label("Replacement").select_option(str(new.pk))
    page.get_by_label("Delete after").fill("2999-01-31")
    page.get_by_role("button", name="Deprecate", exact=True).click()
    expect(page.locator("#messages")).to_contain_text("“golden-2025” is deprecated.")
    expect(page.locator("#deprecation")).to_contain_text("Replacement: golden-2026")

    # The consumer sees the banner; the replacement is not named until it is offered.
    page = consumer_page
    sign_in(page, base, "consumer")
    page.goto(f"{base}/images/{old.pk}/")
    banner = page.locator("#deprecation-banner")
    expect(banner).to_contain_text("This image is deprecated")
    expect(banner).to_contain_text("It will be deleted after 2999-02-01 00:00 UTC")
    expect(banner).to_contain_text("has not been offered to you")
    expect(banner).not_to_contain_text("golden-2026")

    # The producer offers the replacement to every current member, ticking the checklist.
    page = producer_page
    form = page.locator("form.offer-replacement")
    form.get_by_label("Note to the members").fill("Same setup, 2026 patches.")
    form.get_by_label("I have removed stored passwords").check()
    form.get_by_role("button", name="Offer the replacement to every current member").click()
    expect(page.locator("#messages")).to_contain_text("Offered “golden-2026” to 1 of 1 member of “golden-2025”.")
    expect(page.locator(".outcomes")).to_contain_text("Added: pending until they accept")

    # The consumer finds it named in its inbox, and accepts it from the banner in one click.
    page = consumer_page
    nav(page, "Shared with me").click()
    row = page.locator(f"#offer-{ImageMember.objects.get(image=old).pk}")
    expect(row).to_contain_text("deprecated since")
    expect(row).to_contain_text("Replacement: golden-2026 (your answer: pending)")
    page.goto(f"{base}/images/{old.pk}/")
    expect(banner).to_contain_text("Its replacement: golden-2026")
    banner.get_by_role("button", name="Accept the replacement").click()
    expect(page.locator("#messages")).to_contain_text("Accepted “golden-2026”: it is now in your image list in DFW.")
    expect(page.locator("#deprecation-banner")).to_contain_text("your answer: accepted")
    expect(page.get_by_role("button", name="Accept the replacement")).to_have_count(0)
    assert ImageMember.objects.get(image=new).status == MemberStatus.ACCEPTED
    assert Image.objects.get(pk=old.pk).is_deprecated
