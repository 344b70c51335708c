"""The app under gunicorn in another process, as `make run` serves it, on the test database.

PostgreSQL only: another process cannot see SQLite's in-memory test database.
"""

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
    """The test database, for another process."""
    if connection.vendor != "postgresql":
        pytest.skip("another process sees only a PostgreSQL test database")
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@contextmanager
def gunicorn(tmp_path: Path, media: Path, name: str = "gunicorn", **env: str) -> Iterator[str]:
    """Serve the app with gunicorn, with `env` added to its environment; yields its base URL.

    The listening socket is made here and handed to gunicorn (fd://), instead of picking a
    free port and letting gunicorn bind it later: under pytest-xdist another worker's live
    server, moto server or gunicorn could take that port in between. No waiting for
    gunicorn to start either: the first request waits in the socket's backlog.
    """
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    run_dir = tmp_path / name
    run_dir.mkdir()
    environment = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "gunicorn-test-" + "k" * 50,
        "MEDIA_ROOT": str(media),
        "FILE_UPLOAD_TEMP_DIR": str(media / "uploads"),
        "DJANGO_SETTINGS_MODULE": "imagesharing.settings",
        # gunicorn >= 25.1 opens a control socket at $XDG_RUNTIME_DIR/gunicorn.ctl, else one fixed
        # path in $HOME that every gunicorn (other test runs, `make run`) shares: keep it per server.
        "XDG_RUNTIME_DIR": str(run_dir),
        "DATABASE_URL": database_url(),
        **env,
    }
    log = (run_dir / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "imagesharing.wsgi", "--bind", f"fd://{listener.fileno()}"],
        cwd=ROOT,
        env=environment,
        pass_fds=[listener.fileno()],
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    listener.close()  # gunicorn holds it now
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
