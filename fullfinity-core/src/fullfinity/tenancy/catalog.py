"""The tenant catalog: which database, on which server, holds each tenant.

It is a small database (``FULLFINITY_CATALOG_DB``) on the default server. Only server
*aliases* are stored; DSNs, which carry passwords, stay in configuration.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from fullfinity.engine.db import DatabaseManager, quote_ident

__all__ = ["Catalog", "TenantInfo"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS tenant (
    name        TEXT PRIMARY KEY,
    database    TEXT NOT NULL UNIQUE,
    server      TEXT NOT NULL DEFAULT 'default',
    state       TEXT NOT NULL DEFAULT 'creating'
                CHECK (state IN ('creating', 'active', 'maintenance', 'disabled')),
    demo        BOOLEAN NOT NULL DEFAULT false,
    hostnames   TEXT[] NOT NULL DEFAULT '{}',
    label       TEXT,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS template (
    name        TEXT PRIMARY KEY,
    server      TEXT NOT NULL,
    module_set  TEXT NOT NULL,
    demo        BOOLEAN NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
"""

COLUMNS = "name, database, server, state, demo, hostnames, label, created_at"


@dataclass(frozen=True)
class TenantInfo:
    """One catalog row."""

    name: str
    database: str
    server: str = "default"
    state: str = "creating"
    demo: bool = False
    hostnames: tuple[str, ...] = field(default=())
    label: str | None = None
    created_at: dt.datetime | None = None

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> TenantInfo:
        data: dict[str, Any] = dict(row)
        data["hostnames"] = tuple(data["hostnames"] or ())
        return cls(**data)


class Catalog:
    """Reads and writes the catalog database (created on first use)."""

    def __init__(self, db: DatabaseManager) -> None:
        self.db = db
        self._ready = False

    async def ensure(self) -> None:
        """Create the catalog database and its tables if they do not exist yet."""
        if self._ready:
            return
        name = self.db.settings.catalog_db
        async with self.db.admin_connection() as admin:
            exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
            if not exists:
                with contextlib.suppress(asyncpg.DuplicateDatabaseError):  # another process was faster
                    await admin.execute(f"CREATE DATABASE {quote_ident(name)}")
        async with self.db.catalog_connection() as conn:
            await conn.execute("SELECT pg_advisory_lock(727001)")
            try:
                await conn.execute(SCHEMA)
            finally:
                await conn.execute("SELECT pg_advisory_unlock(727001)")
        self._ready = True

    async def all(self) -> list[TenantInfo]:
        await self.ensure()
        async with self.db.catalog_connection() as conn:
            rows = await conn.fetch(f"SELECT {COLUMNS} FROM tenant ORDER BY name")
        return [TenantInfo.from_row(r) for r in rows]

    async def get(self, name: str) -> TenantInfo | None:
        await self.ensure()
        async with self.db.catalog_connection() as conn:
            row = await conn.fetchrow(f"SELECT {COLUMNS} FROM tenant WHERE name = $1", name)
        return TenantInfo.from_row(row) if row else None

    async def by_hostname(self, hostname: str) -> TenantInfo | None:
        await self.ensure()
        async with self.db.catalog_connection() as conn:
            row = await conn.fetchrow(f"SELECT {COLUMNS} FROM tenant WHERE $1 = ANY(hostnames)", hostname)
        return TenantInfo.from_row(row) if row else None

    async def count(self) -> int:
        await self.ensure()
        async with self.db.catalog_connection() as conn:
            return int(await conn.fetchval("SELECT count(*) FROM tenant"))

    async def insert(self, info: TenantInfo) -> bool:
        """Record a new tenant; False if the name (or database) is already taken."""
        await self.ensure()
        async with self.db.catalog_connection() as conn:
            try:
                await conn.execute(
                    "INSERT INTO tenant (name, database, server, state, demo, hostnames, label) "
                    "VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    info.name,
                    info.database,
                    info.server,
                    info.state,
                    info.demo,
                    list(info.hostnames),
                    info.label,
                )
            except asyncpg.UniqueViolationError:
                return False
        return True

    async def set_state(self, name: str, state: str) -> None:
        await self.ensure()
        async with self.db.catalog_connection() as conn:
            await conn.execute("UPDATE tenant SET state = $2 WHERE name = $1", name, state)

    async def delete(self, name: str) -> None:
        await self.ensure()
        async with self.db.catalog_connection() as conn:
            await conn.execute("DELETE FROM tenant WHERE name = $1", name)
