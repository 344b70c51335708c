"""Image data throughput and memory: upload and download a generated file through the
panel and through the API of a gunicorn-served app, beside `cp` as the reference.

    .venv/bin/python bench/upload.py [--size-mib 1024]

Prints MB/s for each direction, cp's MB/s on the same disk, the ratios, and the peak
RSS (VmHWM) of the gunicorn worker. Goals (issue 5): worker peak RSS under 150 MB for
1 GiB in both directions; upload at least half of cp's throughput.
"""

import argparse
import hashlib
import http.client
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from serving import ROOT, free_port, gunicorn, manage, stop, wait_until_up

CHUNK = 1024 * 1024
BOUNDARY = "bench-" + uuid.uuid4().hex


def generate(path: Path, size: int) -> str:
    """A file of `size` bytes that does not compress to nothing; returns its MD5."""
    md5 = hashlib.md5()
    block = os.urandom(CHUNK)
    with open(path, "wb") as out:
        for _ in range(size // CHUNK):
            out.write(block)
            md5.update(block)
    return md5.hexdigest()


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
        from urllib.parse import urlencode

        data = urlencode(fields).encode()
        response, body = request(
            self.port,
            "POST",
            path,
            {
                **self.header(),
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://127.0.0.1:{self.port}{path}",
            },
            [data],
            len(data),
        )
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


def reference_cp(source: Path, size: int) -> float:
    """`cp` of the same file on the same disk, the median of three runs (the page cache makes it noisy)."""
    rates = []
    for run in range(3):
        copy = source.with_name("copy.raw")
        rate, _ = timed(
            f"cp (reference, run {run + 1})",
            size,
            lambda copy=copy: subprocess.run(["cp", str(source), str(copy)], check=True),
        )
        copy.unlink()
        rates.append(rate)
    return sorted(rates)[1]


def timed(label: str, size: int, action):
    start = time.perf_counter()
    result = action()
    seconds = time.perf_counter() - start
    rate = size / seconds / 1e6
    print(f"{label:<28} {seconds:7.2f} s  {rate:8.1f} MB/s")
    return rate, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    size = parser.parse_args().size_mib * CHUNK

    work = Path(tempfile.mkdtemp(prefix="bench-upload-", dir=ROOT / "var" if (ROOT / "var").exists() else None))
    media = work / "media"
    env = {
        **os.environ,
        "SECRET_KEY": "bench-" + "k" * 60,
        "DEBUG": "false",
        "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}",
        "MEDIA_ROOT": str(media),
        "FILE_UPLOAD_TEMP_DIR": str(media / "uploads"),
        "IMAGE_SIZE_CAP": "2T",
    }
    env.pop("S3_BUCKET", None)
    port = free_port()
    server = None
    try:
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "collectstatic", "--noinput", "-v0")
        manage(env, "seed_demo")  # the regions
        manage(
            env,
            "create_tenant",
            "700001",
            "--name",
            "Bench",
            "--region",
            "DFW",
            "--user",
            "bench",
            "--password",
            "bench-pass-123456",
        )
        token = manage(env, "issue_token", "bench").strip()

        source = work / "source.raw"
        print(f"Generating {size / CHUNK:.0f} MiB ...")
        digest = generate(source, size)
        cp_rate = reference_cp(source, size)
        block = os.urandom(CHUNK)
        hash_rate, _ = timed(
            "SHA-512 alone (ceiling)", 256 * CHUNK, lambda: [hashlib.sha512().update(block) for _ in range(256)]
        )

        server = gunicorn(env, port, "--workers", "1", "--timeout", "600")
        worker = worker_pid(server.pid)
        wait_until_up(port)
        print(f"gunicorn worker {worker} starts at {peak_rss_mb(worker):.1f} MB peak RSS")

        api = {"X-Auth-Token": token}
        base = "/api/dfw/v2/images"

        def api_create(name):
            body = json.dumps({"name": name, "disk_format": "raw", "container_format": "bare"}).encode()
            response, data = request(port, "POST", base, {**api, "Content-Type": "application/json"}, [body], len(body))
            assert response.status == 201, (response.status, data)
            return json.loads(data)["id"]

        image_id = api_create("bench-api")
        api_up, (response, body) = timed(
            "API upload",
            size,
            lambda: request(
                port,
                "PUT",
                f"{base}/{image_id}/file",
                {**api, "Content-Type": "application/octet-stream"},
                file_chunks(source),
                size,
            ),
        )
        assert response.status == 204, (response.status, body)
        api_down, (response, (got, md5)) = timed(
            "API download", size, lambda: request(port, "GET", f"{base}/{image_id}/file", api, sink=True)
        )
        assert response.status == 200 and got == size and md5 == digest, (response.status, got, md5)

        panel = Panel(port, "bench", "bench-pass-123456")
        panel_id = api_create("bench-panel")
        _, page = panel.get(f"/images/{panel_id}/")
        chunks, length = multipart(source, {"csrfmiddlewaretoken": panel.csrf(page)})
        panel_up, (response, body) = timed(
            "panel upload",
            size,
            lambda: request(
                port,
                "POST",
                f"/images/{panel_id}/upload/",
                {
                    **panel.header(),
                    "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
                    "Referer": f"http://127.0.0.1:{port}/images/{panel_id}/",
                },
                chunks,
                length,
            ),
        )
        assert response.status in (200, 302, 303), (response.status, body[:500])
        panel_down, (response, (got, md5)) = timed(
            "panel download",
            size,
            lambda: request(port, "GET", f"/images/{panel_id}/download/", panel.header(), sink=True),
        )
        assert response.status == 200 and got == size and md5 == digest, (response.status, got, md5)

        peak = peak_rss_mb(worker)
        print()
        print(
            f"cp (median of three): {cp_rate:.1f} MB/s; SHA-512 on one core, which every upload must compute: "
            f"{hash_rate:.1f} MB/s"
        )
        print(f"upload / cp:   API {api_up / cp_rate:.2f}   panel {panel_up / cp_rate:.2f}   (goal >= 0.50)")
        print(f"download / cp: API {api_down / cp_rate:.2f}   panel {panel_down / cp_rate:.2f}")
        print(f"gunicorn worker peak RSS: {peak:.1f} MB   (goal < 150 MB)")
    finally:
        stop(server)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
