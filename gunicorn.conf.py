"""gunicorn's settings for `make run` and for production (gunicorn reads this file from
the directory it starts in); the README, "Serving", says why they are these.

Threads, not sync workers: a sync worker reads a request at its client's pace, so a
few clients trickling bytes stall everyone. A thread waiting on a slow client costs
next to nothing, and the uploads still stream straight into the view.
"""

import ctypes
import os
import platform


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


def keep_freed_memory_for_reuse() -> None:
    """Have glibc's malloc reuse the memory of an upload's buffers instead of handing it back.

    An upload streams through buffers of 256 KiB to 1 MiB (gunicorn's reads, the chunks
    the hashing threads hold). By default glibc maps large ones afresh and trims what a
    thread's heap frees, so each new buffer costs a page fault every 4 KiB: a tenth of the
    worker's CPU during an upload. With these thresholds its CPU beside the hashing fell
    by about two fifths (issue 11); an idle worker may keep up to 8 MiB it no longer uses
    in each of its malloc arenas, less than glibc's own thresholds grow to.
    """
    if platform.libc_ver()[0] != "glibc":
        return
    mallopt = ctypes.CDLL(None).mallopt
    mallopt(-3, 2 * 1024 * 1024)  # M_MMAP_THRESHOLD: smaller blocks come from the heap and are reused
    mallopt(-1, 8 * 1024 * 1024)  # M_TRIM_THRESHOLD: how much free memory a heap keeps


keep_freed_memory_for_reuse()  # in the master, before it forks the workers, which inherit the setting
