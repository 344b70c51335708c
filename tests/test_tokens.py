"""API tokens: issued once in plain text, stored as a SHA-256 digest, refused when expired or disabled."""

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone

from imagesharing.accounts.models import ApiToken


@pytest.fixture
def issued(consumer):
    return ApiToken.objects.issue(consumer, "ci script", lifetime=timedelta(days=30))


def test_issue_stores_only_a_digest_and_a_prefix(issued):
    token, plain = issued
    stored = ApiToken.objects.get(pk=token.pk)
    assert len(plain) >= 40
    assert stored.digest == hashlib.sha256(plain.encode()).hexdigest()
    assert stored.prefix == plain[:8]
    assert plain not in [str(value) for value in ApiToken.objects.values().get().values()]


def test_issue_without_lifetime_never_expires(consumer):
    token, _ = ApiToken.objects.issue(consumer, "forever")
    assert token.expires_at is None


def test_each_token_is_different(consumer):
    plains = {ApiToken.objects.issue(consumer, f"t{n}")[1] for n in range(5)}
    assert len(plains) == 5


def test_authenticate_returns_the_user_with_its_tenant(consumer, issued, django_assert_num_queries):
    _, plain = issued
    with django_assert_num_queries(2):  # the lookup, and the first use recorded
        user, region = ApiToken.objects.authenticate(plain)
    assert (user, region) == (consumer, None)
    with django_assert_num_queries(0):
        assert user.account.tenant_id == consumer.account.tenant_id


@pytest.mark.parametrize("presented", ["", "nope", "x" * 43])
def test_authenticate_refuses_unknown_tokens(issued, presented):
    assert ApiToken.objects.authenticate(presented) is None


def test_authenticate_refuses_a_token_with_a_changed_character(issued):
    _, plain = issued
    assert ApiToken.objects.authenticate(plain[:-1] + ("A" if plain[-1] != "A" else "B")) is None


def test_authenticate_refuses_an_expired_token(issued):
    token, plain = issued
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert ApiToken.objects.authenticate(plain) is None
    assert ApiToken.objects.get(pk=token.pk).last_used_at is None


def test_authenticate_accepts_a_token_until_it_expires(issued):
    token, plain = issued
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() + timedelta(minutes=1))
    assert ApiToken.objects.authenticate(plain) is not None


def test_authenticate_refuses_an_inactive_user(consumer, issued):
    _, plain = issued
    consumer.is_active = False
    consumer.save(update_fields=["is_active"])
    assert ApiToken.objects.authenticate(plain) is None


def test_token_dies_with_its_user(consumer, issued):
    _, plain = issued
    consumer.delete()
    assert ApiToken.objects.authenticate(plain) is None
    assert not ApiToken.objects.exists()


def test_use_is_recorded_at_most_once_a_minute(issued, django_assert_num_queries):
    token, plain = issued
    ApiToken.objects.authenticate(plain)
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    with django_assert_num_queries(1):
        ApiToken.objects.authenticate(plain)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    ApiToken.objects.authenticate(plain)
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first


def test_authenticate_reads_an_enabled_region_in_the_same_query(consumer, issued, dfw, lon, django_assert_num_queries):
    _, plain = issued
    with django_assert_num_queries(2):  # the lookup with its region, and the first use recorded
        user, region = ApiToken.objects.authenticate(plain, "DFW")
    assert (user, region.code, region.name) == (consumer, "DFW", dfw.name)
    with django_assert_num_queries(0):
        assert user.account.is_enabled_in(dfw)  # R8, known from that query
    assert ApiToken.objects.authenticate(plain, "LON")[1] is None  # R8: not the consumer's region
    assert ApiToken.objects.authenticate(plain, "XYZ")[1] is None  # no such region
    with django_assert_num_queries(1):
        assert not user.account.is_enabled_in(lon)
