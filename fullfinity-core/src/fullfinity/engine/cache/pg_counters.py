"""Window counters in PostgreSQL: what rate limits count with when no Valkey server is configured.

Without ``FULLFINITY_CACHE_URL`` every worker has its own in-process cache, but all of them (on
one machine or several) share the catalog database. Counters live there, in one UNLOGGED table,
one row per ``(tenant, namespace, key)``, and each count is a single ``INSERT ... ON CONFLICT
DO UPDATE ... RETURNING``: PostgreSQL locks the row for the statement, so two workers counting
at the same moment always get two different values and a burst spread across workers cannot
slip past a limit. The window is the server's clock, like Valkey's ``PEXPIRE``.

UNLOGGED: counters need not survive a crash of the database server (an emptied table forgets
at most one window of failed logins), and skipping the WAL keeps a count at one cheap statement.
Expired rows are deleted now and then by the process that counts (at most once a minute).

While the catalog database is unreachable ``count`` answers ``None`` and the caller falls back
to its per-process counters, as with Valkey down.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import TYPE_CHECKING

import asyncpg

from fullfinity.exceptions import ServiceUnavailable

if TYPE_CHECKING:
    from fullfinity.engine.db import DatabaseManager

__all__ = ["PgCounters"]

log = logging.getLogger(__name__)

TABLE = "window_counter"

DDL = f"""
CREATE UNLOGGED TABLE IF NOT EXISTS {TABLE} (
    tenant     TEXT NOT NULL,
    namespace  TEXT NOT NULL,
    key        TEXT NOT NULL,
    ends       TIMESTAMPTZ NOT NULL,
    value      INTEGER NOT NULL,
    PRIMARY KEY (tenant, namespace, key)
)
"""

# $4: the window in seconds; $5: the count that restarts the window (0: none).
COUNT_SQL = f"""
INSERT INTO {TABLE} AS c (tenant, namespace, key, ends, value)
VALUES ($1, $2, $3, clock_timestamp() + make_interval(secs => $4), 1)
ON CONFLICT (tenant, namespace, key) DO UPDATE SET
    value = CASE WHEN c.ends <= clock_timestamp() THEN 1 ELSE c.value + 1 END,
    ends = CASE
        WHEN c.ends <= clock_timestamp() OR c.value + 1 = $5 THEN clock_timestamp() + make_interval(secs => $4)
        ELSE c.ends
    END
RETURNING value, extract(epoch FROM ends - clock_timestamp())::float8
"""

UNCOUNT_SQL = f"DELETE FROM {TABLE} WHERE tenant = $1 AND namespace = $2 AND key = $3"
PURGE_SQL = f"DELETE FROM {TABLE} WHERE ends < clock_timestamp()"

#: Seconds between two purges of expired rows by one process.
PURGE_EVERY = 60.0

_FAILURES = (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError, ServiceUnavailable)


class PgCounters:
    """Atomic fixed-window counters in the catalog database (see the module docstring)."""

    def __init__(self, db: DatabaseManager) -> None:
        self.db = db
        self._ready = False
        self._ready_lock = asyncio.Lock()
        self._purged_at = time.monotonic()

    async def count(
        self, tenant: str, namespace: str, key: str, *, window: float, renew_at: int | None = None
    ) -> tuple[int, float] | None:
        """One more; ``(count, seconds left in the window)``, or ``None`` when the catalog is unreachable."""
        try:
            await self._ensure()
            async with self.db.catalog_connection() as conn:
                row = await conn.fetchrow(COUNT_SQL, tenant, namespace, key, float(window), renew_at or 0)
                if time.monotonic() - self._purged_at > PURGE_EVERY:
                    self._purged_at = time.monotonic()
                    await conn.execute(PURGE_SQL)
        except _FAILURES as exc:
            log.warning("Counting in PostgreSQL failed (%s); counting in this process until it is back.", exc)
            return None
        assert row is not None
        return int(row[0]), max(0.0, float(row[1]))

    async def uncount(self, tenant: str, namespace: str, key: str) -> None:
        """Forget a counter; a failure is logged (the counter then expires with its window)."""
        try:
            await self._ensure()
            async with self.db.catalog_connection() as conn:
                await conn.execute(UNCOUNT_SQL, tenant, namespace, key)
        except _FAILURES as exc:
            log.warning("Could not clear a counter in PostgreSQL: %s", exc)

    async def _ensure(self) -> None:
        if self._ready:
            return
        async with self._ready_lock:
            if not self._ready:
                async with self.db.catalog_connection() as conn:
                    # Two processes creating the table at once: the slower one meets the other's type.
                    with contextlib.suppress(asyncpg.UniqueViolationError, asyncpg.DuplicateTableError):
                        await conn.execute(DDL)
                self._ready = True
