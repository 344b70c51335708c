"""A sign-in flood against gunicorn as `make run` serves it (two workers, SQLite, the demo):
how much slower a signed-in user's pages get, and how much of the flood is hashed (issue 9).

    .venv/bin/python bench/login_flood.py [--clients 16] [--seconds 20] [--database-url URL]

Measures the median and 95th percentile of a signed-in user's GET /images/ three times:
with no flood (the reference); while `--clients` anonymous clients post wrong passwords
for one username (django-axes refuses it after LOGIN_FAILURE_LIMIT failures, before any
hashing, so the flood stops costing); and while they post wrong passwords for usernames
that do not exist, a new one each time (no username is ever refused, and Django hashes
once per attempt even for an unknown user, so that timing does not tell which exist: this
flood still costs a hash per attempt, and the figures show it). For each flood it counts
the attempts refused without hashing (429) and those hashed (the form again, 200), and
any other answer (on SQLite, axes's write of each failure can meet "database is locked": 500;
`--database-url` runs it on a PostgreSQL database of its own instead).
"""

import argparse
import shutil
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serving import app_env, free_port, gunicorn, manage, stop, wait_until_up  # noqa: E402
from upload import Panel  # noqa: E402  (the bench's HTTP helpers)

VICTIM = "globex"  # the username the first flood aims at


class Visitor(Panel):
    """An anonymous browser at the sign-in form: its CSRF cookie and token, not signed in."""

    def __init__(self, port: int):
        self.port, self.cookies = port, {}
        _, page = self.get("/login/")
        self.token = self.csrf(page)

    def sign_in(self, username: str, password: str) -> int:
        fields = {"username": username, "password": password, "csrfmiddlewaretoken": self.token}
        response, _ = self.post_form("/login/", fields)
        return response.status


def latencies(user: Panel, seconds: float, at_least: int = 10) -> list[tuple[float, float]]:
    """The signed-in user's page loads, one after another, for `seconds` and `at_least` loads:
    (seconds since the first began, milliseconds it took)."""
    times: list[tuple[float, float]] = []
    first = time.perf_counter()
    while time.perf_counter() - first < seconds or len(times) < at_least:
        start = time.perf_counter()
        response, _ = user.get("/images/")
        assert response.status == 200, response.status
        times.append((start - first, (time.perf_counter() - start) * 1000))
    return times


class Flood:
    """`clients` anonymous visitors posting wrong passwords for `username()` until stopped."""

    def __init__(self, port: int, clients: int, username: Callable[[], str]):
        self.statuses: Counter = Counter()
        self.running = True
        visitors = [Visitor(port) for _ in range(clients)]
        self.threads = [threading.Thread(target=self._attack, args=(visitor, username)) for visitor in visitors]
        for thread in self.threads:
            thread.start()

    def _attack(self, visitor: Visitor, username: Callable[[], str]) -> None:
        while self.running:
            self.statuses[visitor.sign_in(username(), "wrong-password")] += 1

    def stop(self) -> Counter:
        self.running = False
        for thread in self.threads:
            thread.join()
        return self.statuses


def summary(times: list[tuple[float, float]], after: float = 0) -> str:
    """Median and 95th percentile of the loads that began `after` seconds or later."""
    kept = [ms for began, ms in times if began >= after] or [times[-1][1]]
    median, p95 = statistics.median(kept), statistics.quantiles(kept * 2, n=20, method="inclusive")[-1]
    return f"median {median:7.1f} ms   p95 {p95:7.1f} ms   ({len(kept)} loads)"


def ratio(times: list[tuple[float, float]], reference: list[tuple[float, float]], after: float = 0) -> str:
    kept = [ms for began, ms in times if began >= after] or [times[-1][1]]
    return f"{statistics.median(kept) / statistics.median(ms for _, ms in reference):.1f}x the reference median"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument(
        "--database-url",
        help="a database of its own instead of SQLite, e.g. postgres://postgres@127.0.0.1/imagesharing_flood",
    )
    options = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-flood-"))
    env = app_env(work, options.database_url)
    port = free_port()
    server = None
    try:
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "collectstatic", "--noinput", "-v0")
        manage(env, "seed_demo")
        manage(env, "axes_reset")  # no lockout left from an earlier run on the same database
        server = gunicorn(env, port, "--workers", "2")
        wait_until_up(port)
        user = Panel(port, "acme", "acme-demo-pass")
        latencies(user, 1)  # warm both workers up
        started = time.perf_counter()
        Visitor(port).sign_in("umbrella", "wrong-password")
        print(f"one wrong password, alone: {(time.perf_counter() - started) * 1000:.0f} ms (mostly the hash)")

        reference = latencies(user, options.seconds)
        print(f"acme's /images/ with no flood:  {summary(reference)}")
        floods: dict[str, Callable[[], str]] = {
            f"one username ({VICTIM})": lambda: VICTIM,
            "a new unknown username each time": lambda: "ghost-" + uuid.uuid4().hex,
        }
        for name, username in floods.items():
            flood = Flood(port, options.clients, username)
            times = latencies(user, options.seconds)
            statuses = flood.stop()
            half = options.seconds / 2
            others = {status: count for status, count in statuses.items() if status not in (200, 429)}
            print()
            print(f"{options.clients} clients posting wrong passwords for {name}:")
            print(f"  acme's /images/, whole flood:      {summary(times)}   {ratio(times, reference)}")
            print(f"  acme's /images/, its second half:  {summary(times, half)}   {ratio(times, reference, half)}")
            print(
                f"  the flood's {sum(statuses.values())} attempts: {statuses[429]} refused (429; only the one at the"
                f" limit was hashed), "
                f"{statuses[200]} hashed (the form again, 200), other {others or 'none'}"
            )
        print()
        print(
            "The per-username lockout stops the first flood's hashing after LOGIN_FAILURE_LIMIT attempts (a few\n"
            "more slip in while the first burst is in flight); what it still costs is 16 clients queueing on two\n"
            "workers, each refusal a request and a database write. The second flood is never locked out (each\n"
            "username is new) and costs a hash per attempt, so it starves everyone: only a limit per client\n"
            "address, or a cheaper hash, would stop it."
        )
    finally:
        stop(server)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
