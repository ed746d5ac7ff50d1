"""The ORM's exceptions (canonical import path of the reference); defined in ``fullfinity.exceptions``."""

from fullfinity.exceptions import (
    AccessError,
    ConcurrencyError,
    FieldNotLoadedError,
    FullfinityError,
    IntegrityError,
    MissingError,
    UserError,
    ValidationError,
)

__all__ = [
    "AccessError",
    "ConcurrencyError",
    "FieldNotLoadedError",
    "FullfinityError",
    "IntegrityError",
    "MissingError",
    "UserError",
    "ValidationError",
]
