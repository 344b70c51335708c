"""The background worker: runs queued tasks (django-tasks-db's `db_worker`) and, beside it,
enqueues the scheduled jobs when they are due. Start one or more on any hosts."""

import logging
import threading
import time

from django.db import close_old_connections
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorker

from imagesharing.jobs.schedule import enqueue_due

logger = logging.getLogger(__name__)


class Command(DatabaseWorker):
    help = "Run queued tasks, and enqueue scheduled jobs when due (once per period across all hosts)."

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--tick", type=float, default=5.0, help="seconds between looks at the schedule")

    def handle(self, *args, **options) -> None:
        Ticker(options.pop("tick")).start()
        super().handle(*args, **options)


class Ticker(threading.Thread):
    """Looks at the schedule every `every` seconds, for as long as the worker runs."""

    def __init__(self, every: float) -> None:
        super().__init__(name="schedule-ticker", daemon=True)
        self.every = every

    def run(self) -> None:
        while True:
            close_old_connections()  # a database that went away is reconnected on the next tick
            try:
                for job in enqueue_due():
                    logger.info("Enqueued %s", job)
            except Exception:  # the database is down: look again on the next tick
                logger.exception("Could not enqueue the scheduled jobs")
            time.sleep(self.every)
