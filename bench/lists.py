"""How the R5 image list, the inbox and an image's members scale: time their queries on
PostgreSQL with a million images in one region.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/imagesharing_bench \\
        .venv/bin/python bench/lists.py [--images 1000000]

The database is emptied and filled by this script (it refuses a database whose name
does not end in `_bench`). Prints the milliseconds of the first and a deep page for a
busy, a quiet and a huge tenant, and of the inbox and member lists.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "imagesharing.settings")
os.environ.setdefault("SECRET_KEY", "bench-" + "k" * 60)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from imagesharing.accounts.models import Account, Region  # noqa: E402
from imagesharing.images.models import Image  # noqa: E402
from imagesharing.memberships.members import ImageMember  # noqa: E402

TENANTS = 1000
PAGE = 25


def fill(images: int) -> None:
    """Tenants 1..TENANTS in DFW; images spread over them, one in ten shared with two
    members of mixed status; ten public images; tenant 1 is quiet: 5 own images only."""
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE memberships_event, memberships_imagereport, memberships_imagemember, "
            "servers_server, images_image, accounts_apitoken, accounts_user, "
            "accounts_account_regions, accounts_account, accounts_region CASCADE"
        )
        cursor.execute("INSERT INTO accounts_region (code, name) VALUES ('DFW', 'Dallas')")
        cursor.execute(
            "INSERT INTO accounts_account (tenant_id, name, created_at) "
            "SELECT g, 'Tenant ' || g, now() FROM generate_series(1, %s) g",
            [TENANTS],
        )
        cursor.execute(
            "INSERT INTO accounts_account_regions (account_id, region_id) SELECT id, 'DFW' FROM accounts_account"
        )
        cursor.execute(
            """INSERT INTO images_image (id, owner_id, region_id, name, status, visibility, disk_format,
                   container_format, size, checksum, os_hash_algo, os_hash_value, min_disk, min_ram,
                   protected, file, created_at, updated_at, status_reason)
               SELECT gen_random_uuid(), a.id, 'DFW', 'image-' || g, 'active',
                      CASE WHEN g %% 10 = 0 THEN 'shared' ELSE 'private' END, 'qcow2', 'bare',
                      1024, '', '', '', 0, 0, false, '',
                      now() - make_interval(secs => g), now(), ''
               FROM generate_series(1, %s) g
               JOIN accounts_account a ON a.tenant_id = 2 + g %% (%s - 1)""",
            [images, TENANTS],
        )
        cursor.execute(
            """INSERT INTO images_image (id, owner_id, region_id, name, status, visibility, disk_format,
                   container_format, size, checksum, os_hash_algo, os_hash_value, min_disk, min_ram,
                   protected, file, created_at, updated_at, status_reason)
               SELECT gen_random_uuid(), a.id, 'DFW', kind || '-' || g, 'active', kind, 'qcow2', 'bare',
                      1024, '', '', '', 0, 0, false, '', now() - make_interval(days => g), now(), ''
               FROM generate_series(1, 10) g, accounts_account a,
                    (VALUES ('public', 2), ('private', 1)) AS k(kind, tenant)
               WHERE a.tenant_id = k.tenant AND (k.kind = 'public' OR g <= 5)"""
        )
        cursor.execute(
            """INSERT INTO memberships_imagemember (image_id, member_id, status, created_at, updated_at)
               SELECT i.id, m.id, (ARRAY['pending', 'accepted', 'rejected'])[1 + (abs(hashtext(i.id::text)) + k) %% 3],
                      now(), now()
               FROM images_image i
               CROSS JOIN generate_series(0, 1) k
               JOIN accounts_account m ON m.tenant_id = 2 + (abs(hashtext(i.id::text)) + k * 7) %% (%s - 1)
               WHERE i.visibility = 'shared' AND m.id <> i.owner_id
               ON CONFLICT DO NOTHING""",
            [TENANTS],
        )
        cursor.execute("ANALYZE")


def timed_ms(run, repeat: int = 5) -> float:
    run()  # warm the cache
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="reuse the data of an earlier run")
    images = parser.parse_args().images
    if connection.vendor != "postgresql" or not connection.settings_dict["NAME"].endswith("_bench"):
        raise SystemExit("Point DATABASE_URL at a PostgreSQL database whose name ends in _bench.")
    call_command("migrate", verbosity=0)
    if not parser.parse_args().keep:
        start = time.perf_counter()
        fill(images)
        print(
            f"filled {Image.objects.count():,} images and {ImageMember.objects.count():,} members "
            f"in {time.perf_counter() - start:.0f} s"
        )

    dfw = Region.objects.get(code="DFW")
    shared = Image.objects.filter(visibility="shared").first()
    tenants = [("busy tenant (1,000 own)", 500), ("quiet tenant (5 own)", 1), ("huge tenant (200,000 own)", 3)]
    huge = Account.objects.get(tenant_id=3)
    if not Image.objects.filter(owner=huge).count() > 100_000:  # make tenant 3 own a fifth of the region
        Image.objects.filter(name__regex=r"^image-[0-9]*[05]$").update(owner=huge)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    print("milliseconds, median of 5; first_for (what the panel and API run) | one plain query")
    for label, tenant_id in tenants:
        account = Account.objects.get(tenant_id=tenant_id)
        print(f"{label}: {Image.objects.visible_to(account, dfw).count():,} images in its list")
        for key, direction in (("created_at", "desc"), ("name", "asc")):
            rows = Image.objects.visible_to(account, dfw).sorted_by(key, direction)
            report(f"  first page by {key}", rows, account)
            deep = list(rows.values_list("pk", flat=True)[PAGE * 40 : PAGE * 40 + 1])
            if deep:
                report(f"  page 41 by {key}", rows.after(Image.objects.get(pk=deep[0]), key, direction), account)
        report(
            "  name contains 'image-9'",
            Image.objects.visible_to(account, dfw).filter(name__icontains="image-9").sorted_by(),
            account,
        )
        inbox = ImageMember.objects.inbox(account)
        print(f"  inbox first page           {timed_ms(lambda inbox=inbox: list(inbox[:PAGE])):8.1f}")
        usable = Image.objects.usable_by(account).filter(pk=shared.pk)
        print(f"  boot-by-ID gate            {timed_ms(lambda usable=usable: usable.exists()):8.1f}")
    members = ImageMember.objects.visible_to(shared.owner, shared)
    print(f"members of one image         {timed_ms(lambda: list(members.all())):8.1f}")


def report(label: str, rows, account) -> None:
    fast = timed_ms(lambda: list(rows.first_for(account, PAGE)))
    plain = timed_ms(lambda: list(rows[:PAGE]))
    print(f"{label:<29}{fast:8.1f} | {plain:8.1f}")


if __name__ == "__main__":
    main()
