"""The panel never undoes a change by accident (issue 10): a settings form built on an older
state of the image is refused, the facts on the page follow an htmx share, making a shared
image private first names who loses access, and a refused share keeps what was typed."""

import re

import pytest

from imagesharing.choices import Visibility
from imagesharing.images.models import Image
from imagesharing.memberships.members import ImageMember
from tests import factories
from tests.panel.conftest import HTMX, messages_of, text_of


def settings_form(client, image) -> dict:
    """The settings form as the image page renders it, ready to be submitted as is."""
    form = client.get(f"/images/{image.pk}/").context["edit_form"]
    data = {name: form[name].value() for name in ("name", "visibility", "version")}
    if form["protected"].value():
        data["protected"] = "on"
    return data


def share(client, image, ids, headers=None):
    return client.post(f"/images/{image.pk}/share/", {"tenant_ids": ids, "acknowledge": "on"}, headers=headers or {})


def test_a_settings_form_from_before_a_share_cannot_undo_it(as_owner, consumer, image):
    """The blocker: share a private image, then press Save settings on the form built before."""
    stale = settings_form(as_owner, image)
    share(as_owner, image, str(consumer.account.tenant_id), headers=HTMX)

    response = as_owner.post(f"/images/{image.pk}/edit/", {**stale, "protected": "on"})

    assert response.status_code == 302 and response["Location"] == f"/images/{image.pk}/"
    assert messages_of(response) == [
        "This image changed since the page was loaded, so nothing was saved. "
        "Here it is as it is now: make your change again if it still applies."
    ]
    image.refresh_from_db()
    assert (image.visibility, image.protected) == (Visibility.SHARED, False)
    assert ImageMember.objects.filter(image=image, member=consumer.account).exists()


def test_a_current_settings_form_is_saved(as_owner, image):
    response = as_owner.post(f"/images/{image.pk}/edit/", {**settings_form(as_owner, image), "protected": "on"})
    assert messages_of(response) == ["Saved: protected."]
    assert Image.objects.get(pk=image.pk).protected


def test_a_change_in_another_tab_makes_the_form_stale(as_owner, owner, image):
    stale = settings_form(as_owner, image)
    image.update(owner, name="renamed elsewhere")
    as_owner.post(f"/images/{image.pk}/edit/", {**stale, "name": "mine"})
    assert Image.objects.get(pk=image.pk).name == "renamed elsewhere"


def test_an_htmx_share_refreshes_the_facts_it_changed(as_owner, consumer, image):
    response = share(as_owner, image, str(consumer.account.tenant_id), headers=HTMX)
    page = text_of(response)
    image.refresh_from_db()
    assert page.lstrip().startswith('<section id="sharing"')
    assert '<div class="page-head" id="image-head" hx-swap-oob="true">' in page
    assert "Your image, shared, in DFW." in page
    assert 'id="image-properties"' in page and "<dt>Visibility</dt><dd>shared</dd>" in page
    assert 'id="image-settings"' in page and 'hx-swap-oob="true"' in page
    assert f'name="version" value="{image.version}"' in page  # the refreshed form saves without being stale
    assert re.search(r'<input type="radio" name="visibility" value="shared"[^>]* checked>', page)


def test_making_a_shared_image_private_asks_first_naming_who_loses_access(
    as_owner, owner, consumer, other_consumer, shared_image
):
    factories.member(owner, shared_image, consumer, "accepted")
    factories.member(owner, shared_image, other_consumer, "rejected")
    data = {**settings_form(as_owner, shared_image), "visibility": "private"}

    page = text_of(as_owner.post(f"/images/{shared_image.pk}/edit/", data))

    assert "Make “shared-base” private?" in page
    assert f'<code>{consumer.account.tenant_id}</code> <span class="status status-accepted">accepted</span>' in page
    assert (
        f'<code>{other_consumer.account.tenant_id}</code> <span class="status status-rejected">rejected</span>' in page
    )
    assert "keep running" in page and 'name="confirmed"' in page
    assert Image.objects.get(pk=shared_image.pk).visibility == Visibility.SHARED

    response = as_owner.post(f"/images/{shared_image.pk}/edit/", {**data, "confirmed": "yes"})
    assert response.status_code == 302
    assert Image.objects.get(pk=shared_image.pk).visibility == Visibility.PRIVATE


def test_a_shared_image_without_members_is_made_private_at_once(as_owner, shared_image):
    data = {**settings_form(as_owner, shared_image), "visibility": "private"}
    response = as_owner.post(f"/images/{shared_image.pk}/edit/", data)
    assert response.status_code == 302
    assert Image.objects.get(pk=shared_image.pk).visibility == Visibility.PRIVATE


@pytest.mark.parametrize("who", ["as_consumer", "as_stranger"])
def test_nobody_but_the_owner_sees_the_confirmation(request, who, owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer, "accepted")
    response = request.getfixturevalue(who).post(
        f"/images/{shared_image.pk}/edit/", {"name": "x", "visibility": "private"}
    )
    assert response.status_code in (302, 404)
    assert str(consumer.account.tenant_id) not in text_of(response)
    assert Image.objects.get(pk=shared_image.pk).visibility == Visibility.SHARED


def test_a_private_images_members_are_shown_inactive(as_owner, owner, consumer, shared_image):
    factories.member(owner, shared_image, consumer, "accepted")
    shared_image.update(owner, visibility="private")
    page = text_of(as_owner.get(f"/images/{shared_image.pk}/"))
    assert "(1 inactive while private)" in page
    assert f'<tr id="dormant-{consumer.account.tenant_id}">' in page
    assert '<span class="status status-inactive">inactive</span>' in page
    assert "0 of at most" not in page


def test_without_javascript_a_refused_share_keeps_what_was_typed(as_owner, image):
    response = as_owner.post(f"/images/{image.pk}/share/", {"tenant_ids": "424242 abc"})
    page = text_of(response)
    assert response.status_code == 200
    assert "424242 abc</textarea>" in page
    assert "Confirm the security and legal checklist before the first share." in page
    assert not ImageMember.objects.exists()
