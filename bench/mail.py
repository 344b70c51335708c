"""R18's e-mail under load: a member create through the API costs no more with e-mail on, and one
worker delivers 1,000 offers' worth of mail to a real SMTP server within a minute.

    .venv/bin/python bench/mail.py [-n 300] [--offers 1000] [--database-url postgres://...]

(a) The producer offers one image to consumer tenants, one request at a time, alternating a
consumer whose login has an e-mail address (a notice, its mail queued, a task enqueued)
and one without (a notice only); p50 of each and their ratio (goal: no slower, <= ~1.1 on a
shared machine). gunicorn and one worker run as `make run` runs them, the worker sending to
an aiosmtpd server in this process. (b) With the worker stopped, `--offers` more offers to
consumers with addresses; then one `run_worker` is started and timed until the SMTP server
has every message (goal: 60 s for 1,000).
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
from aiosmtpd.controller import Controller

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serving import PYTHON, ROOT, app_env, free_port, gunicorn, manage, stop, wait_until_up  # noqa: E402

PRODUCER = 950000
ON, OFF, BULK = 960000, 970000, 980000  # the first tenant ID of each group of consumers

# Run by `manage.py shell`, with its numbers from the environment (BENCH_*).
SETUP = """
import os
from imagesharing.accounts.models import Account, Region, User
names = "PRODUCER ON OFF BULK N OFFERS".split()
PRODUCER, ON, OFF, BULK, N, OFFERS = (int(os.environ["BENCH_" + name]) for name in names)
dfw = Region.objects.get_or_create(code="DFW", defaults={"name": "Dallas"})[0]
def tenant(number, email):
    account = Account.objects.create(tenant_id=number, name=f"Tenant {number}")
    account.regions.add(dfw)
    User.objects.create(username=f"u{number}", account=account, email=email)
    return account
tenant(PRODUCER, "")
for number in range(N):
    tenant(ON + number, f"u{ON + number}@example.com")
    tenant(OFF + number, "")
for number in range(OFFERS):
    tenant(BULK + number, f"u{BULK + number}@example.com")
"""


class Counting:
    """An SMTP handler that counts what it accepts."""

    def __init__(self) -> None:
        self.count = 0
        self.last = 0.0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:
        with self.lock:
            self.count += 1
            self.last = time.perf_counter()
        return "250 OK"


def worker(env: dict) -> subprocess.Popen:
    command = [PYTHON, "manage.py", "run_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def offer(session: requests.Session, base: str, image_id: str, tenant_id: int) -> float:
    start = time.perf_counter()
    response = session.post(f"{base}/v2/images/{image_id}/members", json={"member": str(tenant_id)})
    elapsed = time.perf_counter() - start
    response.raise_for_status()
    return elapsed


def wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=300, help="member creates of each kind in (a)")
    parser.add_argument("--offers", type=int, default=1000, help="offers whose mail one worker delivers in (b)")
    parser.add_argument("--database-url", help="a database of its own instead of SQLite (emptied by migrate)")
    options = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-mail-"))
    smtp_port, port = free_port(), free_port()
    quota = str(2 * options.n + options.offers + 10)
    env = app_env(
        work, options.database_url, EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(smtp_port), IMAGE_MEMBER_QUOTA=quota
    )
    mailbox = Counting()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    server = running = None
    try:
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "collectstatic", "--noinput", "-v0")
        numbers = {"PRODUCER": PRODUCER, "ON": ON, "OFF": OFF, "BULK": BULK, "N": options.n, "OFFERS": options.offers}
        manage({**env, **{f"BENCH_{name}": str(value) for name, value in numbers.items()}}, "shell", "-c", SETUP)
        token = manage(env, "issue_token", f"u{PRODUCER}").strip()
        server = gunicorn(env, port)
        wait_until_up(port)
        base = f"http://127.0.0.1:{port}/api/dfw"
        session = requests.Session()
        session.headers["X-Auth-Token"] = token
        image = session.post(
            f"{base}/v2/images",
            json={"name": "bench", "disk_format": "qcow2", "container_format": "bare", "visibility": "shared"},
        ).json()["id"]

        # (a) with e-mail on and off, alternating, while the worker sends.
        running = worker(env)
        on, off = [], []
        for number in range(options.n):
            on.append(offer(session, base, image, ON + number))
            off.append(offer(session, base, image, OFF + number))
        p50_on, p50_off = statistics.median(on) * 1000, statistics.median(off) * 1000
        print(f"(a) member create p50: e-mail on {p50_on:.2f} ms, off {p50_off:.2f} ms")
        print(f"    ratio on/off {p50_on / p50_off:.2f} (goal <= ~1.1)   load average {os.getloadavg()[0]:.2f}")
        if not wait_for(lambda: mailbox.count >= options.n, 120):
            print(f"    only {mailbox.count} of (a)'s {options.n} messages arrived")
        stop(running)
        running = None

        # (b) offers made with no worker running, then one worker delivers them all.
        before = mailbox.count
        for number in range(options.offers):
            offer(session, base, image, BULK + number)
        time.sleep(1)
        assert mailbox.count == before, "mail went out with no worker running"
        started = time.perf_counter()
        running = worker(env)
        done = wait_for(lambda: mailbox.count >= before + options.offers, 300)
        elapsed = (mailbox.last if done else time.perf_counter()) - started
        got = mailbox.count - before
        print(f"(b) {got} of {options.offers} messages delivered by one worker in {elapsed:.1f} s (goal 60 s)")
        print(f"    {got / elapsed:.0f} messages/s   load average {os.getloadavg()[0]:.2f}")
    finally:
        stop(running)
        stop(server)
        smtp.stop()


if __name__ == "__main__":
    main()
