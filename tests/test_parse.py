"""One parser per kind of outside value (lib/parse.py): tenant IDs and IDs of rows."""

import uuid

import pytest
from django.core.management import CommandError, call_command

from imagesharing.accounts.models import Account
from imagesharing.errors import TenantUnavailable
from imagesharing.images.models import Image
from imagesharing.lib.parse import TENANT_ID_MAX, parse_field_value, parse_line, parse_tenant_id
from imagesharing.memberships.members import ImageMember


@pytest.mark.parametrize("value, expected", [("42", 42), (" 42\n", 42), (42, 42), (str(TENANT_ID_MAX), TENANT_ID_MAX)])
def test_tenant_ids_are_positive_64_bit_numbers(value, expected):
    assert parse_tenant_id(value) == expected


@pytest.mark.parametrize(
    "value", ["", "0", "-1", "4.2", "1e3", "٤٢", "４２", "9" * 20, str(TENANT_ID_MAX + 1), "9" * 5000, True, None, 4.0]
)
def test_anything_else_is_the_one_unavailable_answer(value):
    with pytest.raises(TenantUnavailable):
        parse_tenant_id(value)


@pytest.mark.parametrize("tenant_id", ["٤٢٤٢", "9" * 5000])
def test_create_tenant_refuses_non_ascii_digits_and_huge_numbers(dfw, tenant_id):
    with pytest.raises(CommandError, match="positive whole number"):
        call_command("create_tenant", tenant_id, "--name", "Bad", "--region", "DFW")
    assert not Account.objects.exists()


@pytest.mark.parametrize("text", ["nope", "", "1" * 40, "00000000-0000-0000-0000-00000000000g"])
def test_a_row_id_that_does_not_parse_is_none(text):
    assert parse_field_value(Image, "pk", text) is None


def test_row_ids_parse_as_their_column_does():
    known = uuid.UUID("6f1c1a52-6f0e-4d47-9a39-2d3c3d0c7a10")
    assert parse_field_value(Image, "pk", str(known).upper()) == known
    assert parse_field_value(ImageMember, "pk", "17") == 17
    assert parse_field_value(ImageMember, "member__tenant_id", "631001") == 631001


@pytest.mark.parametrize("text", ["9" * 30, "-1", "1.5", "x"])
def test_integers_outside_64_bits_or_not_integers_are_none(text):
    assert parse_field_value(ImageMember, "member__tenant_id", text) is None


@pytest.mark.parametrize(
    "value, expected",
    [
        ("  Dallas branch ", "Dallas branch"),
        ("", ""),
        (None, ""),
        (42, ""),
        ("x" * 20, "x" * 20),
        ("x" * 21, None),
        ("a\x00b", None),
    ],
)
def test_a_line_of_text_is_stripped_and_bounded(value, expected):
    assert parse_line(value, 20) == expected
