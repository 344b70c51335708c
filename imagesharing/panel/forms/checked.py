"""Form fields whose value a model's rule checks: the rule's message becomes the field's error."""

from collections.abc import Callable
from typing import TypeVar

from django import forms

from imagesharing.errors import InvalidValue

T = TypeVar("T")


def checked(clean: Callable[[object], T], value: object) -> T:
    """`clean(value)`, the one check of a rule (a note, a name, a label), as a form's field check."""
    try:
        return clean(value)
    except InvalidValue as error:
        raise forms.ValidationError(error.message) from None
