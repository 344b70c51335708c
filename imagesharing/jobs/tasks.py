"""Housekeeping of the task queue itself, run by the worker like any other job."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult


@task()
def prune_task_results() -> int:
    """Delete finished task results older than TASK_RESULT_DAYS: the periodic jobs alone add
    thousands a day, and the admin's Task results page is for recent ones. Returns how many went."""
    cutoff = timezone.now() - timedelta(days=settings.TASK_RESULT_DAYS)
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lte=cutoff).delete()
    return deleted
