"""The periodic jobs and the tick that enqueues the due ones on the task queue."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks.base import Task

from imagesharing.images import tasks as image_tasks
from imagesharing.jobs import tasks as job_tasks
from imagesharing.jobs.models import Schedule
from imagesharing.memberships import notices
from imagesharing.memberships import tasks as member_tasks


@dataclass(frozen=True)
class Job:
    task: Task
    every: timedelta

    @property
    def name(self) -> str:
        return self.task.module_path


def jobs() -> list[Job]:
    return [
        # A dead upload worker's image is killed within a lease and one period.
        Job(image_tasks.reap_stuck_uploads, timedelta(seconds=settings.UPLOAD_LEASE_SECONDS)),
        Job(image_tasks.retry_data_deletions, timedelta(minutes=10)),
        # R18: mail whose task was lost, or whose retry fell due while no worker ran, goes out.
        Job(notices.send_due_mail, timedelta(seconds=settings.MAIL_SWEEP_SECONDS)),
        # R22: pages and calls never show an ended offer as live; this removes it within a minute.
        Job(member_tasks.expire_members, timedelta(minutes=1)),
        # R25: a deprecated image goes within ten minutes of its deletion date.
        Job(image_tasks.delete_deprecated_images, timedelta(minutes=10)),
        Job(job_tasks.prune_task_results, timedelta(hours=6)),
    ]


def enqueue_due() -> list[str]:
    """Enqueue every job whose time has come; returns the names this call enqueued.

    Claiming a job moves its `due_at` one period on with a conditional UPDATE: when
    several hosts tick at once, one UPDATE matches and the others find nothing due.
    The claim and the enqueued task commit together.
    """
    now = timezone.now()
    enqueued = []
    for job in jobs():
        Schedule.objects.get_or_create(job=job.name, defaults={"due_at": now})
        with transaction.atomic():
            claimed = Schedule.objects.filter(job=job.name, due_at__lte=now).update(
                due_at=now + job.every, last_enqueued_at=now
            )
            if claimed:
                job.task.enqueue()
                enqueued.append(job.name)
    return enqueued
