"""Image data throughput and memory: uploads through the API and the panel of a gunicorn-served
app, against the real limit of an upload, computing its two hashes (issue 11).

    .venv/bin/python bench/upload.py [--size-mib 1024] [--rounds 3]

Every upload must compute the MD5 `checksum` and the SHA-512 `os_hash_value` of its
bytes, so the reference is those two alone, each on a thread of its own, over the same
bytes, in this process. Each round measures the reference, an API upload, the reference
again and a panel upload, then downloads both images (checking their MD5) and deletes
them; a ratio is the median upload over the median reference, so only ratios from one
run mean anything, and only on an otherwise idle machine: other load slows the
reference's two threads more than the upload's several. The CPU seconds per GiB, of the
reference and of the gunicorn worker for each upload, say what a busy machine hides.
Goals: API upload at least 0.6 of the reference, panel upload at least 0.5, and the
gunicorn worker's peak RSS (VmHWM, over every upload and download) under 150 MB.
"""

import argparse
import hashlib
import http.client
import json
import os
import re
import shutil
import statistics
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

from serving import ROOT, app_env, free_port, gunicorn, manage, stop, wait_until_up

CHUNK = 1024 * 1024
BOUNDARY = "bench-" + uuid.uuid4().hex
GOALS = {"API upload": 0.6, "panel upload": 0.5}
RSS_GOAL_MB = 150


def generate(path: Path, block: bytes, count: int) -> str:
    """A file of `count` times `block`, which does not compress to nothing; returns its MD5."""
    md5 = hashlib.md5()
    with open(path, "wb") as out:
        for _ in range(count):
            out.write(block)
            md5.update(block)
    return md5.hexdigest()


def reference(block: bytes, count: int) -> tuple[float, float]:
    """MB/s and CPU seconds of MD5 and SHA-512 over `count` times `block` (the uploaded bytes),
    one thread each."""

    def digest(algorithm: str) -> None:
        hashed = hashlib.new(algorithm)
        for _ in range(count):
            hashed.update(block)

    threads = [threading.Thread(target=digest, args=(name,)) for name in ("md5", "sha512")]
    start, cpu = time.perf_counter(), time.process_time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(block) * count / (time.perf_counter() - start) / 1e6, time.process_time() - cpu


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process, all its threads."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024


def worker_pid(master: int) -> int:
    for _ in range(100):
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise RuntimeError("gunicorn started no worker")


def request(port, method, path, headers=None, body_chunks=None, length=None, sink=False):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    conn.putrequest(method, path)
    for name, value in (headers or {}).items():
        conn.putheader(name, value)
    if body_chunks is not None:
        conn.putheader("Content-Length", str(length))
    conn.endheaders()
    for chunk in body_chunks or ():
        conn.send(chunk)
    response = conn.getresponse()
    if sink:
        md5, size = hashlib.md5(), 0
        while chunk := response.read(CHUNK):
            md5.update(chunk)
            size += len(chunk)
        return response, (size, md5.hexdigest())
    return response, response.read()


def file_chunks(path: Path):
    with open(path, "rb") as source:
        while chunk := source.read(CHUNK):
            yield chunk


class Panel:
    """A signed-in browser session, kept with plain cookies."""

    def __init__(self, port: int, username: str, password: str):
        self.port, self.cookies = port, {}
        _, page = self.get("/login/")
        self.post_form("/login/", {"username": username, "password": password, "csrfmiddlewaretoken": self.csrf(page)})

    def header(self) -> dict:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}

    def keep(self, response):
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";")[0]

    def csrf(self, page: bytes) -> str:
        return re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()

    def get(self, path: str):
        response, body = request(self.port, "GET", path, self.header())
        self.keep(response)
        return response, body

    def post_form(self, path: str, fields: dict):
        data = urlencode(fields).encode()
        headers = {
            **self.header(),
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://127.0.0.1:{self.port}{path}",
        }
        response, body = request(self.port, "POST", path, headers, [data], len(data))
        self.keep(response)
        return response, body


def multipart(path: Path, fields: dict):
    """A multipart body streamed from disk, and its exact length (Django needs Content-Length)."""
    head = (
        b"".join(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
            for k, v in fields.items()
        )
        + (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="bench.raw"\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
    )
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    size = path.stat().st_size

    def chunks():
        yield head
        yield from file_chunks(path)
        yield tail

    return chunks(), len(head) + size + len(tail)


def timed(size: int, action) -> tuple[float, object]:
    start = time.perf_counter()
    result = action()
    return size / (time.perf_counter() - start) / 1e6, result


class Bench:
    """The app under gunicorn with a tenant that uploads through the API and the panel."""

    def __init__(self, port: int, token: str, source: Path, size: int, digest: str):
        self.port, self.source, self.size, self.digest = port, source, size, digest
        self.api = {"X-Auth-Token": token}
        self.panel = Panel(port, "bench", "bench-pass-123456")

    def create(self, name: str) -> str:
        body = json.dumps({"name": name, "disk_format": "raw", "container_format": "bare"}).encode()
        headers = {**self.api, "Content-Type": "application/json"}
        response, data = request(self.port, "POST", "/api/dfw/v2/images", headers, [body], len(body))
        assert response.status == 201, (response.status, data)
        return json.loads(data)["id"]

    def api_upload(self, image_id: str) -> float:
        headers = {**self.api, "Content-Type": "application/octet-stream"}
        path = f"/api/dfw/v2/images/{image_id}/file"
        rate, (response, body) = timed(
            self.size, lambda: request(self.port, "PUT", path, headers, file_chunks(self.source), self.size)
        )
        assert response.status == 204, (response.status, body)
        return rate

    def panel_upload(self, image_id: str) -> float:
        _, page = self.panel.get(f"/images/{image_id}/")
        chunks, length = multipart(self.source, {"csrfmiddlewaretoken": self.panel.csrf(page)})
        headers = {
            **self.panel.header(),
            "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
            "Referer": f"http://127.0.0.1:{self.port}/images/{image_id}/",
        }
        path = f"/images/{image_id}/upload/"
        rate, (response, body) = timed(self.size, lambda: request(self.port, "POST", path, headers, chunks, length))
        assert response.status in (200, 302, 303), (response.status, body[:500])
        return rate

    def download(self, image_id: str) -> float:
        """MB/s of the image's data through the API, checked against the source's MD5; then deleted."""
        path = f"/api/dfw/v2/images/{image_id}"
        rate, (response, (got, md5)) = timed(
            self.size, lambda: request(self.port, "GET", f"{path}/file", self.api, sink=True)
        )
        assert response.status == 200 and got == self.size and md5 == self.digest, (response.status, got, md5)
        response, body = request(self.port, "DELETE", path, self.api)
        assert response.status == 204, (response.status, body)
        return rate


def verdict(value: float, goal: float, *, below: bool = False) -> str:
    return "ok" if (value < goal if below else value >= goal) else ("above" if below else "below")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--rounds", type=int, default=3)
    arguments = parser.parse_args()
    count, size = arguments.size_mib, arguments.size_mib * CHUNK

    work = Path(tempfile.mkdtemp(prefix="bench-upload-", dir=ROOT / "var" if (ROOT / "var").exists() else None))
    media = work / "media"
    env = app_env(work, FILE_UPLOAD_TEMP_DIR=str(media / "uploads"), IMAGE_SIZE_CAP="2T")
    port = free_port()
    server = None
    try:
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "collectstatic", "--noinput", "-v0")
        manage(env, "seed_demo")  # the regions
        tenant = ["700001", "--name", "Bench", "--region", "DFW", "--user", "bench", "--password", "bench-pass-123456"]
        manage(env, "create_tenant", *tenant)
        token = manage(env, "issue_token", "bench").strip()

        block = os.urandom(CHUNK)
        source = work / "source.raw"
        print(f"Generating {arguments.size_mib} MiB ...")
        digest = generate(source, block, count)

        server = gunicorn(env, port, "--workers", "1", "--timeout", "600")
        worker = worker_pid(server.pid)
        wait_until_up(port)
        print(f"gunicorn worker {worker} starts at {peak_rss_mb(worker):.1f} MB peak RSS")
        bench = Bench(port, token, source, size, digest)

        rates: dict[str, list[float]] = {"reference": [], "API upload": [], "panel upload": [], "download": []}
        cpu: dict[str, list[float]] = {"reference": [], "API upload": [], "panel upload": []}

        def measure(name: str, upload, image_id: str) -> None:
            before = cpu_seconds(worker)
            rates[name].append(upload(image_id))
            cpu[name].append(cpu_seconds(worker) - before)

        def measure_reference() -> None:
            rate, seconds = reference(block, count)
            rates["reference"].append(rate)
            cpu["reference"].append(seconds)

        for number in range(1, arguments.rounds + 1):
            measure_reference()
            api_id = bench.create("bench-api")
            measure("API upload", bench.api_upload, api_id)
            measure_reference()
            panel_id = bench.create("bench-panel")
            measure("panel upload", bench.panel_upload, panel_id)
            rates["download"] += [bench.download(api_id), bench.download(panel_id)]
            print(
                f"round {number}: " + "   ".join(f"{name} {values[-1]:.0f}" for name, values in rates.items()) + " MB/s"
            )

        peak = peak_rss_mb(worker)
        reference_rate = statistics.median(rates["reference"])
        print()
        print(f"reference, MD5 and SHA-512 on two threads (median): {reference_rate:7.1f} MB/s")
        for name, goal in GOALS.items():
            rate = statistics.median(rates[name])
            ratio = rate / reference_rate
            print(f"{name + ' (median):':<52} {rate:7.1f} MB/s   {ratio:.2f}   goal >= {goal}: {verdict(ratio, goal)}")
        print(f"{'API download (median, not a goal):':<52} {statistics.median(rates['download']):7.1f} MB/s")
        gib = size / 1024**3
        seconds = "   ".join(f"{name} {statistics.median(values) / gib:.2f}" for name, values in cpu.items())
        print(f"CPU s/GiB (medians; the worker's for uploads, steadier than MB/s on a busy machine): {seconds}")
        print(
            f"{'gunicorn worker peak RSS:':<52} {peak:7.1f} MB     "
            f"goal < {RSS_GOAL_MB} MB: {verdict(peak, RSS_GOAL_MB, below=True)}"
        )
    finally:
        stop(server)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
