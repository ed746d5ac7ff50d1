"""Limits that keep one request from holding the server (issue 7, item 5).

- Page size: ``limit`` defaults to 80 and may not exceed ``FULLFINITY_API_MAX_LIMIT`` (400).
- Counting: ``total`` is exact up to ``COUNT_CAP`` unless the request asks for an exact count.
- Request body: at most ``FULLFINITY_API_MAX_BODY_SIZE`` bytes (413), checked against
  ``Content-Length`` before anything is read and while reading a chunked body.
- Query time: every statement runs under the connection's ``statement_timeout``
  (``FULLFINITY_DB_STATEMENT_TIMEOUT``); a cancelled statement is answered 503 with a
  message saying so (``fullfinity.engine.database.errors``).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import HTTPException, Request
from fastapi.routing import APIRoute
from starlette.responses import Response
from starlette.types import Message, Receive

from fullfinity.exceptions import BadRequest
from fullfinity.settings import Settings, get_settings
from fullfinity.web.errors import error_response

__all__ = ["COUNT_CAP", "DEFAULT_LIMIT", "LimitedRoute", "check_limit", "request_settings"]

DEFAULT_LIMIT = 80
#: ``total`` is counted exactly up to this many records unless ``"total": "exact"`` is asked for.
COUNT_CAP = 10_000


def request_settings(request: Request) -> Settings:
    runtime = getattr(request.app.state, "fullfinity", None)
    return runtime.settings if runtime is not None else get_settings()


def check_limit(limit: int | None, settings: Settings) -> int:
    """The page size to use; ``BadRequest`` above ``FULLFINITY_API_MAX_LIMIT``."""
    if limit is None:
        return min(DEFAULT_LIMIT, settings.api_max_limit)
    if limit > settings.api_max_limit:
        raise BadRequest(
            f"limit {limit} is above the maximum page size {settings.api_max_limit} (FULLFINITY_API_MAX_LIMIT); "
            f"page through the records with offset.",
            details=[{"path": "limit", "message": f"at most {settings.api_max_limit}"}],
        )
    return limit


def _too_large(cap: int) -> str:
    return f"The request body is larger than {cap} bytes (FULLFINITY_API_MAX_BODY_SIZE)."


def _capped(receive: Receive, cap: int) -> Receive:
    seen = 0

    async def wrapped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > cap:
                raise HTTPException(status_code=413, detail=_too_large(cap))
        return message

    return wrapped


class LimitedRoute(APIRoute):
    """An API route refusing request bodies above ``FULLFINITY_API_MAX_BODY_SIZE`` with 413."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def limited(request: Request) -> Response:
            cap = request_settings(request).api_max_body_size
            length = request.headers.get("content-length")
            if length is not None:
                if not length.strip().isdigit():
                    return error_response(
                        400, "BadRequest", f"Content-Length must be a number of bytes, got {length!r}."
                    )
                if int(length) > cap:
                    return error_response(413, "PayloadTooLarge", _too_large(cap))
            elif request.method in ("POST", "PUT", "PATCH", "DELETE"):
                request = Request(request.scope, _capped(request.receive, cap))
            return await handler(request)

        return limited
