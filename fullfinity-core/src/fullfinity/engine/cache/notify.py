"""Invalidations of the in-process cache shared through PostgreSQL ``NOTIFY``.

Without ``FULLFINITY_CACHE_URL`` every process keeps its own ``LocalCache``. A write made
by another process (``fullfinity user ...`` next to a running server, a script using
``tenant_env``) must still reach the server: its bumps are published on the tenant
catalog's channel ``ff_invalidate`` with ``pg_notify``, and every process that listens
(the servers: ``LocalCache.listen``) applies them to its own generations.

The guarantee is weaker than Valkey's: a notification arrives a few milliseconds after
the writer committed, not before its commit returned. When the listening connection is
lost, the listener cannot know what it missed: on reconnecting it invalidates everything
it holds (``LocalCache.reset``).

Publishing is coalesced like a group commit: ``publish`` returns once its message went out, but
messages published while a send is in flight wait for the next one and go together, in one
statement on one catalog connection. Under concurrent writes a worker thus spends one round trip
per batch instead of one per request, and the guarantee above is unchanged.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import asyncpg
import orjson

if TYPE_CHECKING:
    from fullfinity.engine.database.servers import DatabaseManager

__all__ = ["CHANNEL", "PgBroadcast"]

log = logging.getLogger(__name__)

CHANNEL = "ff_invalidate"
#: pg_notify payloads are limited to 8000 bytes; bigger bumps are sent as "everything".
MAX_PAYLOAD = 7900
RETRY_SECONDS = 1.0

Receiver = Callable[[dict[str, Any]], None]


class PgBroadcast:
    """Publishes cache bumps on the catalog database and listens for other processes' ones."""

    def __init__(self, db: DatabaseManager) -> None:
        self.db = db
        #: Messages of this process carry its origin and are ignored when they come back.
        self.origin = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._task: asyncio.Task[None] | None = None
        self.listening = asyncio.Event()
        #: Payloads waiting for the next send, and the future their publishers wait on.
        self._pending: dict[str, None] = {}
        self._next: asyncio.Future[None] | None = None
        self._sender: asyncio.Task[None] | None = None

    async def publish(self, message: dict[str, Any]) -> None:
        """Send ``message`` to the other processes; returns once it was sent (with the messages
        published meanwhile). Failures are logged: the write is committed, other processes miss it."""
        payload = orjson.dumps({**message, "origin": self.origin}).decode()
        if len(payload) > MAX_PAYLOAD:
            payload = orjson.dumps({"tenant": message.get("tenant"), "all": True, "origin": self.origin}).decode()
        self._pending[payload] = None  # identical bumps in one batch are one bump: generations only need to move
        if self._next is None:
            self._next = asyncio.get_running_loop().create_future()
        waiting = self._next
        if self._sender is None:
            self._sender = asyncio.get_running_loop().create_task(self._send_batches())
        await asyncio.shield(waiting)  # a cancelled publisher must not cancel the others' batch

    async def _send_batches(self) -> None:
        try:
            while self._pending:
                batch, self._pending = list(self._pending), {}
                done, self._next = self._next, None
                try:
                    async with self.db.catalog_connection() as conn:
                        await conn.execute("SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p", CHANNEL, batch)
                except Exception as exc:  # the catalog may be unreachable: other processes then miss these
                    log.warning("Could not publish %d cache invalidation(s) to other processes: %s", len(batch), exc)
                finally:
                    if done is not None and not done.done():
                        done.set_result(None)
        finally:
            self._sender = None
            if self._next is not None and not self._next.done():  # cancelled mid-batch (shutdown)
                self._next.set_result(None)
                self._next = None

    def listen(self, receive: Receiver, lost: Callable[[], None]) -> None:
        """Listen in the background: ``receive(message)`` per foreign message, ``lost()`` after a
        reconnection (messages may have been missed)."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._listen_forever(receive, lost))

    async def close(self) -> None:
        if self._sender is not None:  # what was published before closing still goes out
            await asyncio.wait({self._sender}, timeout=5)
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.wait({task}, timeout=5)

    async def _listen_forever(self, receive: Receiver, lost: Callable[[], None]) -> None:
        connected_before = False
        while True:
            conn: asyncpg.Connection | None = None
            try:
                dsn = self.db.dsn("default", self.db.settings.catalog_db)
                conn = await asyncpg.connect(dsn, timeout=self.db.settings.db_acquire_timeout)
                await conn.add_listener(CHANNEL, lambda *args: self._received(args[-1], receive))
                if connected_before:
                    lost()
                connected_before = True
                self.listening.set()
                while not conn.is_closed():
                    await asyncio.sleep(RETRY_SECONDS)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("Cache invalidation listener lost its connection (%s); retrying.", exc)
            finally:
                self.listening.clear()
                if conn is not None:
                    with contextlib.suppress(Exception):
                        conn.terminate()
            await asyncio.sleep(RETRY_SECONDS)

    def _received(self, payload: str, receive: Receiver) -> None:
        try:
            message = orjson.loads(payload)
        except orjson.JSONDecodeError:
            log.warning("Ignoring a malformed cache invalidation: %.200s", payload)
            return
        if isinstance(message, dict) and message.get("origin") != self.origin:
            receive(message)
