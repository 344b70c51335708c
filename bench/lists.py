"""Whether every list stays flat as the data grows: each list the panel and the API serve,
timed at 1,000 images / 5,000 members and at a million images / 5 million members.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/imagesharing_scale_bench \\
        .venv/bin/python bench/lists.py [--images 1000000] [--keep]

Each world lives in its own schema of the database (`images_1000`, `images_1000000`),
which this script drops and fills (`--keep` reuses a filled one); it refuses a database
whose name does not end in `_bench`. Each list is read through the querysets its view
calls, the two worlds in turn, so that both see the same noise of a shared machine;
the p50 of the big world over the p50 of the small one is the ratio, against a goal of
1.2x. The name search on the images page is also held to 20 ms.

A world grows as a cloud does, by its number of tenants (one per 10 images, in DFW):
a regular tenant (50) owns some 8 images and is offered some 50, in either world; a
huge tenant (3) owns a fifth of the images (200 or 200,000); a quiet tenant (1) owns
five. One image in ten is shared with 50 tenants: 5 members per image.
"""

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "imagesharing.settings")
os.environ.setdefault("SECRET_KEY", "bench-" + "k" * 60)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import QueryDict  # noqa: E402

from imagesharing.accounts.models import Account, Region  # noqa: E402
from imagesharing.api.listing import image_page  # noqa: E402
from imagesharing.images.models import Image  # noqa: E402
from imagesharing.lib.keyset import ordered  # noqa: E402
from imagesharing.memberships.members import ImageMember  # noqa: E402
from imagesharing.panel.forms import images as image_forms  # noqa: E402
from imagesharing.panel.forms import offers as offer_forms  # noqa: E402
from imagesharing.panel.views.images import PAGE_SIZE  # noqa: E402
from imagesharing.panel.views.inbox import INBOX_PAGE_SIZE  # noqa: E402
from imagesharing.panel.views.offers import PAGE_SIZE as OFFERS_PAGE_SIZE  # noqa: E402

SMALL = 1000
IMAGES_PER_TENANT = 10
MEMBERS_PER_SHARED = 50  # one image in ten: 5 members per image
DEEP = PAGE_SIZE * 40  # the deep page starts after this many rows (or as deep as a short list allows)
SEARCH = "web-12345"  # the name search: a few of the huge tenant's images match
GOAL_RATIO = 1.2
GOAL_SEARCH_MS = 20
REPEAT = 9
TENANT_IDS = {"regular": 50, "quiet": 1, "huge": 3}

IMAGE_COLUMNS = """id, owner_id, region_id, name, status, visibility, disk_format, container_format, size,
    checksum, os_hash_algo, os_hash_value, min_disk, min_ram, protected, file, created_at, updated_at,
    status_reason"""


def fill(images: int) -> None:
    """Tenants 1..images/10 in DFW; `images` images (1 in 100 deleted), with 5 members per image.

    The indexes that no constraint needs are made again after the rows are in: much faster.
    """
    tenants = max(images // IMAGES_PER_TENANT, 100)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename IN ('images_image', 'memberships_imagemember') "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)"
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
        cursor.execute("INSERT INTO accounts_region (code, name) VALUES ('DFW', 'Dallas')")
        cursor.execute(
            "INSERT INTO accounts_account (tenant_id, name, created_at) "
            "SELECT g, 'Tenant ' || g, now() FROM generate_series(1, %s) g",
            [tenants],
        )
        cursor.execute(
            "INSERT INTO accounts_account_regions (account_id, region_id) SELECT id, 'DFW' FROM accounts_account"
        )
        cursor.execute(
            f"""INSERT INTO images_image ({IMAGE_COLUMNS})
               SELECT gen_random_uuid(), a.id, 'DFW',
                      (ARRAY['ubuntu', 'debian', 'centos', 'fedora', 'windows', 'alpine'])[1 + g %% 6] || '-'
                      || (ARRAY['web', 'db', 'build', 'cache', 'ci'])[1 + g / 7 %% 5] || '-' || g,
                      CASE WHEN g %% 100 = 50 THEN 'deleted' ELSE 'active' END,
                      CASE WHEN g %% 10 = 1 THEN 'shared' ELSE 'private' END, 'qcow2', 'bare',
                      1024, '', '', '', 0, 0, false, '', now() - make_interval(secs => g), now(), ''
               FROM generate_series(1, %s) g
               JOIN accounts_account a
                 ON a.tenant_id = CASE WHEN g %% 5 = 0 THEN 3 ELSE 2 + g %% (%s - 1) END""",
            [images, tenants],
        )
        cursor.execute(
            f"""INSERT INTO images_image ({IMAGE_COLUMNS})
               SELECT gen_random_uuid(), a.id, 'DFW', kind || '-' || g, 'active', kind, 'qcow2', 'bare',
                      1024, '', '', '', 0, 0, false, '', now() - make_interval(days => g), now(), ''
               FROM generate_series(1, 10) g, accounts_account a,
                    (VALUES ('public', 2), ('private', 1)) AS k(kind, tenant)
               WHERE a.tenant_id = k.tenant AND (k.kind = 'public' OR g <= 5)"""
        )
        cursor.execute(
            """INSERT INTO memberships_imagemember (image_id, member_id, status, created_at, updated_at)
               SELECT i.id, m.id, (ARRAY['pending', 'accepted', 'rejected'])[1 + (n + k) %% 3],
                      i.created_at + make_interval(secs => k), now() - make_interval(secs => (n * 7 + k * 13) %% 100000)
               FROM (SELECT id, owner_id, created_at, row_number() OVER () AS n
                     FROM images_image WHERE visibility = 'shared') i
               CROSS JOIN generate_series(0, %s - 1) k
               JOIN accounts_account m ON m.tenant_id = 3 + (n * 13 + k) %% (%s - 2)
               WHERE m.id <> i.owner_id""",
            [MEMBERS_PER_SHARED, tenants],
        )
        for _, definition in indexes:
            cursor.execute(definition)
    for table in ("images_image", "memberships_imagemember", "accounts_account"):
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {table}")


def use_world(images: int, keep: bool) -> str:
    """Switch the connection to the schema of the world of `images` images, filling it unless kept."""
    schema = f"images_{images}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_namespace WHERE nspname = %s", [schema])
        exists = cursor.fetchone()[0] == 1
        if not (keep and exists):
            cursor.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            cursor.execute(f"CREATE SCHEMA {schema}")
        cursor.execute(f"SET search_path TO {schema}, public")
    call_command("migrate", verbosity=0)  # a kept world gets the migrations made since
    if not (keep and exists):
        start = time.perf_counter()
        fill(images)
        print(
            f"{schema}: filled {Image.objects.count():,} images and {ImageMember.objects.count():,} members "
            f"in {time.perf_counter() - start:.0f} s"
        )
    return schema


@dataclass
class World:
    """One world's objects: the lists are built from them with the world's schema in use."""

    schema: str
    region: Region
    tenants: dict[str, Account]
    image: Image  # a shared image, with its members

    def enter(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"SET search_path TO {self.schema}, public")


def world(schema: str) -> World:
    tenants = {label: Account.objects.get(tenant_id=tenant_id) for label, tenant_id in TENANT_IDS.items()}
    image = Image.objects.live().filter(visibility="shared").order_by("created_at").first()
    assert image is not None
    return World(schema, Region.objects.get(code="DFW"), tenants, image)


# Each list, as its view builds it: a function of a world that returns what to time (or None).


def panel_images(tenant: str, sort: str, deep: bool = False, query: str = "") -> Callable[[World], Callable | None]:
    """The images page (panel/views/images.py: image_list): R5, maybe searched, one page after a marker."""

    def build(w: World) -> Callable | None:
        account = w.tenants[tenant]
        key, direction = image_forms.SORTS[sort]
        images = Image.objects.visible_to(account, w.region)
        if query:
            images = images.filter(name__icontains=query)
        images = images.sorted_by(key, direction).select_related("owner").with_answer_counts(account)
        if deep:
            count = images.count()
            if count <= PAGE_SIZE + 1:
                return None
            marker = images[min(DEEP, count - PAGE_SIZE - 1)]  # a full page follows it in either world
            images = images.after(marker, key, direction)
        return lambda: list(images.first_for(account, PAGE_SIZE + 1))

    return build


def api_images(tenant: str, query: str) -> Callable[[World], Callable]:
    """GET /v2/images (api/listing.py: image_page) with Glance's filters."""
    return lambda w: lambda: image_page(w.tenants[tenant], w.region, QueryDict(query))


def inbox(status: str = "") -> Callable[[World], Callable]:
    """Shared with me (panel/views/inbox.py): the regular tenant's offers, first page."""

    def build(w: World) -> Callable:
        offers = ImageMember.objects.inbox(w.tenants["regular"], [status] if status else None)
        return lambda: list(offers[: INBOX_PAGE_SIZE + 1])

    return build


def shared_by_me(sort: str) -> Callable[[World], Callable]:
    """Shared by me (panel/views/offers.py): the regular tenant's offers to others, first page."""

    def build(w: World) -> Callable:
        offers = ordered(ImageMember.objects.shared_by(w.tenants["regular"]), *offer_forms.SORTS[sort])
        return lambda: list(offers[: OFFERS_PAGE_SIZE + 1])

    return build


def image_members(w: World) -> Callable:
    """An image's members, as its owner sees them (R7; the image page and the API's member list)."""
    return lambda: list(ImageMember.objects.visible_to(w.image.owner, w.image))


NAME_SEARCH = f"name search '{SEARCH}', huge tenant"
LISTS: list[tuple[str, Callable[[World], Callable | None]]] = [
    *(
        (f"images, {tenant} tenant, {sort}, {'deep' if deep else 'first'} page", panel_images(tenant, sort, deep))
        for tenant in TENANT_IDS
        for sort in ("newest", "name")
        for deep in (False, True)
    ),
    (NAME_SEARCH, panel_images("huge", "newest", query=SEARCH)),
    *(
        (f"API /v2/images?{query}, {tenant} tenant", api_images(tenant, query))
        for tenant in ("regular", "huge")
        for query in (
            "",
            "visibility=shared&member_status=pending",
            "visibility=shared&member_status=all",
            "member_status=all",
            "visibility=private",
            "visibility=public",
            "sort_key=name&sort_dir=asc",
        )
    ),
    ("Shared with me, regular tenant", inbox()),
    ("Shared with me, pending, regular tenant", inbox("pending")),
    ("Shared by me, waiting longest, regular tenant", shared_by_me("waiting")),
    ("Shared by me, last answered, regular tenant", shared_by_me("answered")),
    ("an image's 50 members", image_members),
]


def p50_ms(runs: list[tuple[World, Callable | None]]) -> list[float]:
    """The p50 of each run, timed in turn (one of each, REPEAT times) after one warm-up each."""
    samples: list[list[float]] = [[] for _ in runs]
    for w, run in runs:
        w.enter()
        run()  # type: ignore[misc]
    for _ in range(REPEAT):
        for i, (w, run) in enumerate(runs):
            w.enter()
            start = time.perf_counter()
            run()  # type: ignore[misc]
            samples[i].append((time.perf_counter() - start) * 1000)
    return [statistics.median(s) for s in samples]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=1_000_000, help="images in the big world")
    parser.add_argument("--keep", action="store_true", help="reuse the worlds of an earlier run")
    args = parser.parse_args()
    if connection.vendor != "postgresql" or not connection.settings_dict["NAME"].endswith("_bench"):
        raise SystemExit("Point DATABASE_URL at a PostgreSQL database whose name ends in _bench.")
    with connection.cursor() as cursor:  # in public, so that both worlds find its operator classes
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
    small = world(use_world(SMALL, args.keep))
    big = world(use_world(args.images, args.keep))
    for label, w in (("small", small), ("big", big)):
        w.enter()
        owned = {name: Image.objects.live().filter(owner=account).count() for name, account in w.tenants.items()}
        print(f"{label} world ({w.schema}): own images {owned}")

    header = f"{SMALL:,} / {SMALL * 5:,}"
    print(f"\np50 of {REPEAT} runs, ms{'':27}{header:>14} {f'{args.images:,} / {args.images * 5:,}':>20}   ratio")
    worst = 0.0
    for label, build in LISTS:
        runs = []
        for w in (small, big):
            w.enter()
            runs.append((w, build(w)))
        if any(run is None for _, run in runs):
            print(f"{label:<60}{'(list too short)':>16}")
            continue
        small_ms, big_ms = p50_ms(runs)
        ratio = big_ms / small_ms
        worst = max(worst, ratio)
        verdict = "ok" if ratio <= GOAL_RATIO else f"over {GOAL_RATIO}x"
        if label == NAME_SEARCH:
            verdict += f"; {big_ms:.1f} ms {'ok' if big_ms <= GOAL_SEARCH_MS else 'over'} (goal <= {GOAL_SEARCH_MS})"
        print(f"{label:<60}{small_ms:8.2f}  {big_ms:12.2f}      {ratio:5.2f}x  {verdict}")
    print(f"\nworst ratio {worst:.2f}x (goal <= {GOAL_RATIO}x)")


if __name__ == "__main__":
    main()
