"""Every list runs a fixed number of queries, whatever its length (DESIGN: notes on scale).

Each page's count includes the two before the view runs: the session, and the user
read with its tenant (imagesharing/accounts/backends.py).

Each test measures the same page with 3 rows and with 300 and pins the count, so
that a query per row (an N+1 hidden in a template) fails here first.

A page that shows other tenants names them (R21) from the rows it already read, and
reads the viewer's labels of all of them with one query more.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from imagesharing.accounts.models import ApiToken, ProducerRule, TenantLabel
from imagesharing.choices import Role
from imagesharing.memberships.bulk import BulkShare
from imagesharing.memberships.lists import LISTS_PER_TENANT, TenantList, share_images
from imagesharing.servers.models import Server
from tests import factories
from tests.panel.conftest import signed_in

SIZES = (3, 300)


def count_queries(client, path: str, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, params)
    assert response.status_code == 200
    return len(queries)


def measured(build, client, path, **params) -> list[int]:
    """Queries for `path` after growing the data to each size in SIZES."""
    counts, made = [], 0
    for size in SIZES:
        build(made, size)
        made = size
        counts.append(count_queries(client, path, **params))
    return counts


def test_the_image_list(owner, consumer, other_consumer, dfw):
    """Own images with members, accepted shares from several owners and public images, all on one page."""
    producers = [factories.user(factories.account(dfw)) for _ in range(3)]

    def build(start, end):
        for number in range(start, end):
            kind = number % 3
            if kind == 0:
                mine = factories.image(consumer, dfw, name=f"own-{number}", visibility="shared")
                factories.member(consumer, mine, other_consumer)
            elif kind == 1:
                producer = producers[number % len(producers)]
                theirs = factories.image(producer, dfw, name=f"shared-{number}", visibility="shared")
                factories.member(producer, theirs, consumer, "accepted")
            else:
                factories.image(owner, dfw, name=f"public-{number}", visibility="public")

    client = signed_in(consumer)
    # One more for the bulk share's form: the tenant's lists (R23) beside its own images' checkboxes.
    assert measured(build, client, "/images/") == [7, 7]
    assert count_queries(client, "/images/", sort="name", source="shared", q="shared") == 6
    marker = client.get("/images/").context["images"][-1].pk
    assert count_queries(client, "/images/", marker=marker) == 8  # one more: the marker row
    assert count_queries(client, "/images/", source="own") == 6  # no other tenant shown: no labels read


def test_the_inbox(owner, consumer, dfw):
    producers = [factories.user(factories.account(dfw)) for _ in range(3)]

    def build(start, end):
        for number in range(start, end):
            producer = producers[number % len(producers)]
            image = factories.image(producer, dfw, name=f"offer-{number}", visibility="shared")
            factories.member(producer, image, consumer, ("pending", "accepted", "rejected")[number % 3])

    client = signed_in(consumer)
    assert measured(build, client, "/shared/") == [6, 6]
    assert count_queries(client, "/shared/", status="pending") == 6


def test_shared_by_me(owner, dfw):
    consumers = [factories.user(factories.account(dfw)) for _ in range(3)]

    def build(start, end):
        for number in range(start, end):
            image = factories.image(owner, dfw, name=f"img-{number}", visibility="shared")
            factories.member(owner, image, consumers[number % 3], ("pending", "accepted", "rejected")[number % 3])

    client = signed_in(owner)
    assert measured(build, client, "/shared-by-me/") == [6, 6]
    assert count_queries(client, "/shared-by-me/", status="pending", region="DFW", sort="answered") == 6


def test_the_members_table(settings, owner, dfw, shared_image):
    settings.IMAGE_MEMBER_QUOTA = 1000
    client = signed_in(owner)

    def build(start, end):
        for number in range(start, end):
            consumer = factories.user(factories.account(dfw))
            factories.member(owner, shared_image, consumer, ("pending", "accepted", "rejected")[number % 3])
            if number % 2:
                Server.objects.boot(consumer, shared_image, f"box-{number}")

    # One query of labels, for the members and the history alike; one of R26's usage, for every member;
    # one of the owner's lists (R23) for the Share form.
    assert measured(build, client, f"/images/{shared_image.pk}/") == [11, 11]


def test_the_consumer_view_of_an_image(owner, consumer, dfw, shared_image):
    factories.member(owner, shared_image, consumer, "accepted")
    client = signed_in(consumer)

    def build(start, end):
        for number in range(start, end):
            Server.objects.boot(consumer, shared_image, f"box-{number}")

    assert measured(build, client, f"/images/{shared_image.pk}/") == [10, 10]


def test_the_consumer_view_of_a_deprecated_image(owner, consumer, dfw, shared_image):
    """R25: the banner's replacement, with the consumer's answer to it, is one query more, whatever the servers."""
    factories.member(owner, shared_image, consumer, "accepted")
    successor = factories.image(owner, dfw, name="successor", visibility="shared")
    factories.member(owner, successor, consumer)
    shared_image.deprecate(owner, replacement=successor.pk)
    client = signed_in(consumer)

    def build(start, end):
        for number in range(start, end):
            Server.objects.boot(consumer, shared_image, f"box-{number}")

    assert "Accept the replacement" in client.get(f"/images/{shared_image.pk}/").content.decode()
    assert measured(build, client, f"/images/{shared_image.pk}/") == [11, 11]


def test_the_server_list(owner, consumer, dfw, shared_image):
    factories.member(owner, shared_image, consumer, "accepted")
    own = factories.image(consumer, dfw, name="own")
    client = signed_in(consumer)

    def build(start, end):
        for number in range(start, end):
            server = Server.objects.boot(consumer, (shared_image, own)[number % 2], f"box-{number}")
            if number == 1:
                server.snapshot(consumer, "snap")

    assert measured(build, client, "/servers/") == [8, 8]  # with the unaccepted offers that boot, servers elsewhere


def test_the_notices_page(owner, consumer, dfw):
    """R18: the page, and the bell on it, whose count shares the pending badge's query."""
    producers = [factories.user(factories.account(dfw)) for _ in range(3)]

    def build(start, end):
        for number in range(start, end):
            producer = producers[number % len(producers)]
            image = factories.image(producer, dfw, name=f"offer-{number}", visibility="shared")
            member = factories.member(producer, image, consumer)
            if number % 3 == 1:
                member.set_status(consumer, "accepted")
                member.remove(producer)

    client = signed_in(consumer)
    assert measured(build, client, "/notices/") == [5, 5]  # session, user, regions, the header's counts, notices
    marker = client.get("/notices/").context["notices"][-1].pk
    assert count_queries(client, "/notices/", marker=marker) == 6  # one more: the marker row


def test_the_bell_costs_no_query_of_its_own(consumer, owner, shared_image):
    """The unread count is read in the pending badge's query: a page shows both for one."""
    factories.member(owner, shared_image, consumer)
    client = signed_in(consumer)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/usage/").content.decode()
    assert 'id="pending-badge" class="badge">1' in page and '<span class="badge">1<span' in page
    counted = [query["sql"] for query in queries if "notice" in query["sql"]]
    assert len(counted) == 1 and "memberships_imagemember" in counted[0]


@pytest.mark.parametrize("path", ["/", "/usage/", "/tokens/", "/history/", "/notices/preferences/"])
def test_the_other_pages_do_not_grow_either(owner, consumer, dfw, path):
    client = signed_in(owner)

    def build(start, end):
        for number in range(start, end):
            image = factories.image(owner, dfw, name=f"img-{number}", visibility="shared")
            if number % 10 == 0:
                factories.member(owner, image, consumer)
                Server.objects.boot(owner, image, f"box-{number}")
                ApiToken.objects.issue(owner, f"token-{number}")

    counts = measured(build, client, path, about="images")
    assert counts[0] == counts[1]


def test_the_people_page(owner):
    """R27: the tenant's people and their history, each change naming two people, in fixed queries."""

    def build(start, end):
        for number in range(start, end):
            person = factories.user(owner.account, username=f"person-{number}", role=Role.READER)
            person.set_role(owner, Role.MEMBER)

    assert measured(build, signed_in(owner), "/people/") == [7, 7]


def test_the_tokens_page_of_an_admin(owner):
    """R27: an admin sees the tenant's tokens, each with its person and role."""

    def build(start, end):
        for number in range(start, end):
            ApiToken.objects.issue(factories.user(owner.account, username=f"scripted-{number}"), "ci")

    assert measured(build, signed_in(owner), "/tokens/") == [5, 5]


def test_the_delete_confirmation_names_every_members_servers(settings, owner, dfw, shared_image):
    """R26: the Delete page lists each member's servers from the image, with one usage query for all."""
    settings.IMAGE_MEMBER_QUOTA = 1000

    def build(start, end):
        for number in range(start, end):
            consumer = factories.user(factories.account(dfw))
            factories.member(owner, shared_image, consumer, "accepted")
            if number % 2:
                Server.objects.boot(consumer, shared_image, f"box-{number}")

    counts = measured(build, signed_in(owner), f"/images/{shared_image.pk}/delete/")
    assert counts[0] == counts[1]


def test_the_trusted_producers_page(consumer):
    """R24: both lists and the consumer's labels of their tenant IDs (R21), in one query each."""

    def build(start, end):
        for number in range(start, end):
            ProducerRule.objects.set_answer(consumer, 500000 + number, "accepted" if number % 2 else "rejected")
            TenantLabel.objects.set_label(consumer, 500000 + number, f"vendor {number}")

    assert measured(build, signed_in(consumer), "/trusted-producers/") == [6, 6]


def test_the_lists_page(owner):
    """R23: the tenant's lists, each with its count of tenant IDs."""

    def build(start, end):
        for number in range(start, min(end, LISTS_PER_TENANT)):
            made = TenantList.objects.create_list(owner, f"list-{number}")
            made.set_tenants(owner, [900000 + number, 900001 + number])

    assert measured(build, signed_in(owner), "/lists/") == [5, 5]  # session, user, regions, the header's counts, lists


def test_one_list_page(owner, dfw):
    """R23: one list's tenant IDs and the images shared through it."""
    tenant_list = TenantList.objects.create_list(owner, "Branches", follows=True)
    consumer = factories.user(factories.account(dfw))
    tenant_list.set_tenants(owner, [consumer.account.tenant_id])

    def build(start, end):
        images = [factories.image(owner, dfw, name=f"image-{number}") for number in range(start, end)]
        share_images(owner, images, tenant_list=tenant_list, acknowledged=True)
        tenant_list.set_tenants(owner, [consumer.account.tenant_id, *range(800000, 800000 + end)])

    assert measured(build, signed_in(owner), f"/lists/{tenant_list.pk}/") == [7, 7]


def test_a_bulk_shares_result_page(owner, dfw, settings):
    """A background bulk share's page reads its report, kept whole: one query whatever its rows."""
    settings.IMAGE_MEMBER_QUOTA = 1000
    image = factories.image(owner, dfw, name="golden")
    started = BulkShare.objects.start(owner, [image], tenant_ids=["1"], acknowledged=True)

    def build(start, end):
        started.tenant_ids = [str(factories.account(dfw).tenant_id) for _ in range(end)]
        started.finished_at = None
        started.run()

    assert measured(build, signed_in(owner), f"/images/share/{started.pk}/") == [5, 5]
