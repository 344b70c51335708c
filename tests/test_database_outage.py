"""A database that cannot be reached (issue 9, and issue 10's 503 page): every request answers
503 with Retry-After, the API in its JSON error shape, the panel with its page; the next request
after the database is back succeeds; a real bug stays a 500.

The outage is real: the connection is pointed at a port where nothing listens, so psycopg's
own connection attempt fails (PostgreSQL only: the tests' SQLite database lives in memory).
"""

import pytest
from django.db import OperationalError, connection
from django.test import Client

from imagesharing.accounts.models import ApiToken

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs a database server to lose"),
    pytest.mark.django_db(transaction=True),
]

CLOSED_PORT = "1"  # nothing listens there: connecting is refused at once


class Database:
    """Take the database away (`down`) and bring it back (`up`)."""

    def __init__(self):
        self.port = connection.settings_dict["PORT"]

    def down(self):
        connection.close()
        connection.settings_dict["PORT"] = CLOSED_PORT

    def up(self):
        connection.close()
        connection.settings_dict["PORT"] = self.port


@pytest.fixture
def database():
    controls = Database()
    yield controls
    controls.up()


@pytest.fixture
def token(owner):
    return ApiToken.objects.issue(owner, "outage")[1]


def test_the_api_answers_503_json_with_retry_after_then_recovers(token, database):
    client = Client(raise_request_exception=False, headers={"X-Auth-Token": token})
    database.down()
    down = client.get("/api/dfw/v2/images")
    assert down.status_code == 503 and down["Retry-After"] == "5"
    assert down.json()["error"]["code"] == 503
    assert "cannot reach its database" in down.json()["error"]["message"]
    database.up()
    assert client.get("/api/dfw/v2/images").status_code == 200


def test_the_panel_answers_with_its_503_page_then_recovers(owner, image, database):
    client = Client(raise_request_exception=False)
    client.force_login(owner)
    database.down()
    down = client.get(f"/images/{image.pk}/")
    page = down.content.decode()
    assert down.status_code == 503 and down["Retry-After"] == "5"
    assert '<h1 id="error-heading">We will be back in a moment</h1>' in page
    assert '<meta name="viewport"' in page
    database.up()
    assert client.get(f"/images/{image.pk}/").status_code == 200


def test_a_write_refused_in_the_outage_changed_nothing(owner, image, database):
    client = Client(raise_request_exception=False)
    client.force_login(owner)
    database.down()
    assert client.post(f"/images/{image.pk}/edit/", {"name": "renamed", "visibility": "private"}).status_code == 503
    database.up()
    image.refresh_from_db()
    assert image.name == "web-base"


def test_a_real_bug_stays_a_500(owner, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("no such column: imaginary")  # the database answers: a bug, not an outage

    monkeypatch.setattr("imagesharing.panel.views.account.current_region", broken)
    client = Client(raise_request_exception=False)
    client.force_login(owner)
    response = client.get("/")
    assert response.status_code == 500 and "Retry-After" not in response
