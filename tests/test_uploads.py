"""Uploads in progress (issue 9, items 5 and 6): quota reserved before the bytes arrive and
released after (R14), and a lease whose lapse means the upload's worker died."""

from datetime import timedelta

import pytest
from django.utils import timezone

from imagesharing.choices import Status
from imagesharing.errors import DataTooLarge, UploadAbandoned
from imagesharing.images.data import IncomingData
from imagesharing.images.models import Image
from imagesharing.images.uploads import ABANDONED, FIRST_STEP, RESERVATION_STEP, Upload
from tests import factories
from tests.test_image_data import MIB, generated, stored_files


@pytest.fixture
def queued(owner, dfw):
    return Image.objects.create_image(owner, dfw, name="upload", disk_format="raw", container_format="bare")


@pytest.fixture
def quota(settings):
    settings.TENANT_STORAGE_QUOTA = 10 * MIB
    return settings.TENANT_STORAGE_QUOTA


def lapse(upload: Upload) -> None:
    Upload.objects.filter(pk=upload.pk).update(lease_until=timezone.now() - timedelta(seconds=1))


def test_r14_a_declared_size_is_reserved_before_any_byte_arrives(owner, queued, dfw, quota):
    upload = queued.begin_upload(owner, 4 * MIB)

    assert Upload.objects.get(pk=queued.pk).reserved == 4 * MIB
    assert Image.objects.upload_limit(owner.account) == 6 * MIB  # what another upload may take now
    assert Image.objects.get(pk=queued.pk).status == Status.SAVING
    upload.finish()


def test_r14_an_undeclared_size_reserves_growing_steps_within_the_quota(owner, queued, settings):
    settings.TENANT_STORAGE_QUOTA = 4 * RESERVATION_STEP
    upload = queued.begin_upload(owner)
    assert upload.reserved == FIRST_STEP

    assert upload.room(FIRST_STEP + 1) == 4 * RESERVATION_STEP  # the most it could get
    held = [upload.reserved]
    while upload.reserved < 3 * RESERVATION_STEP:
        upload.room(upload.reserved + 1)  # the next chunk does not fit
        held.append(upload.reserved)
    assert held[:3] == [2 * FIRST_STEP, 4 * FIRST_STEP, 8 * FIRST_STEP]  # as much again as it held
    assert held[-1] - held[-2] == RESERVATION_STEP  # at most one RESERVATION_STEP more
    assert upload.room(5 * RESERVATION_STEP) == 4 * RESERVATION_STEP  # too much: the caller refuses
    assert Upload.objects.get(pk=queued.pk).reserved == 4 * RESERVATION_STEP
    upload.finish()


def test_r14_parallel_uploads_share_the_quota_instead_of_each_seeing_all_of_it(owner, queued, dfw, quota):
    first = queued.begin_upload(owner, 6 * MIB)
    second = Image.objects.create_image(owner, dfw, name="second")

    with pytest.raises(DataTooLarge, match="4.0 MiB"):
        second.receive_data(owner, [generated(5 * MIB)], declared_size=5 * MIB)

    second.refresh_from_db()
    assert second.status == Status.KILLED
    assert first.reserved == 6 * MIB
    first.finish()


def test_r14_a_finished_upload_moves_its_bytes_from_reservation_to_size(owner, queued, quota):
    queued.receive_data(owner, [generated(3 * MIB)])

    assert not Upload.objects.exists()
    assert Image.objects.storage_charged_to(owner.account) == 3 * MIB
    assert Image.objects.upload_limit(owner.account) == 7 * MIB


def test_r14_a_killed_upload_releases_its_reservation(owner, queued, quota):
    with pytest.raises(DataTooLarge):
        queued.receive_data(owner, [generated(MIB), generated(10 * MIB)])

    assert not Upload.objects.exists()
    assert Image.objects.upload_limit(owner.account) == quota


def test_r14_the_panel_spool_reserves_its_exact_size(owner, queued, dfw, quota):
    factories.image(owner, dfw, size=8 * MIB)

    spool = IncomingData(quota)  # spooled against a limit read before a parallel upload stored 8 MiB
    spool.write(generated(3 * MIB))

    with pytest.raises(DataTooLarge, match="2.0 MiB"):
        queued.receive_spooled(owner, spool)
    queued.refresh_from_db()
    assert queued.status == Status.KILLED
    assert not Upload.objects.exists()


def test_an_upload_holds_a_lease_while_it_runs(owner, queued, settings):
    settings.UPLOAD_LEASE_SECONDS = 120
    before = timezone.now()
    upload = queued.begin_upload(owner)

    lease = Upload.objects.get(pk=queued.pk).lease_until
    assert before + timedelta(seconds=119) < lease < timezone.now() + timedelta(seconds=121)
    upload.finish()


def test_the_reaper_kills_an_upload_whose_lease_lapsed_and_frees_its_quota(owner, queued, dfw, quota):
    upload = queued.begin_upload(owner, 5 * MIB)
    alive = Image.objects.create_image(owner, dfw, name="alive")
    other = alive.begin_upload(owner, MIB)
    lapse(upload)

    assert Image.objects.reap_stuck_uploads() == 1

    queued.refresh_from_db()
    assert (queued.status, queued.status_reason) == (Status.KILLED, ABANDONED)
    assert Image.objects.get(pk=alive.pk).status == Status.SAVING
    assert list(Upload.objects.values_list("pk", flat=True)) == [alive.pk]
    assert Image.objects.upload_limit(owner.account) == 9 * MIB
    other.finish()


def test_the_reaper_kills_an_image_left_saving_with_no_upload(owner, queued):
    Image.objects.filter(pk=queued.pk).update(status=Status.SAVING)

    assert Image.objects.reap_stuck_uploads() == 1
    assert Image.objects.get(pk=queued.pk).status == Status.KILLED


def test_the_reaper_leaves_live_uploads_and_other_images_alone(owner, queued, dfw):
    upload = queued.begin_upload(owner)
    active = factories.image(owner, dfw, size=10)

    assert Image.objects.reap_stuck_uploads() == 0
    assert Image.objects.get(pk=queued.pk).status == Status.SAVING
    assert Image.objects.get(pk=active.pk).status == Status.ACTIVE
    upload.finish()


def test_an_upload_the_reaper_ended_stores_nothing_and_stays_killed(owner, queued, media):
    def reaped_midway():
        yield generated(MIB)
        lapse(Upload.objects.get(pk=queued.pk))
        Image.objects.reap_stuck_uploads()
        yield generated(MIB)

    with pytest.raises(UploadAbandoned):
        queued.receive_data(owner, reaped_midway())

    queued.refresh_from_db()
    assert (queued.status, queued.status_reason, queued.file.name) == (Status.KILLED, ABANDONED, "")
    assert stored_files(media) == []


def test_an_upload_reaped_as_it_stores_its_data_leaves_no_file(owner, queued, media, monkeypatch):
    upload_finish = Upload.finish

    def reaped_first(upload):
        lapse(upload)
        Image.objects.reap_stuck_uploads()
        upload_finish(upload)

    monkeypatch.setattr(Upload, "finish", reaped_first)
    with pytest.raises(UploadAbandoned):
        queued.receive_data(owner, [generated(MIB)])

    queued.refresh_from_db()
    assert (queued.status, queued.file.name) == (Status.KILLED, "")
    assert stored_files(media) == []
