"""One JSON error shape for every failure: ``{"error": {"type", "message", "details"}}``."""

from __future__ import annotations

import errno
import logging
from collections.abc import Mapping
from typing import Any

import asyncpg
import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from fullfinity.engine.database.errors import map_db_error
from fullfinity.engine.database.faults import CONNECTION_ERRORS, database_unavailable, is_conflict, is_connection_lost
from fullfinity.exceptions import FullfinityError, ServiceUnavailable, StorageFull
from fullfinity.web.retry import attempt_of

__all__ = ["classify_db_failure", "error_response", "install_error_handlers"]

log = logging.getLogger(__name__)

#: 5xx errors answered as they are (the condition is outside the code and passes); others become InternalError.
_ANSWERED_5XX = ("ServiceUnavailable", "StorageFull", "TenantUnavailable", "UpgradeRequired")
#: ``errno`` values meaning a disk (or a quota) is full.
_NO_SPACE = (errno.ENOSPC, errno.EDQUOT)

_HTTP_TYPES = {
    400: "BadRequest",
    401: "AuthenticationError",
    403: "AccessError",
    404: "NotFound",
    405: "MethodNotAllowed",
    413: "PayloadTooLarge",
    422: "ValidationError",
    429: "RateLimited",
}


def error_response(
    status: int,
    type_: str,
    message: str,
    details: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body = {"error": {"type": type_, "message": message, "details": details or []}}
    return Response(orjson.dumps(body), status_code=status, media_type="application/json", headers=headers)


def classify_db_failure(scope: Mapping[str, Any], exc: BaseException) -> FullfinityError | None:
    """The error to answer for a database fault, recorded on the request's retry ``Attempt``.

    A lost connection becomes ``ServiceUnavailable`` (503, ``Retry-After``); a deadlock or
    serialization failure is retried by ``RetryMiddleware`` and, once its retries are spent,
    answers 503 too. ``None``: ``exc`` is no database fault.
    """
    attempt = attempt_of(scope)
    if is_conflict(exc):
        if attempt is not None:
            attempt.retry = "conflict"
            if attempt.conflicts_left:
                return None  # this response is dropped: the request runs again
        tries = attempt.number if attempt is not None else 1
        log.warning("Transaction conflict on %s, %d attempt(s): %s", scope.get("path"), tries, exc)
        return ServiceUnavailable(
            f"The request conflicted with concurrent transactions {tries} time(s) in a row (deadlock or "
            f"serialization failure) and was rolled back each time; nothing was saved. Retry it shortly."
        )
    if is_connection_lost(exc):
        if attempt is not None:
            attempt.retry = "connection"
        log.warning("Database connection lost on %s: %r", scope.get("path"), exc)
        return exc if isinstance(exc, ServiceUnavailable) else database_unavailable(exc)
    return None


async def _fullfinity_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, FullfinityError)
    fault = classify_db_failure(request.scope, exc)
    if fault is not None:
        exc = fault
    if exc.status_code >= 500 and exc.type not in _ANSWERED_5XX:
        log.error("Internal error on %s %s: %s", request.method, request.url.path, exc, exc_info=exc)
        return error_response(500, "InternalError", "An internal error occurred; it has been logged.")
    # AuthenticationError and RateLimited carry headers (WWW-Authenticate, Retry-After).
    return error_response(exc.status_code, exc.type, exc.message, exc.details, headers=getattr(exc, "headers", None))


def _loc_path(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return error_response(400, "BadRequest", "The request body is not valid JSON.")
    details = [{"path": _loc_path(tuple(e.get("loc", ()))), "message": str(e.get("msg", ""))} for e in errors]
    count = len(details)
    return error_response(422, "ValidationError", f"{count} value{'s are' if count != 1 else ' is'} invalid.", details)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    type_ = _HTTP_TYPES.get(exc.status_code, "HTTPError")
    message = str(exc.detail) if exc.detail else type_
    if exc.status_code == 404 and message == "Not Found":
        message = f"No route {request.method} {request.url.path}."
    if exc.status_code == 405:
        message = f"Method {request.method} is not allowed on {request.url.path}."
    return error_response(exc.status_code, type_, message, headers=getattr(exc, "headers", None))


async def _connection_lost(request: Request, exc: Exception) -> Response:
    """A raw asyncpg connection error that reached the application: 503, never 500."""
    fault = classify_db_failure(request.scope, exc) or database_unavailable(exc)
    return await _fullfinity_error(request, fault)


async def _database_error(request: Request, exc: Exception) -> Response:
    """A raw PostgreSQL error no ORM call mapped (a module's own SQL): mapped here, in the one place."""
    assert isinstance(exc, asyncpg.PostgresError)
    mapped = map_db_error(exc)
    mapped.__cause__ = exc
    return await _fullfinity_error(request, mapped)


async def _os_error(request: Request, exc: Exception) -> Response:
    """A disk full while writing (the filestore): 507 in the one error shape; other OS errors are internal."""
    assert isinstance(exc, OSError)
    if exc.errno not in _NO_SPACE:
        return await _unexpected(request, exc)
    log.error("No space left on device on %s %s: %s", request.method, request.url.path, exc)
    full = StorageFull(
        "The server has no space left to store files (its filestore disk or quota is full); the request was "
        "rolled back and nothing was saved. Ask an administrator to free space, then send it again.",
        details=[{"path": "", "message": "no space left on device"}],
    )
    return await _fullfinity_error(request, full)


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.error("Unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "InternalError", "An internal error occurred; it has been logged.")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(FullfinityError, _fullfinity_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(asyncpg.PostgresError, _database_error)
    for error in CONNECTION_ERRORS:
        app.add_exception_handler(error, _connection_lost)
    app.add_exception_handler(OSError, _os_error)  # after ConnectionError's: handlers are found by the class's MRO
    app.add_exception_handler(Exception, _unexpected)
