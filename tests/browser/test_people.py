"""R27 in Chromium: a tenant admin invites someone, the invited person joins from the link, and a
reader's panel offers no button its role would be refused."""

import re

import pytest
from playwright.sync_api import expect

from imagesharing.accounts.invitations import Invitation
from imagesharing.accounts.models import User
from imagesharing.choices import Role
from tests import factories
from tests.browser.test_sharing_flow import nav, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_admin_invites_a_person_from_the_people_page(live_server, browser, producer):
    page = browser.new_page()
    sign_in(page, live_server.url, "producer")
    nav(page, "People").click()
    page.get_by_label("E-mail address").fill("new@example.com")
    page.get_by_label("Role", exact=True).select_option("reader")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invited new@example.com as reader.")).to_be_visible()
    expect(page.locator("#invitations")).to_contain_text("new@example.com as reader")
    expect(page.locator("#people-history")).to_contain_text("Invited")
    assert Invitation.objects.get().account == producer.account


def test_the_invited_person_joins_from_the_link_and_is_signed_in(live_server, browser, producer):
    page = browser.new_page()
    invitation = Invitation.objects.invite(producer, "new@example.com", Role.MEMBER)
    page.goto(f"{live_server.url}/invitations/{invitation.token}/")
    expect(page.get_by_role("heading", name="Join Producer Inc")).to_be_visible()
    page.get_by_label("Username").fill("newbie")
    page.get_by_label("Password", exact=True).fill("a-long-pass-phrase-42")
    page.get_by_label("Password again").fill("a-long-pass-phrase-42")
    page.get_by_role("button", name="Join and sign in").click()
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    expect(page.get_by_text(re.compile("Welcome, newbie"))).to_be_visible()
    assert User.objects.get(username="newbie").role == Role.MEMBER
    page.goto(f"{live_server.url}/invitations/{invitation.token}/")
    expect(page.get_by_role("alert")).to_contain_text("used already")


def test_a_readers_panel_shows_no_button_that_would_be_refused(live_server, browser, producer, consumer, dfw):
    page = browser.new_page()
    image = factories.image(producer, dfw, name="golden", visibility="shared")
    factories.member(producer, image, consumer)
    factories.user(consumer.account, username="reader", role=Role.READER)
    sign_in(page, live_server.url, "reader")
    nav(page, "Shared with me").click()
    expect(page.get_by_role("link", name="golden")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^(Accept|Reject)"))).to_have_count(0)
    page.get_by_role("link", name="golden").click()
    expect(page.get_by_role("heading", name=re.compile("^Your answer"))).to_be_visible()
    for name in ("Accept", "Reject", "Boot server", "Share", "Save settings"):
        expect(page.get_by_role("button", name=re.compile(f"^{name}"))).to_have_count(0)
    expect(page.get_by_role("link", name="report this image")).to_have_count(0)
    nav(page, "Images").click()
    expect(page.get_by_role("link", name="Import an image")).to_have_count(0)
    nav(page, "API tokens").click()
    expect(page.get_by_role("button", name="Create token")).to_have_count(0)
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="People")).to_have_count(0)
