"""The product's settings with one bench-only URL added (bench/hello_urls.py), for bench/pages.py."""

from imagesharing.settings import *  # noqa: F403

ROOT_URLCONF = "bench.hello_urls"
