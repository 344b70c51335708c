"""Issue 10: an in-page action after the session expired takes the whole page to sign in, and
signing in comes back to the page the person was on, not to the action's POST-only URL."""

import pytest
from playwright.sync_api import expect

from imagesharing.memberships.members import ImageMember
from tests import factories
from tests.browser.test_sharing_flow import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_accept_after_the_session_expired_signs_in_and_comes_back(live_server, browser, dfw, producer, consumer):
    base = live_server.url
    image = factories.image(producer, dfw, name="golden-web", visibility="shared")
    member = factories.member(producer, image, consumer)
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, base, "consumer")
    page.goto(f"{base}/shared/")

    context.clear_cookies(name="sessionid")  # the session is gone, the page still shows its buttons
    page.locator(f"#offer-{member.pk}").get_by_role("button", name="Accept").click()

    expect(page).to_have_url(f"{base}/login/?next=/shared/")
    assert page.locator(f"#offer-{member.pk}").count() == 0  # the whole page went, not a fragment
    page.get_by_label("Username").fill("consumer")
    page.get_by_label("Password").fill("password")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base}/shared/")
    expect(page.get_by_role("heading", name="Shared with me")).to_be_visible()
    assert ImageMember.objects.get(pk=member.pk).is_pending  # nothing was done without a session
