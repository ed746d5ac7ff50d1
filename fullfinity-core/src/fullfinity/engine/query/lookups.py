"""Compiling one lookup (``field__lookup=value``) on a column expression to SQL.

Semantics follow orm.md 12.2: ``eq None`` is ``IS NULL``; ``neq`` and ``nin`` match NULL
rows; ``in []`` matches nothing; text lookups escape ``%`` and ``_``; date parts and
date-only comparisons on Datetime fields are evaluated in the user's timezone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from fullfinity.engine.fields.base import Field, FieldValueError
from fullfinity.engine.query.sql import Sql, join
from fullfinity.exceptions import BadRequest

__all__ = ["COMPARISONS", "TEXT_LOOKUPS", "compile_lookup"]

COMPARISONS = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
TEXT_LOOKUPS = {
    "contains": ("LIKE", "%{}%"),
    "icontains": ("ILIKE", "%{}%"),
    "startswith": ("LIKE", "{}%"),
    "istartswith": ("ILIKE", "{}%"),
    "endswith": ("LIKE", "%{}"),
    "iendswith": ("ILIKE", "%{}"),
}


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class LookupContext:
    """What a lookup needs besides the column: the key (for messages) and the user's timezone."""

    def __init__(self, key: str, model_name: str, tz: str) -> None:
        self.key = key
        self.model_name = model_name
        self.tz = tz

    def bad(self, message: str) -> BadRequest:
        return BadRequest(
            f"Bad filter {self.key!r} on {self.model_name}: {message}",
            details=[{"path": self.key, "message": message}],
        )

    def convert(self, field: Field[Any], value: Any) -> Any:
        try:
            return field.convert_filter(value)
        except FieldValueError as exc:
            raise self.bad(f"value {exc}") from None

    def convert_many(self, field: Field[Any], values: Any) -> list[Any]:
        try:
            return field.convert_filter_many(values)
        except FieldValueError as exc:
            raise self.bad(f"value {exc}") from None

    def local_midnight(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(), tzinfo=ZoneInfo(self.tz)).astimezone(dt.UTC)


def _is_date_only(value: Any) -> bool:
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def _date_string(value: Any) -> bool:
    return isinstance(value, str) and len(value.strip()) == 10 and value.strip()[4:5] == "-"


def compile_lookup(
    field: Field[Any], column: str, lookup: str, value: Any, part: str | None, ctx: LookupContext
) -> Sql:
    """SQL for ``column <lookup> value`` on a scalar field."""
    if part is not None:
        return _compile_part(field, column, lookup, value, part, ctx)
    if lookup in ("isnull", "isnotnull"):
        if not isinstance(value, bool):
            raise ctx.bad(f"{lookup} takes True or False, got {value!r}")
        null = value if lookup == "isnull" else not value
        return Sql(f"{column} IS NULL" if null else f"{column} IS NOT NULL")
    if lookup in TEXT_LOOKUPS:
        if not isinstance(value, str):
            raise ctx.bad(f"{lookup} takes a string, got {type(value).__name__}")
        operator, pattern = TEXT_LOOKUPS[lookup]
        text = column if field.type_name in ("Char", "Text", "Selection") else f"{column}::text"
        return Sql(f"{text} {operator} ") + Sql.param(pattern.format(_escape_like(value)))
    if lookup in ("in", "nin"):
        if not isinstance(value, list | tuple | set | frozenset):
            raise ctx.bad(f"{lookup} takes a list, got {type(value).__name__}")
        if field.type_name == "Datetime" and any(_is_date_only(v) or _date_string(v) for v in value):
            days = [_datetime_vs_date(column, "eq", dt.date.fromisoformat(str(v)), ctx) for v in value]
            sql = join(days, " OR ").wrap("(", ")") if days else Sql("FALSE")
            return sql if lookup == "in" else sql.wrap(f"({column} IS NULL OR NOT ", ")")
        items = ctx.convert_many(field, value)
        has_null = any(v is None for v in items)
        items = [v for v in items if v is not None]
        cast = f"{field.param_type}[]"
        if lookup == "in":
            if not items:
                return Sql(f"{column} IS NULL") if has_null else Sql("FALSE")
            sql = Sql(f"{column} = ANY(") + Sql.param(items, cast) + ")"
            return sql.wrap("(", f" OR {column} IS NULL)") if has_null else sql
        if not items:
            return Sql(f"{column} IS NOT NULL") if has_null else Sql("TRUE")
        sql = Sql(f"({column} <> ALL(") + Sql.param(items, cast) + ")"
        return sql + (")" if has_null else f" OR {column} IS NULL)")
    if lookup == "between":
        if not isinstance(value, list | tuple) or len(value) != 2:
            raise ctx.bad(f"between takes [low, high], got {value!r}")
        low, high = value
        if field.type_name == "Datetime":
            if _is_date_only(low) or _date_string(low):
                low = ctx.local_midnight(dt.date.fromisoformat(str(low)))
            if _is_date_only(high) or _date_string(high):
                high = ctx.local_midnight(dt.date.fromisoformat(str(high)))
        return (
            Sql(f"{column} BETWEEN ")
            + Sql.param(ctx.convert(field, low))
            + " AND "
            + Sql.param(ctx.convert(field, high))
        )
    if lookup in ("eq", "neq") or lookup in COMPARISONS:
        if value is None:
            if lookup == "eq":
                return Sql(f"{column} IS NULL")
            if lookup == "neq":
                return Sql(f"{column} IS NOT NULL")
            return Sql("FALSE")  # comparisons with NULL are never true
        if field.type_name == "Datetime" and (_is_date_only(value) or _date_string(value)):
            return _datetime_vs_date(column, lookup, dt.date.fromisoformat(str(value)), ctx)
        converted = ctx.convert(field, value)
        if field.type_name == "Boolean" and lookup in ("eq", "neq") and isinstance(converted, bool):
            # The column itself (NOT NULL): the planner estimates and evaluates it better than "= $1".
            return Sql(column if converted == (lookup == "eq") else f"NOT {column}")
        if lookup == "eq":
            return Sql(f"{column} = ") + Sql.param(converted)
        if lookup == "neq":
            return Sql(f"{column} IS DISTINCT FROM ") + Sql.param(converted)
        return Sql(f"{column} {COMPARISONS[lookup]} ") + Sql.param(converted)
    raise ctx.bad(f"lookup '{lookup}' does not apply to {field.type_name} fields")


def _datetime_vs_date(column: str, lookup: str, day: dt.date, ctx: LookupContext) -> Sql:
    start = ctx.local_midnight(day)
    end = ctx.local_midnight(day + dt.timedelta(days=1))
    if lookup == "eq":  # a date matches the whole local day
        return Sql(f"({column} >= ") + Sql.param(start) + f" AND {column} < " + Sql.param(end) + ")"
    if lookup == "neq":
        return Sql(f"({column} IS NULL OR {column} < ") + Sql.param(start) + f" OR {column} >= " + Sql.param(end) + ")"
    # Ordering comparisons use the date's local midnight (orm.md 12.2), as the in-memory evaluator does.
    return Sql(f"{column} {COMPARISONS[lookup]} ") + Sql.param(start)


def _compile_part(field: Field[Any], column: str, lookup: str, value: Any, part: str, ctx: LookupContext) -> Sql:
    if field.type_name not in ("Date", "Datetime"):
        raise ctx.bad(f"'{part}' applies to Date and Datetime fields, not {field.type_name}")
    if field.type_name == "Datetime":
        expr = Sql(f"EXTRACT({part.upper()} FROM {column} AT TIME ZONE ") + Sql.param(ctx.tz) + ")::int"
    else:
        expr = Sql(f"EXTRACT({part.upper()} FROM {column})::int")

    def number(v: Any) -> int:
        if isinstance(v, bool) or not isinstance(v, int):
            raise ctx.bad(f"{part} values are integers, got {v!r}")
        return v

    if lookup in ("isnull", "isnotnull"):
        return compile_lookup(field, column, lookup, value, None, ctx)
    if lookup in ("in", "nin"):
        if not isinstance(value, list | tuple):
            raise ctx.bad(f"{lookup} takes a list, got {type(value).__name__}")
        items = [number(v) for v in value]
        if lookup == "in":
            return (expr + " = ANY(" + Sql.param(items, "int[]") + ")") if items else Sql("FALSE")
        if not items:
            return Sql("TRUE")
        return (expr + " <> ALL(" + Sql.param(items, "int[]") + ")").wrap("(", f" OR {column} IS NULL)")
    if lookup == "between":
        if not isinstance(value, list | tuple) or len(value) != 2:
            raise ctx.bad(f"between takes [low, high], got {value!r}")
        return expr + " BETWEEN " + Sql.param(number(value[0])) + " AND " + Sql.param(number(value[1]))
    if lookup == "eq":
        return expr + " = " + Sql.param(number(value))
    if lookup == "neq":
        return expr + " IS DISTINCT FROM " + Sql.param(number(value))
    if lookup in COMPARISONS:
        return expr + f" {COMPARISONS[lookup]} " + Sql.param(number(value))
    raise ctx.bad(f"lookup '{lookup}' does not apply to a date part")
