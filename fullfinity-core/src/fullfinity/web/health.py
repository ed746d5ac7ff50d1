"""``GET /health``: liveness and readiness, no tenant needed.

Answers 200 with ``status: ok`` when the catalog database answers, ``status: degraded``
(still 200) when only the cache is down, and 503 when the database is unreachable.
"""

from __future__ import annotations

import asyncio
import logging

import orjson
from fastapi import APIRouter, Request
from starlette.responses import Response

from fullfinity import __version__
from fullfinity.plugins import hookimpl

router = APIRouter()

log = logging.getLogger(__name__)

CHECK_TIMEOUT = 5.0


@router.get("/health", tags=["system"], summary="Liveness and readiness")
async def health(request: Request) -> Response:
    """Status, version, database reachability, cache state and the number of known tenants."""
    runtime = request.app.state.fullfinity
    body: dict[str, object] = {
        "status": "ok",
        "version": __version__,
        "database": "ok",
        # local | ok | degraded: the runtime cache PINGs its server (fullfinity.engine.cache).
        "cache": await runtime.cache.health(),
        "tenants": None,
    }
    try:
        async with asyncio.timeout(CHECK_TIMEOUT):
            body["tenants"] = await runtime.catalog.count()
    except Exception as exc:
        log.warning("Health check: the catalog database does not answer: %s", exc)
        body["database"] = "error"
    if body["database"] != "ok" or body["cache"] == "degraded":
        body["status"] = "degraded"
    status = 200 if body["database"] == "ok" else 503
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")


@hookimpl
def fullfinity_register_routers() -> APIRouter:
    return router
