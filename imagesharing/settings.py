"""Settings, read from the environment (12-factor).

Every variable goes through one of the strict helpers below: a value that does
not parse stops start-up with a message naming the variable, instead of being
silently replaced by a default. The README's configuration table lists them.
"""

import os
from datetime import timedelta
from pathlib import Path
from typing import Any, overload

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


@overload
def env_str(name: str, default: str) -> str: ...
@overload
def env_str(name: str, default: None = None) -> str | None: ...
def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None or value == "" else value


def env_bool(name: str, default: bool) -> bool:
    value = env_str(name)
    if value is None:
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of true/false/1/0/yes/no/on/off, not {value!r}.")


def env_int(name: str, default: int, minimum: int = 0) -> int:
    value = env_str(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}.")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = env_str(name)
    if value is None:
        return default
    items = [item.strip() for item in value.split(",")]
    if not all(items):
        raise ImproperlyConfigured(f"{name} must be a comma-separated list without empty items, not {value!r}.")
    return items


_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}


@overload
def env_bytes(name: str, default: int) -> int: ...
@overload
def env_bytes(name: str, default: None) -> int | None: ...
def env_bytes(name: str, default: int | None) -> int | None:
    """A size in bytes, with an optional binary unit: 500M, 20G, 1T."""
    value = env_str(name)
    if value is None:
        return default
    number, unit = value.strip().upper().removesuffix("IB").removesuffix("B"), ""
    if number and number[-1] in _UNITS:
        number, unit = number[:-1], number[-1]
    if not number.isdigit() or int(number) < 1:
        raise ImproperlyConfigured(f"{name} must be a positive size in bytes such as 500M or 2T, not {value!r}.")
    return int(number) * _UNITS[unit]


def env_database(name: str, default: str) -> dj_database_url.DBConfig:
    value = env_str(name, default)
    try:
        config = dj_database_url.parse(value, conn_max_age=60, conn_health_checks=True)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} is not a usable database URL ({error}).") from None
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {**SQLITE_OPTIONS, **config.get("OPTIONS", {})}
    elif config["ENGINE"] == "django.db.backends.postgresql":
        options = config.get("OPTIONS", {})
        # The URL's own `?options=` come last, so that they win.
        config["OPTIONS"] = {**options, "options": f"{POSTGRESQL_SESSION} {options.get('options', '')}".strip()}
    return config


# SQLite for `make run` and one host: readers never wait for the writer (WAL), a commit
# waits for the disk only at checkpoints (synchronous=NORMAL: a power cut may lose the
# last commits, never corrupt), and a transaction takes the write lock when it begins
# (IMMEDIATE), so that two writers queue up instead of failing with "database is locked".
SQLITE_OPTIONS = {
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}

# PostgreSQL sessions for short OLTP queries (issue 11, bench/lists.py). No JIT: the
# API's `visibility=shared&member_status=pending` list at a million images spent 150 to
# 210 ms compiling against 2 to 14 ms running, because a UNION branch that never runs
# (public images, with visibility=shared) is costed past jit_above_cost. No parallel
# workers: starting one cost the inbox 5.7 ms against 0.62 ms without (the issue's
# profile); none of the bench's lists plans one now, and none should need one.
# A pooler in transaction mode (PgBouncer) needs these in the server's settings instead.
POSTGRESQL_SESSION = "-c jit=off -c max_parallel_workers_per_gather=0"


DEBUG = env_bool("DEBUG", False)

# The environment's key; else the one in SECRET_KEY_FILE: by default the random key
# `make install` keeps in var/secret_key, so that `manage.py` commands need no set-up.
SECRET_KEY_FILE = Path(env_str("SECRET_KEY_FILE", str(BASE_DIR / "var" / "secret_key")))
SECRET_KEY = env_str("SECRET_KEY")
if SECRET_KEY is None and SECRET_KEY_FILE.is_file():
    SECRET_KEY = SECRET_KEY_FILE.read_text().strip() or None
if SECRET_KEY is None:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (or run `make install` to make one).")
    SECRET_KEY = "insecure-development-key-used-only-with-DEBUG-on"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Production behind TLS: one switch turns on every HTTPS-only protection that
# `manage.py check --deploy` asks for. Off by default so that `make run` works
# over plain http://127.0.0.1.
HTTPS = env_bool("HTTPS", False)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

SESSION_COOKIE_HTTPONLY = True
# R27: database sessions that name their person, so a person's sessions can be listed and ended.
SESSION_ENGINE = "imagesharing.accounts.sessions"
# Nothing reads the CSRF cookie from JavaScript: htmx sends the token from the page (hx-headers).
CSRF_COOKIE_HTTPONLY = True
# No inline script anywhere (htmx, the panel's script and the admin's are files); styles may be
# inline, as the admin's templates and htmx's attributes set some.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

INSTALLED_APPS = [
    "imagesharing.operators.apps.OperationsAdminConfig",  # Django's admin with the operators' site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "imagesharing.accounts",
    "imagesharing.images",
    "imagesharing.memberships",
    "imagesharing.servers",
    "imagesharing.panel",
    "imagesharing.api",
    "imagesharing.operators",
    "imagesharing.demo",
    "imagesharing.jobs",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "imagesharing.middleware.SecurityHeaders",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "imagesharing.panel.errors.MethodNotAllowedPage",
    # Last, as django-axes asks: it answers a locked-out sign-in with its lockout page.
    "axes.middleware.AxesMiddleware",
]
CSRF_FAILURE_VIEW = "imagesharing.panel.errors.csrf_failure"

ROOT_URLCONF = "imagesharing.urls"
WSGI_APPLICATION = "imagesharing.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "imagesharing.panel.context_processors.panel",
            ],
        },
    },
]

VAR_DIR = BASE_DIR / "var"
if env_str("DATABASE_URL") is None:
    VAR_DIR.mkdir(mode=0o700, exist_ok=True)  # the embedded SQLite default needs its folder, private
DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login floods (django-axes): after LOGIN_FAILURE_LIMIT failed sign-ins in a row for one
# username, that username is refused, right password too and without hashing it, for
# LOGIN_COOLOFF_MINUTES; other users sign in as usual. Counts live in the database, so
# every app host shares them. Operators unlock early in the admin (Access attempts).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: a locked-out sign-in goes no further
    # Django's ModelBackend, reading a session's user with its tenant in one query.
    "imagesharing.accounts.backends.TenantBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 10, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True  # "in a row": a right password clears the count
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_DISABLE_ACCESS_LOG = True  # failures are counted; successful sign-ins are not written down
AXES_VERBOSE = False
# axes.W006 asks to lock by address too. Here the lock is per username on purpose: it holds
# whatever address, user agent or cookie an attacker rotates, and one address (a NAT, an
# office) full of users is never locked out as a whole.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Image data in an S3-compatible object store instead of MEDIA_ROOT (needs the `s3` extra).
if env_str("S3_BUCKET"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("S3_BUCKET"),
            "endpoint_url": env_str("S3_ENDPOINT_URL"),
            "region_name": env_str("S3_REGION"),
            "access_key": env_str("S3_ACCESS_KEY_ID"),
            "secret_key": env_str("S3_SECRET_ACCESS_KEY"),
            "file_overwrite": False,
            "default_acl": "private",
            "querystring_auth": True,
        },
    }

# R11: the most members one image may have (Glance's image_member_quota).
IMAGE_MEMBER_QUOTA = env_int("IMAGE_MEMBER_QUOTA", 128, minimum=1)
# R20: the least time between two reminders to one member, in seconds (a day).
# R27: how long an invitation's link works.
INVITATION_DAYS = env_int("INVITATION_DAYS", 7, minimum=1)
REMINDER_INTERVAL = env_int("REMINDER_INTERVAL", 24 * 3600, minimum=1)
# The largest image accepted (Glance's image_size_cap, 1 TiB by default).
IMAGE_SIZE_CAP = env_bytes("IMAGE_SIZE_CAP", 1024**4)
# The most bytes one tenant may store in its own images; unset means no limit (R14).
TENANT_STORAGE_QUOTA = env_bytes("TENANT_STORAGE_QUOTA", None)
# Uploads are spooled here before they are stored: on the media disk, so that the
# file system storage stores them with a rename instead of a second copy.
FILE_UPLOAD_TEMP_DIR = env_str("FILE_UPLOAD_TEMP_DIR", str(MEDIA_ROOT / "uploads"))
Path(FILE_UPLOAD_TEMP_DIR).mkdir(mode=0o700, parents=True, exist_ok=True)
# An upload's worker renews its lease every third of this; one that lapses (the worker
# died) has its image killed by the next scheduled reap, which runs this often too.
UPLOAD_LEASE_SECONDS = env_int("UPLOAD_LEASE_SECONDS", 120, minimum=3)
# Stored image data and its folders are readable by the service's user alone.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# Background work (reaping stuck uploads, retrying deletions) is queued in the database
# and run by `manage.py run_worker` (django-tasks, the backport of Django 6's Tasks API).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# R18's e-mail, through Django's own backends and setting names. With no EMAIL_HOST, each
# message is written to a file under var/mail, so that `make run` needs no mail server.
EMAIL_HOST = env_str("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# A server that hangs holds the worker no longer than this (the claim on a message lasts longer).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Cloud Images <noreply@localhost>")
# How often the worker looks for mail that is due and has no task waiting (lost, or retried).
MAIL_SWEEP_SECONDS = env_int("MAIL_SWEEP_SECONDS", 60, minimum=1)
# After a failed attempt a message waits this long, doubling with each failure, at most an hour.
MAIL_RETRY_SECONDS = env_int("MAIL_RETRY_SECONDS", 30, minimum=1)
# Finished task results (and their tracebacks, in the admin) are kept this many days.
TASK_RESULT_DAYS = env_int("TASK_RESULT_DAYS", 7, minimum=1)
# Where the panel is reached from outside: the links in e-mail (and the unsubscribe link).
PANEL_URL = env_str("PANEL_URL", "http://127.0.0.1:8000").rstrip("/")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"refusals": {"()": "imagesharing.logs.RefusalsOnOneLine"}},
    # Refused requests on one short line each; server errors keep their tracebacks.
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["refusals"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
