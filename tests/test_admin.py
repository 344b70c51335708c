"""The operators' admin: every page answers; search and filters find the right rows; actions go
through the model methods and are recorded with the operator as actor (R16); refusals change nothing."""

import pytest
from django.contrib import admin
from django.contrib.messages import ERROR, SUCCESS, WARNING
from django.db import connection
from django.forms import MultiWidget
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from imagesharing.accounts.models import ApiToken, PersonChange, User
from imagesharing.accounts.trust import ProducerRule
from imagesharing.choices import Action, MemberStatus, Status, Visibility
from imagesharing.errors import LastAdmin, NotPermitted
from imagesharing.images.models import Image, PendingDeletion
from imagesharing.images.uploads import Upload
from imagesharing.memberships.bulk import BulkShare
from imagesharing.memberships.history import Event
from imagesharing.memberships.lists import TenantList, own_images, share_images
from imagesharing.memberships.members import ImageMember
from imagesharing.memberships.notices import Notice
from imagesharing.memberships.reports import ImageReport
from imagesharing.servers.models import Server
from tests import factories
from tests.rules.checks import snapshot


def changelist(model: str) -> str:
    return reverse(f"admin:{model}_changelist")


def messages_of(response) -> list[tuple[int, str]]:
    """The messages shown on the page a post was redirected to."""
    return [(message.level, message.message) for message in response.context["messages"]]


def rows(response) -> set:
    assert response.status_code == 200
    return set(response.context["cl"].result_list)


def act(client, model: str, action: str, *objects, **confirmation):
    data = {"action": action, "_selected_action": [str(obj.pk) for obj in objects], **confirmation}
    return client.post(changelist(model), data, follow=True)


def history(image: Image) -> list[tuple]:
    return list(
        Event.objects.filter(image=image)
        .order_by("pk")
        .values_list("action", "member__tenant_id", "before", "after", "actor__username", "by_operator")
    )


@pytest.fixture
def ops(client, operator):
    client.force_login(operator)
    return client


@pytest.fixture
def world(owner, consumer, other_consumer, stranger, image, shared_image, lon):
    """A private image, a shared one with an accepted and a pending member, a server, a token."""
    accepted = factories.member(owner, shared_image, consumer, MemberStatus.ACCEPTED)
    pending = factories.member(owner, shared_image, other_consumer)
    server = Server.objects.boot(consumer, shared_image, "web-1")
    token, plain = ApiToken.objects.issue(owner, "deploy script")
    return {
        "accounts_region": lon,
        "accounts_account": owner.account,
        "accounts_user": owner,
        "accounts_apitoken": token,
        "images_image": shared_image,
        "memberships_imagemember": accepted,
        "memberships_event": Event.objects.filter(image=shared_image).first(),
        "servers_server": server,
        "accepted": accepted,
        "pending": pending,
        "plain": plain,
        "strangers_image": factories.image(stranger, name="stranger-image"),
    }


PAGES = [
    "accounts_region",
    "accounts_account",
    "accounts_user",
    "accounts_apitoken",
    "images_image",
    "memberships_imagemember",
    "memberships_event",
    "servers_server",
]


# Every page answers.


@pytest.mark.parametrize("model", PAGES)
def test_every_changelist_and_change_page_answers(ops, world, model):
    assert ops.get(changelist(model)).status_code == 200
    obj = world[model]
    assert ops.get(reverse(f"admin:{model}_change", args=[obj.pk])).status_code == 200


@pytest.mark.parametrize("model", ["accounts_region", "accounts_account", "accounts_user"])
def test_add_pages_answer_where_adding_is_plain(ops, model):
    assert ops.get(reverse(f"admin:{model}_add")).status_code == 200


def test_an_operator_adds_a_login_to_a_tenant(ops, owner):
    response = ops.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "newbie",
            "usable_password": "true",
            "password1": "a-long-pass-phrase-42",
            "password2": "a-long-pass-phrase-42",
            "account": owner.account.pk,
            "role": "reader",
        },
    )
    assert response.status_code == 302
    newbie = User.objects.get(username="newbie")
    assert newbie.account == owner.account and newbie.role == "reader"  # R27: operators set anyone's role


def test_the_index_names_the_operations_site(ops):
    response = ops.get(reverse("admin:index"))
    assert response.status_code == 200
    assert "Image sharing operations" in response.content.decode()


@pytest.mark.parametrize("model", PAGES)
def test_it_sends_a_non_staff_user_to_the_admin_login(client, consumer, world, model):
    client.force_login(consumer)
    response = client.get(changelist(model))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


# Search and filters.


def test_image_search_by_owner_tenant_id_id_and_name(ops, world, owner, image, shared_image):
    images = changelist("images_image")
    assert rows(ops.get(images, {"q": owner.account.tenant_id})) == {image, shared_image}
    assert rows(ops.get(images, {"q": str(image.pk)})) == {image}
    assert rows(ops.get(images, {"q": image.pk.hex})) == {image}
    assert rows(ops.get(images, {"q": "SHARED-b"})) == {shared_image}
    assert rows(ops.get(images, {"q": "no such thing"})) == set()


def test_image_filters(ops, world, owner, image, shared_image, lon):
    abroad_owner = factories.user(factories.account(lon))
    uk_image = factories.image(abroad_owner, lon, name="uk", active=False)
    image.update(owner, protected=True)
    images = changelist("images_image")
    everything = {image, shared_image, world["strangers_image"], uk_image}
    assert rows(ops.get(images)) == everything
    assert rows(ops.get(images, {"region__code__exact": "LON"})) == {uk_image}
    assert rows(ops.get(images, {"status__exact": "queued"})) == {uk_image}
    assert rows(ops.get(images, {"visibility__exact": "shared"})) == {shared_image}
    assert rows(ops.get(images, {"protected__exact": "1"})) == {image}


def test_image_list_shows_owner_tenant_and_member_count(ops, world, owner, shared_image):
    response = ops.get(changelist("images_image"), {"q": str(shared_image.pk)})
    [row] = response.context["cl"].result_list
    assert row.member_count == 2
    assert str(owner.account.tenant_id) in response.content.decode()


def test_member_search_by_image_id_image_name_and_tenant_id(ops, world, consumer, shared_image):
    members = changelist("memberships_imagemember")
    both = {world["accepted"], world["pending"]}
    assert rows(ops.get(members, {"q": str(shared_image.pk)})) == both
    assert rows(ops.get(members, {"q": "shared-base"})) == both
    assert rows(ops.get(members, {"q": consumer.account.tenant_id})) == {world["accepted"]}


def test_member_filters(ops, world):
    members = changelist("memberships_imagemember")
    assert rows(ops.get(members, {"status__exact": "pending"})) == {world["pending"]}
    assert rows(ops.get(members, {"image__region__code__exact": "DFW"})) == {world["accepted"], world["pending"]}
    assert rows(ops.get(members, {"image__region__code__exact": "LON"})) == set()


def test_the_image_page_links_to_its_members(ops, world, shared_image):
    page = ops.get(reverse("admin:images_image_change", args=[shared_image.pk])).content.decode()
    assert f"{changelist('memberships_imagemember')}?image={shared_image.pk}" in page
    listed = ops.get(changelist("memberships_imagemember"), {"image": str(shared_image.pk)})
    assert rows(listed) == {world["accepted"], world["pending"]}


def test_history_search_and_filters(ops, world, owner, consumer, image, shared_image):
    events = changelist("memberships_event")
    assert {e.image for e in rows(ops.get(events, {"q": str(shared_image.pk)}))} == {shared_image}
    by_consumer = rows(ops.get(events, {"q": consumer.account.tenant_id}))
    assert by_consumer and all(consumer.account in (e.member, e.actor_account) for e in by_consumer)
    by_owner = rows(ops.get(events, {"q": owner.account.tenant_id}))
    assert {e.actor_account for e in by_owner} == {owner.account}
    added = rows(ops.get(events, {"action__exact": Action.MEMBER_ADDED}))
    assert len(added) == 2 and {e.action for e in added} == {Action.MEMBER_ADDED}
    assert rows(ops.get(events, {"by_operator__exact": "1"})) == set()
    year = world["memberships_event"].created_at.year
    assert rows(ops.get(events, {"created_at__year": year})) == set(Event.objects.all())


def test_server_search_and_filters(ops, world, consumer, owner):
    server = world["servers_server"]
    servers = changelist("servers_server")
    assert rows(ops.get(servers, {"q": str(server.pk)})) == {server}
    assert rows(ops.get(servers, {"q": "web-1"})) == {server}
    assert rows(ops.get(servers, {"q": consumer.account.tenant_id})) == {server}
    assert rows(ops.get(servers, {"q": owner.account.tenant_id})) == set()
    assert rows(ops.get(servers, {"region__code__exact": "DFW", "status__exact": "active"})) == {server}
    assert rows(ops.get(servers, {"region__code__exact": "LON"})) == set()


def test_account_and_user_search_by_tenant_id(ops, world, owner, consumer, other_consumer, abroad):
    accounts = changelist("accounts_account")
    assert rows(ops.get(accounts, {"q": owner.account.tenant_id})) == {owner.account}
    assert rows(ops.get(accounts, {"q": "second CONSUMER"})) == {other_consumer.account}
    assert rows(ops.get(accounts, {"regions__code__exact": "LON"})) == {abroad.account}
    users = changelist("accounts_user")
    assert rows(ops.get(users, {"q": owner.account.tenant_id})) == {owner}
    assert rows(ops.get(users, {"q": "consum"})) == {consumer}


# Visibility actions (R10, R16).


def test_make_public_goes_through_the_model_and_records_the_operator(ops, operator, world, image, shared_image):
    response = act(ops, "images_image", "make_public", image, shared_image)
    assert response.redirect_chain == [(changelist("images_image"), 302)]
    assert messages_of(response) == [(SUCCESS, "Made 2 images public.")]
    image.refresh_from_db()
    shared_image.refresh_from_db()
    assert image.visibility == shared_image.visibility == Visibility.PUBLIC
    assert history(image)[-1] == (Action.VISIBILITY_CHANGED, None, "private", "public", operator.username, True)
    assert history(shared_image)[-1] == (Action.VISIBILITY_CHANGED, None, "shared", "public", operator.username, True)


def test_make_private_and_make_shared(ops, operator, world, image, shared_image):
    response = act(ops, "images_image", "make_private", shared_image)
    assert messages_of(response) == [(SUCCESS, "Made 1 image private.")]
    response = act(ops, "images_image", "make_shared", image)
    assert messages_of(response) == [(SUCCESS, "Made 1 image shared.")]
    image.refresh_from_db()
    shared_image.refresh_from_db()
    assert (image.visibility, shared_image.visibility) == (Visibility.SHARED, Visibility.PRIVATE)
    assert history(shared_image)[-1][2:] == ("shared", "private", operator.username, True)
    assert history(image)[-1][2:] == ("private", "shared", operator.username, True)


def test_a_deleted_image_cannot_be_changed_and_the_others_are(ops, owner, operator, image, shared_image):
    image.destroy(owner)
    before = history(image)
    response = act(ops, "images_image", "make_public", image, shared_image)
    assert messages_of(response) == [
        (ERROR, "web-base: This image has been deleted."),
        (SUCCESS, "Made 1 image public."),
    ]
    image.refresh_from_db()
    assert (image.status, image.visibility) == (Status.DELETED, Visibility.PRIVATE)
    assert history(image) == before
    shared_image.refresh_from_db()
    assert shared_image.visibility == Visibility.PUBLIC


# Deletion (R15, R16).


def test_delete_action_soft_deletes_through_destroy(ops, operator, world, consumer, other_consumer, shared_image):
    response = act(ops, "images_image", "destroy_selected", shared_image)
    assert messages_of(response) == [(SUCCESS, "Deleted 1 image.")]
    shared_image.refresh_from_db()
    assert shared_image.status == Status.DELETED
    assert not ImageMember.objects.filter(image=shared_image).exists()
    removed = {(row[1], row[2]) for row in history(shared_image) if row[0] == Action.MEMBER_REMOVED}
    assert removed == {(consumer.account.tenant_id, "accepted"), (other_consumer.account.tenant_id, "pending")}
    assert history(shared_image)[-1] == (Action.IMAGE_DELETED, None, "active", "deleted", operator.username, True)
    assert Server.objects.filter(pk=world["servers_server"].pk).exists()


def test_delete_action_refuses_a_protected_image_and_leaves_it_intact(ops, owner, world, image, shared_image):
    shared_image.update(owner, protected=True)
    before = history(shared_image)
    response = act(ops, "images_image", "destroy_selected", shared_image, image)
    assert messages_of(response) == [
        (ERROR, "shared-base: This image is protected and cannot be deleted."),
        (SUCCESS, "Deleted 1 image."),
    ]
    shared_image.refresh_from_db()
    assert shared_image.status == Status.ACTIVE
    assert ImageMember.objects.filter(image=shared_image).count() == 2
    assert history(shared_image) == before
    image.refresh_from_db()
    assert image.status == Status.DELETED


def test_the_default_raw_delete_is_not_offered(ops, world):
    page = ops.get(changelist("images_image")).content.decode()
    assert "destroy_selected" in page
    assert 'value="delete_selected"' not in page
    response = act(ops, "images_image", "delete_selected", world["images_image"])
    assert messages_of(response) == [(WARNING, "No action selected.")]
    assert not Image.objects.filter(status=Status.DELETED).exists()


def test_delete_page_goes_through_destroy(ops, operator, world, shared_image):
    url = reverse("admin:images_image_delete", args=[shared_image.pk])
    confirm = ops.get(url)
    assert confirm.status_code == 200
    assert "Member: " in confirm.content.decode()
    response = ops.post(url, {"post": "yes"})
    assert response.status_code == 302
    shared_image.refresh_from_db()
    assert shared_image.status == Status.DELETED
    assert history(shared_image)[-1][0] == Action.IMAGE_DELETED
    assert history(shared_image)[-1][4:] == (operator.username, True)
    assert ops.get(url).status_code == 403  # a deleted image is history now


def test_delete_page_refuses_a_protected_image(ops, owner, world, shared_image):
    shared_image.update(owner, protected=True)
    before = history(shared_image)
    response = ops.post(reverse("admin:images_image_delete", args=[shared_image.pk]), {"post": "yes"}, follow=True)
    assert response.redirect_chain == [(reverse("admin:images_image_change", args=[shared_image.pk]), 302)]
    assert messages_of(response) == [(ERROR, "This image is protected and cannot be deleted.")]
    shared_image.refresh_from_db()
    assert shared_image.status == Status.ACTIVE
    assert history(shared_image) == before


# The image change form.


def change_form_data(client, image: Image) -> dict:
    """What the browser would post back unchanged: the editable fields and the inline's management form."""
    response = client.get(reverse("admin:images_image_change", args=[image.pk]))
    form = response.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        data.update({management.add_prefix(name): management[name].value() for name in management.fields})
        for member_form in inline.formset.forms:
            data.update({member_form.add_prefix(name): member_form[name].value() for name in member_form.fields})
    return {name: value for name, value in data.items() if value is not None and value is not False}


def test_rule_bearing_fields_are_read_only_on_the_change_form(ops, world, shared_image):
    page = ops.get(reverse("admin:images_image_change", args=[shared_image.pk]))
    editable = set(page.context["adminform"].form.fields)
    assert editable == {"name", "protected", "min_disk", "min_ram"}
    for name in [
        "visibility",
        "owner",
        "region",
        "status",
        "size",
        "checksum",
        "file",
        "base_image_id",
        "disk_format",
        "container_format",
    ]:
        assert name in page.context["adminform"].readonly_fields


def test_change_form_saves_plain_fields_and_ignores_rule_bearing_ones(ops, world, owner, shared_image):
    data = change_form_data(ops, shared_image)
    data.update(name="renamed", min_ram="512", visibility="public", owner=world["strangers_image"].owner_id)
    response = ops.post(reverse("admin:images_image_change", args=[shared_image.pk]), data)
    assert response.status_code == 302
    shared_image.refresh_from_db()
    assert (shared_image.name, shared_image.min_ram) == ("renamed", 512)
    assert (shared_image.visibility, shared_image.owner) == (Visibility.SHARED, owner.account)
    assert ImageMember.objects.filter(image=shared_image).count() == 2


def test_formats_set_at_creation_are_refused_to_operators_too(ops, operator, owner, dfw):
    image = Image.objects.create_image(owner, dfw, name="web-base", disk_format="qcow2")
    with pytest.raises(NotPermitted, match="'disk_format' can be set only when the image is created"):
        image.update(operator, as_operator=True, name="renamed", disk_format="raw")
    image.refresh_from_db()
    assert (image.name, image.disk_format) == ("web-base", "qcow2")


def test_images_are_not_added_through_the_admin(ops, world):
    assert ops.get(reverse("admin:images_image_add")).status_code == 403


# Member actions (R3, R12, R16).


def test_revoke_asks_first_naming_each_member(ops, world, consumer, shared_image):
    data = {"action": "revoke", "_selected_action": [str(world["accepted"].pk), str(world["pending"].pk)]}
    page = ops.post(changelist("memberships_imagemember"), data)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Revoke these 2 members?" in text
    assert f"Tenant {consumer.account.tenant_id} on “{shared_image}” (DFW), accepted" in text
    assert 'name="post" value="yes"' in text
    assert ImageMember.objects.count() == 2


def test_revoke_selected_members(ops, operator, world, shared_image, consumer, other_consumer):
    response = act(ops, "memberships_imagemember", "revoke", world["accepted"], post="yes")
    assert messages_of(response) == [(SUCCESS, "Revoked 1 image member.")]
    assert list(ImageMember.objects.values_list("member", flat=True)) == [other_consumer.account.pk]
    assert history(shared_image)[-1] == (
        Action.MEMBER_REMOVED,
        consumer.account.tenant_id,
        "accepted",
        "",
        operator.username,
        True,
    )
    assert not Image.objects.usable_by(consumer.account).filter(pk=shared_image.pk).exists()


def test_reset_selected_members_to_pending(ops, operator, world, shared_image, consumer):
    response = act(ops, "memberships_imagemember", "reset_to_pending", world["accepted"], world["pending"])
    assert messages_of(response) == [(SUCCESS, "Reset 2 image members to pending.")]
    assert set(ImageMember.objects.values_list("status", flat=True)) == {MemberStatus.PENDING}
    status_changes = [row for row in history(shared_image) if row[0] == Action.MEMBER_STATUS_CHANGED]
    assert status_changes[-1] == (
        Action.MEMBER_STATUS_CHANGED,
        consumer.account.tenant_id,
        "accepted",
        "pending",
        operator.username,
        True,
    )
    # The pending member was already pending: nothing to record for it.
    assert [row for row in status_changes if row[4] == operator.username] == [status_changes[-1]]


def test_member_action_reports_each_refusal(ops, owner, consumer, image, world):
    image.destroy(owner)
    stray = ImageMember.objects.create(image=image, member=consumer.account)  # no model method leaves this
    before = history(image)
    response = act(ops, "memberships_imagemember", "revoke", stray, world["pending"], post="yes")
    assert messages_of(response) == [(ERROR, f"{stray}: No such member."), (SUCCESS, "Revoked 1 image member.")]
    assert ImageMember.objects.filter(pk=stray.pk).exists()
    assert not ImageMember.objects.filter(pk=world["pending"].pk).exists()
    assert history(image) == before


@pytest.mark.parametrize(
    "model, key, edit",
    [("imagemember", "accepted", {"status": "rejected"}), ("event", "memberships_event", {"note": "edited"})],
)
def test_members_and_history_are_not_added_changed_or_deleted_by_hand(ops, world, model, key, edit):
    row = world[key]
    before = snapshot()
    assert ops.get(reverse(f"admin:memberships_{model}_add")).status_code == 403
    change = reverse(f"admin:memberships_{model}_change", args=[row.pk])
    page = ops.get(change)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert ops.post(change, edit).status_code == 403
    delete = reverse(f"admin:memberships_{model}_delete", args=[row.pk])
    assert ops.get(delete).status_code == 403
    assert ops.post(delete, {"post": "yes"}).status_code == 403
    assert 'value="delete_selected"' not in ops.get(changelist(f"memberships_{model}")).content.decode()
    act(ops, f"memberships_{model}", "delete_selected", row)
    assert snapshot() == before


def test_the_inline_is_read_only(ops, world, shared_image):
    page = ops.get(reverse("admin:images_image_change", args=[shared_image.pk]))
    [inline] = page.context["inline_admin_formsets"]
    assert not (inline.has_add_permission or inline.has_change_permission or inline.has_delete_permission)
    assert str(world["accepted"].member) in page.content.decode()


# API tokens.


def test_token_admin_never_shows_the_digest_or_the_token(ops, world):
    token = world["accounts_apitoken"]
    for url in [changelist("accounts_apitoken"), reverse("admin:accounts_apitoken_change", args=[token.pk])]:
        page = ops.get(url).content.decode()
        assert token.prefix in page
        assert token.digest not in page
        assert world["plain"] not in page


def test_tokens_are_not_added_through_the_admin(ops, world):
    assert ops.get(reverse("admin:accounts_apitoken_add")).status_code == 403


# Query counts stay fixed whatever the number of rows.


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_image_changelist_queries_do_not_grow_with_rows(ops, owner):
    images = [factories.image(owner, name=f"image {n}", visibility="shared") for n in range(3)]
    consumers = [factories.user() for _ in range(2)]
    for image in images:
        for consumer in consumers:
            factories.member(owner, image, consumer)
    few = count_queries(ops, changelist("images_image"))
    for n in range(27):
        factories.image(owner, name=f"more {n}")
    assert Image.objects.count() == 30
    assert count_queries(ops, changelist("images_image")) == few


def test_member_changelist_queries_do_not_grow_with_rows(ops, owner, shared_image):
    for _ in range(3):
        factories.member(owner, shared_image, factories.user())
    few = count_queries(ops, changelist("memberships_imagemember"))
    for _ in range(27):
        factories.member(owner, shared_image, factories.user())
    assert ImageMember.objects.count() == 30
    assert count_queries(ops, changelist("memberships_imagemember")) == few


@pytest.mark.parametrize(
    "model", ["memberships_event", "servers_server", "accounts_account", "accounts_user", "accounts_apitoken"]
)
def test_other_changelists_do_not_grow_with_rows(ops, owner, shared_image, model):
    def grow(n):
        for _ in range(n):
            consumer = factories.user()
            factories.member(owner, shared_image, consumer)
            Server.objects.boot(consumer, shared_image, "server")
            ApiToken.objects.issue(consumer, "script")

    grow(3)
    few = count_queries(ops, changelist(model))
    grow(27)
    assert count_queries(ops, changelist(model)) == few


def test_the_front_page_shows_the_open_report_queue(ops, owner, consumer, shared_image):
    assert "No open reports of shared images." in ops.get(reverse("admin:index")).content.decode()
    factories.member(owner, shared_image, consumer)
    ImageReport.objects.file(consumer, shared_image, "malicious")
    page = ops.get(reverse("admin:index")).content.decode()
    assert "<strong>1 open report</strong>" in page and "imagereport/?queue=open" in page


def test_operators_see_uploads_in_progress_and_failed_deletions_read_only(ops, owner, dfw, settings):
    settings.TENANT_STORAGE_QUOTA = 10 * 1024 * 1024
    uploading = Image.objects.create_image(owner, dfw, name="uploading")
    upload = uploading.begin_upload(owner, 4096)
    failed = PendingDeletion.objects.create(name="images/gone", error="store offline")

    listed = ops.get(changelist("images_upload"))
    assert rows(listed) == {upload}
    assert "uploading" in listed.content.decode() and "4096" in listed.content.decode()
    assert rows(ops.get(changelist("images_pendingdeletion"))) == {failed}
    for model, key in [("images_upload", upload.pk), ("images_pendingdeletion", failed.pk)]:
        assert ops.get(reverse(f"admin:{model}_add")).status_code == 403
        ops.post(reverse(f"admin:{model}_delete", args=[key]), {"post": "yes"})
    assert (Upload.objects.count(), PendingDeletion.objects.count()) == (1, 1)


@pytest.mark.parametrize("model", sorted(f"{m._meta.app_label}_{m._meta.model_name}" for m in admin.site._registry))
def test_no_admin_list_opens_to_a_tenant_login_or_a_stranger(client, owner, model):
    url = changelist(model)
    assert client.get(url).url.startswith(reverse("admin:login"))
    client.force_login(owner)  # a tenant's login, not staff
    assert client.get(url).url.startswith(reverse("admin:login"))


def test_operators_rename_tenants_but_never_read_an_offers_note(ops, owner, consumer, shared_image):
    """R21: operators edit display names; R19: the note is for the producer and that consumer alone."""
    member = shared_image.share_with(
        owner, [consumer.account.tenant_id], acknowledged=True, note="between us two"
    ).added[0]
    page = ops.get(reverse("admin:memberships_imagemember_change", args=[member.pk]))
    assert page.status_code == 200 and "between us two" not in page.content.decode()
    form = ops.get(reverse("admin:accounts_account_change", args=[owner.account_id])).content.decode()
    assert "Display name" in form


# R18: operators hear of reports in the admin.


def test_an_operator_sees_its_report_notices_and_marks_them_read(ops, operator, owner, consumer, world, shared_image):
    report = ImageReport.objects.file(consumer, shared_image, ImageReport.Reason.ERROR)
    mine = Notice.objects.get(recipient=operator)
    response = ops.get(changelist("memberships_notice"))
    assert rows(response) == {mine}  # its own, not the tenants' offers and answers
    page = response.content.decode()
    assert f"Tenant {consumer.account.tenant_id} (Consumer) reported the image" in page
    assert f'href="/admin/memberships/imagereport/{report.pk}/change/"' in page
    everyone = ops.get(changelist("memberships_notice"), {"recipient": "everyone"})
    assert rows(everyone) == set(Notice.objects.all()) and len(rows(everyone)) > 1

    done = act(ops, "memberships_notice", "mark_read", mine)
    assert (SUCCESS, "Marked 1 notice read.") in messages_of(done)
    assert not Notice.objects.get(pk=mine.pk).is_unread
    assert ops.get(reverse("admin:memberships_notice_change", args=[mine.pk])).status_code == 200


def test_an_operator_cannot_mark_a_tenants_notice_read(ops, owner, consumer, world):
    theirs = Notice.objects.filter(recipient=consumer).first()
    data = {"action": "mark_read", "_selected_action": [str(theirs.pk)]}
    done = ops.post(changelist("memberships_notice") + "?recipient=everyone", data, follow=True)
    assert (ERROR, f"{theirs}: No such notice.") in messages_of(done)
    assert Notice.objects.get(pk=theirs.pk).is_unread


def test_operators_see_lists_bulk_shares_and_trusted_producers_read_only(ops, owner, consumer, dfw, shared_image):
    """R23, R24: what tenants keep for their sharing, every tenant's, seen and never changed by hand."""

    branches = TenantList.objects.create_list(owner, "All branches", follows=True)
    branches.set_tenants(owner, [consumer.account.tenant_id, 4242])
    share_images(owner, own_images(owner, [shared_image.pk]), tenant_list=branches, acknowledged=True)
    rule = ProducerRule.objects.set_answer(consumer, owner.account.tenant_id, MemberStatus.ACCEPTED)
    waiting = BulkShare.objects.start(owner, own_images(owner, [shared_image.pk]), tenant_ids=["4243"])
    before = snapshot()

    lists = ops.get(changelist("memberships_tenantlist"))
    assert rows(lists) == {branches}
    assert "All branches" in lists.content.decode() and str(owner.account.tenant_id) in lists.content.decode()
    page = ops.get(reverse("admin:memberships_tenantlist_change", args=[branches.pk])).content.decode()
    assert "4242" in page and "shared-base" in page  # its tenant IDs and the image shared through it
    rules = ops.get(changelist("accounts_producerrule"))
    assert [(r.consumer, r.tenant_id, r.answer) for r in rows(rules)] == [(consumer.account, rule, "accepted")]
    shares = ops.get(changelist("memberships_bulkshare"))
    assert rows(shares) == {waiting} and "waiting for the worker" in shares.content.decode()
    for model, key in [
        ("memberships_tenantlist", branches.pk),
        ("accounts_producerrule", ProducerRule.objects.get().pk),
        ("memberships_bulkshare", waiting.pk),
    ]:
        assert ops.get(reverse(f"admin:{model}_add")).status_code == 403
        ops.post(reverse(f"admin:{model}_delete", args=[key]), {"post": "yes"})
    assert snapshot() == before


@pytest.mark.parametrize("model", ["memberships_tenantlist", "accounts_producerrule"])
def test_lists_and_trusted_producers_changelists_do_not_grow_with_rows(ops, dfw, model):

    def grow(n):
        for number in range(n):
            tenant = factories.user(factories.account(dfw))
            TenantList.objects.create_list(tenant, f"list {number}").set_tenants(tenant, [4242, 4243])
            ProducerRule.objects.set_answer(tenant, 4242, MemberStatus.ACCEPTED)

    grow(3)
    few = count_queries(ops, changelist(model))
    grow(20)
    assert count_queries(ops, changelist(model)) == few


# R27 in the admin: removing a tenant's person goes through the rule that keeps the tenant an admin.


def user_form(ops, person, **changes) -> dict:
    """The admin's change form of `person` as it would be posted unchanged, with `changes`."""
    form = ops.get(reverse("admin:accounts_user_change", args=[person.pk])).context["adminform"].form
    data: dict = {}
    for bound in form:
        value = bound.value()
        if bound.field.disabled or value is None or value is False:
            continue
        if isinstance(bound.field.widget, MultiWidget):
            for index, part in enumerate(bound.field.widget.decompress(value)):
                data[f"{bound.html_name}_{index}"] = "" if part is None else str(part)
        elif isinstance(value, list | tuple):
            data[bound.html_name] = [getattr(item, "pk", item) for item in value]
        else:
            data[bound.html_name] = "on" if value is True else value
    return {**data, **changes}


def test_r27_unticking_active_removes_the_person_as_the_tenant_admin_would(ops, operator, people):
    member = people["owner member"]
    ApiToken.objects.issue(member, "deploy")
    response = ops.post(reverse("admin:accounts_user_change", args=[member.pk]), user_form(ops, member, is_active=""))
    assert response.status_code == 302
    member.refresh_from_db()
    assert not member.is_active and not member.api_tokens.exists()
    change = PersonChange.objects.get(person=member)
    assert (change.action, change.actor, change.by_operator) == (PersonChange.Action.REMOVED, operator, True)


def test_r27_the_last_admin_is_never_deactivated_nor_deleted_from_the_admin(ops, people):
    admin_ = people["owner admin"]
    ApiToken.objects.issue(admin_, "deploy")
    response = ops.post(
        reverse("admin:accounts_user_change", args=[admin_.pk]), user_form(ops, admin_, is_active=""), follow=True
    )
    assert (ERROR, LastAdmin.default_message) in messages_of(response)
    assert User.objects.get(pk=admin_.pk).is_active and admin_.api_tokens.exists()
    assert not PersonChange.objects.exists()
    assert ops.get(reverse("admin:accounts_user_delete", args=[admin_.pk])).status_code == 403
    offered = dict(ops.get(changelist("accounts_user")).context["action_form"].fields["action"].choices)
    assert "delete_selected" not in offered and "remove_from_tenant" in offered
    response = act(ops, "accounts_user", "remove_from_tenant", admin_, people["owner member"])
    assert User.objects.get(pk=admin_.pk).is_active and not User.objects.get(pk=people["owner member"].pk).is_active
    assert [level for level, _ in messages_of(response)] == [ERROR, SUCCESS]
