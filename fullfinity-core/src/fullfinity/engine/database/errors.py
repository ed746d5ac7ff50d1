"""Database errors mapped to Fullfinity errors, in one place.

Raw asyncpg exceptions never leave the ORM: a unique violation becomes an
``IntegrityError`` (a ``ValidationError`` with status 409) naming the field and the
value; a NOT NULL violation a ``ValidationError`` naming the field; a deadlock or
serialization failure a ``ConcurrencyError``; a RESTRICT foreign key blocking a delete
an ``IntegrityError`` naming the referencing model and field; a lost connection (server
shutting down, broken socket) a ``ServiceUnavailable`` (``faults.py``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import asyncpg

from fullfinity.engine.database.faults import database_unavailable, is_connection_lost
from fullfinity.engine.database.schema import constraint_name
from fullfinity.exceptions import (
    BadRequest,
    ConcurrencyError,
    FullfinityError,
    IntegrityError,
    ServiceUnavailable,
    ValidationError,
)

if TYPE_CHECKING:
    from fullfinity.engine.records.environment import Environment

__all__ = ["map_db_error"]

_KEY_RE = re.compile(r"Key \((?P<cols>.+?)\)=\((?P<vals>.*)\)")


def _field_of(env: Environment | None, table: str | None, column: str | None) -> tuple[str, str]:
    """(model name, field name) for a table/column, falling back to the raw names."""
    model_name = table or "?"
    field_name = column or "?"
    if env is not None and table:
        model = env.registry.model_for_table(table)
        if model is not None:
            model_name = model._name
            if column:
                field_name = model._column_fields.get(column, column)
    return model_name, field_name


def map_db_error(exc: asyncpg.PostgresError, env: Environment | None = None) -> FullfinityError:
    """Translate one asyncpg error into the Fullfinity error the caller should see."""
    table = getattr(exc, "table_name", None)
    column = getattr(exc, "column_name", None)
    detail = getattr(exc, "detail", None) or ""
    if isinstance(exc, asyncpg.UniqueViolationError):
        match = _KEY_RE.search(detail)
        cols = [c.strip() for c in match["cols"].split(",")] if match else [column or "?"]
        value = match["vals"] if match else "?"
        model, _ = _field_of(env, table, None)
        fields = [_field_of(env, table, c)[1] for c in cols]
        label = ", ".join(fields)
        if len(fields) == 1:
            message = f"{model}.{label} must be unique: a record with {label} = {value!r} already exists."
        else:
            message = f"The combination ({label}) must be unique on {model}: ({value}) already exists."
        return IntegrityError(
            message, details=[{"path": f, "message": f"must be unique; {value!r} is taken"} for f in fields]
        )
    if isinstance(exc, asyncpg.NotNullViolationError):
        model, field = _field_of(env, table, column)
        return ValidationError(f"{model}.{field} is required.", details=[{"path": field, "message": "is required"}])
    if isinstance(exc, asyncpg.ForeignKeyViolationError):
        model, field = _field_of(env, table, _fk_column(detail) or column)
        if "is still referenced" in detail:
            return IntegrityError(
                f"The record cannot be deleted: {model} records still refer to it through {field} "
                f"(on_delete=RESTRICT). Delete or reassign them first.",
                details=[{"path": field, "message": "still referenced"}],
            )
        return ValidationError(
            f"{model}.{field} refers to a record that does not exist ({detail}).",
            details=[{"path": field, "message": "refers to a record that does not exist"}],
        )
    if isinstance(exc, asyncpg.CheckViolationError):
        declared = _declared_check(env, table, getattr(exc, "constraint_name", None))
        if declared is not None:
            return ValidationError(declared[1], details=[{"path": declared[0], "message": declared[1]}])
        model, field = _field_of(env, table, _check_column(getattr(exc, "constraint_name", None)))
        return ValidationError(
            f"{model}.{field} has a value the database refuses ({exc.constraint_name}).",
            details=[{"path": field, "message": "value not allowed"}],
        )
    if isinstance(exc, asyncpg.StringDataRightTruncationError | asyncpg.NumericValueOutOfRangeError):
        return ValidationError(f"A value is too large for its column: {exc.args[0] if exc.args else exc}")
    if isinstance(exc, asyncpg.DeadlockDetectedError | asyncpg.SerializationError):
        return ConcurrencyError("The operation conflicted with a concurrent transaction and was rolled back; retry it.")
    if isinstance(exc, asyncpg.QueryCanceledError):
        return ServiceUnavailable(
            "The query took longer than the statement timeout and was cancelled. Narrow the filter or "
            "raise FULLFINITY_DB_STATEMENT_TIMEOUT."
        )
    if isinstance(exc, asyncpg.ReadOnlySQLTransactionError):
        return FullfinityError(
            f"A write was attempted on a read-only connection ({exc}). Read endpoints (/api/query, "
            f"/api/fetch, /api/meta, /api/file) run on read-only connections: code they call (a computed "
            f"field, an override of a read) must not write; move the write to a create, update or execute call."
        )
    if isinstance(exc, asyncpg.DataError):
        return BadRequest(f"The database refused a value: {exc}")
    if is_connection_lost(exc):  # the server shut down or the connection broke: 503, never 500
        return database_unavailable(exc)
    return _Unexpected(exc)


class _Unexpected(FullfinityError):
    """A database error with no mapping: a bug (500), logged with the original exception."""

    def __init__(self, exc: Any) -> None:
        super().__init__(f"Unexpected database error {type(exc).__name__}: {exc}")


def _declared_check(env: Environment | None, table: str | None, constraint: str | None) -> tuple[str, str] | None:
    """(name, message) of a model's ``_sql_constraints`` entry violated, if it is one."""
    if env is None or not table or not constraint:
        return None

    model = env.registry.model_for_table(table)
    for name, _check, message in getattr(model, "_sql_constraints", ()) if model is not None else ():
        if constraint_name("ck", table, name) == constraint:
            return name, message
    return None


def _fk_column(detail: str) -> str | None:
    match = _KEY_RE.search(detail)
    return match["cols"] if match else None


def _check_column(constraint: str | None) -> str | None:
    # Fullfinity names CHECK constraints ck_<table>__<column>.
    if constraint and constraint.startswith("ck_") and "__" in constraint:
        return constraint.rsplit("__", 1)[1]
    return None
