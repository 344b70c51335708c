"""R26 in the panel: the owner sees each member's servers running from the image and its last boot,
in the members table and in the confirmations of Remove, bulk Remove, Make private and Delete;
counts and dates only, never a server's name. Members and strangers never see it."""

import re
from datetime import UTC, datetime

import pytest

from imagesharing.servers.models import Server
from tests import factories
from tests.panel.conftest import HTMX, signed_in, text_of

# A consumer names its servers as it likes; none of these names is the owner's to read.
SECRET = "consumer-secret-payroll-db"


def minute(server: Server) -> str:
    """How the panel prints a boot time (`panel/tables.py: utc_time`), to the minute."""
    return server.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


@pytest.fixture
def booted(owner, consumer, other_consumer, shared_image):
    """The consumer runs two servers from the shared image, the other consumer none."""
    factories.member(owner, shared_image, consumer, "accepted")
    factories.member(owner, shared_image, other_consumer, "pending")
    Server.objects.boot(consumer, shared_image, f"{SECRET}-1")
    return Server.objects.boot(consumer, shared_image, f"{SECRET}-2")


def member_row(page: str, account) -> str:
    found = re.search(rf'<tr id="member-{account.tenant_id}">.*?</tr>', page, re.S)
    assert found, "no row for that member"
    return found.group(0)


def test_r26_the_members_table_shows_servers_running_and_last_boot(
    as_owner, booted, consumer, other_consumer, shared_image
):
    page = text_of(as_owner.get(f"/images/{shared_image.pk}/"))
    assert '<th scope="col">Servers running</th><th scope="col">Last boot</th>' in page
    row = member_row(page, consumer.account)
    assert '<td data-label="Servers running">2</td>' in row
    assert f'<td data-label="Last boot"><time datetime="{booted.created_at.astimezone(UTC).isoformat()}"' in row
    idle = member_row(page, other_consumer.account)
    assert '<td data-label="Servers running"><span class="muted">—</span></td>' in idle
    assert '<td data-label="Last boot"><span class="muted">—</span></td>' in idle
    assert SECRET not in page


def test_r26_a_private_images_kept_members_show_their_servers(as_owner, owner, booted, consumer, shared_image):
    shared_image.update(owner, visibility="private")
    page = text_of(as_owner.get(f"/images/{shared_image.pk}/"))
    kept = re.search(rf'<tr id="dormant-{consumer.account.tenant_id}">.*?</tr>', page, re.S).group(0)
    assert '<td data-label="Servers running">2</td>' in kept and minute(booted) in kept
    assert SECRET not in page


def test_r26_a_member_sees_no_usage_on_the_image_page(as_consumer, booted, shared_image):
    page = text_of(as_consumer.get(f"/images/{shared_image.pk}/"))
    assert "Servers running" not in page and "Last boot" not in page
    assert SECRET in page  # its own servers, in "Your servers booted from it"


def test_r26_an_edited_note_keeps_the_rows_usage(as_owner, booted, consumer, shared_image):
    url = f"/images/{shared_image.pk}/members/{consumer.account.tenant_id}/note/"
    row = text_of(as_owner.post(url, {"note": "hello"}, headers=HTMX))
    assert '<td data-label="Servers running">2</td>' in row and SECRET not in row
    assert 'colspan="8"' in text_of(as_owner.get(url, headers=HTMX))


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "row"])
def test_r26_remove_says_how_many_of_the_members_servers_keep_running(
    as_owner, booted, consumer, shared_image, headers
):
    url = f"/images/{shared_image.pk}/members/{consumer.account.tenant_id}/remove/"
    page = text_of(as_owner.get(url, headers=headers))
    assert ('<td colspan="8"' in page) == bool(headers)  # the row spans the members table's columns
    assert "2 servers of this tenant run from this image, the last booted" in page
    assert minute(booted) in page
    assert "they keep running, but the tenant can boot no more from it." in page
    assert SECRET not in page


def test_r26_remove_of_a_member_without_servers_says_so(as_owner, booted, other_consumer, shared_image):
    page = text_of(as_owner.get(f"/images/{shared_image.pk}/members/{other_consumer.account.tenant_id}/remove/"))
    assert "No server of this tenant runs from this image." in page


def test_r26_one_server_is_told_in_the_singular(as_owner, owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer, "accepted")
    Server.objects.boot(consumer, shared_image, SECRET)
    page = text_of(as_owner.get(f"/images/{shared_image.pk}/members/{consumer.account.tenant_id}/remove/"))
    assert "1 server of this tenant runs from this image" in page and "it keeps running" in page


def test_r26_bulk_remove_names_each_members_servers(as_owner, owner, booted, consumer, other_consumer, shared_image):
    offers = list(shared_image.members.order_by("pk"))
    page = text_of(as_owner.post("/shared-by-me/remove/", {"member": [offer.pk for offer in offers]}))
    assert page.count('class="member-usage small"') == 2
    assert "2 servers of this tenant run from this image" in page
    assert "No server of this tenant runs from this image." in page
    assert SECRET not in page


def test_r26_make_private_names_each_members_servers(as_owner, booted, shared_image):
    form = as_owner.get(f"/images/{shared_image.pk}/").context["edit_form"]
    data = {name: form[name].value() for name in ("name", "version")} | {"visibility": "private"}
    page = text_of(as_owner.post(f"/images/{shared_image.pk}/edit/", data))
    assert "Make “shared-base” private?" in page
    assert "2 servers of this tenant run from this image" in page and minute(booted) in page
    assert "No server of this tenant runs from this image." in page
    assert SECRET not in page


def test_r26_delete_names_each_members_servers(as_owner, booted, consumer, shared_image):
    page = text_of(as_owner.get(f"/images/{shared_image.pk}/delete/"))
    listed = re.search(r'<ul id="members-usage">.*?</ul>', page, re.S).group(0)
    assert f"<code>{consumer.account.tenant_id}</code>:" in listed
    assert "2 servers of this tenant run from this image" in listed and minute(booted) in listed
    assert SECRET not in page


def test_r26_delete_of_an_image_without_members_lists_none(as_owner, image):
    assert 'id="members-usage"' not in text_of(as_owner.get(f"/images/{image.pk}/delete/"))


def test_r26_no_server_name_on_any_owner_page(as_owner, booted, shared_image):
    """The consumer named its servers distinctively: none of the owner's pages carries the name."""
    pages = [
        "/images/",
        f"/images/{shared_image.pk}/",
        "/shared-by-me/",
        "/history/",
        "/servers/",
        "/usage/",
        "/notices/",
        f"/images/{shared_image.pk}/delete/",
    ]
    for path in pages:
        response = as_owner.get(path)
        assert response.status_code == 200, path
        assert SECRET not in text_of(response), path


@pytest.mark.parametrize("path", ["members/{tenant}/remove/", "delete/"])
def test_r26_a_member_is_shown_no_confirmation_and_no_usage(as_consumer, booted, consumer, shared_image, path):
    """A member cannot remove itself nor delete (R1, R4): it is sent back, told so, and sees no counts."""
    url = f"/images/{shared_image.pk}/" + path.format(tenant=consumer.account.tenant_id)
    response = as_consumer.get(url, follow=True)
    page = text_of(response)
    assert "Only the owner of this image can do that." in page
    assert "of this tenant run" not in page and "Servers running" not in page


@pytest.mark.parametrize("path", ["", "delete/", "members/{tenant}/remove/"])
def test_r26_a_stranger_finds_nothing(as_stranger, booted, consumer, shared_image, path):
    url = f"/images/{shared_image.pk}/" + path.format(tenant=consumer.account.tenant_id)
    assert as_stranger.get(url).status_code == 404


def test_r26_a_reader_of_the_owner_tenant_sees_usage_but_no_buttons(people, shared_image):
    owner, consumer = people["owner admin"], people["consumer admin"]
    factories.member(owner, shared_image, consumer, "accepted")
    server = Server.objects.boot(consumer, shared_image, SECRET)
    page = text_of(signed_in(people["owner reader"]).get(f"/images/{shared_image.pk}/"))
    row = member_row(page, consumer.account)
    assert '<td data-label="Servers running">1</td>' in row and minute(server) in row
    assert ">Remove<" not in row and "Delete this image" not in page
    assert SECRET not in page


def test_r26_a_consumers_reader_sees_no_usage(people, shared_image):
    owner, consumer = people["owner admin"], people["consumer admin"]
    factories.member(owner, shared_image, consumer, "accepted")
    Server.objects.boot(consumer, shared_image, "box")
    page = text_of(signed_in(people["consumer reader"]).get(f"/images/{shared_image.pk}/"))
    assert "Servers running" not in page and "Last boot" not in page


def test_r26_the_last_boot_is_shown_to_the_minute(as_owner, owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer, "accepted")
    server = Server.objects.boot(consumer, shared_image, "box")
    Server.objects.filter(pk=server.pk).update(created_at=datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC))
    row = member_row(text_of(as_owner.get(f"/images/{shared_image.pk}/")), consumer.account)
    assert (
        '<time datetime="2026-03-04T05:06:07+00:00" title="2026-03-04 05:06:07 UTC">2026-03-04 05:06 UTC</time>' in row
    )
