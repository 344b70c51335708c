"""Login floods (issue 9, item 3): after 10 failed sign-ins in a row for one username, it is
refused, right password too and without hashing, for a cool-off; other users sign in; the
count lives in the database, shared by every app host; the admin's sign-in counts too."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import Client
from django.utils import timezone

from tests.panel.conftest import text_of

LIMIT = 10


class CountingHasher(MD5PasswordHasher):
    """The tests' real hasher, counting how often a password is checked."""

    checked = 0

    def verify(self, password, encoded):
        CountingHasher.checked += 1
        return super().verify(password, encoded)


@pytest.fixture
def counting(settings):
    settings.PASSWORD_HASHERS = ["tests.panel.test_login_floods.CountingHasher"]
    CountingHasher.checked = 0
    return CountingHasher


def sign_in(username: str, password: str, path: str = "/login/"):
    return Client().post(path, {"username": username, "password": password})


def fail(username: str, times: int) -> list[int]:
    """The status codes of `times` wrong passwords in a row."""
    return [sign_in(username, "wrong-password").status_code for _ in range(times)]


def test_the_right_password_works_until_the_limit(owner):
    assert fail("owner", LIMIT - 1) == [200] * (LIMIT - 1)  # the form again, with its error
    assert sign_in("owner", "password").status_code == 302


def test_the_tenth_failure_locks(owner):
    assert fail("owner", LIMIT) == [200] * (LIMIT - 1) + [429]


def test_after_ten_failures_even_the_right_password_is_refused_without_hashing(owner, counting):
    fail("owner", LIMIT)
    checked = counting.checked
    response = sign_in("owner", "password")
    assert response.status_code == 429
    page = text_of(response)
    assert "Sign-in is paused for this username" in page and "<strong>owner</strong>" in page
    assert "0:15:00" in page
    assert counting.checked == checked  # refused before any password was looked at


def test_other_users_still_sign_in(owner, consumer):
    fail("owner", LIMIT)
    assert sign_in("consumer", "password").status_code == 302


def test_a_success_clears_the_count(owner):
    fail("owner", LIMIT - 1)
    assert sign_in("owner", "password").status_code == 302
    fail("owner", LIMIT - 1)
    assert sign_in("owner", "password").status_code == 302


def test_the_admin_sign_in_counts_and_is_refused_too(operator):
    fail(operator.username, LIMIT - 5)
    for _ in range(5):
        sign_in(operator.username, "wrong", path="/admin/login/")
    assert sign_in(operator.username, "password", path="/admin/login/").status_code == 429


def test_the_count_is_kept_in_the_database_for_every_host(owner):
    fail("owner", 3)
    assert AccessAttempt.objects.get(username="owner").failures_since_start == 3


def test_after_the_cool_off_the_right_password_works_again(owner):
    fail("owner", LIMIT)
    AccessAttempt.objects.filter(username="owner").update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert sign_in("owner", "password").status_code == 302
