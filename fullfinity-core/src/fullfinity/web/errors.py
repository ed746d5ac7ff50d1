"""One JSON error shape for every failure: ``{"error": {"type", "message", "details"}}``."""

from __future__ import annotations

import logging
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from fullfinity.exceptions import FullfinityError

__all__ = ["error_response", "install_error_handlers"]

log = logging.getLogger(__name__)

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


async def _fullfinity_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, FullfinityError)
    if exc.status_code >= 500 and exc.type not in ("ServiceUnavailable", "TenantUnavailable", "UpgradeRequired"):
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


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.error("Unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "InternalError", "An internal error occurred; it has been logged.")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(FullfinityError, _fullfinity_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
