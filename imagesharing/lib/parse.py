"""One parser per kind of value that comes from outside (a form, a URL, a JSON body, a command line).

Never `str.isdigit()` alone: it accepts digits that `int()` refuses, and `int()`
refuses strings of over 4,300 digits with a ValueError that would be a 500.
"""

import re
import uuid

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models.fields.related import RelatedField

from imagesharing.errors import TenantUnavailable

# Tenant IDs are positive 64-bit numbers: at most 19 digits.
TENANT_ID_MAX = 2**63 - 1
TENANT_ID_MAX_DIGITS = len(str(TENANT_ID_MAX))


def parse_line(value: object, max_length: int) -> str | None:
    """One line of plain text as typed (a name, a label): stripped; None when it is longer than
    `max_length` or holds a NUL, which no database column takes. Anything not a string is blank."""
    text = value.strip() if isinstance(value, str) else ""
    if len(text) > max_length or "\x00" in text:
        return None
    return text


def parse_tenant_id(value: object) -> int:
    """A tenant ID as a person or a script gives it: a number, or ASCII digits with blanks around.

    Anything else raises TenantUnavailable, the one answer R8 and R17 allow for an
    unknown tenant, so a malformed ID tells nobody more than a well-formed one.
    """
    if isinstance(value, bool):
        raise TenantUnavailable()
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        digits = value.strip()
        if not (digits.isascii() and digits.isdigit()) or len(digits) > TENANT_ID_MAX_DIGITS:
            raise TenantUnavailable()
        number = int(digits)
    else:
        raise TenantUnavailable()
    if not 0 < number <= TENANT_ID_MAX:
        raise TenantUnavailable()
    return number


# A UUID as people paste it: with or without hyphens, any case, alone or inside a link.
_IMAGE_ID = re.compile(
    r"(?<![0-9a-f])([0-9a-f]{8})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{12})(?![0-9a-f])", re.I
)


def parse_image_reference(text: str) -> uuid.UUID | None:
    """The image ID in what a person pasted: the ID itself (any case, blanks around or inside),
    or a link to the image in the panel or the API. None if it holds no image ID, or several.
    """
    found = {uuid.UUID("".join(match.groups())) for match in _IMAGE_ID.finditer("".join(text.split()))}
    return found.pop() if len(found) == 1 else None


def parse_field_value(model: type[models.Model], path: str, text: object):
    """`text` as a value of the field at `path` (for example "pk" or "owner__tenant_id"), or None.

    The field's own `to_python` and validators decide, so a UUID, a row ID and a
    tenant ID are read the way the database will compare them, and a value out of
    the column's range is refused here rather than by the database.
    """
    field = _field_at(model, path)
    try:
        value = field.to_python(text)
        if value is None or (isinstance(value, int) and not -(2**63) <= value < 2**63):
            return None  # SQLite sets no range on integer columns: a 64-bit bound for every database
        field.run_validators(value)
    except (ValidationError, TypeError, ValueError):
        return None
    return value


def _field_at(model: type[models.Model], path: str) -> models.Field:
    opts = model._meta
    names = path.split("__")
    for name in names[:-1]:
        related = opts.get_field(name).related_model
        if related is None or isinstance(related, str):  # not a relation: the path cannot go on
            raise FieldDoesNotExist(f"{path} does not follow relations of {model.__name__}.")
        opts = related._meta
    last = names[-1]
    if last == "pk":
        return opts.pk
    field = opts.get_field(last)
    if not isinstance(field, models.Field):
        raise FieldDoesNotExist(f"{path} is not a concrete field of {model.__name__}.")
    return field.target_field if isinstance(field, RelatedField) else field
