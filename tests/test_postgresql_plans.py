"""PostgreSQL's side of issue 11: the session settings and the name search's trigram index."""

import pytest
from django.db import connection

from imagesharing.images.models import Image
from imagesharing.memberships.members import ImageMember
from imagesharing.servers.models import Server
from tests import factories

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="JIT, parallel workers and pg_trgm are PostgreSQL's"
)


def test_sessions_run_without_jit_or_parallel_workers(db):
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        jit = cursor.fetchone()[0]
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert (jit, cursor.fetchone()[0]) == ("off", "0")


def test_the_images_pages_name_search_uses_the_trigram_index(owner, dfw):
    """The panel's search (`name__icontains`) matches the index's expression, UPPER(name::text)."""
    Image.objects.bulk_create(
        Image(owner=owner.account, region=dfw, name=f"ubuntu-web-{n}", status="active") for n in range(2000)
    )
    search = Image.objects.visible_to(owner.account, dfw).filter(name__icontains="web-1234").sorted_by()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE images_image")
        cursor.execute("SET LOCAL enable_seqscan = off")  # a test table is small; make any index win a scan
        cursor.execute("SET LOCAL enable_indexscan = off")  # and the trigram one the owner's, walked in order
        plan = search.first_for(owner.account, 26).explain()
    assert "image_name_trgm" in plan
    assert [image.name for image in search.first_for(owner.account, 26)] == ["ubuntu-web-1234"]


def test_r26_usage_per_member_reads_the_servers_usage_index(owner, consumer, shared_image, dfw):
    """R26: an image's servers, grouped by tenant, come from `server_image_usage`, not a scan of all servers."""
    factories.member(owner, shared_image, consumer, "accepted")
    other = factories.image(consumer, dfw, name="its own")
    Server.objects.bulk_create(
        Server(owner=consumer.account, region=dfw, image=shared_image if n % 100 == 0 else other, name=f"box-{n}")
        for n in range(5000)
    )
    rows = Server.objects.usage_rows(ImageMember.objects.current().filter(image=shared_image), [shared_image.pk])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE servers_server")
        cursor.execute("ANALYZE memberships_imagemember")
        plan = rows.explain()
    assert "server_image_usage" in plan
    assert [row["running"] for row in rows] == [50]
