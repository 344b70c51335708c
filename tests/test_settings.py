"""Settings come from the environment, strictly: a bad value stops start-up with a message."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k3Y-" + "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ",
    "HTTPS": "true",
    "ALLOWED_HOSTS": "images.example.com",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_settings_pass_the_deploy_check():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = manage("check", **{**PRODUCTION, "SECRET_KEY": "", "SECRET_KEY_FILE": str(tmp_path / "none")})

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_the_secret_key_can_come_from_a_file(tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text(PRODUCTION["SECRET_KEY"][::-1] + "\n")

    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SECRET_KEY)",
        **{**PRODUCTION, "SECRET_KEY": "", "SECRET_KEY_FILE": str(key_file)},
    )

    assert result.stdout.strip().splitlines()[-1] == PRODUCTION["SECRET_KEY"][::-1], result.stderr


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("DEBUG", "maybe", "DEBUG must be one of"),
        ("IMAGE_MEMBER_QUOTA", "lots", "IMAGE_MEMBER_QUOTA must be a whole number"),
        ("IMAGE_MEMBER_QUOTA", "0", "IMAGE_MEMBER_QUOTA must be at least 1"),
        ("ALLOWED_HOSTS", "a,,b", "ALLOWED_HOSTS must be a comma-separated list"),
        ("DATABASE_URL", "nosuch://db", "DATABASE_URL is not a usable database URL"),
    ],
)
def test_a_bad_value_stops_start_up_with_a_message(name, value, message):
    result = manage("check", **{**PRODUCTION, name: value})

    assert result.returncode != 0
    assert message in result.stderr


def test_the_member_quota_is_read_from_the_environment():
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.IMAGE_MEMBER_QUOTA)",
        **{**PRODUCTION, "IMAGE_MEMBER_QUOTA": "7"},
    )

    assert result.stdout.strip().splitlines()[-1] == "7", result.stderr


def test_postgresql_sessions_run_without_jit_and_the_urls_options_come_last():
    """Issue 11: short queries are not JIT-compiled; an option in the URL still wins."""
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS']['options'])",
        **{**PRODUCTION, "DATABASE_URL": "postgres://u@db:5432/images?options=-c%20statement_timeout%3D5s"},
    )

    options = result.stdout.strip().splitlines()[-1]
    assert options == "-c jit=off -c max_parallel_workers_per_gather=0 -c statement_timeout=5s", result.stderr
