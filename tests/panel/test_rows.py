"""What pages compute once per row instead of per cell (issue 11): the links, the times, the
rows of the long tables, the signed-in user with its tenant. Each must print what the
template tags printed, and escape what they escaped."""

import uuid
from datetime import UTC, datetime

import pytest
from django.template import Context, Template
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from imagesharing.accounts.backends import TenantBackend
from imagesharing.panel.links import RowUrl
from imagesharing.panel.tables import markup, markup_join, utc_time
from tests import factories
from tests.panel.conftest import signed_in

MARKUP = '<img src=x onerror="alert(1)">'
ESCAPED = "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"


def test_a_row_url_is_what_reverse_gives(owner, consumer, shared_image):
    member = factories.member(owner, shared_image, consumer)
    assert RowUrl("images:detail")(shared_image) == reverse("images:detail", args=[shared_image.pk])
    remove = RowUrl("memberships:remove", shared_image.pk, key="member.tenant_id")
    assert remove(member) == reverse("memberships:remove", args=[shared_image.pk, consumer.account.tenant_id])


def test_a_row_url_needs_a_uuid_or_number_last():
    with pytest.raises(NoReverseMatch):
        RowUrl("servers:boot")


@pytest.mark.parametrize("page", ["images", "inbox", "image page", "history"])
def test_every_table_row_escapes_what_a_tenant_wrote(page, owner, consumer, shared_image):
    shared_image.update(owner, name=MARKUP)
    factories.member(owner, shared_image, consumer, status="accepted")
    reader, path = {
        "images": (owner, "/images/"),
        "inbox": (consumer, "/shared/"),
        "image page": (owner, f"/images/{shared_image.pk}/"),
        "history": (consumer, "/history/"),
    }[page]
    html = signed_in(reader).get(path).content.decode()
    assert ESCAPED in html and MARKUP not in html


@pytest.mark.parametrize("when", [datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC)])
def test_utc_time_prints_what_the_date_filters_printed(when):
    filters = Template(
        "<time datetime=\"{{ value|date:'c' }}\" title=\"{{ value|date:'Y-m-d H:i:s' }} UTC\">"
        '{{ value|date:"Y-m-d H:i" }} UTC</time>'
    )
    assert utc_time(when) == filters.render(Context({"value": when}))


def test_utc_time_prints_nothing_for_no_time():
    assert utc_time(None) == ""


def test_the_sessions_user_comes_with_its_tenant(owner, django_assert_num_queries):
    with django_assert_num_queries(1):
        user = TenantBackend().get_user(owner.pk)
        assert user is not None and user.account.tenant_id == owner.account.tenant_id


def test_an_inactive_or_missing_user_has_no_session(owner):
    owner.is_active = False
    owner.save()
    assert TenantBackend().get_user(owner.pk) is None
    assert TenantBackend().get_user(owner.pk + 1000) is None


@pytest.mark.parametrize("value", [MARKUP, 'O\'Brien & "Sons"', 42, None, mark_safe("<b>safe</b>"), uuid.UUID(int=7)])
def test_markup_escapes_exactly_as_format_html(value):
    template = '<td title="{}">{}</td>'
    assert markup(template, value, value) == format_html(template, value, value)
    assert markup_join(", ", "<i>{}</i>", [(value,), (value,)]) == format_html_join(", ", "<i>{}</i>", [(value,)] * 2)
