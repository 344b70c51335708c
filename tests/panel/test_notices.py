"""R18 in the panel: the bell, the notices page, mark read, e-mail preferences, and the one-click unsubscribe."""

import pytest
from django.test import Client

from imagesharing.choices import MemberStatus, NoticeKind
from imagesharing.memberships.letters import unsubscribe_token
from imagesharing.memberships.notices import MailOptOut, Notice
from tests import factories
from tests.panel.conftest import HTMX, messages_of, signed_in, text_of


@pytest.fixture
def offered(owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer)
    return Notice.objects.get(recipient=consumer)


def bell(page: str) -> str:
    start = page.index('id="notice-bell"')
    return page[start : page.index("</a>", start)]


def test_the_bell_shows_the_unread_count_on_every_page(as_consumer, offered):
    for path in ("/", "/images/", "/shared/", "/notices/"):
        assert '<span class="badge">1<span class="visually-hidden"> unread</span>' in bell(
            text_of(as_consumer.get(path))
        )


def test_the_bell_hides_its_badge_with_nothing_unread(as_owner, offered):
    assert '<span class="badge" hidden>0' in bell(text_of(as_owner.get("/")))


def test_the_notices_page_lists_the_persons_notices_newest_first_with_their_links(
    as_consumer, owner, consumer, shared_image, dfw
):
    first = factories.member(owner, shared_image, consumer)
    second_image = factories.image(owner, dfw, name="second", visibility="shared")
    factories.member(owner, second_image, consumer)
    first.remove(owner)
    page = text_of(as_consumer.get("/notices/"))
    order = [page.index(text) for text in ("stopped sharing “shared-base”", "offered you the image “second”")]
    assert order == sorted(order)
    assert f'<a href="/images/{second_image.pk}/">Accept or reject it on the image&#x27;s page.</a>' in page
    assert '<a href="/history/?about=memberships">' in page


def test_the_notices_page_is_keyset_paged(as_consumer, owner, consumer, dfw, settings):
    for number in range(52):
        image = factories.image(owner, dfw, name=f"img-{number}", visibility="shared")
        factories.member(owner, image, consumer)
    first = as_consumer.get("/notices/")
    rows = first.context["notices"]
    assert len(rows) == 50 and rows[0].image_name == "img-51"
    second = as_consumer.get("/notices/", {"marker": rows[-1].pk})
    assert [notice.image_name for notice in second.context["notices"]] == ["img-1", "img-0"]
    assert not second.context["next_query"]


def test_mark_read_without_javascript_goes_back_to_the_list(as_consumer, offered):
    response = as_consumer.post(f"/notices/{offered.pk}/read/", {"next": "/notices/"})
    assert response.status_code == 302 and response["Location"] == "/notices/"
    assert not Notice.objects.get(pk=offered.pk).is_unread


def test_mark_read_with_htmx_swaps_the_row_and_the_bell(as_consumer, offered):
    response = as_consumer.post(f"/notices/{offered.pk}/read/", headers=HTMX)
    page = text_of(response)
    assert f'<li id="notice-{offered.pk}" class="read">' in page
    assert 'id="notice-bell" class="notice-bell" href="/notices/" hx-swap-oob="true"' in page
    assert '<span class="badge" hidden>0' in page


def test_mark_all_read(as_consumer, owner, consumer, dfw, offered):
    other = factories.image(owner, dfw, name="second", visibility="shared")
    factories.member(owner, other, consumer)
    response = as_consumer.post("/notices/read/", headers=HTMX)
    assert 'id="notices"' in text_of(response) and "Marked 2 notices read." in text_of(response)
    assert not Notice.objects.filter(recipient=consumer).unread().exists()
    plain = as_consumer.post("/notices/read/")
    assert plain.status_code == 302 and messages_of(plain) == ["Nothing unread."]


def test_it_refuses_to_mark_another_persons_notice(as_other, as_owner, offered):
    for client in (as_other, as_owner):
        assert client.post(f"/notices/{offered.pk}/read/").status_code == 404
    assert Notice.objects.get(pk=offered.pk).is_unread


@pytest.mark.parametrize("path", ["/notices/", "/notices/preferences/"])
def test_the_pages_refuse_wrong_methods(as_consumer, path):
    assert as_consumer.put(path).status_code == 405


@pytest.mark.parametrize("path", ["/notices/read/", "/notices/1/read/"])
def test_the_actions_are_posts(as_consumer, path):
    assert as_consumer.get(path).status_code == 405


def test_the_actions_need_the_csrf_token(consumer, offered):
    client = Client(enforce_csrf_checks=True)
    client.force_login(consumer)
    assert client.post(f"/notices/{offered.pk}/read/").status_code == 403
    assert client.post("/notices/read/").status_code == 403
    assert client.post("/notices/preferences/", {"email": []}).status_code == 403
    assert Notice.objects.get(pk=offered.pk).is_unread and not MailOptOut.objects.exists()


def test_the_preferences_page_turns_e_mail_off_and_on_per_kind(as_consumer, consumer):
    page = text_of(as_consumer.get("/notices/preferences/"))
    assert 'value="offer" checked' in page and 'value="report"' not in page
    assert "has no e-mail address" in page
    response = as_consumer.post("/notices/preferences/", {"email": ["answer", "revoked"]})
    assert response.status_code == 302
    muted = MailOptOut.objects.muted_kinds(consumer)
    assert muted == {
        "offer",
        "deleted",
        "private",
        "reminder",
        "expired",
        "closed",
        "deprecated",
        "undeprecated",
        "approved",
        "refused",
    }
    assert 'value="offer">' in text_of(as_consumer.get("/notices/preferences/"))
    as_consumer.post("/notices/preferences/", {"email": ["offer", "answer", "revoked"]})
    assert "offer" not in MailOptOut.objects.muted_kinds(consumer)


def test_the_preferences_page_refuses_unknown_kinds(as_consumer, consumer):
    response = as_consumer.post("/notices/preferences/", {"email": ["gossip"]})
    assert response.status_code == 302 and "Unknown kind of notice: gossip." in messages_of(response)
    assert not MailOptOut.objects.exists()


def test_the_unsubscribe_page_shows_the_address_and_works_without_signing_in(consumer):
    consumer.email = "consumer@example.com"
    consumer.save()
    url = f"/unsubscribe/{unsubscribe_token(consumer.pk, NoticeKind.ANSWER)}/"
    page = text_of(Client().get(url))
    assert "consumer@example.com" in page and "a tenant answers your offer" in page
    assert "sign" not in Client().get(url).get("Location", "")
    assert Client(enforce_csrf_checks=True).post(url).status_code == 200
    assert MailOptOut.objects.muted_kinds(consumer) == {"answer"}


def test_unsubscribe_refuses_other_methods(consumer):
    url = f"/unsubscribe/{unsubscribe_token(consumer.pk, NoticeKind.ANSWER)}/"
    assert Client().put(url).status_code == 405


def test_notices_never_leak_across_tenants(owner, consumer, other_consumer, stranger, shared_image):
    """Each person's page, bell and actions show its own notices and no other tenant's."""
    factories.member(owner, shared_image, consumer, MemberStatus.ACCEPTED)
    factories.member(owner, shared_image, other_consumer, MemberStatus.REJECTED)
    pages = {user.username: text_of(signed_in(user).get("/notices/")) for user in (consumer, other_consumer, stranger)}
    assert "offered you the image “shared-base”" in pages["consumer"]
    assert str(other_consumer.account.tenant_id) not in pages["consumer"]
    assert str(consumer.account.tenant_id) not in pages["other"]
    assert "No notices yet" in pages["stranger"] and "shared-base" not in pages["stranger"]
    owner_page = text_of(signed_in(owner).get("/notices/"))
    assert str(consumer.account.tenant_id) in owner_page and str(other_consumer.account.tenant_id) in owner_page
    assert '<span class="badge" hidden>0' in bell(text_of(signed_in(stranger).get("/")))
