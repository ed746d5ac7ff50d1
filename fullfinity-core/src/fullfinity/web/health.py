"""``GET /health``: liveness and readiness, no tenant needed."""

from __future__ import annotations

import asyncio

import orjson
from fastapi import APIRouter, Request
from starlette.responses import Response

from fullfinity import __version__
from fullfinity.plugins import hookimpl

router = APIRouter()


@router.get("/health", tags=["system"], summary="Liveness and readiness")
async def health(request: Request) -> Response:
    """Status, version, database reachability, cache state and the number of known tenants."""
    runtime = request.app.state.fullfinity
    body: dict[str, object] = {"status": "ok", "version": __version__, "database": "ok",
                               "cache": "local" if not runtime.settings.cache_url else "ok", "tenants": None}
    try:
        body["tenants"] = await asyncio.wait_for(runtime.catalog.count(), 5)
    except Exception:
        body["status"] = "degraded"
        body["database"] = "error"
    status = 200 if body["database"] == "ok" else 503
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")


@hookimpl
def fullfinity_register_routers() -> APIRouter:
    return router
