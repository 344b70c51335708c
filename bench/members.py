"""Member create and update through our API, against a real Glance and against the stack's
ceiling: a view doing one INSERT, served by the same gunicorn command; and the image list
(`GET /v2/images`, 25 of 50 images) against the same Glance (issue 11).

    GLANCE_PEER=DIR .venv/bin/python bench/members.py [-n 300] [--rounds 3] [--database-url postgres://...]

GLANCE_PEER names a folder that brings a real Glance to measure against: its
`run_glance.sh start|stop` serves Glance 33 under uWSGI on 127.0.0.1:9292 without
Keystone (GLANCE_MEMBER_QUOTA, GLANCE_RESET and GLANCE_DB_URL set its quota, a fresh
database and its database URL), and its `bench_members.py BASE_URL -n N --owner P
--members P1,P2,P3 [--tokens P=TOKEN,...]` is the client for both sides, printing
"member_create: ... = X req/s". With --database-url, ours runs on that PostgreSQL database (emptied first) and Glance on
a PostgreSQL database of its own; else both use SQLite.
Each round runs Glance, ours and the ceiling in turn, one request at a time over one
connection; a ratio is the median over the rounds. Only ratios from one run mean anything.
Glance serves with one worker (run_glance.sh's default), ours with `make run`'s gunicorn.
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from serving import app_env, free_port, gunicorn, manage, stop, wait_until_up

PEER = Path(os.environ.get("GLANCE_PEER", ""))
GLANCE = "http://127.0.0.1:9292"
OWNER, MEMBERS = 940000, [940001, 940002, 940003]
LISTED = 50  # images of the owner's that both image lists page through, 25 at a time
GLANCE_OWNER = {
    "X-Identity-Status": "Confirmed",
    "X-Auth-Token": "x",
    "X-Tenant-Id": str(OWNER),
    "X-User-Id": f"user-{OWNER}",
    "X-Roles": "member,reader",
}
RATE = re.compile(r"^(member_create|member_update): .* = ([\d.]+) req/s", re.M)


def recreate_postgres(name: str) -> None:
    for command in (["dropdb", "--if-exists", name], ["createdb", name]):
        subprocess.run([*command[:1], "-h", "127.0.0.1", "-U", "postgres", *command[1:]], check=True)


def peer_rates(base: str, n: int, tokens: dict[int, str] | None = None) -> dict[str, float]:
    """The peer's client against `base`: req/s of member create and member update."""
    command = [sys.executable, str(PEER / "bench_members.py"), base, "-n", str(n), "--owner", str(OWNER)]
    command += ["--members", ",".join(map(str, MEMBERS))]
    if tokens:
        command += ["--tokens", ",".join(f"{tenant}={token}" for tenant, token in tokens.items())]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return {phase: float(rate) for phase, rate in RATE.findall(output)}


def ceiling_rate(base: str, n: int) -> float:
    """req/s of a view doing one INSERT, asked the way the peer's client asks (one session, JSON)."""
    session = requests.Session()
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    start = time.perf_counter()
    for number in range(n):
        response = session.post(f"{base}/bench-insert/", data=json.dumps({"n": number}), headers=headers)
        response.raise_for_status()
    return n / (time.perf_counter() - start)


def add_images(base: str, headers: dict) -> None:
    """LISTED queued images of the owner's, through the image-create call both sides share."""
    session = requests.Session()
    for number in range(LISTED):
        body = {"name": f"listed-{number:02}", "disk_format": "raw", "container_format": "bare"}
        session.post(f"{base}/v2/images", json=body, headers=headers).raise_for_status()


def list_rate(base: str, headers: dict, n: int) -> float:
    """req/s of the owner's first page of `GET /v2/images`, one request at a time over one connection."""
    session = requests.Session()
    start = time.perf_counter()
    for _ in range(n):
        response = session.get(f"{base}/v2/images", headers=headers)
        response.raise_for_status()
        assert len(response.json()["images"]) == 25, response.text[:200]
    return n / (time.perf_counter() - start)


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=300, help="requests per phase")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", help="a PostgreSQL URL for ours (emptied first); SQLite if unset")
    args = parser.parse_args()
    if not all((PEER / name).is_file() for name in ("run_glance.sh", "bench_members.py")):
        raise SystemExit("Set GLANCE_PEER to a folder holding run_glance.sh and bench_members.py (see the docstring).")

    work = Path(tempfile.mkdtemp(prefix="bench-members-"))
    # The product's settings plus the bench views.
    env = app_env(work, args.database_url, DJANGO_SETTINGS_MODULE="bench.hello_settings", LOG_LEVEL="WARNING")
    server = None
    try:
        if args.database_url:
            recreate_postgres(args.database_url.rsplit("/", 1)[1])
        manage(env, "migrate", "--noinput")
        region = "from imagesharing.accounts.models import Region; Region.objects.create(code='DFW', name='Dallas')"
        manage(env, "shell", "-c", region)
        tokens = {}
        for tenant in [OWNER, *MEMBERS]:
            login = ["--user", f"bench{tenant}", "--password", f"bench-{tenant}-password"]
            manage(env, "create_tenant", str(tenant), "--name", f"bench {tenant}", "--region", "DFW", *login)
            tokens[tenant] = manage(env, "issue_token", f"bench{tenant}").strip()
        port = free_port()
        server = gunicorn(env, port)
        ours = f"http://127.0.0.1:{port}"
        wait_until_up(port)
        glance_env = {**os.environ, "GLANCE_MEMBER_QUOTA": "200", "GLANCE_RESET": "1"}
        if args.database_url:
            recreate_postgres("glancebench")
            glance_env["GLANCE_DB_URL"] = "postgresql+psycopg2://postgres@127.0.0.1:5432/glancebench"
        subprocess.run(["bash", str(PEER / "run_glance.sh"), "start"], env=glance_env, check=True)
        ours_owner = {"X-Auth-Token": tokens[OWNER]}
        add_images(GLANCE, GLANCE_OWNER)
        add_images(f"{ours}/api/dfw", ours_owner)

        print(f"load average before: {load()}; {args.rounds} rounds of {args.n} requests per phase")
        rates: dict[str, list[float]] = {}
        for _ in range(args.rounds):
            for phase, rate in peer_rates(GLANCE, args.n).items():
                rates.setdefault(f"glance {phase}", []).append(rate)
            for phase, rate in peer_rates(f"{ours}/api/dfw", args.n, tokens).items():
                rates.setdefault(f"ours {phase}", []).append(rate)
            rates.setdefault("ceiling", []).append(ceiling_rate(ours, args.n))
            rates.setdefault("glance image_list", []).append(list_rate(GLANCE, GLANCE_OWNER, args.n))
            rates.setdefault("ours image_list", []).append(list_rate(f"{ours}/api/dfw", ours_owner, args.n))
        print(f"load average after:  {load()}")
        report(rates, args.database_url)
    finally:
        stop(server)
        subprocess.run(["bash", str(PEER / "run_glance.sh"), "stop"], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


def report(rates: dict[str, list[float]], database_url: str | None) -> None:
    median = {name: statistics.median(values) for name, values in rates.items()}
    print(f"\ndatabase: {'PostgreSQL' if database_url else 'SQLite'}")
    for name, value in median.items():
        print(f"{name:<28}{value:8.1f} req/s")
    print()
    for phase in ("member_create", "member_update"):
        ours = median[f"ours {phase}"]
        verdict(f"{phase} vs Glance", ours / median[f"glance {phase}"], 3.5, "x")
        verdict(f"{phase} vs the one-INSERT ceiling", ours / median["ceiling"], 0.65, "")
    verdict("image_list vs Glance", median["ours image_list"] / median["glance image_list"], 5.0, "x")


def verdict(label: str, ratio: float, goal: float, unit: str) -> None:
    mark = "ok" if ratio >= goal else "below"
    print(f"{label:<40}{ratio:6.2f}{unit:<2} goal >= {goal}{unit}  {mark}")


if __name__ == "__main__":
    main()
