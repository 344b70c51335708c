"""Markers for model methods."""

from collections.abc import Callable
from typing import TypeVar

F = TypeVar("F", bound=Callable)


def alters_data(method: F) -> F:
    """Mark a method that changes data, so that templates refuse to call it (Django's `alters_data`)."""
    method.alters_data = True  # type: ignore[attr-defined]  # a function attribute, which Callable does not declare
    return method
