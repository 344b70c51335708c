"""When each scheduled job is next due: one row per job, shared by every worker host."""

from django.db import models


class Schedule(models.Model):
    """A periodic job's next run. A worker enqueues the job only by moving `due_at` on with a
    conditional UPDATE, so the job runs once per period however many hosts run workers."""

    job = models.CharField(max_length=100, primary_key=True)
    due_at = models.DateTimeField()
    last_enqueued_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.job
