"""Helpers for ORM tests: a registry of given models on a database, and rolled-back environments."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import asyncpg

from fullfinity.engine.cache import Cache
from fullfinity.engine.database.schema import sync_schema
from fullfinity.engine.db import init_connection
from fullfinity.engine.env import Environment
from fullfinity.engine.records.registry import Registry

__all__ = ["connect", "env_on", "registry_on"]


async def connect(dsn: str) -> asyncpg.Connection:
    conn = await asyncpg.connect(dsn)
    await init_connection(conn)
    return conn


async def registry_on(dsn: str, *models: type[Any]) -> Registry:
    """Compose ``models`` and create their tables in the database at ``dsn``."""
    registry = Registry.from_models(*models)
    conn = await connect(dsn)
    try:
        await sync_schema(conn, registry)
    finally:
        await conn.close()
    return registry


@contextlib.asynccontextmanager
async def env_on(
    dsn: str,
    registry: Registry,
    *,
    commit: bool = False,
    uid: int | None = None,
    context: dict[str, Any] | None = None,
    tenant: str = "test",
    cache: Cache | None = None,
) -> AsyncIterator[Environment]:
    """A bound environment in one transaction, rolled back at the end unless ``commit``.

    With ``cache``, the environment uses it (``.cached()`` querysets) and a commit bumps the
    generations of the written models, as a request does.
    """
    conn = await connect(dsn)
    try:
        transaction = conn.transaction()
        await transaction.start()
        env = Environment(tenant=tenant, registry=registry, conn=conn, uid=uid, context=context, cache=cache)
        try:
            with env.bind():
                await env.load_access()
                yield env
        except BaseException:
            await transaction.rollback()
            env.rolled_back()
            raise
        if commit:
            await transaction.commit()
            await env.committed()
        else:
            await transaction.rollback()
            env.rolled_back()
    finally:
        await conn.close()
