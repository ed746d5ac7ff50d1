"""Which failures mean "the database went away" and which mean "try the transaction again".

- **Connection lost**: the server restarted or crashed, the socket broke, or asyncpg found the
  connection in a state it cannot use (``InternalClientError: cannot switch to state ...``, a
  connection whose previous operation never finished). Such a connection must never be used
  again, and the request answers 503 with ``Retry-After`` (``ServiceUnavailable``), never 500.
- **Conflict**: a deadlock or a serialization failure. PostgreSQL rolled the whole transaction
  back, so running the request again from the start is safe (``RetryMiddleware`` does it a
  bounded number of times).

Both are recognised anywhere in an exception's chain (``raise ... from exc``), so an ORM error
mapped from a raw asyncpg error is classified by its cause.
"""

from __future__ import annotations

from collections.abc import Iterator

import asyncpg
from asyncpg.exceptions._base import InternalClientError

from fullfinity.exceptions import ServiceUnavailable

__all__ = [
    "CONNECTION_ERRORS",
    "database_unavailable",
    "is_conflict",
    "is_connection_lost",
]

#: Errors after which a connection is unusable (raw classes, as asyncpg raises them).
CONNECTION_ERRORS: tuple[type[Exception], ...] = (
    asyncpg.InterfaceError,  # ConnectionDoesNotExistError, "connection is closed", ...
    InternalClientError,  # "cannot switch to state N; another operation is in progress"
    asyncpg.PostgresConnectionError,  # SQLSTATE class 08
    asyncpg.OperatorInterventionError,  # class 57P: admin/crash shutdown, cannot connect now
    ConnectionError,  # a reset or broken socket asyncpg did not wrap
)

_CONFLICTS = (asyncpg.DeadlockDetectedError, asyncpg.SerializationError)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _is_connection_error(exc: BaseException) -> bool:
    if isinstance(exc, asyncpg.QueryCanceledError | asyncpg.ReadOnlySQLTransactionError):
        return False  # OperatorInterventionError's siblings that leave the connection usable
    if isinstance(exc, asyncpg.InterfaceError) and "cannot be used in a transaction" in str(exc):
        return False
    return isinstance(exc, CONNECTION_ERRORS)


def is_connection_lost(exc: BaseException) -> bool:
    """Whether ``exc`` (or an exception it was raised from) means the connection is gone."""
    return any(_is_connection_error(e) for e in _chain(exc))


def is_conflict(exc: BaseException) -> bool:
    """Whether ``exc`` comes from a deadlock or serialization failure (the transaction rolled back)."""
    return any(isinstance(e, _CONFLICTS) for e in _chain(exc))


def database_unavailable(exc: BaseException) -> ServiceUnavailable:
    """The 503 a request answers when its database connection was lost."""
    reason = next((e for e in _chain(exc) if _is_connection_error(e)), exc)
    return ServiceUnavailable(
        f"The database connection was lost ({type(reason).__name__}: {reason}); the server may be "
        f"restarting. Retry shortly (a write that failed while committing may have been saved: reload first)."
    )
