"""The cache's interface and its in-process backend: generation-versioned entries, the hot copy.

``Cache`` is what every backend implements (``lookup``/``store``/``fetch``, ``bump``,
generations read before a value is computed); ``LocalCache`` keeps everything in this
process; ``HotCopy`` is the small per-process copy the Valkey backend keeps too. The
package's docstring (``fullfinity.engine.cache``) describes the scheme.
"""

from __future__ import annotations

import abc
import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from fullfinity.engine.cache.codec import Uncacheable, decode, encode, encode_rows, is_shareable
from fullfinity.engine.cache.counters import WindowCounters

if TYPE_CHECKING:
    from fullfinity.engine.cache.notify import PgBroadcast
    from fullfinity.engine.cache.pg_counters import PgCounters
    from fullfinity.engine.records.environment import Environment

__all__ = [
    "ALL",
    "INVALIDATE_CHANNEL",
    "REGISTRY_CHANNEL",
    "Cache",
    "CacheStats",
    "CacheStatus",
    "HotCopy",
    "LocalCache",
    "Lookup",
    "fetch_in_env",
    "model_namespace",
]

log = logging.getLogger(__name__)

T = TypeVar("T")
CacheStatus = Literal["local", "ok", "degraded"]
RegistryListener = Callable[[str], object]

#: The tenant-wide namespace every key depends on: bumped by ``registry_changed()``.
ALL = "all"
INVALIDATE_CHANNEL = "ff:invalidate"
REGISTRY_CHANNEL = "ff:registry"
DEFAULT_TTL = 3600.0
#: Values whose payload is larger are not cached at all (a cache is for what is cheap to keep).
MAX_PAYLOAD = 8 * 1024 * 1024


def model_namespace(model_name: str) -> str:
    """The namespace bumped when ``model_name`` is written (``model:<Name>``)."""
    return f"model:{model_name}"


def _check_tenant(tenant: str) -> None:
    if not tenant or ":" in tenant or "#" in tenant:
        raise ValueError(f"cache tenant must be a tenant name (no ':' or '#'), got {tenant!r}")


def _check_namespace(namespace: str) -> None:
    if not namespace or "#" in namespace:
        raise ValueError(f"cache namespace must be a non-empty string without '#', got {namespace!r}")


@dataclass
class CacheStats:
    """Counters of this process's cache use (for tests, benchmarks and debugging)."""

    hits: int = 0
    misses: int = 0
    stores: int = 0
    uncacheable: int = 0


@dataclass(slots=True)
class _Entry:
    payload: bytes
    value: Any  # the decoded value when shareable, else _UNSHARED (decode on each hit)
    expires: float
    tenant: str
    namespaces: frozenset[str]


_UNSHARED = object()


class HotCopy:
    """A bounded LRU of encoded entries in this process (the whole store of ``LocalCache``)."""

    def __init__(self, max_entries: int, max_bytes: int) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def get(self, key: str) -> _Entry | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.expires <= time.monotonic():
            self._remove(key)
            return None
        self._entries.move_to_end(key)
        return entry

    def put(self, key: str, entry: _Entry) -> None:
        size = len(entry.payload)
        if size > self.max_bytes:
            return
        if key in self._entries:
            self._remove(key)
        self._entries[key] = entry
        self._bytes += size
        while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
            self._remove(next(iter(self._entries)))

    def drop(self, tenant: str, namespaces: Collection[str] | None = None) -> int:
        """Forget the tenant's entries (those depending on one of ``namespaces``, if given)."""
        wanted = None if namespaces is None or ALL in namespaces else frozenset(namespaces)
        doomed = [
            key
            for key, entry in self._entries.items()
            if entry.tenant == tenant and (wanted is None or not wanted.isdisjoint(entry.namespaces))
        ]
        for key in doomed:
            self._remove(key)
        return len(doomed)

    def clear(self) -> None:
        self._entries.clear()
        self._bytes = 0

    def _remove(self, key: str) -> None:
        entry = self._entries.pop(key)
        self._bytes -= len(entry.payload)


class Lookup:
    """The answer of ``Cache.lookup()``: a hit with its value, or a miss that can ``store()`` one.

    A miss remembers the generations read by the lookup; ``store()`` files the value under
    them. When the cache is unavailable the lookup is a miss and storing does nothing.
    """

    __slots__ = ("_cache", "_key", "_namespaces", "_tenant", "hit", "value")

    def __init__(
        self,
        cache: Cache,
        tenant: str,
        namespaces: frozenset[str],
        key: str | None,
        *,
        hit: bool = False,
        value: Any = None,
    ) -> None:
        self._cache = cache
        self._tenant = tenant
        self._namespaces = namespaces
        self._key = key
        self.hit = hit
        self.value = value

    @property
    def key(self) -> str | None:
        """The full Valkey key (``None`` when the cache is unavailable)."""
        return self._key

    async def store(self, value: Any, *, ttl: float | None = None) -> bool:
        """Cache ``value`` (see ``codec.py`` for the types carried exactly); False when not stored."""
        return await self._store(encode, value, ttl)

    async def store_rows(self, rows: Iterable[Iterable[Any]], *, ttl: float | None = None) -> bool:
        """Cache database rows in the column encoding; a hit's ``value`` is a list of lists."""
        return await self._store(encode_rows, rows, ttl)

    async def _store(self, encoder: Callable[[Any], bytes], value: Any, ttl: float | None) -> bool:
        if self._key is None:
            return False
        cache = self._cache
        seconds = cache.default_ttl if ttl is None else ttl
        if seconds <= 0:
            raise ValueError(f"cache ttl must be a positive number of seconds or None, got {ttl!r}")
        try:
            payload = encoder(value)
        except Uncacheable as exc:
            cache.stats.uncacheable += 1
            log.debug("Not caching %s: %s", self._key, exc)
            return False
        if len(payload) > MAX_PAYLOAD:
            cache.stats.uncacheable += 1
            return False
        cache.stats.stores += 1
        if cache.hot_usable():
            cache.hot.put(self._key, _hot_entry(payload, seconds, self._tenant, self._namespaces))
        await cache._write(self._key, payload, seconds)
        return True


def _hot_entry(payload: bytes, ttl: float, tenant: str, namespaces: frozenset[str]) -> _Entry:
    value = decode(payload) if is_shareable(payload) else _UNSHARED
    return _Entry(payload, value, time.monotonic() + ttl, tenant, namespaces)


class Cache(abc.ABC):
    """What every backend offers; ``create_cache()`` picks one from the settings."""

    def __init__(self, *, hot_entries: int, hot_bytes: int, default_ttl: float = DEFAULT_TTL) -> None:
        self.hot = HotCopy(hot_entries, hot_bytes)
        self.default_ttl = default_ttl
        self.stats = CacheStats()
        self._registry_listeners: list[RegistryListener] = []
        self._counters = WindowCounters()
        #: Counters shared by every process through PostgreSQL (``attach_counters``; the runtime attaches them).
        self._pg_counters: PgCounters | None = None

    # -- lifecycle ---------------------------------------------------------------------------
    @property
    @abc.abstractmethod
    def status(self) -> CacheStatus:
        """``local`` (in-process backend), ``ok`` (server reachable) or ``degraded`` (server unreachable)."""

    async def listen(self) -> None:  # noqa: B027 - optional hook
        """Start receiving other processes' invalidations (long-running processes: the server)."""

    def start(self) -> None:  # noqa: B027 - optional hook, nothing to do for the local backend
        """Start background work (connection, pub/sub); safe to call again. Idempotent."""

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Stop background work and close connections; the cache restarts on next use."""

    async def health(self) -> CacheStatus:
        """The status after checking the server (what ``/health`` reports)."""
        return self.status

    # -- counters (counters.py) -------------------------------------------------------------------
    def attach_counters(self, counters: PgCounters) -> None:
        """Count in PostgreSQL, shared by every process: always for the local backend, while the
        server is unreachable for Valkey."""
        self._pg_counters = counters

    async def count(
        self, tenant: str, namespace: str, key: str, *, window: float, now: float, renew_at: int | None = None
    ) -> tuple[int, float] | None:
        """Add one to a counter of a fixed ``window`` (seconds, opened by the first count), atomically;
        ``(count, seconds left in the window)``, or ``None`` when no shared counter is reachable.

        ``renew_at``: when the count reaches this value the window starts again (a lock that
        lasts a full window after the limit was reached). ``now`` is the caller's clock, used by
        the in-process counters; a server keeps its own time.

        The local backend counts in PostgreSQL when counters are attached (every worker shares
        them), in this process otherwise or while PostgreSQL is unreachable.
        """
        if self._pg_counters is not None:
            found = await self._pg_counters.count(tenant, namespace, key, window=window, renew_at=renew_at)
            if found is not None:
                return found
        return self._counters.count(tenant, namespace, key, window=window, now=now, renew_at=renew_at)

    async def uncount(self, tenant: str, namespace: str, key: str) -> None:
        """Forget a counter (a successful login clears its failures)."""
        self._counters.uncount(tenant, namespace, key)
        if self._pg_counters is not None:
            await self._pg_counters.uncount(tenant, namespace, key)

    # -- reading and writing ---------------------------------------------------------------------
    async def lookup(self, tenant: str, namespace: str, key: str, *, depends_on: Iterable[str] = ()) -> Lookup:
        """The cached value of ``key`` at the current generations, or a miss able to store one."""
        full, frozen = await self._full_key(tenant, namespace, key, depends_on)
        if full is None:
            self.stats.misses += 1
            return Lookup(self, tenant, frozen, None)
        if self.hot_usable():
            entry = self.hot.get(full)
            if entry is not None:
                self.stats.hits += 1
                value = decode(entry.payload) if entry.value is _UNSHARED else entry.value
                return Lookup(self, tenant, frozen, full, hit=True, value=value)
        found = await self._read(full)
        if found is not None:
            payload, ttl = found
            try:
                value = decode(payload)
            except ValueError:
                log.debug("Ignoring undecodable cache entry %s", full)
            else:
                self.stats.hits += 1
                if self.hot_usable():
                    shared = value if is_shareable(payload) else _UNSHARED
                    self.hot.put(full, _Entry(payload, shared, time.monotonic() + ttl, tenant, frozen))
                return Lookup(self, tenant, frozen, full, hit=True, value=value)
        self.stats.misses += 1
        return Lookup(self, tenant, frozen, full)

    async def _full_key(
        self, tenant: str, namespace: str, key: str, depends_on: Iterable[str]
    ) -> tuple[str | None, frozenset[str]]:
        """The key at the current generations (``None`` when unavailable) and the namespaces it depends on."""
        _check_tenant(tenant)
        names = _key_namespaces(namespace, depends_on)
        generations = await self._generations(tenant, names)
        full = None if generations is None else f"ff:{tenant}:{namespace}:{key}#{'.'.join(map(str, generations))}"
        return full, frozenset(names)

    async def generations(self, tenant: str, namespaces: Sequence[str]) -> tuple[int, ...] | None:
        """The current generations of ``namespaces`` (one round trip with Valkey; ``None`` when
        unavailable). Unchanged generations mean nothing depending on them was written since."""
        _check_tenant(tenant)
        found = await self._generations(tenant, namespaces)
        return None if found is None else tuple(found)

    async def get(self, tenant: str, namespace: str, key: str, *, depends_on: Iterable[str] = ()) -> Any:
        """The cached value, or ``None`` on a miss (so ``None`` itself is not worth caching)."""
        return (await self.lookup(tenant, namespace, key, depends_on=depends_on)).value

    async def set(
        self,
        tenant: str,
        namespace: str,
        key: str,
        value: Any,
        *,
        ttl: float | None = None,
        depends_on: Iterable[str] = (),
    ) -> bool:
        """Store ``value`` at the *current* generations (for values not derived from the database;
        use ``lookup()`` + ``store()`` or ``fetch()`` for those). False when not stored."""
        full, frozen = await self._full_key(tenant, namespace, key, depends_on)
        return await Lookup(self, tenant, frozen, full).store(value, ttl=ttl)

    async def fetch(
        self,
        tenant: str,
        namespace: str,
        key: str,
        compute: Callable[[], Awaitable[T]],
        *,
        ttl: float | None = None,
        depends_on: Iterable[str] = (),
    ) -> T:
        """The cached value, else ``await compute()`` stored under the generations read before computing."""
        found = await self.lookup(tenant, namespace, key, depends_on=depends_on)
        if found.hit:
            return cast(T, found.value)
        value = await compute()
        await found.store(value, ttl=ttl)
        return value

    # -- invalidation ----------------------------------------------------------------------------------
    async def bump(self, tenant: str, *namespaces: str) -> None:
        """Invalidate whole namespaces of a tenant (call after commit, never before) and tell other workers."""
        _check_tenant(tenant)
        for namespace in namespaces:
            _check_namespace(namespace)
        if not namespaces:
            return
        names = tuple(dict.fromkeys(namespaces))
        self.hot.drop(tenant, names)
        await self._bump(tenant, names, INVALIDATE_CHANNEL, {"tenant": tenant, "namespaces": list(names)})

    async def models_written(self, tenant: str, model_names: Iterable[str]) -> None:
        """After a commit: bump ``model:<Name>`` of every written model (``Environment.committed`` calls it)."""
        await self.bump(tenant, *(model_namespace(name) for name in sorted(model_names)))

    async def registry_changed(self, tenant: str) -> None:
        """After a module operation committed: everything of the tenant is stale, registries must be rebuilt."""
        _check_tenant(tenant)
        self.hot.drop(tenant)
        await self._bump(tenant, (ALL,), REGISTRY_CHANNEL, {"tenant": tenant})
        self._registry_received(tenant)

    def on_registry_changed(self, listener: RegistryListener) -> None:
        """Call ``listener(tenant)`` whenever any worker reports a registry change of ``tenant``.

        The reporting process calls it at once and again when its own message comes back, so a
        listener must be idempotent (dropping a tenant -> registry mapping is).
        """
        self._registry_listeners.append(listener)

    def _registry_received(self, tenant: str) -> None:
        for listener in list(self._registry_listeners):
            try:
                listener(tenant)
            except Exception:
                log.exception("Registry-change listener %r failed for tenant %s", listener, tenant)

    # -- backend primitives -----------------------------------------------------------------------------
    @abc.abstractmethod
    def hot_usable(self) -> bool:
        """Whether the in-process copy may be read and filled now."""

    @abc.abstractmethod
    async def _generations(self, tenant: str, namespaces: Sequence[str]) -> list[int] | None:
        """Current generation of each namespace; ``None`` when the backend is unavailable."""

    @abc.abstractmethod
    async def _read(self, key: str) -> tuple[bytes, float] | None:
        """The payload stored at ``key`` and its remaining time to live in seconds."""

    @abc.abstractmethod
    async def _write(self, key: str, payload: bytes, ttl: float) -> None: ...

    @abc.abstractmethod
    async def _bump(self, tenant: str, namespaces: Sequence[str], channel: str, message: dict[str, Any]) -> None: ...


_namespace_sets: dict[tuple[str, tuple[str, ...]], tuple[str, ...]] = {}


def _key_namespaces(namespace: str, depends_on: Iterable[str]) -> tuple[str, ...]:
    """``all``, the key's namespace and its dependencies, checked once per combination."""
    depends = tuple(depends_on)
    found = _namespace_sets.get((namespace, depends))
    if found is not None:
        return found
    _check_namespace(namespace)
    names = dict.fromkeys((ALL, namespace))
    for name in depends:
        _check_namespace(name)
        names[name] = None
    found = tuple(names)
    if len(_namespace_sets) < 4096:  # namespaces are code-defined; never grows in practice
        _namespace_sets[namespace, depends] = found
    return found


class LocalCache(Cache):
    """The in-process backend (no ``FULLFINITY_CACHE_URL``).

    Entries live in this process. Bumps are also published to the other processes through
    PostgreSQL when a broadcast is attached (``fullfinity.engine.cache.notify``; the runtime
    attaches one), and a listening process applies theirs a few milliseconds after they commit.
    """

    def __init__(
        self, *, hot_entries: int = 10_000, hot_bytes: int = 128 * 1024 * 1024, default_ttl: float = DEFAULT_TTL
    ) -> None:
        super().__init__(hot_entries=hot_entries, hot_bytes=hot_bytes, default_ttl=default_ttl)
        self._generation: dict[tuple[str, str], int] = {}
        #: Added to every generation; ``reset()`` raises it to invalidate everything at once.
        self._epoch = 0
        self._broadcast: PgBroadcast | None = None

    def attach(self, broadcast: PgBroadcast) -> None:
        """Publish bumps through ``broadcast`` (and receive other processes' ones once ``listen()``ing)."""
        self._broadcast = broadcast

    async def listen(self) -> None:
        """Listen for other processes' bumps; returns once listening (or after 5 s, with a warning)."""
        if self._broadcast is None:
            return
        self._broadcast.listen(self._remote, self.reset)
        try:
            async with asyncio.timeout(5):
                await self._broadcast.listening.wait()
        except TimeoutError:
            log.warning("Not yet listening for other processes' cache invalidations; retrying in the background.")

    async def close(self) -> None:
        if self._broadcast is not None:
            await self._broadcast.close()

    def reset(self) -> None:
        """Invalidate every entry and every generation (invalidations may have been missed)."""
        self._epoch += 1
        self.hot.clear()

    def _remote(self, message: dict[str, Any]) -> None:
        """Apply another process's bump."""
        tenant = message.get("tenant")
        if not isinstance(tenant, str):
            return
        namespaces = message.get("namespaces")
        if message.get("registry") or message.get("all") or not isinstance(namespaces, list):
            names: list[str] = [ALL]
            self.hot.drop(tenant)
        else:
            names = [str(name) for name in namespaces]
            self.hot.drop(tenant, names)
        for name in names:
            self._generation[tenant, name] = self._generation.get((tenant, name), 0) + 1
        if message.get("registry"):
            self._registry_received(tenant)

    @property
    def status(self) -> CacheStatus:
        return "local"

    def hot_usable(self) -> bool:
        return True

    async def _generations(self, tenant: str, namespaces: Sequence[str]) -> list[int]:
        epoch = self._epoch
        return [self._generation.get((tenant, name), 0) + epoch for name in namespaces]

    async def _read(self, key: str) -> tuple[bytes, float] | None:
        return None  # the hot copy is the whole store

    async def _write(self, key: str, payload: bytes, ttl: float) -> None:
        return None

    async def _bump(self, tenant: str, namespaces: Sequence[str], channel: str, message: dict[str, Any]) -> None:
        for name in namespaces:
            self._generation[tenant, name] = self._generation.get((tenant, name), 0) + 1
        if self._broadcast is not None:
            await self._broadcast.publish({**message, "registry": channel == REGISTRY_CHANNEL})

    def __repr__(self) -> str:
        return f"<LocalCache entries={len(self.hot)}>"


async def fetch_in_env(
    env: Environment,
    namespace: str,
    key: str,
    compute: Callable[[], Awaitable[T]],
    *,
    models: Iterable[str] = (),
    ttl: float | None = None,
) -> T:
    """``env.cache.fetch()`` for a value computed from the rows of ``models`` in ``env``'s transaction.

    The entry depends on ``model:<Name>`` of each model. When the environment has no cache,
    or its transaction wrote one of ``models`` (so the value would include uncommitted data,
    which must neither be served to others nor replaced by the committed value), the value is
    computed and returned without touching the cache.
    """
    names = list(models)
    cache = env.cache
    if not isinstance(cache, Cache) or not env.written.isdisjoint(names):
        return await compute()
    depends = [model_namespace(name) for name in names]
    return await cache.fetch(env.tenant, namespace, key, compute, ttl=ttl, depends_on=depends)
