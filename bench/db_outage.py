"""The database goes away and comes back under load: what clients see, how fast the app
recovers, and whether any write it answered 2xx is lost (issue 9).

    .venv/bin/python bench/db_outage.py [--outage 4]

Needs the PostgreSQL server on 127.0.0.1:5432 (trust, user postgres). The script makes
its own database, `imagesharing_outage` (dropped and made again on every run), and puts
gunicorn (two workers, as `make run`) behind a TCP proxy to that server. Taking the
database away closes the proxy's listening socket and every connection through it; the
real server, which others use, is never touched. Meanwhile API writers create images, add
a member and answer the offer, and a signed-in panel reader loads its image list, all
without pause (they ignore Retry-After on purpose: the figure is the server's recovery).

Prints the answers seen during the outage, the time from the database's return to the
first 2xx of each kind of request, and the writes answered 2xx that the database lacks.
Goals: only 503 with Retry-After during the outage (JSON on /api/), 2xx again within
0.5 s, no write lost. Exits non-zero if one is missed.
"""

import argparse
import asyncio
import json
import queue
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serving import app_env, free_port, gunicorn, manage, stop, wait_until_up  # noqa: E402
from upload import Panel, request  # noqa: E402  (the bench's HTTP helpers)

DATABASE = "imagesharing_outage"
SERVER = ("127.0.0.1", 5432)
RECOVERY_GOAL = 0.5
API = "/api/dfw/v2/images"
GLOBEX = "631002"


class Proxy:
    """A TCP proxy to PostgreSQL on its own thread; `down` closes its port and every connection."""

    def __init__(self) -> None:
        self.port = free_port()
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()
        self.server: asyncio.Server | None = None
        self.transports: set[asyncio.BaseTransport] = set()

    def _run(self, coroutine) -> None:
        asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()

    def up(self) -> None:
        self._run(self._up())

    def down(self) -> None:
        self._run(self._down())

    async def _up(self) -> None:
        self.server = await asyncio.start_server(self._pipe, "127.0.0.1", self.port, reuse_address=True)

    async def _down(self) -> None:
        assert self.server is not None
        self.server.close()
        for transport in list(self.transports):
            transport.abort()
        self.transports.clear()

    async def _pipe(self, client_reader, client_writer) -> None:
        try:
            server_reader, server_writer = await asyncio.open_connection(*SERVER)
        except OSError:
            client_writer.transport.abort()
            return
        self.transports |= {client_writer.transport, server_writer.transport}
        await asyncio.gather(
            self._copy(client_reader, server_writer), self._copy(server_reader, client_writer), return_exceptions=True
        )

    async def _copy(self, reader, writer) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        finally:
            self.transports.discard(writer.transport)
            writer.transport.abort()


@dataclass
class Answer:
    kind: str
    started: float
    ended: float
    status: int
    retry_after: str | None
    json_error: bool


class Load:
    """The clients: each loop sends its next request as soon as the last one was answered."""

    def __init__(self, port: int, acme: str, globex: str, panel: Panel) -> None:
        self.port, self.acme, self.globex, self.panel = port, acme, globex, panel
        self.answers: list[Answer] = []
        self.images: list[str] = []  # created (201)
        self.members: list[str] = []  # images whose member add answered 200
        self.accepted: list[str] = []  # images whose offer globex accepted (200)
        self.offers: queue.Queue[str] = queue.Queue()
        self.running = True

    def _call(self, kind: str, method: str, path: str, token: str | None = None, body: dict | None = None):
        headers = {"X-Auth-Token": token} if token else self.panel.header()
        data = json.dumps(body).encode() if body is not None else None
        if data is not None:
            headers["Content-Type"] = "application/json"
        started = time.monotonic()
        try:
            response, content = request(self.port, method, path, headers, [data] if data else None, len(data or b""))
        except OSError:
            self.answers.append(Answer(kind, started, time.monotonic(), 0, None, False))
            return None, None
        json_error = response.getheader("Content-Type") == "application/json" and b'"code": 503' in content
        self.answers.append(
            Answer(kind, started, time.monotonic(), response.status, response.getheader("Retry-After"), json_error)
        )
        return response.status, content

    def _loop(self, step) -> None:
        while self.running:
            step()
            time.sleep(0.01)

    def producer(self) -> None:
        """acme: create a shared image, then offer it to globex."""
        status, content = self._call("API write", "POST", API, self.acme, {"name": "outage", "visibility": "shared"})
        if status != 201:
            return
        image = json.loads(content)["id"]
        self.images.append(image)
        while self.running:
            status, _ = self._call("API write", "POST", f"{API}/{image}/members", self.acme, {"member": GLOBEX})
            if status == 200:
                self.members.append(image)
                self.offers.put(image)
                return
            if status == 409:  # added, though the answer was lost to the outage: not a 2xx
                return
            time.sleep(0.01)

    def consumer(self) -> None:
        """globex: accept the next offer (again until a 2xx)."""
        try:
            image = self.offers.get(timeout=0.1)
        except queue.Empty:
            return
        status, _ = self._call(
            "API write", "PUT", f"{API}/{image}/members/{GLOBEX}", self.globex, {"status": "accepted"}
        )
        if status == 200:
            self.accepted.append(image)
        else:
            self.offers.put(image)

    def reader(self) -> None:
        self._call("panel read", "GET", "/images/")

    def start(self) -> list[threading.Thread]:
        threads = [
            threading.Thread(target=self._loop, args=(step,)) for step in (self.producer, self.consumer, self.reader)
        ]
        for thread in threads:
            thread.start()
        return threads


def lost_writes(load: Load) -> dict[str, int]:
    """Writes answered 2xx that the database does not hold."""
    with psycopg.connect(host=SERVER[0], port=SERVER[1], user="postgres", dbname=DATABASE) as db:
        images = {row[0] for row in db.execute("SELECT id::text FROM images_image")}
        statuses = dict(
            db.execute(
                "SELECT m.image_id::text, m.status FROM memberships_imagemember m "
                "JOIN accounts_account a ON a.id = m.member_id WHERE a.tenant_id = %s",
                [int(GLOBEX)],
            ).fetchall()
        )
    return {
        "images created (201)": sum(image not in images for image in load.images),
        "members added (200)": sum(image not in statuses for image in load.members),
        "offers accepted (200)": sum(statuses.get(image) != "accepted" for image in load.accepted),
    }


def recreate_database() -> None:
    with psycopg.connect(host=SERVER[0], port=SERVER[1], user="postgres", dbname="postgres", autocommit=True) as db:
        db.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        db.execute(f"CREATE DATABASE {DATABASE}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outage", type=float, default=4.0, help="seconds without the database")
    outage = parser.parse_args().outage

    work = Path(tempfile.mkdtemp(prefix="bench-outage-"))
    proxy = Proxy()
    proxy.up()
    port = free_port()
    env = app_env(work, f"postgres://postgres@127.0.0.1:{proxy.port}/{DATABASE}")
    server = None
    try:
        recreate_database()
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "collectstatic", "--noinput", "-v0")
        manage(env, "seed_demo")
        acme, globex = manage(env, "issue_token", "acme").strip(), manage(env, "issue_token", "globex").strip()
        log = (work / "gunicorn.log").open("w")
        server = gunicorn(env, port, "--workers", "2", stderr=log)
        wait_until_up(port)
        load = Load(port, acme, globex, Panel(port, "acme", "acme-demo-pass"))
        threads = load.start()
        time.sleep(3)
        down = time.monotonic()
        proxy.down()
        time.sleep(outage)
        proxy.up()
        back = time.monotonic()
        time.sleep(3)
        load.running = False
        for thread in threads:
            thread.join()
        return report(load, down, back, lost_writes(load), (work / "gunicorn.log").read_text())
    finally:
        stop(server)
        shutil.rmtree(work, ignore_errors=True)


def report(load: Load, down: float, back: float, lost: dict[str, int], log: str) -> int:
    before = [a for a in load.answers if a.ended < down]
    during = [a for a in load.answers if a.started >= down and a.ended <= back]
    at_cut = [a for a in load.answers if a.started < down <= a.ended]
    after = [a for a in load.answers if a.started >= back]
    kinds = sorted({a.kind for a in load.answers})
    failures = []

    print(f"before the outage: {len(before)} requests, statuses {dict(Counter(a.status for a in before))}")
    print(f"outage of {back - down:.1f} s:")
    for kind in kinds:
        seen = [a for a in during if a.kind == kind]
        statuses = dict(Counter(a.status for a in seen))
        with_retry = sum(a.retry_after is not None for a in seen)
        line = f"  {kind:<11} {statuses}  Retry-After on {with_retry}/{len(seen)}"
        if kind.startswith("API"):
            line += f"  JSON error on {sum(a.json_error for a in seen)}/{len(seen)}"
            if not all(a.json_error for a in seen):
                failures.append(f"{kind}: an answer during the outage was not a JSON 503")
        print(line)
        if not seen or set(statuses) != {503} or with_retry != len(seen):
            failures.append(f"{kind}: answers during the outage other than 503 with Retry-After")
    print(f"  in flight when the database went: {dict(Counter((a.kind, a.status) for a in at_cut))}")

    print("first 2xx after the database came back:")
    for kind in kinds:
        ok = [a.ended - back for a in after if a.kind == kind and 200 <= a.status < 300]
        first = min(ok) if ok else float("inf")
        print(f"  {kind:<11} {first:.3f} s   (goal <= {RECOVERY_GOAL} s)")
        if first > RECOVERY_GOAL:
            failures.append(f"{kind}: first 2xx {first:.3f} s after the database came back")

    written = {"images created (201)": load.images, "members added (200)": load.members}
    written["offers accepted (200)"] = load.accepted
    print("writes answered 2xx, and how many the database lacks:")
    for name, items in written.items():
        print(f"  {name:<22} {len(items):>5}   lost {lost[name]}")
    if sum(lost.values()):
        failures.append(f"{sum(lost.values())} writes answered 2xx are not in the database")
    server_errors = sum(a.status >= 500 and a.status != 503 or a.status == 0 for a in load.answers)
    print(f"other 5xx or dropped connections: {server_errors}")
    print(f"tracebacks in gunicorn's log: {log.count('Traceback')} (each 503 is one line naming the database error)")
    if server_errors:
        failures.append(f"{server_errors} answers were another 5xx or no answer")

    for failure in failures:
        print(f"GOAL MISSED: {failure}")
    print("all goals met" if not failures else f"{len(failures)} goal(s) missed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
