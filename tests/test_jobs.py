"""Scheduled jobs (issue 9, item 6): enqueued on the task queue once per period however many
workers look at the schedule, and run by the real database worker."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from imagesharing.choices import Status
from imagesharing.images import tasks
from imagesharing.images.models import Image
from imagesharing.images.uploads import ABANDONED, Upload
from imagesharing.jobs import tasks as job_tasks
from imagesharing.jobs.models import Schedule
from imagesharing.jobs.schedule import enqueue_due
from imagesharing.memberships import tasks as member_tasks
from imagesharing.memberships.notices import send_due_mail
from tests import servers

REAP = tasks.reap_stuck_uploads.module_path
RETRY = tasks.retry_data_deletions.module_path
MAIL = send_due_mail.module_path
EXPIRE = member_tasks.expire_members.module_path
PRUNE = job_tasks.prune_task_results.module_path
DEPRECATED = tasks.delete_deprecated_images.module_path


def enqueued(path: str) -> int:
    return DBTaskResult.objects.filter(task_path=path).count()


@pytest.fixture
def stuck(owner, dfw):
    """An image whose upload's worker died: `saving`, with a lease that lapsed."""
    image = Image.objects.create_image(owner, dfw, name="stuck")
    image.begin_upload(owner)
    Upload.objects.filter(pk=image.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    return image


@pytest.mark.django_db
def test_each_job_is_enqueued_once_per_period():
    assert sorted(enqueue_due()) == sorted([REAP, RETRY, MAIL, EXPIRE, DEPRECATED, PRUNE])
    assert enqueue_due() == []  # the same period: nothing is due

    Schedule.objects.filter(job=REAP).update(due_at=timezone.now() - timedelta(seconds=1))
    assert enqueue_due() == [REAP]
    assert (enqueued(REAP), enqueued(RETRY), enqueued(MAIL), enqueued(EXPIRE)) == (2, 1, 1, 1)


@pytest.mark.django_db(transaction=True)  # the worker commits as it goes, as it does for real
def test_the_worker_runs_the_reaper_which_kills_a_stuck_upload(stuck):
    enqueue_due()
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)

    stuck.refresh_from_db()
    assert (stuck.status, stuck.status_reason) == (Status.KILLED, ABANDONED)
    assert DBTaskResult.objects.get(task_path=REAP).return_value == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_worker_hosts_run_each_job_once_per_period(stuck, tmp_path):
    """Two `run_worker` processes on one database, as two hosts would run them."""
    env = {
        **os.environ,
        "DATABASE_URL": servers.database_url(),
        "UPLOAD_LEASE_SECONDS": "3",  # the reaper runs every 3 s
        "DEBUG": "false",
    }
    root = Path(__file__).resolve().parents[1]
    command = [sys.executable, "manage.py", "run_worker", "--tick", "0.2", "--interval", "0.2", "--no-reload"]
    logs = [(tmp_path / f"worker-{n}.log").open("w") for n in range(2)]
    workers = [subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=log) for log in logs]
    started = time.monotonic()
    try:
        deadline = started + 30
        while Image.objects.get(pk=stuck.pk).status != Status.KILLED and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(4)  # and at least one more period with both ticking
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=30)
        for log in logs:
            log.close()
    elapsed = time.monotonic() - started

    assert Image.objects.get(pk=stuck.pk).status == Status.KILLED
    assert enqueued(RETRY) == 1  # due every 10 minutes: once, not once per host
    assert 2 <= enqueued(REAP) <= elapsed // 3 + 1  # once per 3 s period, not once per host
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}


@pytest.mark.django_db(transaction=True)
def test_finished_task_results_older_than_a_week_are_pruned(settings):
    settings.TASK_RESULT_DAYS = 7
    enqueue_due()
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    finished = DBTaskResult.objects.finished()
    assert finished.count() == 6
    finished.filter(task_path=REAP).update(finished_at=timezone.now() - timedelta(days=8))
    DBTaskResult.objects.filter(task_path=RETRY).update(status="READY", finished_at=None)  # still waiting
    assert job_tasks.prune_task_results.call() == 1
    assert not DBTaskResult.objects.filter(task_path=REAP).exists()
    assert DBTaskResult.objects.filter(task_path=RETRY).exists()
