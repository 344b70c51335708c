"""The smaller things a demanding user noticed (issue 10): visible UTC, history that links its
images, one meaning per label, the operator's way to the admin, a queued image's offers."""

from imagesharing.images.models import Image
from tests import factories
from tests.panel.conftest import signed_in, text_of


def test_times_say_they_are_utc(as_owner, image):
    page = text_of(as_owner.get(f"/images/{image.pk}/"))
    assert f'">{image.created_at:%Y-%m-%d %H:%M} UTC</time>' in page


def test_history_rows_link_their_images_and_name_deleted_ones(as_owner, owner, consumer, dfw):
    kept = factories.image(owner, dfw, name="kept", visibility="shared")
    gone = factories.image(owner, dfw, name="gone", visibility="shared")
    factories.member(owner, kept, consumer)
    factories.member(owner, gone, consumer)
    gone.destroy(owner)
    page = text_of(as_owner.get("/history/", {"about": "images"}))
    assert f'<a href="/images/{kept.pk}/">kept</a>' in page
    assert f'<a href="/images/{gone.pk}/">' not in page and "(deleted)" in page


def test_the_image_lists_source_filter_says_accepted(as_owner):
    assert "Shared with me, accepted" in text_of(as_owner.get("/images/"))


def test_an_operator_with_a_tenant_is_pointed_to_the_admin(operator, dfw):
    operator.account = factories.account(dfw, name="Cloud")
    operator.save()
    assert 'href="/admin/">administration site</a>' in text_of(signed_in(operator).get("/"))


def test_a_tenant_user_is_not(as_owner):
    assert 'href="/admin/"' not in text_of(as_owner.get("/"))


def test_sharing_a_queued_image_says_nobody_can_boot_it_yet(as_owner, owner, dfw):
    queued = factories.image(owner, dfw, name="empty", active=False)
    assert Image.objects.get(pk=queued.pk).is_queued
    page = text_of(as_owner.get(f"/images/{queued.pk}/"))
    assert "This image is queued: consumers can see an offer of it, but nobody can boot it" in page
