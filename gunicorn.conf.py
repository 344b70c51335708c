"""gunicorn's settings for `make run` and for production (gunicorn reads this file from
the directory it starts in); the README, "Serving", says why they are these.

Threads, not sync workers: a sync worker reads a request at its client's pace, so a
few clients trickling bytes stall everyone. A thread waiting on a slow client costs
next to nothing, and the uploads still stream straight into the view.
"""

import os


def env_count(name: str, default: int) -> int:
    """A positive whole number from the environment; anything else stops start-up naming it."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isascii() or not value.isdecimal() or int(value) < 1:
        raise SystemExit(f"{name} must be a whole number of at least 1, not {value!r}.")
    return int(value)


worker_class = "gthread"
workers = env_count("WORKERS", 2)
# Each thread can hold one slow client, and one database connection (CONN_MAX_AGE):
# WORKERS x THREADS must stay under PostgreSQL's max_connections (100 by default).
threads = env_count("THREADS", 32)
