"""The cache: tenant-scoped entries versioned by generation counters, in process or on Valkey/Redis.

Every entry lives under ``ff:<tenant>:<namespace>:<key>#<generations>``. Each (tenant,
namespace) has a generation counter ``ff:<tenant>:gen:<namespace>``; a key carries the
current generation of the tenant-wide namespace ``all``, of its own namespace and of the
namespaces it ``depends_on`` (a query result depends on ``model:<Name>`` of every model it
reads). ``bump()`` increments counters, so every entry built on the old value becomes
unreachable at once; stale bytes simply expire (every entry has a TTL).

Reading always starts from the current generations, so once ``bump()`` has returned
nobody serves an entry of the old generation: with Valkey that costs one round trip per
read (the local hot copy saves the second one, fetching the value). Pub/sub messages on
``ff:invalidate`` / ``ff:registry`` only free the other workers' hot copies early.

    cache = create_cache(settings.cache_url)     # LocalCache, or ValkeyCache for a URL
    found = await cache.lookup("acme", "views", "form:Contact:en", depends_on=["model:UiView"])
    if not found.hit:
        await found.store(await build_view())   # stored under the generations read above

``lookup()`` + ``store()`` is the pattern for anything computed from the database: the
value is stored under the generations read *before* it was computed, so a write that
commits meanwhile cannot leave it cached as current (``fetch()`` wraps the pattern).
See docs/cache.md.
"""

from __future__ import annotations

from typing import Any

from fullfinity.engine.cache.store import (
    ALL,
    INVALIDATE_CHANNEL,
    REGISTRY_CHANNEL,
    Cache,
    CacheStats,
    CacheStatus,
    HotCopy,
    LocalCache,
    Lookup,
    fetch_in_env,
    model_namespace,
)

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
    "create_cache",
    "fetch_in_env",
    "model_namespace",
]


def create_cache(url: str | None, **options: Any) -> Cache:
    """``LocalCache`` without a URL, else ``ValkeyCache`` (``redis://``, ``rediss://``, ``valkey://``, ``valkeys://``)."""
    if not url:
        return LocalCache(**options)
    from fullfinity.engine.cache.valkey import ValkeyCache

    return ValkeyCache(url, **options)
