"""How fast the panel's busiest pages and the API's image list answer, against a "hello"
view served by the same gunicorn command, settings and middleware (issue 11).

    .venv/bin/python bench/pages.py [--rounds 3] [--duration 5] [--workers 2]

Needs wrk (`apt-get install wrk`). Builds a temporary SQLite database through the model
methods: a producer with 50 shared images, one of them shared with 128 tenants (the
member quota), and a consumer offered all 50. Each round runs wrk -c4 on the hello view,
then on a page, for every page in turn; a page's ratio is the median over the rounds of
its req/s over the hello run just before it, which is what a noisy machine allows.
Beside it: the gunicorn workers' CPU time per request, and hello's over the page's,
which other processes sway less than wall time. Only ratios from one run mean anything.
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from serving import ROOT, app_env, free_port, gunicorn, stop

WORK = Path(tempfile.mkdtemp(prefix="bench-pages-"))
ENV = app_env(  # the product's settings plus /bench-hello/
    WORK,
    DJANGO_SETTINGS_MODULE="bench.hello_settings",
    STATIC_ROOT=str(WORK / "static"),
    IMAGE_MEMBER_QUOTA="128",
    LOG_LEVEL="WARNING",
)
os.environ.update(ENV)
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from imagesharing.accounts.models import Account, ApiToken, Region, User  # noqa: E402
from imagesharing.choices import MemberStatus, Visibility  # noqa: E402
from imagesharing.images.models import Image  # noqa: E402

IMAGES = 50
MEMBERS = 128  # the default IMAGE_MEMBER_QUOTA


def person(tenant_id: int, username: str) -> User:
    account = Account.objects.create_tenant(tenant_id, f"Tenant {tenant_id}", ["DFW"])
    return User.objects.create_user(username, account=account)  # no password: signed in by session below


def seed() -> dict:
    """The data, through the model methods; returns the pages' paths and the credentials."""
    Region.objects.create(code="DFW", name="Dallas")
    producer, consumer = person(700001, "producer"), person(700002, "consumer")
    crowd = [person(700100 + n, f"crowd-{n}") for n in range(MEMBERS - 1)]
    answers = (MemberStatus.PENDING, MemberStatus.ACCEPTED, MemberStatus.REJECTED)
    images = []
    for number in range(IMAGES):
        image = Image.objects.create_image(producer, Region.objects.get(code="DFW"), name=f"golden-{number:02}")
        image.mark_active(size=(number + 1) * 1024**3)
        image.update(producer, visibility=Visibility.SHARED)
        offer = image.add_member(producer, consumer.account.tenant_id)
        if answers[number % 3] != MemberStatus.PENDING:
            offer.set_status(consumer, answers[number % 3])
        images.append(image)
    crowded = images[-1]  # the newest: first in the list
    for number, member in enumerate(crowd):
        offer = crowded.add_member(producer, member.account.tenant_id)
        if answers[number % 3] != MemberStatus.PENDING:
            offer.set_status(member, answers[number % 3])
    _, token = ApiToken.objects.issue(producer, "bench")
    return {
        "producer": session_cookie(producer),
        "consumer": session_cookie(consumer),
        "token": token,
        "detail": f"/images/{crowded.pk}/",
    }


def session_cookie(user: User) -> str:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


def fetch(url: str, headers: dict) -> bytes:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as response:
        assert response.status == 200, (url, response.status)
        return response.read()


def worker_cpu(master: int) -> float:
    """CPU seconds the gunicorn workers have used: a cost that other processes on a busy
    machine inflate much less than they inflate wall time."""
    seconds = 0.0
    for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split():
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        seconds += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
    return seconds


def wrk(url: str, headers: dict, duration: int, master: int) -> tuple[float, float]:
    """Requests per second, and the workers' CPU milliseconds per request."""
    command = ["wrk", "-t1", "-c4", f"-d{duration}s", url]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    cpu = worker_cpu(master)
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    cpu = worker_cpu(master) - cpu
    if "Non-2xx" in output:
        raise SystemExit(f"{url} answered errors under load:\n{output}")
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)), cpu * 1000 / requests


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers, as `make run`")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("Install wrk first: apt-get install wrk")

    server = None
    try:
        call_command("migrate", verbosity=0)
        call_command("collectstatic", "--noinput", verbosity=0)
        seeded = seed()
        port = free_port()
        server = gunicorn(ENV, port, "--workers", str(args.workers))
        base = f"http://127.0.0.1:{port}"
        producer, consumer = {"Cookie": seeded["producer"]}, {"Cookie": seeded["consumer"]}
        pages = [
            ("images list (producer, 25 of 50)", "/images/", producer, 0.20, b"golden-49"),
            ("Shared with me (50 offers)", "/shared/", consumer, 0.20, b"golden-00"),
            (f"image detail (owner, {MEMBERS} members)", seeded["detail"], producer, 0.15, b'id="member-700226"'),
            ("API image list (token)", "/api/dfw/v2/images", {"X-Auth-Token": seeded["token"]}, None, b"golden-49"),
        ]
        hello = ("hello", "/bench-hello/", producer)
        for _ in range(100):
            try:
                fetch(base + hello[1], hello[2])
                break
            except OSError:
                time.sleep(0.1)
        for label, path, headers, _, expected in pages:  # each page answers what it should, and is warm
            assert expected in fetch(base + path, headers), (label, path)

        print(f"load average before: {load()}; {args.rounds} rounds, wrk -c4 -d{args.duration}s each")
        Run = tuple[float, float]  # req/s, CPU ms per request
        runs: dict[str, list[tuple[Run, Run]]] = {label: [] for label, *_ in pages}  # (hello, page)
        for _ in range(args.rounds):
            for label, path, headers, *_ in pages:
                before = wrk(base + hello[1], hello[2], args.duration, server.pid)
                runs[label].append((before, wrk(base + path, headers, args.duration, server.pid)))
        print(f"load average after:  {load()}")
        print()
        print("page/hello: req/s over the hello run just before, median of the rounds (the issue's measure).")
        print("CPU: the workers' CPU ms per request; hello's over the page's is less swayed by other load.")
        print(f"{'':<40}{'req/s':>7}{'page/hello':>12}{'goal':>15}{'CPU ms':>9}{'CPU ratio':>11}")
        hellos = [before for pairs in runs.values() for before, _ in pairs]
        hello_cpu = statistics.median(cpu for _, cpu in hellos)
        print(f"{'hello (median)':<40}{statistics.median(rate for rate, _ in hellos):7.0f}{'':>27}{hello_cpu:9.2f}")
        for label, _path, _headers, goal, _ in pages:
            ratio = statistics.median(page[0] / before[0] for before, page in runs[label])
            rate = statistics.median(page[0] for _, page in runs[label])
            cpu = statistics.median(page[1] for _, page in runs[label])
            wanted = "" if goal is None else f">= {goal:.0%} " + ("ok" if ratio >= goal else "below")
            print(f"{label:<40}{rate:7.0f}{ratio:12.1%}{wanted:>15}{cpu:9.2f}{hello_cpu / cpu:11.1%}")
    finally:
        stop(server)
        shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
