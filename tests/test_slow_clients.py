"""Slow clients (issue 9, item 1): connections trickling a request at 1 byte/s do not stall
other users, under gunicorn as `make run` and production serve the app (gunicorn.conf.py)."""

import socket
import time
import urllib.request
from urllib.parse import urlsplit

import pytest

from tests import servers

# Fewer than one worker's threads: the old model (one sync worker) hangs on the first of them.
SLOW = 24


@pytest.fixture
def server(tmp_path):
    """One worker with the configured threads, on an empty database: the sign-in page asks
    the database nothing."""
    env = {
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DEBUG": "false",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "FILE_UPLOAD_TEMP_DIR": str(tmp_path / "media" / "uploads"),
    }
    with servers.gunicorn(env, tmp_path, "--workers", "1") as url:
        urllib.request.urlopen(f"{url}/login/", timeout=30).read()  # started
        yield url


def test_trickling_clients_do_not_stall_the_sign_in_page(server):
    address = urlsplit(server).hostname, urlsplit(server).port
    slow = [socket.create_connection(address) for _ in range(SLOW)]
    try:
        for n, sock in enumerate(slow):
            if n % 2:  # a head sent whole, then a body that never comes
                sock.sendall(b"POST /login/ HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\nu")
            else:  # a head that never ends
                sock.sendall(b"GET /login/ HTTP/1.1\r\nHost: x\r\nX-Slow: a")
        time.sleep(0.5)  # each has reached the server and holds whatever it holds

        start = time.monotonic()
        page = urllib.request.urlopen(f"{server}/login/", timeout=30)

        assert page.status == 200 and time.monotonic() - start < 5
    finally:
        for sock in slow:
            sock.close()
