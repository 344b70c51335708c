"""Phones and accessibility (issue 10): every panel page at 390 px and 1280 px passes an axe
scan, has no sideways scroll, and the inbox, members and servers read as cards on a phone."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from imagesharing.accounts.invitations import Invitation
from imagesharing.choices import Role
from imagesharing.servers.models import Server
from tests import factories
from tests.browser.test_sharing_flow import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

PHONE, DESKTOP = 390, 1280


@pytest.fixture
def cast(dfw, producer, consumer):
    image = factories.image(producer, dfw, name="golden-web-with-a-rather-long-name", visibility="shared")
    member = factories.member(producer, image, consumer)
    server = Server.objects.boot(consumer, image, "web-1")
    reader = factories.user(producer.account, username="producer-reader", role=Role.READER)
    invitation = Invitation.objects.invite(producer, "new@example.com", Role.MEMBER)
    reader.set_role(producer, Role.MEMBER)  # a row in the people history
    return {
        "producer": producer,
        "consumer": consumer,
        "image": image,
        "member": member,
        "server": server,
        "reader": reader,
        "invitation": invitation,
    }


def pages_of(cast) -> dict[str, list[str]]:
    image, server = cast["image"], cast["server"]
    return {
        "producer": [
            "/",
            "/shared-by-me/",
            "/images/",
            f"/images/{image.pk}/",
            "/images/import/",
            "/history/?about=images",
            f"/images/{image.pk}/members/{cast['consumer'].account.tenant_id}/remove/",
            f"/images/{image.pk}/delete/",
            "/usage/",
            "/tokens/",
            "/notices/preferences/",
            "/people/",
            f"/people/{cast['reader'].pk}/remove/",
            "/profile/",
            "/profile/password/",
            "/password/reset/",
            f"/invitations/{cast['invitation'].token}/",
        ],
        "consumer": [
            "/shared/",
            f"/images/{image.pk}/",
            f"/images/{image.pk}/report/",
            "/servers/",
            "/servers/boot/",
            f"/servers/{server.pk}/delete/",
            "/history/",
            "/notices/",
            "/no-such-page/",
        ],
    }


def scan(page: Page) -> list[str]:
    """axe's violations on the page, as readable lines (rule: the first offending element)."""
    results = Axe().run(page)
    return [f"{violation['id']}: {violation['nodes'][0]['target']}" for violation in results.response["violations"]]


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
@pytest.mark.parametrize("who", ["producer", "consumer"])
def test_every_page_passes_axe_and_fits_the_screen(live_server, browser, cast, who, width):
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    blocked = []  # what the content security policy refused: nothing may be
    page.on(
        "console", lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None
    )
    sign_in(page, live_server.url, who)
    problems = {}
    for path in pages_of(cast)[who]:
        page.goto(f"{live_server.url}{path}")
        found = scan(page) + blocked
        blocked.clear()
        if page.evaluate("document.documentElement.scrollWidth") > width:
            found.append(f"sideways scroll: {page.evaluate('document.documentElement.scrollWidth')} px")
        if found:
            problems[path] = found
    assert problems == {}


def test_on_a_phone_an_offer_reads_as_a_card_with_its_buttons(live_server, browser, cast):
    page = browser.new_context(viewport={"width": PHONE, "height": 900}).new_page()
    sign_in(page, live_server.url, "consumer")
    page.goto(f"{live_server.url}/shared/")
    offer = page.locator(f"#offer-{cast['member'].pk}")
    accept = offer.get_by_role("button", name="Accept")
    expect(accept).to_be_in_viewport()
    expect(offer.get_by_role("link", name="golden-web-with-a-rather-long-name", exact=True)).to_be_in_viewport()
    box = accept.bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE


def test_on_a_phone_the_owner_removes_a_member_without_a_clipped_confirmation(live_server, browser, cast):
    page = browser.new_context(viewport={"width": PHONE, "height": 900}).new_page()
    sign_in(page, live_server.url, "producer")
    page.goto(f"{live_server.url}/images/{cast['image'].pk}/")
    tenant_id = cast["consumer"].account.tenant_id
    remove = page.locator(f"#member-{tenant_id}").get_by_role("link", name=f"Remove tenant {tenant_id}")
    remove.scroll_into_view_if_needed()
    expect(remove).to_be_in_viewport()
    remove.click()
    confirm = page.get_by_role("button", name=f"Remove tenant {tenant_id}", exact=True)
    confirm.scroll_into_view_if_needed()
    expect(confirm).to_be_in_viewport(ratio=1)
