"""The Valkey/Redis backend: shared entries and generations, a hot copy per process, pub/sub invalidation.

Costs and guarantees (docs/cache.md has the long form):

- Each lookup runs one small Lua script that returns the current generations (creating a
  missing counter with a random start, so a counter lost to a restart or an eviction can
  never return to a value an old entry was filed under). A hit in the hot copy ends there;
  otherwise one more round trip fetches the entry. A bump is one script that increments
  the counters and publishes the invalidation, so ``committed()`` returns only after every
  later read in any process sees the new generation.
- Every operation has a short timeout (``timeout``, 200 ms). A failure marks the cache
  unavailable: lookups miss without touching the network, stores are skipped, the hot
  copy is emptied and not used, bumps are kept to be replayed, and a warning is logged
  once per outage (at most once per ``warn_interval``). A background task reconnects with
  backoff; on success it replays the pending bumps, empties the hot copy, resubscribes
  and only then marks the cache available again.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import secrets
import time
from collections.abc import Sequence
from typing import Any, cast

import orjson
import redis.asyncio as redis
from redis.asyncio.client import PubSub
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import NoScriptError, RedisError

from fullfinity.engine.cache.resp import RespConnection
from fullfinity.engine.cache.store import (
    ALL,
    DEFAULT_TTL,
    INVALIDATE_CHANNEL,
    REGISTRY_CHANNEL,
    Cache,
    CacheStatus,
)

__all__ = ["ValkeyCache", "redis_url"]

log = logging.getLogger(__name__)

_FAILURES = (RedisError, OSError, TimeoutError)
#: Seconds a counter increment (login throttling) may take before the per-process fallback.
COUNT_TIMEOUT = 1.0

# KEYS[1]: a window counter; ARGV[1]: the window in ms; ARGV[2]: the count renewing the window (0: none).
_COUNT_LUA = """
local n = redis.call('INCR', KEYS[1])
if n == 1 or n == tonumber(ARGV[2]) then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return {n, redis.call('PTTL', KEYS[1])}
"""

# KEYS: generation counters; ARGV[i]: the random start of KEYS[i] if it does not exist yet.
_GENERATIONS_LUA = """
local out = {}
for i, key in ipairs(KEYS) do
  local value = redis.call('GET', key)
  if not value then
    value = ARGV[i]
    redis.call('SET', key, value)
  end
  out[i] = value
end
return out
"""

# KEYS: counters to bump; ARGV[1]: channel, ARGV[2]: message, ARGV[2 + i]: random start of KEYS[i].
_BUMP_LUA = """
for i, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 then
    redis.call('INCR', key)
  else
    redis.call('SET', key, ARGV[2 + i])
  end
end
redis.call('PUBLISH', ARGV[1], ARGV[2])
return #KEYS
"""


_SHA1 = {source: hashlib.sha1(source.encode()).hexdigest() for source in (_GENERATIONS_LUA, _BUMP_LUA, _COUNT_LUA)}


def redis_url(url: str) -> str:
    """``valkey://`` / ``valkeys://`` URLs as the redis client spells them (``redis://`` / ``rediss://``)."""
    for ours, theirs in (("valkeys://", "rediss://"), ("valkey://", "redis://")):
        if url.startswith(ours):
            return theirs + url[len(ours) :]
    return url


def _random_start() -> int:
    return secrets.randbits(48)


class _SharedRead:
    """The state of ``ValkeyCache.generations`` for one set of counters."""

    __slots__ = ("in_flight", "next")

    def __init__(self) -> None:
        self.in_flight = False
        self.next: asyncio.Future[tuple[int, ...] | None] | None = None


class ValkeyCache(Cache):
    """Entries and generation counters on a Valkey/Redis server, shared by every worker process."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 0.2,
        reconnect_max: float = 5.0,
        warn_interval: float = 60.0,
        hot_entries: int = 2048,
        hot_bytes: int = 32 * 1024 * 1024,
        default_ttl: float = DEFAULT_TTL,
    ) -> None:
        super().__init__(hot_entries=hot_entries, hot_bytes=hot_bytes, default_ttl=default_ttl)
        self.url = redis_url(url)
        self.timeout = timeout
        self.reconnect_max = reconnect_max
        self.warn_interval = warn_interval
        self._available = False
        self._down_since: float | None = None
        self._last_warning = -float("inf")
        self._loop: asyncio.AbstractEventLoop | None = None
        self._client: redis.Redis | None = None
        #: the generations' reads, on a lean connection of their own (``resp.py``); None: through ``_client``
        self._reader: RespConnection | None = None
        self._pubsub: PubSub | None = None
        self._supervisor: asyncio.Task[None] | None = None
        self._settled = asyncio.Event()  # the first connection attempt has finished
        self._wake = asyncio.Event()  # cut the reconnect backoff short
        self._pending: dict[str, set[str]] = {}
        self._pending_registry: set[str] = set()
        #: generations(): per (tenant, namespaces), the next read's waiters (see ``generations``).
        self._reads: dict[tuple[str, tuple[str, ...]], _SharedRead] = {}
        self._serving: set[asyncio.Task[None]] = set()

    # -- status and lifecycle ---------------------------------------------------------------------
    @property
    def status(self) -> CacheStatus:
        return "ok" if self._available else "degraded"

    @property
    def server(self) -> str:
        """The server address without credentials (for messages)."""
        return self.url.rsplit("@", 1)[-1]

    def start(self) -> None:
        """Connect and subscribe in the background when called inside an event loop (else on first use)."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return
        self._ensure_started()

    async def close(self) -> None:
        task, self._supervisor = self._supervisor, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._close_pubsub()
        client, self._client = self._client, None
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        if client is not None:
            with contextlib.suppress(*_FAILURES):
                await client.aclose()
        self._available = False
        self._loop = None
        self.hot.clear()

    async def health(self) -> CacheStatus:
        """PING the server now: a failure degrades the cache, an answer while degraded triggers a reconnect."""
        if not await self._usable():
            self._wake.set()
            return self.status
        client = self._client
        assert client is not None
        try:
            async with asyncio.timeout(self.timeout):
                await client.ping()
        except _FAILURES as exc:
            self._mark_down(exc)
        return self.status

    def _ensure_started(self) -> None:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            # First use, or a new event loop (a script calling asyncio.run twice): connections
            # belong to the loop that made them, so start afresh.
            self._loop = loop
            self._client = redis.Redis.from_url(
                self.url,
                socket_timeout=self.timeout,
                socket_connect_timeout=self.timeout,
                retry=Retry(NoBackoff(), 0),
                client_name="fullfinity",
            )
            if self._reader is not None:
                self._reader.close()
            self._reader = RespConnection.for_client(self._client, self.timeout)
            self._pubsub = None
            self._available = False
            self._reads = {}
            self._settled = asyncio.Event()
            self._wake = asyncio.Event()
            self.hot.clear()
            self._supervisor = None
        if self._supervisor is None or self._supervisor.done():
            self._supervisor = loop.create_task(self._supervise(), name=f"fullfinity-cache {self.server}")

    async def _usable(self) -> bool:
        self._ensure_started()
        if not self._available and not self._settled.is_set():
            # Right after start-up: give the first connection attempt its chance.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.timeout * 5):
                    await self._settled.wait()
        return self._available

    def hot_usable(self) -> bool:
        return self._available

    # -- connection supervision ----------------------------------------------------------------------
    async def _supervise(self) -> None:
        delay = self.timeout
        while True:
            try:
                await self._connect()
                delay = self.timeout
                await self._listen()
            except _FAILURES as exc:
                self._mark_down(exc)
            except Exception as exc:  # never let the supervisor die: degrade and retry
                log.exception("Unexpected error in the cache connection task")
                self._mark_down(exc)
            finally:
                self._settled.set()
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(delay):
                    await self._wake.wait()
            delay = min(delay * 2, self.reconnect_max)

    async def _connect(self) -> None:
        await self._close_pubsub()
        client = self._client
        assert client is not None
        async with asyncio.timeout(self.timeout * 5):
            await client.ping()
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            self._pubsub = pubsub
            await pubsub.subscribe(INVALIDATE_CHANNEL, REGISTRY_CHANNEL)
        await self._replay_pending()
        # Invalidations may have been missed while disconnected: start from an empty hot copy.
        self.hot.clear()
        self._available = True
        self._settled.set()
        if self._down_since is not None:
            log.info(
                "Cache server %s is reachable again after %.1f s; local cache copies flushed.",
                self.server,
                time.monotonic() - self._down_since,
            )
            self._down_since = None

    async def _listen(self) -> None:
        pubsub = self._pubsub
        assert pubsub is not None
        while self._available:
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
            if message is not None and message.get("type") == "message":
                self._receive(message["channel"], message["data"])

    def _receive(self, channel: bytes | str, data: bytes | str) -> None:
        name = channel.decode() if isinstance(channel, bytes) else channel
        try:
            message = orjson.loads(data)
            tenant = message["tenant"]
            namespaces = message.get("namespaces") if name == INVALIDATE_CHANNEL else None
            if not isinstance(tenant, str) or not (namespaces is None or isinstance(namespaces, list)):
                raise TypeError("tenant must be a string and namespaces a list")
        except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
            log.debug("Ignoring malformed message on %s: %r (%s)", name, data, exc)
            return
        if name == INVALIDATE_CHANNEL:
            self.hot.drop(tenant, [str(n) for n in namespaces or ()])
        elif name == REGISTRY_CHANNEL:
            self.hot.drop(tenant)
            self._registry_received(tenant)

    async def _close_pubsub(self) -> None:
        pubsub, self._pubsub = self._pubsub, None
        if pubsub is not None:
            with contextlib.suppress(*_FAILURES):
                await cast(Any, pubsub).aclose()  # typed or not depending on the valkey release

    def _mark_down(self, exc: BaseException) -> None:
        self._available = False
        self.hot.clear()
        if self._reader is not None:
            self._reader.close()  # opened again on the first read after the reconnect
        now = time.monotonic()
        if self._down_since is None:
            self._down_since = now
            if now - self._last_warning >= self.warn_interval:
                self._last_warning = now
                log.warning(
                    "Cache server %s is unreachable (%s: %s); serving without the shared cache until it is back.",
                    self.server,
                    type(exc).__name__,
                    exc,
                )
                return
        log.debug("Cache server %s still unreachable: %s", self.server, exc)

    # -- primitives -----------------------------------------------------------------------------------
    async def _script(
        self, source: str, keys: Sequence[str], args: Sequence[Any], *, timeout: float | None = None
    ) -> Any:
        client = self._client
        assert client is not None
        async with asyncio.timeout(timeout or self.timeout):
            try:
                return await client.evalsha(_SHA1[source], len(keys), *keys, *args)
            except NoScriptError:  # first use on this server (or after a restart): EVAL loads it
                return await client.eval(source, len(keys), *keys, *args)

    async def count(
        self, tenant: str, namespace: str, key: str, *, window: float, now: float, renew_at: int | None = None
    ) -> tuple[int, float] | None:
        # Counters guard logins: the server is asked even while marked unavailable (one slow
        # lookup elsewhere can do that), with a longer timeout, before falling back to the
        # counters in PostgreSQL (shared by the workers too), then to this process's own.
        await self._usable()
        counter = f"ff:{tenant}:count:{namespace}:{key}"
        try:
            value, pttl = await self._script(
                _COUNT_LUA, [counter], [max(1, int(window * 1000)), renew_at or 0], timeout=COUNT_TIMEOUT
            )
        except _FAILURES as exc:
            self._mark_down(exc)
            if self._pg_counters is None:
                return None
            return await self._pg_counters.count(tenant, namespace, key, window=window, renew_at=renew_at)
        return int(value), (int(pttl) / 1000 if int(pttl) > 0 else window)

    async def uncount(self, tenant: str, namespace: str, key: str) -> None:
        if self._pg_counters is not None:  # failures counted there while the server was down
            await self._pg_counters.uncount(tenant, namespace, key)
        await self._usable()
        client = self._client
        if client is None:
            return
        try:
            async with asyncio.timeout(COUNT_TIMEOUT):
                await client.delete(f"ff:{tenant}:count:{namespace}:{key}")
        except _FAILURES as exc:
            self._mark_down(exc)

    async def _generations(self, tenant: str, namespaces: Sequence[str]) -> list[int] | None:
        if not await self._usable():
            return None
        keys = [f"ff:{tenant}:gen:{name}" for name in namespaces]
        try:
            raw = await self._script(_GENERATIONS_LUA, keys, [_random_start() for _ in keys])
        except _FAILURES as exc:
            self._mark_down(exc)
            return None
        return [int(value) for value in raw]

    async def generations(self, tenant: str, namespaces: Sequence[str]) -> tuple[int, ...] | None:
        """The counters' current values, read by one ``MGET`` shared by concurrent callers.

        Every request of a busy worker asks for the same counters (``fullfinity.auth.callers``).
        While one read is on its way, the callers arriving join the *next* read, which is only
        sent once that one is back: the read serving a caller always leaves after the caller
        arrived, so it sees every bump that had returned by then, exactly as a read of its own
        would, at a fraction of the round trips.
        """
        key = (tenant, tuple(namespaces))
        shared = self._reads.get(key)
        if shared is None:
            shared = self._reads[key] = _SharedRead()
        if shared.in_flight:
            if shared.next is None:
                shared.next = asyncio.get_running_loop().create_future()
            return await asyncio.shield(shared.next)
        shared.in_flight = True
        try:
            found = await self._read_generations(tenant, namespaces)
        finally:
            waiting, shared.next = shared.next, None
            if waiting is None:
                shared.in_flight = False
            else:  # they arrived during this read: one more read, sent now, serves them all
                task = asyncio.get_running_loop().create_task(self._serve(shared, waiting, tenant, namespaces))
                self._serving.add(task)
                task.add_done_callback(self._serving.discard)
        return found

    async def _serve(
        self,
        shared: _SharedRead,
        first: asyncio.Future[tuple[int, ...] | None],
        tenant: str,
        namespaces: Sequence[str],
    ) -> None:
        waiting: asyncio.Future[tuple[int, ...] | None] | None = first
        while waiting is not None:
            try:
                found = await self._read_generations(tenant, namespaces)
            except BaseException as exc:  # cancelled while closing: no waiter may hang
                for future in (waiting, shared.next):
                    if future is not None and not future.done():
                        if isinstance(exc, asyncio.CancelledError):
                            future.cancel()
                        else:
                            future.set_exception(exc)
                shared.in_flight, shared.next = False, None
                raise
            if not waiting.done():
                waiting.set_result(found)
            waiting, shared.next = shared.next, None
        shared.in_flight = False

    async def _read_generations(self, tenant: str, namespaces: Sequence[str]) -> tuple[int, ...] | None:
        """One ``MGET`` of the counters (cheaper than the script); when one does not exist, the
        script creates it from a random start, so a lost counter never reads as an earlier value."""
        if not await self._usable():
            return None
        client = self._client
        assert client is not None
        keys = [f"ff:{tenant}:gen:{name}" for name in namespaces]
        reader = self._reader
        raw: Sequence[bytes | str | None]
        try:
            if reader is not None:
                raw = await reader.mget(keys)  # its own timeout
            else:
                async with asyncio.timeout(self.timeout):
                    raw = await client.mget(keys)
        except _FAILURES as exc:
            self._mark_down(exc)
            return None
        values = [value for value in raw if value is not None]
        if len(values) < len(keys):
            found = await self._generations(tenant, namespaces)
            return None if found is None else tuple(found)
        return tuple(int(value) for value in values)

    async def _read(self, key: str) -> tuple[bytes, float] | None:
        client = self._client
        if not self._available or client is None:
            return None
        try:
            async with asyncio.timeout(self.timeout):
                async with client.pipeline(transaction=False) as pipe:
                    pipe.get(key)
                    pipe.pttl(key)
                    payload, pttl = await pipe.execute()
        except _FAILURES as exc:
            self._mark_down(exc)
            return None
        if payload is None:
            return None
        return cast(bytes, payload), (pttl / 1000 if pttl > 0 else self.default_ttl)

    async def _write(self, key: str, payload: bytes, ttl: float) -> None:
        client = self._client
        if not self._available or client is None:
            return
        try:
            async with asyncio.timeout(self.timeout):
                await client.set(key, payload, px=max(1, int(ttl * 1000)))
        except _FAILURES as exc:
            self._mark_down(exc)

    async def _bump(self, tenant: str, namespaces: Sequence[str], channel: str, message: dict[str, Any]) -> None:
        if await self._usable():
            try:
                await self._send_bump(tenant, namespaces, channel, message)
                return
            except _FAILURES as exc:
                self._mark_down(exc)
        # Replayed on reconnect, before the cache is used again.
        if channel == REGISTRY_CHANNEL:
            self._pending_registry.add(tenant)
        else:
            self._pending.setdefault(tenant, set()).update(namespaces)

    async def _send_bump(self, tenant: str, namespaces: Sequence[str], channel: str, message: dict[str, Any]) -> None:
        keys = [f"ff:{tenant}:gen:{name}" for name in namespaces]
        args = [channel, orjson.dumps(message), *(_random_start() for _ in keys)]
        await self._script(_BUMP_LUA, keys, args)

    async def _replay_pending(self) -> None:
        for tenant in sorted(self._pending_registry):
            await self._send_bump(tenant, (ALL,), REGISTRY_CHANNEL, {"tenant": tenant})
            self._pending_registry.discard(tenant)
        for tenant, names in sorted(self._pending.items()):
            ordered = sorted(names)
            await self._send_bump(tenant, ordered, INVALIDATE_CHANNEL, {"tenant": tenant, "namespaces": ordered})
            del self._pending[tenant]

    def __repr__(self) -> str:
        return f"<ValkeyCache {self.server} {self.status} hot={len(self.hot)}>"
