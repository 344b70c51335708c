"""R2, R3, R11, R14, R15 under real concurrent transactions (PostgreSQL only).

Each thread has its own database connection and all start together at a barrier.
`held` keeps a thread's transaction open a moment after the rule ran, as a request
doing more work before it commits would: without the image and member row locks,
every thread would then check the rows before any other had committed, and the
duplicate, quota and history assertions below would fail.
"""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, transaction

from imagesharing.accounts.models import PersonChange, ProducerRule, SharingSwitch, User
from imagesharing.choices import Action, MemberStatus, Role, Status
from imagesharing.errors import AlreadyMember, NotFound, NotPermitted, QuotaExceeded
from imagesharing.images.approvals import ShareRequest
from imagesharing.images.models import Image
from imagesharing.images.uploads import Upload
from imagesharing.memberships.history import Event
from imagesharing.memberships.members import ImageMember
from tests import factories

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs real concurrent transactions and row locks; SQLite serialises writers by itself",
    ),
    pytest.mark.django_db(transaction=True),
]

HOLD = 0.05


def held(call):
    def run():
        with transaction.atomic():
            result = call()
            time.sleep(HOLD)
        return result

    return run


def race(calls) -> list:
    """Run every call in its own thread and connection, all released at once; return results or errors."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as error:  # collected and asserted on by the test
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results


def kinds(results) -> list[str]:
    return sorted(type(result).__name__ for result in results)


@pytest.mark.parametrize("racers", [2, 8])
def test_r2_simultaneous_adds_of_one_member_make_one_row(owner, consumer, shared_image, racers):
    tenant_id = consumer.account.tenant_id
    results = race([held(lambda: shared_image.add_member(owner, tenant_id))] * racers)
    assert kinds(results) == ["AlreadyMember"] * (racers - 1) + ["ImageMember"]
    assert all(
        result.message == f"Tenant {tenant_id} is already a member of this image."
        for result in results
        if isinstance(result, AlreadyMember)
    )
    assert ImageMember.objects.filter(image=shared_image).count() == 1
    assert Event.objects.filter(action=Action.MEMBER_ADDED).count() == 1


def test_r2_simultaneous_shares_of_one_tenant_make_one_row(owner, consumer, image):
    tenant_id = consumer.account.tenant_id
    results = race([held(lambda: image.share_with(owner, [tenant_id], acknowledged=True))] * 4)
    outcomes = [result.outcomes[0] for result in results]
    assert sum(outcome.added for outcome in outcomes) == 1
    assert kinds(outcome.error for outcome in outcomes if not outcome.added) == ["AlreadyMember"] * 3
    assert sum(result.made_shared for result in results) == 1
    assert ImageMember.objects.count() == 1
    assert Event.objects.filter(action=Action.VISIBILITY_CHANGED).count() == 1


def test_r11_simultaneous_adds_never_exceed_the_quota(owner, shared_image, dfw, settings):
    settings.IMAGE_MEMBER_QUOTA = 3
    tenant_ids = [factories.account(dfw).tenant_id for _ in range(8)]
    results = race(
        [held(lambda tenant_id=tenant_id: shared_image.add_member(owner, tenant_id)) for tenant_id in tenant_ids]
    )
    assert kinds(results) == ["ImageMember"] * 3 + ["QuotaExceeded"] * 5
    assert ImageMember.objects.filter(image=shared_image).count() == 3
    assert Event.objects.filter(action=Action.MEMBER_ADDED).count() == 3
    refusals = [result for result in results if not isinstance(result, ImageMember)]
    assert all(isinstance(result, QuotaExceeded) and "3 members" in result.message for result in refusals)


def test_r11_simultaneous_shares_never_exceed_the_quota(owner, shared_image, dfw, settings):
    settings.IMAGE_MEMBER_QUOTA = 5
    batches = [[factories.account(dfw).tenant_id for _ in range(3)] for _ in range(4)]
    results = race(
        [held(lambda batch=batch: shared_image.share_with(owner, batch, acknowledged=True)) for batch in batches]
    )
    assert sum(len(result.added) for result in results) == 5
    assert ImageMember.objects.filter(image=shared_image).count() == 5


def test_r3_simultaneous_status_changes_are_last_writer_wins_with_a_consistent_history(owner, consumer, shared_image):
    member = factories.member(owner, shared_image, consumer)
    wanted = ["accepted", "rejected", "pending", "accepted", "rejected", "accepted", "pending", "rejected"]

    def change(status):
        return lambda: ImageMember.objects.get(pk=member.pk).set_status(consumer, status)

    results = race([held(change(status)) for status in wanted])
    assert not [result for result in results if isinstance(result, Exception)]
    chain = list(Event.objects.filter(action=Action.MEMBER_STATUS_CHANGED).order_by("pk"))
    assert chain, "at least the first change differs from pending"
    assert chain[0].before == MemberStatus.PENDING
    for previous, event in zip(chain, chain[1:], strict=False):
        assert event.before == previous.after
    assert all(event.before != event.after for event in chain)
    assert ImageMember.objects.get(pk=member.pk).status == chain[-1].after


def test_r12_simultaneous_revokes_remove_once(owner, consumer, shared_image):
    member = factories.member(owner, shared_image, consumer)
    results = race([held(lambda: ImageMember.objects.get(pk=member.pk).remove(owner))] * 2)
    assert kinds(results) == ["NoneType", "NotFound"]
    assert not ImageMember.objects.exists()
    assert Event.objects.filter(action=Action.MEMBER_REMOVED).count() == 1


def test_r15_add_racing_delete_leaves_no_member(owner, consumer, shared_image):
    tenant_id = consumer.account.tenant_id
    results = race(
        [
            held(lambda: shared_image.add_member(owner, tenant_id)),
            held(lambda: shared_image.destroy(owner)),
        ]
    )
    assert type(results[1]) is type(None)
    assert type(results[0]) in (ImageMember, NotFound)
    assert not ImageMember.objects.exists()
    removed = Event.objects.filter(action=Action.MEMBER_REMOVED).count()
    assert removed == (1 if isinstance(results[0], ImageMember) else 0)


def test_r11_adds_to_different_images_do_not_wait_for_each_other(owner, consumer, other_consumer, dfw):
    """The quota lock is the image row alone, not the region the image is joined to."""
    first, second = (factories.image(owner, dfw, visibility="shared") for _ in range(2))
    locked, release = threading.Event(), threading.Event()

    def hold_first():
        with transaction.atomic():
            first.add_member(owner, consumer.account.tenant_id)
            locked.set()
            release.wait(timeout=10)

    def add_second():
        locked.wait(timeout=10)
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '2s'")
                return second.add_member(owner, other_consumer.account.tenant_id)
        finally:
            release.set()

    results = race([hold_first, add_second])
    assert isinstance(results[1], ImageMember), results[1]
    assert ImageMember.objects.count() == 2


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_r14_parallel_uploads_never_store_more_than_the_quota(owner, dfw, settings, declared):
    """Issue 9, item 5: 8 uploads of 1,000,000 bytes against 3 MiB used to store 4,000,000."""
    settings.TENANT_STORAGE_QUOTA = 3 * 1024 * 1024
    data = b"x" * 1_000_000
    images = [Image.objects.create_image(owner, dfw, name=f"parallel {n}") for n in range(8)]

    def upload(image):
        return lambda: image.receive_data(owner, [data], declared_size=len(data) if declared else None)

    results = race([upload(image) for image in images])

    assert kinds(results) == ["DataTooLarge"] * 5 + ["NoneType"] * 3
    assert Image.objects.storage_charged_to(owner.account) == 3_000_000
    assert not Upload.objects.exists()  # every reservation released


def test_a_running_upload_renews_its_lease_and_is_not_reaped(owner, dfw, settings):
    settings.UPLOAD_LEASE_SECONDS = 3  # renewed every second
    image = Image.objects.create_image(owner, dfw, name="slow")
    upload = image.begin_upload(owner)
    first_lease = Upload.objects.get(pk=image.pk).lease_until

    with upload:
        time.sleep(4.5)  # longer than the lease: only the renewals keep it
        assert Image.objects.reap_stuck_uploads() == 0
        assert Upload.objects.get(pk=image.pk).lease_until > first_lease + timedelta(seconds=1)
    upload.finish()
    assert Image.objects.get(pk=image.pk).status == Status.SAVING


def test_r27_two_demotions_at_once_leave_the_last_admin(dfw, operator):
    """Each demotion sees another admin when it starts; the tenant's row lock makes the second
    wait for the first and then find its person the last admin."""
    account = factories.account(dfw)
    first, second = (factories.user(account, role=Role.ADMIN) for _ in range(2))
    demote_first = held(lambda: first.set_role(operator, Role.MEMBER, as_operator=True))
    demote_second = held(lambda: second.set_role(operator, Role.MEMBER, as_operator=True))
    results = race([demote_first, demote_second])
    assert kinds(results) == ["LastAdmin", "NoneType"]
    assert account.users.filter(role=Role.ADMIN, is_active=True).count() == 1
    assert PersonChange.objects.count() == 1


@pytest.mark.parametrize("second_call", ["demote", "remove"])
def test_r27_two_admins_acting_on_each_other_at_once_leave_one_admin(dfw, second_call):
    """The one that waits is read again under the lock: demoted (or removed) meanwhile, it is
    refused, whatever the order."""
    account = factories.account(dfw)
    first, second = (factories.user(account, role=Role.ADMIN) for _ in range(2))
    # Separate instances per thread, as two requests would have: `person.set_role(by, role)`.
    a_by_b = User.objects.get(pk=first.pk), User.objects.get(pk=second.pk)
    b_by_a = User.objects.get(pk=second.pk), User.objects.get(pk=first.pk)
    calls = [held(lambda: a_by_b[0].set_role(a_by_b[1], Role.MEMBER))]
    if second_call == "demote":
        calls.append(held(lambda: b_by_a[0].set_role(b_by_a[1], Role.MEMBER)))
    else:
        calls.append(held(lambda: b_by_a[0].remove_from_tenant(b_by_a[1])))
    results = race(calls)
    passed, refused = sorted(results, key=lambda result: result is not None)
    assert passed is None and type(refused).__name__ in ("LastAdmin", "NotPermitted", "RoleRequired")
    assert account.users.filter(role=Role.ADMIN, is_active=True).count() == 1


def test_r24_an_automatic_answer_racing_the_consumers_own_ends_as_the_history_says(owner, consumer, dfw):
    """The producer offers (the consumer trusts it: accepted at once) while the consumer answers the
    offer as soon as it sees it and, meanwhile, moves the producer to its blocked list. Whatever the
    order, one member row, and its status is the last answer the history recorded."""
    producer = owner.account.tenant_id
    for round_ in range(4):
        ProducerRule.objects.set_answer(consumer, producer, MemberStatus.ACCEPTED)
        image = factories.image(owner, dfw, name=f"race {round_}", visibility="shared")

        def answer_when_offered(image=image):
            deadline = time.monotonic() + 5
            while True:
                try:
                    return ImageMember.objects.answer(consumer, image, MemberStatus.PENDING)
                except NotPermitted:  # not offered yet
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.002)

        results = race(
            [
                held(lambda image=image: image.add_member(owner, consumer.account.tenant_id)),
                answer_when_offered,
                lambda: ProducerRule.objects.set_answer(consumer, producer, MemberStatus.REJECTED),
            ]
        )
        assert not any(isinstance(result, Exception) for result in results), results
        member = ImageMember.objects.get(image=image)
        answers = Event.objects.filter(image=image, action__in=[Action.MEMBER_ADDED, Action.MEMBER_STATUS_CHANGED])
        assert member.status == answers.order_by("created_at", "pk").last().after == MemberStatus.PENDING
        assert answers.filter(action=Action.MEMBER_ADDED).count() == 1


def test_r28_held_first_shares_at_the_same_moment_file_one_request(owner, consumer, operator, dfw):
    """Two images offered at once to a tenant the owner never shared with, the switch on: both are
    refused, and one pending request holds them both."""
    switch = SharingSwitch.current()
    switch.approve_first_shares = True
    switch.save_by(operator)
    images = [factories.image(owner, dfw, name=f"held {n}", visibility="shared") for n in range(2)]
    # Not `held`: the request is filed after the refused offer's transaction, which `held` would wrap.
    results = race([lambda image=image: image.add_member(owner, consumer.account.tenant_id) for image in images])
    assert kinds(results) == ["ApprovalRequired"] * 2
    request = ShareRequest.objects.get()
    assert request.status == "pending" and set(request.images.all()) == set(images)
    assert not ImageMember.objects.exists()
