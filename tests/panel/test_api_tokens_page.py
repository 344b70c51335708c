"""API tokens (issue 4): create with a name, shown once, listed with dates, revoked at once."""

import pytest

from imagesharing.accounts.models import ApiToken
from tests.panel.conftest import HTMX, messages_of, signed_in, text_of


def test_the_page_lists_the_users_tokens_only(as_owner, owner, consumer):
    ApiToken.objects.issue(owner, "deploy")
    ApiToken.objects.issue(consumer, "theirs")
    page = text_of(as_owner.get("/tokens/"))
    assert "deploy" in page and "theirs" not in page
    assert "/api/dfw/" in page


def test_creating_shows_the_token_once_and_stores_only_a_digest(as_owner, owner):
    response = as_owner.post("/tokens/", {"name": "laptop", "lifetime": "30"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    plain = response.context["created"]["plain"]
    assert plain in text_of(response)
    assert ApiToken.objects.authenticate(plain) == (owner, None)
    token = ApiToken.objects.get(user=owner)
    assert token.name == "laptop" and token.expires_at is not None and plain not in token.digest
    assert plain not in text_of(as_owner.get("/tokens/"))


def test_never_expiring_tokens(as_owner, owner):
    as_owner.post("/tokens/", {"name": "ci", "lifetime": "never"})
    assert ApiToken.objects.get(user=owner).expires_at is None


def test_with_htmx_it_answers_with_the_tokens_section(as_owner):
    page = text_of(as_owner.post("/tokens/", {"name": "htmx", "lifetime": "90"}, headers=HTMX))
    assert page.lstrip().startswith('<div id="tokens">') and "<html" not in page
    assert "Your new token" in page


@pytest.mark.parametrize(
    "data",
    [
        {"name": "", "lifetime": "30"},
        {"name": "   ", "lifetime": "30"},
        {"name": "x", "lifetime": "forever"},
        {"name": "x" * 101, "lifetime": "30"},
    ],
)
def test_bad_input_creates_nothing(as_owner, data):
    response = as_owner.post("/tokens/", data)
    assert response.status_code == 200 and response.context["form"].errors
    assert not ApiToken.objects.exists()


def test_last_used_is_shown(as_owner, owner):
    token, plain = ApiToken.objects.issue(owner, "script")
    assert "never" in text_of(as_owner.get("/tokens/"))
    ApiToken.objects.authenticate(plain)
    token.refresh_from_db()
    assert token.last_used_at.strftime("%Y-%m-%d %H:%M") in text_of(as_owner.get("/tokens/"))


def test_revoking_stops_the_token_at_once(as_owner, owner):
    token, plain = ApiToken.objects.issue(owner, "old")
    response = as_owner.post(f"/tokens/{token.pk}/revoke/")
    assert response["Location"] == "/tokens/"
    assert messages_of(response) == ["Token “old” revoked."]
    assert ApiToken.objects.authenticate(plain) is None


def test_with_htmx_revoking_answers_with_the_tokens_section(as_owner, owner):
    token, _ = ApiToken.objects.issue(owner, "old")
    page = text_of(as_owner.post(f"/tokens/{token.pk}/revoke/", headers=HTMX))
    assert page.lstrip().startswith('<div id="tokens">') and "You have no API tokens" in page


def test_someone_elses_token_is_not_found(consumer, owner):
    token, plain = ApiToken.objects.issue(owner, "mine")
    assert signed_in(consumer).post(f"/tokens/{token.pk}/revoke/").status_code == 404
    assert ApiToken.objects.authenticate(plain) == (owner, None)


def test_revoking_is_a_post(as_owner, owner):
    token, _ = ApiToken.objects.issue(owner, "t")
    assert as_owner.get(f"/tokens/{token.pk}/revoke/").status_code == 405
    assert as_owner.put("/tokens/").status_code == 405
    assert ApiToken.objects.filter(pk=token.pk).exists()
