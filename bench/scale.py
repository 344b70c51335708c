"""Sharing at scale (issue 14): 100 images shared with a 500-tenant list (50,000 members) in one
call of the method the panel's bulk share calls (as its background task calls it: a transaction
per image), and the lists that must stay flat after it.

    .venv/bin/python bench/scale.py [--images 100] [--tenants 500]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/NAME .venv/bin/python bench/scale.py

On SQLite (the default) the world is a fresh database file in a temporary folder; with
DATABASE_URL on PostgreSQL, Django's test database beside NAME (`test_NAME`), made and
dropped by this script. Each consumer tenant has one person, so each offer gives one notice
and one e-mail in the outbox (R18); mail is not sent (no worker runs).

Printed: the bulk share's elapsed time and query count, and the queries of the images list,
Shared with me (a consumer's inbox) and Shared by me, each with few rows (3 images shared with
3 tenants) and with many (after the big share), which must be equal.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "imagesharing.settings")
os.environ.setdefault("SECRET_KEY", "bench-" + "k" * 60)
os.environ["ALLOWED_HOSTS"] = "testserver"
os.environ["IMAGE_MEMBER_QUOTA"] = "1000"
if not os.environ.get("DATABASE_URL"):
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='scale-bench-')}/db.sqlite3"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402

from imagesharing.accounts.models import Account, Region, User  # noqa: E402
from imagesharing.choices import Role  # noqa: E402
from imagesharing.images.models import Image  # noqa: E402
from imagesharing.memberships.lists import INLINE_OFFERS, TenantList, own_images, share_images  # noqa: E402
from imagesharing.memberships.members import ImageMember  # noqa: E402
from imagesharing.memberships.notices import Notice  # noqa: E402

FIRST_TENANT = 700000
FEW = 3
PAGES = {"images list": "/images/", "Shared by me": "/shared-by-me/"}
INBOX = {"Shared with me": "/shared/"}


class Counter:
    """A connection execute wrapper that counts the queries run (cheaper than keeping their SQL)."""

    def __init__(self):
        self.queries = 0

    def __call__(self, execute, sql, params, many, context):
        self.queries += 1
        return execute(sql, params, many, context)


def world(images: int, tenants: int) -> tuple[User, list[User], list[Image], list[Image]]:
    """A producer with `images` + FEW private active images, and `tenants` consumer tenants with one admin each."""
    region = Region.objects.create(code="DFW", name="Dallas")
    owner_account = Account.objects.create(tenant_id=FIRST_TENANT - 1, name="Producer")
    owner_account.regions.add(region)
    owner = User.objects.create_user("producer", role=Role.ADMIN, account=owner_account)
    accounts = Account.objects.bulk_create(
        [Account(tenant_id=FIRST_TENANT + n, name=f"Branch {n}") for n in range(tenants)]
    )
    Account.regions.through.objects.bulk_create(
        [Account.regions.through(account_id=account.pk, region_id=region.pk) for account in accounts]
    )
    people = User.objects.bulk_create(
        [
            User(username=f"branch-{n}", email=f"ops@branch-{n}.example", role=Role.ADMIN, account=account)
            for n, account in enumerate(accounts)
        ]
    )
    made = []
    for number in range(images + FEW):
        image = Image.objects.create_image(owner, region, name=f"golden-{number:03}")
        image.mark_active(size=1024)
        made.append(image)
    return owner, people, made[:FEW], made[FEW:]


def page_queries(client: Client, path: str) -> int:
    counter = Counter()
    with connection.execute_wrapper(counter):
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return counter.queries


# Pages render from the source's static files, as in the tests: no collectstatic needed.
PLAIN_STATIC = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


@override_settings(STORAGES=PLAIN_STATIC)
def measure_pages(owner: User, consumer: User) -> dict[str, int]:
    as_owner, as_consumer = Client(), Client()
    as_owner.force_login(owner)
    as_consumer.force_login(consumer)
    counts = {name: page_queries(as_owner, path) for name, path in PAGES.items()}
    counts.update({name: page_queries(as_consumer, path) for name, path in INBOX.items()})
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=100)
    parser.add_argument("--tenants", type=int, default=500)
    args = parser.parse_args()

    postgres = connection.vendor == "postgresql"
    if postgres:
        name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    else:
        name = connection.settings_dict["NAME"]
        call_command("migrate", verbosity=0)
    try:
        owner, people, few_images, images = world(args.images, args.tenants)
        print(f"{connection.vendor} ({name}): {args.images} images, a list of {args.tenants} tenants")

        few = TenantList.objects.create_list(owner, "A few branches")
        few.set_tenants(owner, [person.account.tenant_id for person in people[:FEW]])
        share_images(owner, own_images(owner, [image.pk for image in few_images]), tenant_list=few, acknowledged=True)
        before = measure_pages(owner, people[0])

        branches = TenantList.objects.create_list(owner, "All branches", follows=True)
        branches.set_tenants(owner, [person.account.tenant_id for person in people])
        counter = Counter()
        start = time.perf_counter()
        with connection.execute_wrapper(counter):
            selected = own_images(owner, [image.pk for image in images])
            rows = share_images(owner, selected, tenant_list=branches, acknowledged=True, each_image_apart=True)
        elapsed = time.perf_counter() - start
        added = sum(row.outcome.added for row in rows)
        print(
            f"bulk share: {added} members added in {elapsed:.2f} s, {counter.queries} queries "
            f"({counter.queries / len(images):.1f} per image, {elapsed / len(images) * 1000:.0f} ms per image)"
        )
        print(f"  rows now: {ImageMember.objects.count()} members, {Notice.objects.count()} notices")
        where = "in the background" if added > INLINE_OFFERS else "in the request"
        print(f"  the panel runs a bulk share of more than {INLINE_OFFERS} offers in the background: this one {where}")

        after = measure_pages(owner, people[0])
        for page, count in before.items():
            flat = "constant" if after[page] == count else "NOT constant"
            print(f"{page}: {count} queries with few rows, {after[page]} with many ({flat})")
    finally:
        if postgres:
            connection.creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    main()
