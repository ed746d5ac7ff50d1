"""Connection pools under one budget.

- ``PoolManager`` keeps one small pool per (server, database), created lazily, and
  shares a global connection budget between them: when opening a connection would
  exceed it, idle connections of the least recently used pools are closed first; pools
  idle for ``db_pool_idle_seconds`` are closed entirely. 500 tenants therefore never
  hold 500 pools' worth of connections.
- Read-only connections (``read_only=True``) form a pool of their own per database,
  opened with ``default_transaction_read_only``: requests that only read run on them
  without ``BEGIN``/``COMMIT``, and PostgreSQL itself refuses any write made there.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict, deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import asyncpg
import orjson

from fullfinity.engine.database.faults import is_connection_lost
from fullfinity.exceptions import ServiceUnavailable

__all__ = ["Connection", "PoolManager", "init_connection"]

log = logging.getLogger(__name__)

Connection = asyncpg.Connection


async def init_connection(conn: Connection) -> None:
    """Per-connection setup: JSON codecs through orjson (exact, fast)."""
    for typename in ("json", "jsonb"):
        await conn.set_type_codec(
            typename,
            encoder=lambda v: orjson.dumps(v).decode(),
            decoder=orjson.loads,
            schema="pg_catalog",
        )


PoolKey = tuple[str, str, bool]  # (server, database, read_only)


@dataclass(eq=False)
class _Pool:
    key: PoolKey
    dsn: str
    idle: deque[Connection] = field(default_factory=deque)
    size: int = 0  # open connections, idle or in use
    last_used: float = field(default_factory=time.monotonic)
    #: Acquirers waiting while all ``pool_size`` connections are in use, first come first served:
    #: a released connection is handed to the first one (``None``: a slot was freed, retry).
    waiters: deque[asyncio.Future[Connection | None]] = field(default_factory=deque)


class PoolManager:
    """Lazily created per-database pools sharing one connection budget (LRU eviction)."""

    def __init__(
        self,
        *,
        budget: int = 50,
        pool_size: int = 10,
        idle_seconds: float = 300,
        acquire_timeout: float = 10,
        statement_timeout: float = 0,
    ) -> None:
        self.budget = budget
        self.pool_size = pool_size
        self.idle_seconds = idle_seconds
        self.acquire_timeout = acquire_timeout
        self.statement_timeout = statement_timeout
        self._pools: OrderedDict[PoolKey, _Pool] = OrderedDict()
        self._owner: dict[int, _Pool] = {}
        self._total = 0
        #: Acquirers waiting for room in the global budget (woken with ``None`` to retry).
        self._budget_waiters: deque[asyncio.Future[Connection | None]] = deque()
        self._started = False
        self._sweeper: asyncio.Task[None] | None = None

    # -- introspection ---------------------------------------------------------------
    @property
    def open_connections(self) -> int:
        return self._total

    def pool_keys(self) -> list[tuple[str, str]]:
        """(server, database) of every open pool, least recently used first."""
        return list(dict.fromkeys((server, database) for server, database, _ in self._pools))

    # -- acquire / release -----------------------------------------------------------
    def _start(self) -> None:
        if not self._started:
            self._started = True
            self._sweeper = asyncio.get_running_loop().create_task(self._sweep_forever())

    async def acquire(self, server: str, database: str, dsn: str, *, read_only: bool = False) -> Connection:
        """A connection to ``database`` on ``server``: an idle one of its pool, or a new one.

        ``read_only`` connections come from a pool of their own, opened with
        ``default_transaction_read_only=on``.

        When all of the pool's connections are busy, waits for the next one released (first
        come, first served). Opening a new connection over the budget first closes an idle
        connection of the least recently used other pool; when nothing can be freed, waits.
        After ``acquire_timeout`` seconds of waiting, raises ``ServiceUnavailable``.
        """
        self._start()
        key = (server, database, read_only)
        deadline = time.monotonic() + self.acquire_timeout
        to_close: list[Connection] = []
        while True:
            # Looked up on every turn: while we waited, close_pool() or the last
            # connection being discarded may have removed the pool.
            pool = self._pools.get(key)
            if pool is None:
                pool = self._pools[key] = _Pool(key, dsn)
            pool.last_used = time.monotonic()
            self._pools.move_to_end(key)
            while pool.idle:
                conn = pool.idle.pop()
                if not conn.is_closed():
                    return conn
                self._forget(pool, conn)
            if pool.size < self.pool_size:
                if self._total < self.budget or self._evict_one(pool, to_close):
                    pool.size += 1
                    self._total += 1
                    break
                waiters = self._budget_waiters
            else:
                waiters = pool.waiters
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ServiceUnavailable(
                    f"No database connection available for {database} within {self.acquire_timeout:g}s "
                    f"({self._total}/{self.budget} connections open, at most {self.pool_size} per database). "
                    f"Retry later, or raise FULLFINITY_DB_MAX_CONNECTIONS / FULLFINITY_DB_POOL_SIZE."
                )
            handed = await self._wait(waiters, remaining)
            if handed is not None:
                return handed
        for old in to_close:
            await _close_quietly(old)
        try:
            conn = await self._connect(dsn, database, read_only)
        except BaseException:
            pool.size -= 1
            self._total -= 1
            self._drop_if_empty(pool)
            self._slot_freed(pool)
            raise
        self._owner[id(conn)] = pool
        return conn

    async def _wait(self, waiters: deque[asyncio.Future[Connection | None]], timeout: float) -> Connection | None:
        """Wait in ``waiters`` for a handed-over connection (or ``None``: retry) for up to ``timeout``."""
        waiter: asyncio.Future[Connection | None] = asyncio.get_running_loop().create_future()
        waiters.append(waiter)
        try:
            # asyncio.timeout, never wait_for: on Python 3.11 wait_for can swallow a cancellation.
            async with asyncio.timeout(timeout):
                return await waiter
        except TimeoutError:
            # Handed a connection in the same turn as the timeout: take it.
            return waiter.result() if waiter.done() and not waiter.cancelled() else None
        except BaseException:
            # Cancelled just as a connection was handed over: give it back, do not leak it.
            if waiter.done() and not waiter.cancelled() and waiter.result() is not None:
                await self.release(waiter.result())  # type: ignore[arg-type]
            raise
        finally:
            if not waiter.done():
                waiter.cancel()
            with contextlib.suppress(ValueError):
                waiters.remove(waiter)

    @staticmethod
    def _wake(waiters: deque[asyncio.Future[Connection | None]], value: Connection | None) -> bool:
        """Give ``value`` to the first live waiter; False when nobody waits."""
        while waiters:
            waiter = waiters.popleft()
            if not waiter.done():
                waiter.set_result(value)
                return True
        return False

    def _slot_freed(self, pool: _Pool) -> None:
        """A connection of ``pool`` was closed: one of its waiters may open one, budget waiters retry."""
        self._wake(pool.waiters, None)
        while self._wake(self._budget_waiters, None):
            pass

    async def _connect(self, dsn: str, database: str, read_only: bool = False) -> Connection:
        settings: dict[str, str] = {"default_transaction_read_only": "on"} if read_only else {}
        if self.statement_timeout:
            settings["statement_timeout"] = str(int(self.statement_timeout * 1000))
        try:
            conn = await asyncpg.connect(dsn, server_settings=settings or None, timeout=self.acquire_timeout)
        except asyncpg.InvalidCatalogNameError as exc:
            raise ServiceUnavailable(
                f"Database {database} does not exist on its server. If it belongs to a tenant, the catalog "
                f"and the server disagree: restore the database or drop the tenant."
            ) from exc
        except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
            raise ServiceUnavailable(f"Cannot connect to database {database}: {exc}") from exc
        await init_connection(conn)
        return conn

    def _evict_one(self, wanted: _Pool, to_close: list[Connection]) -> bool:
        """Free one budget slot by closing an idle connection of the LRU pool."""
        for pool in self._pools.values():  # oldest first
            if pool is not wanted and pool.idle:
                conn = pool.idle.popleft()
                self._forget(pool, conn)
                to_close.append(conn)
                self._drop_if_empty(pool)
                return True
        return False

    def _drop_if_empty(self, pool: _Pool) -> None:
        if pool.size == 0 and not pool.idle and self._pools.get(pool.key) is pool:
            del self._pools[pool.key]

    def _forget(self, pool: _Pool, conn: Connection) -> None:
        pool.size -= 1
        self._total -= 1
        self._owner.pop(id(conn), None)

    async def release(self, conn: Connection, *, discard: bool = False) -> None:
        """Give ``conn`` back to its pool (to the first waiter, if any), or close it.

        A connection is closed instead of kept when ``discard`` is set, when it is still
        inside a transaction (the caller failed half-way), when it is closed already, or
        when its pool was closed while it was in use (``close_pool`` before a DROP).
        """
        pool = self._owner.get(id(conn))
        if pool is None:
            await _close_quietly(conn)
            return
        detached = self._pools.get(pool.key) is not pool
        if discard or detached or conn.is_closed() or conn.is_in_transaction() or _busy(conn):
            self._forget(pool, conn)
            self._drop_if_empty(pool)
            self._slot_freed(pool)
            await _close_quietly(conn)
            return
        pool.last_used = time.monotonic()
        if self._wake(pool.waiters, conn):
            return
        pool.idle.append(conn)
        while self._wake(self._budget_waiters, None):  # an idle connection can now be evicted
            pass

    @contextlib.asynccontextmanager
    async def connection(
        self, server: str, database: str, dsn: str, *, read_only: bool = False
    ) -> AsyncIterator[Connection]:
        conn = await self.acquire(server, database, dsn, read_only=read_only)
        discard = False
        try:
            yield conn
        except BaseException as exc:
            # Never reuse a connection that failed half-way: still in a transaction, interrupted
            # mid-operation (cancelled: asyncpg would refuse it with "cannot switch to state"),
            # or broken. A broken one usually means the server restarted: its idle siblings
            # are dead too, so they go as well and the next request opens fresh ones.
            lost = is_connection_lost(exc)
            discard = lost or not isinstance(exc, Exception) or conn.is_in_transaction()
            if lost:
                await self.discard_idle(server)
            raise
        finally:
            await self.release(conn, discard=discard)

    async def discard_idle(self, server: str) -> None:
        """Close every idle connection to ``server`` (after one of them turned out broken)."""
        doomed: list[Connection] = []
        for pool in list(self._pools.values()):
            if pool.key[0] == server:
                while pool.idle:
                    conn = pool.idle.pop()
                    self._forget(pool, conn)
                    doomed.append(conn)
                self._drop_if_empty(pool)
                self._slot_freed(pool)
        for conn in doomed:
            conn.terminate()  # no goodbye: the server is gone or restarting

    # -- closing ---------------------------------------------------------------------
    async def close_pool(self, server: str, database: str) -> None:
        """Close the idle connections of one database (both pools) and forget its pools.

        Connections of those pools still in use are closed when they are released. Used
        before ``DROP DATABASE`` and by the idle sweep.
        """
        idle: list[Connection] = []
        for read_only in (False, True):
            pool = self._pools.pop((server, database, read_only), None)
            if pool:
                idle += pool.idle
                for conn in pool.idle:
                    self._forget(pool, conn)
                pool.idle.clear()
                self._slot_freed(pool)
                while self._wake(pool.waiters, None):  # they retry on a new pool
                    pass
        for conn in idle:
            await _close_quietly(conn)

    async def _sweep_forever(self) -> None:
        interval = max(0.05, min(self.idle_seconds / 4, 30.0))
        while self._sweeper is asyncio.current_task():  # close_all() unregisters it
            await asyncio.sleep(interval)
            try:
                await self.sweep()
            except Exception:  # the sweeper must outlive one failed close
                log.exception("Closing idle database pools failed")

    async def sweep(self) -> None:
        """Close pools unused for longer than ``idle_seconds`` (none of their connections in use)."""
        now = time.monotonic()
        databases: dict[tuple[str, str], bool] = {}
        for pool in self._pools.values():
            server, database, _ = pool.key
            quiet = pool.size == len(pool.idle) and now - pool.last_used > self.idle_seconds
            databases[server, database] = databases.get((server, database), True) and quiet
        for (server, database), stale in databases.items():
            if stale:
                await self.close_pool(server, database)

    async def close_all(self) -> None:
        """Stop the idle sweeper and close every idle connection (busy ones close on release).

        The manager stays usable: the next ``acquire`` starts over.
        """
        sweeper, self._sweeper = self._sweeper, None
        if sweeper is not None:
            sweeper.cancel()
            if sweeper.get_loop() is asyncio.get_running_loop():
                # asyncio.wait rather than `await sweeper`: the sweeper's CancelledError stays in
                # the sweeper, while a cancellation of *this* task still propagates.
                await asyncio.wait({sweeper}, timeout=5)
        for server, database in self.pool_keys():
            await self.close_pool(server, database)
        self._started = False


def _busy(conn: Connection) -> bool:
    """An operation of ``conn`` never finished (its task was cancelled mid-query): unusable."""
    protocol = getattr(conn, "_protocol", None)
    cancelling = getattr(protocol, "_is_cancelling", None)  # asyncpg internals: checked defensively
    return bool(cancelling()) if callable(cancelling) else False


async def _close_quietly(conn: Connection) -> None:
    """Close gracefully within 5 s; otherwise (error, timeout, cancellation) drop the socket."""
    try:
        async with asyncio.timeout(5):
            await conn.close()
    except Exception:
        conn.terminate()
    except BaseException:
        conn.terminate()
        raise
