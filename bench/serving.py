"""What every bench needs to serve the app: a free port, manage.py, and gunicorn started as
`make run` starts it (reading gunicorn.conf.py), then stopped."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def app_env(work: Path, database_url: str | None = None, **settings: str) -> dict[str, str]:
    """The environment a bench serves the app in: production settings, its own database
    (SQLite under `work` unless `database_url`), media on local disk under `work`, and
    `settings` on top."""
    env = {
        **os.environ,
        "SECRET_KEY": "bench-" + "k" * 60,
        "DEBUG": "false",
        "DATABASE_URL": database_url or f"sqlite:///{work / 'db.sqlite3'}",
        "MEDIA_ROOT": str(work / "media"),
        # gunicorn >= 25.1 opens a control socket here (else one path in $HOME for every gunicorn).
        "XDG_RUNTIME_DIR": str(work),
        **settings,
    }
    env.pop("S3_BUCKET", None)
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env: dict, *args: str) -> str:
    done = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


def gunicorn(env: dict, port: int, *args: str, stderr=subprocess.DEVNULL) -> subprocess.Popen:
    """gunicorn serving the app on 127.0.0.1:`port`, with `args` added to its command line."""
    command = [str(Path(PYTHON).parent / "gunicorn"), "imagesharing.wsgi", "--bind", f"127.0.0.1:{port}", *args]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=stderr)


def wait_until_up(port: int) -> None:
    """Until the sign-in page answers (or 10 s have passed: the bench's first request then fails)."""
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5).read()
            return
        except OSError:
            time.sleep(0.1)


def stop(server: subprocess.Popen | None) -> None:
    if server is not None:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
