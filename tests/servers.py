"""The app under gunicorn in another process, as `make run` serves it (gunicorn.conf.py included)."""

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def database_url() -> str:
    """The test database, for another process: PostgreSQL only, as another process cannot
    see SQLite's in-memory test database."""
    if connection.vendor != "postgresql":
        pytest.skip("another process sees only a PostgreSQL test database")
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@contextmanager
def app(tmp_path: Path, media: Path, name: str = "gunicorn", **env: str) -> Iterator[str]:
    """The app under gunicorn on the test database, its data under `media`, with `env` added;
    `name` keeps several servers of one test apart."""
    run_dir = tmp_path / name
    run_dir.mkdir()
    settings = {
        "DEBUG": "false",
        "SECRET_KEY": "gunicorn-test-" + "k" * 50,
        "MEDIA_ROOT": str(media),
        "FILE_UPLOAD_TEMP_DIR": str(media / "uploads"),
        # The tests' settings: static files served from the source (no collectstatic), the
        # tests' password hasher; everything else is the product's.
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": database_url(),
        **env,
    }
    with gunicorn(settings, run_dir, "--workers", "1") as url:
        yield url


@contextmanager
def gunicorn(env: dict[str, str], tmp_path: Path, *args: str) -> Iterator[str]:
    """gunicorn with `env` over the environment and `args` on its command line; yields its URL."""
    # The listening socket is made here and handed to gunicorn (fd://), instead of picking a
    # free port and letting gunicorn bind it later: under pytest-xdist another worker's live
    # server, moto server or gunicorn could take that port in between, and the test would
    # then talk to the wrong server or gunicorn would fail to bind.
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    env = {
        **os.environ,
        # gunicorn >= 25.1 opens a control socket at $XDG_RUNTIME_DIR/gunicorn.ctl, else one fixed
        # path in $HOME that every gunicorn (other test runs, `make run`) shares: keep it per test.
        "XDG_RUNTIME_DIR": str(tmp_path),
        **env,
    }
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "imagesharing.wsgi",
            "--bind",
            f"fd://{listener.fileno()}",
            *args,
        ],
        cwd=ROOT,
        env=env,
        pass_fds=[listener.fileno()],
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    listener.close()  # gunicorn holds it now
    try:
        # No waiting for gunicorn to bind: the socket already listens, so the first request
        # waits in its backlog until gunicorn has started (and is reset if gunicorn exits).
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
