"""The producer's note on an offer (R19): written when sharing, shown to that consumer only (inbox, image
page) and to the producer (members table), changed from the members table with or without JavaScript."""

import pytest

from imagesharing.choices import Action
from imagesharing.memberships.history import Event
from imagesharing.memberships.members import ImageMember
from tests import factories
from tests.panel.conftest import HTMX, messages_of, signed_in, text_of

NOTE = "Patched weekly; <b>ask</b> ops before booting."
SHOWN = "Patched weekly; &lt;b&gt;ask&lt;/b&gt; ops before booting."


def note_url(image, user) -> str:
    return f"/images/{image.pk}/members/{user.account.tenant_id}/note/"


@pytest.fixture
def offer(owner, consumer, shared_image):
    return shared_image.share_with(owner, [consumer.account.tenant_id], acknowledged=True, note=NOTE).added[0]


def test_a_share_gives_every_tenant_the_note(as_owner, consumer, other_consumer, image):
    ids = f"{consumer.account.tenant_id}, {other_consumer.account.tenant_id}"
    data = {"tenant_ids": ids, "acknowledge": "on", "note": f"{NOTE}\r\nSecond line."}
    response = as_owner.post(f"/images/{image.pk}/share/", data)
    assert messages_of(response)[0] == "Shared with 2 of 2 tenants."
    assert set(ImageMember.objects.values_list("note", flat=True)) == {f"{NOTE}\nSecond line."}


def test_a_note_too_long_is_a_field_error_and_nothing_is_shared(as_owner, consumer, image):
    data = {"tenant_ids": str(consumer.account.tenant_id), "acknowledge": "on", "note": "x" * 501}
    response = as_owner.post(f"/images/{image.pk}/share/", data)
    page = text_of(response)
    assert 'id="id_note_error"' in page and "A note is at most 500 characters of plain text (501 given)." in page
    assert "x" * 501 + "</textarea>" in page  # what was typed is kept
    assert not ImageMember.objects.exists()


def test_the_share_form_offers_a_note_field(as_owner, image):
    page = text_of(as_owner.get(f"/images/{image.pk}/"))
    assert '<label for="id_note">Note to the consumers' in page and 'maxlength="500"' in page


def test_the_consumer_reads_the_note_in_its_inbox_and_on_the_image_page(as_consumer, offer, shared_image):
    assert f'<p class="note">{SHOWN}</p>' in text_of(as_consumer.get("/shared/"))
    page = text_of(as_consumer.get(f"/images/{shared_image.pk}/"))
    assert "The producer's note to your tenant" in page and f'<blockquote class="note">{SHOWN}</blockquote>' in page


def test_after_an_answer_with_htmx_the_note_stays(as_consumer, offer, shared_image):
    response = as_consumer.post(f"/images/{shared_image.pk}/status/", {"status": "accepted"}, headers=HTMX)
    assert SHOWN in text_of(response)


def test_the_owner_sees_its_note_in_the_members_table(as_owner, offer, shared_image, consumer):
    page = text_of(as_owner.get(f"/images/{shared_image.pk}/"))
    assert '<th scope="col">Your note</th>' in page
    assert f'<p class="note">{SHOWN}</p>' in page and f'href="{note_url(shared_image, consumer)}"' in page


@pytest.mark.parametrize("who", ["as_other", "as_stranger", "as_abroad"])
def test_nobody_else_ever_reads_the_note(request, who, owner, other_consumer, offer, shared_image):
    factories.member(owner, shared_image, other_consumer, "accepted")  # another member of the same image
    client = request.getfixturevalue(who)
    for path in ("/", "/shared/", "/images/", f"/images/{shared_image.pk}/", "/history/", "/shared-by-me/"):
        response = client.get(path)
        assert "Patched weekly" not in text_of(response), path


def test_the_note_form_shows_the_note(as_owner, offer, shared_image, consumer):
    response = as_owner.get(note_url(shared_image, consumer))
    page = text_of(response)
    assert response.status_code == 200 and "<html" in page
    assert f"{SHOWN}</textarea>" in page and "Save note" in page


def test_with_htmx_the_note_form_replaces_the_members_row(as_owner, offer, shared_image, consumer):
    page = text_of(as_owner.get(note_url(shared_image, consumer), headers=HTMX))
    assert page.lstrip().startswith(f'<tr id="member-{consumer.account.tenant_id}" class="edit-row">')
    assert "<html" not in page and 'hx-target="closest tr"' in page


def test_the_owner_changes_the_note_without_javascript(as_owner, offer, shared_image, consumer):
    response = as_owner.post(note_url(shared_image, consumer), {"note": "New build on Monday."})
    assert response.status_code == 302 and response["Location"] == f"/images/{shared_image.pk}/#sharing"
    assert messages_of(response) == [f"Your note to tenant {consumer.account.tenant_id} is saved."]
    assert ImageMember.objects.get(pk=offer.pk).note == "New build on Monday."
    assert Event.objects.filter(action=Action.MEMBER_NOTE_CHANGED, member=consumer.account).count() == 1


def test_with_htmx_a_changed_note_comes_back_as_the_row(as_owner, offer, shared_image, consumer):
    response = as_owner.post(note_url(shared_image, consumer), {"note": ""}, headers=HTMX)
    page = text_of(response)
    assert page.lstrip().startswith(f'<tr id="member-{consumer.account.tenant_id}">')
    assert "Add a note" in page and 'class="note"' not in page
    assert "is removed." in page  # the message, out of band
    assert ImageMember.objects.get(pk=offer.pk).note == ""


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_a_note_too_long_is_shown_again_with_its_error(as_owner, offer, shared_image, consumer, headers):
    response = as_owner.post(note_url(shared_image, consumer), {"note": "y" * 600}, headers=headers)
    page = text_of(response)
    assert response.status_code == 200 and "(600 given)" in page and "y" * 600 + "</textarea>" in page
    assert ImageMember.objects.get(pk=offer.pk).note == NOTE


def test_the_history_says_the_note_changed_never_what_it_says(as_owner, as_consumer, offer, owner, shared_image):
    offer.set_note(owner, "Secret plans inside.")
    for client in (as_owner, as_consumer):
        page = text_of(client.get(f"/images/{shared_image.pk}/"))
        assert "offer note changed" in page and "(rewritten)" in page
        history = text_of(client.get("/history/", {"about": "images" if client is as_owner else "memberships"}))
        assert "offer note changed" in history and "Secret plans" not in history


def test_the_consumer_cannot_write_the_note(as_consumer, offer, shared_image, consumer):
    refused = as_consumer.get(note_url(shared_image, consumer))
    assert refused.status_code == 302 and refused["Location"] == f"/images/{shared_image.pk}/#sharing"
    assert messages_of(refused) == ["Only the owner of this image can do that."]
    response = as_consumer.post(note_url(shared_image, consumer), {"note": "mine now"})
    assert messages_of(response)[-1] == "Only the owner of this image can do that."
    assert ImageMember.objects.get(pk=offer.pk).note == NOTE


def test_another_member_finds_no_such_member(owner, other_consumer, offer, shared_image, consumer):
    factories.member(owner, shared_image, other_consumer)
    client = signed_in(other_consumer)
    assert client.get(note_url(shared_image, consumer)).status_code == 404
    assert client.post(note_url(shared_image, consumer), {"note": "x"}).status_code == 404
    assert ImageMember.objects.get(pk=offer.pk).note == NOTE


@pytest.mark.parametrize("who", ["as_stranger", "as_abroad"])
def test_outsiders_get_not_found(request, who, offer, shared_image, consumer):
    client = request.getfixturevalue(who)
    assert client.get(note_url(shared_image, consumer)).status_code == 404
    assert client.post(note_url(shared_image, consumer), {"note": "x"}).status_code == 404
    assert ImageMember.objects.get(pk=offer.pk).note == NOTE


def test_an_unknown_member_is_not_found(as_owner, shared_image, offer):
    assert as_owner.post(f"/images/{shared_image.pk}/members/424242/note/", {"note": "x"}).status_code == 404


def test_a_private_images_kept_members_take_no_note(as_owner, owner, offer, shared_image, consumer):
    shared_image.update(owner, visibility="private")
    assert as_owner.post(note_url(shared_image, consumer), {"note": "x"}).status_code == 404
    assert ImageMember.objects.get(pk=offer.pk).note == NOTE


def test_the_note_takes_only_get_and_post(as_owner, offer, shared_image, consumer):
    assert as_owner.put(note_url(shared_image, consumer)).status_code == 405
    assert as_owner.delete(note_url(shared_image, consumer)).status_code == 405
