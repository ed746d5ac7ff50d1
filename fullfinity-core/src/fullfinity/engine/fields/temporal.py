"""Date and Datetime fields."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from fullfinity.engine.context import env_ctx
from fullfinity.engine.fields.base import Field, FieldValueError

__all__ = ["Date", "Datetime", "user_timezone"]


def user_timezone() -> dt.tzinfo:
    """The current user's timezone (UTC without an environment)."""
    env = env_ctx.get(None)
    name = env.tz if env is not None else "UTC"
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return dt.UTC


class Date(Field[dt.date]):
    """A calendar date: ``DATE``; ``"YYYY-MM-DD"`` over the API."""

    type_name = "Date"
    sql_type = "DATE"
    param_type = "date"

    def convert(self, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            if value.tzinfo is not None:
                value = value.astimezone(user_timezone())
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        raise FieldValueError(f"must be a date (YYYY-MM-DD), got {type(value).__name__} {value!r}")


class Datetime(Field[dt.datetime]):
    """An instant: ``TIMESTAMPTZ``, read as an aware UTC ``datetime``.

    Naive datetimes and ISO strings without an offset are taken as UTC; a ``date`` is
    midnight of that day in the user's timezone.
    """

    type_name = "Datetime"
    sql_type = "TIMESTAMPTZ"
    param_type = "timestamptz"

    def convert(self, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, str):
            text = value.strip()
            if text.endswith(("Z", "z")):
                text = text[:-1] + "+00:00"
            try:
                value = dt.datetime.fromisoformat(text)
            except ValueError:
                raise FieldValueError(
                    f"must be an ISO 8601 datetime such as 2026-05-04T09:30:00Z, got {value!r}"
                ) from None
        if isinstance(value, dt.datetime):
            if value.tzinfo is None:
                return value.replace(tzinfo=dt.UTC)
            return value.astimezone(dt.UTC)
        if isinstance(value, dt.date):
            local = dt.datetime.combine(value, dt.time(), tzinfo=user_timezone())
            return local.astimezone(dt.UTC)
        raise FieldValueError(f"must be a datetime, got {type(value).__name__} {value!r}")
