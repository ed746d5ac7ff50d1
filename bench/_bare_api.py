"""The baseline of bench/api_bench.py: bare FastAPI + raw asyncpg returning the same 80 rows x 3 fields."""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import orjson
from fastapi import FastAPI
from starlette.responses import Response

SQL = "SELECT id, name, priority, hours FROM bench_ticket WHERE owner_id = $1 ORDER BY id LIMIT 80"


def create_bare() -> FastAPI:
    dsn, uid = os.environ["BENCH_TENANT_DSN"], int(os.environ["BENCH_UID"])
    state: dict[str, Any] = {}

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state["pool"] = await asyncpg.create_pool(dsn, min_size=4, max_size=10)
        yield
        await state["pool"].close()

    app = FastAPI(lifespan=lifespan)

    @app.get("/rows")
    async def rows() -> Response:
        async with state["pool"].acquire() as conn:
            records = await conn.fetch(SQL, uid)
        return Response(orjson.dumps({"data": [dict(r) for r in records]}), media_type="application/json")

    return app
